package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.Dense;
import org.medsynth.nn.layers.MinibatchStdDev;
import org.medsynth.nn.layers.Resample;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * PGGAN discriminator with progressive growing (tkarras/progressive_growing_of_gans {@code D_paper}):
 * <pre>
 *   fromRGB<R>: conv1 -> nf(log2 R - 1), LReLU 0.2
 *   block R (R >= 8): conv3 -> nf(log2 R - 1), LReLU, conv3 -> nf(log2 R - 2), LReLU, avg-pool x2
 *   fade-in at the input resolution R: h = lerp(fromRGB<R/2>(avgpool(x)), block<R>(fromRGB<R>(x)), alpha)
 *   block 4: minibatch stddev (group 4) -> conv3 -> nf(1), LReLU -> dense nf(0), LReLU -> dense 1 (gain 1)
 * </pre>
 * Equalised learning rate throughout; no normalisation. The resolution follows from the input size.
 * Parameter names: {@code fromRGB<R>}, {@code b<R>/conv0}, {@code b<R>/conv1}, {@code b4/conv},
 * {@code b4/dense0}, {@code b4/dense1}.
 */
public record PgganDiscriminator(@RecordMaps.Inline PgganConfig config) implements NetworkSpec {
    public static final String KIND = "pggan-discriminator";

    /**
     * @param image [N, channels, R...] with R a power of 2
     * @param alpha fade-in factor placeholder; may be null (no fade-in)
     * @return scores [N, 1]
     */
    public Tensor apply(NetBuilder b, Tensor image, SDVariable alpha) {
        if (image.spatialDims() != config.spatialDims() || image.channels() != config.channels()) {
            throw new IllegalArgumentException("PGGAN discriminator expects " + config.channels() + "-channel "
                    + config.spatialDims() + "D images, got " + image);
        }
        int resolution = image.spatial(0);
        for (int s : image.spatial()) {
            if (s != resolution) throw new IllegalArgumentException("PGGAN needs square/cubic images, got " + image);
        }
        config.checkResolution(resolution);
        double sqrt2 = Math.sqrt(2);
        Tensor h = fromRgb(b, image, resolution);
        for (int r = resolution; r >= 8; r /= 2) {
            int res = PgganConfig.log2(r);
            h = Activations.leakyRelu(b, conv3().apply(b, "b" + r + "/conv0", h, config.nf(res - 1)), 0.2);
            h = Activations.leakyRelu(b, conv3().apply(b, "b" + r + "/conv1", h, config.nf(res - 2)), 0.2);
            h = Resample.downAverage(b, h, 2);
            if (r == resolution && alpha != null) {
                Tensor skip = fromRgb(b, Resample.downAverage(b, image, 2), r / 2);
                SDVariable mixed = skip.var().add(b.opName("fadeIn"), h.var().sub(skip.var()).mul(alpha));
                SDVariable t = skip.hasTangent() && h.hasTangent()
                        ? skip.tangent().add(b.opName("fadeInT"), h.tangent().sub(skip.tangent()).mul(alpha)) : null;
                h = h.with(mixed, t);
            }
        }
        if (config.mbstdGroupSize() > 0) h = MinibatchStdDev.apply(b, h, config.mbstdGroupSize());
        h = Activations.leakyRelu(b, conv3().apply(b, "b4/conv", h, config.nf(1)), 0.2);
        h = Activations.leakyRelu(b, Dense.create().init(init(sqrt2)).apply(b, "b4/dense0", h, config.nf(0)), 0.2);
        return Dense.create().init(init(1.0)).apply(b, "b4/dense1", h, 1);
    }

    private Tensor fromRgb(NetBuilder b, Tensor x, int r) {
        return Activations.leakyRelu(b, Conv.of(1).init(init(Math.sqrt(2))).apply(b, "fromRGB" + r, x,
                config.nf(PgganConfig.log2(r) - 1)), 0.2);
    }

    private Conv conv3() {
        return Conv.of(3).samePadding().init(init(Math.sqrt(2)));
    }

    private WeightInit init(double gain) {
        return config.equalizedLr() ? WeightInit.equalized(gain) : WeightInit.heNormal();
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static PgganDiscriminator fromMap(Map<String, Object> map) {
        return new PgganDiscriminator(PgganConfig.fromMap(KIND, map));
    }
}
