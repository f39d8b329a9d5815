package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.Dense;
import org.medsynth.nn.layers.PixelNorm;
import org.medsynth.nn.layers.Resample;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Map;

/**
 * PGGAN generator with progressive growing (tkarras/progressive_growing_of_gans {@code G_paper}):
 * <pre>
 *   z -> pixel norm (normalizeLatents) -> dense to nf(1) x 4^d (gain sqrt(2)/4) -> LReLU 0.2 -> PN
 *     -> conv3 -> LReLU -> PN                                    [block "b4"]
 *   for R = 8 .. resolution: up x2 (nearest) -> conv3 -> LReLU -> PN -> conv3 -> LReLU -> PN   [block "b<R>"]
 *   toRGB<R>: conv1 -> channels (gain 1, linear)
 *   out = lerp(up(toRGB<R/2>(h<R/2>)), toRGB<R>(h<R>), alpha)  (fade-in; alpha = 1: new block fully in)
 * </pre>
 * Weights use the equalised learning rate (stored N(0, 1), scaled by gain / sqrt(fanIn) in the graph).
 * The graph for resolution R contains the blocks up to R; the graph for 2R reuses the same parameter
 * names and adds new ones, so growing = building a new graph over the same
 * {@link org.medsynth.nn.ParamStore}. alpha is a scalar placeholder, so one graph serves the whole
 * fade-in phase. Parameter names: {@code dense4}, {@code b4/conv}, {@code b<R>/conv0},
 * {@code b<R>/conv1}, {@code toRGB<R>}.
 */
public record PgganGenerator(@RecordMaps.Inline PgganConfig config) implements NetworkSpec {
    public static final String KIND = "pggan-generator";

    /**
     * @param latent     [N, latentSize]
     * @param resolution current resolution (power of 2, 4 .. maxResolution)
     * @param alpha      fade-in factor placeholder (scalar); may be null (treated as 1, no fade-in)
     * @return images [N, channels, resolution...] (linear output, as PGGAN)
     */
    public Tensor apply(NetBuilder b, Tensor latent, int resolution, SDVariable alpha) {
        config.checkResolution(resolution);
        if (latent.spatialDims() != 0 || latent.channels() != config.latentSize()) {
            throw new IllegalArgumentException("PGGAN generator expects latents [N, " + config.latentSize() + "], got " + latent);
        }
        int d = config.spatialDims();
        double sqrt2 = Math.sqrt(2);
        Tensor x = config.normalizeLatents() ? PixelNorm.apply(b, latent) : latent;
        int c4 = config.nf(1);
        int cells = 1 << (2 * d);           // 4^d values per feature map at 4x4(x4)
        Tensor h = Dense.create().init(init(sqrt2 / 4)).apply(b, "dense4", x, c4 * cells);
        int[] four = new int[d];
        java.util.Arrays.fill(four, 4);
        h = Dense.unflatten(b, h, c4, four);
        h = act(b, h);
        h = act(b, conv3().apply(b, "b4/conv", h, c4));
        Tensor prevH = null;
        for (int r = 8; r <= resolution; r *= 2) {
            prevH = h;
            int c = config.nf(PgganConfig.log2(r) - 1);
            h = Resample.upNearest(b, h, 2);
            h = act(b, conv3().apply(b, "b" + r + "/conv0", h, c));
            h = act(b, conv3().apply(b, "b" + r + "/conv1", h, c));
        }
        Tensor out = toRgb(b, h, resolution);
        if (prevH != null && alpha != null) {
            Tensor prev = Resample.upNearest(b, toRgb(b, prevH, resolution / 2), 2);
            // prev + alpha (out - prev)
            SDVariable mixed = prev.var().add(b.opName("fadeIn"), out.var().sub(prev.var()).mul(alpha));
            SDVariable t = prev.hasTangent() && out.hasTangent()
                    ? prev.tangent().add(b.opName("fadeInT"), out.tangent().sub(prev.tangent()).mul(alpha)) : null;
            out = out.with(mixed, t);
        }
        return out;
    }

    private Tensor toRgb(NetBuilder b, Tensor h, int r) {
        return Conv.of(1).init(init(1.0)).apply(b, "toRGB" + r, h, config.channels());
    }

    private Conv conv3() {
        return Conv.of(3).samePadding().init(init(Math.sqrt(2)));
    }

    private WeightInit init(double gain) {
        return config.equalizedLr() ? WeightInit.equalized(gain) : WeightInit.heNormal();
    }

    private Tensor act(NetBuilder b, Tensor h) {
        h = Activations.leakyRelu(b, h, 0.2);
        return config.pixelNorm() ? PixelNorm.apply(b, h) : h;
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static PgganGenerator fromMap(Map<String, Object> map) {
        return new PgganGenerator(PgganConfig.fromMap(KIND, map));
    }
}
