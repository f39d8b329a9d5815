package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.ConvTranspose;
import org.medsynth.nn.layers.Dense;
import org.medsynth.nn.layers.Norm;
import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * DCGAN (Radford et al. 2016, PyTorch example layout), 2D or 3D, as the SkrGAN paper's baseline.
 * <pre>
 *   G: z [N, latent] -> reshape [N, latent, 1..] -> ConvT k4 s1 p0 -> width (R/8), BN, ReLU (4x4)
 *      -> repeat: ConvT k4 s2 p1 halving the maps, BN, ReLU  (until R/2)
 *      -> ConvT k4 s2 p1 -> channels, tanh                     (R)
 *   D: Conv k4 s2 p1 -> width, LReLU 0.2 -> repeat: Conv k4 s2 p1 doubling, BN, LReLU (until 4x4)
 *      -> Conv k4 s1 p0 -> 1 logit                             [N, 1]
 * </pre>
 * No biases, weights N(0, 0.02), batch-norm gains N(1, 0.02). Resolution: power of 2 >= 8.
 * Parameter names: G {@code g<i>/convT}, {@code g<i>/norm}; D {@code d<i>/conv}, {@code d<i>/norm}.
 */
public record Dcgan(int spatialDims, int channels, int resolution, int latentSize, int generatorWidth, int discriminatorWidth)
        implements NetworkSpec {
    public static final String KIND = "dcgan";

    /**
     * @param generatorWidth     ngf (64 in the paper)
     * @param discriminatorWidth ndf (64)
     */
    public Dcgan {
        if (spatialDims != 2 && spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3");
        if (resolution < 8 || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("DCGAN resolution must be a power of 2 >= 8, got " + resolution);
        }
        if (channels < 1 || latentSize < 1 || generatorWidth < 1 || discriminatorWidth < 1) {
            throw new IllegalArgumentException("channels, latent size and widths must be >= 1");
        }
    }

    /** @param latent [N, latentSize] @return images [N, channels, resolution...] in [-1, 1] */
    public Tensor generate(NetBuilder b, Tensor latent) {
        if (latent.spatialDims() != 0 || latent.channels() != latentSize) {
            throw new IllegalArgumentException("DCGAN generator expects latents [N, " + latentSize + "], got " + latent);
        }
        WeightInit init = WeightInit.normal(0.02);
        int[] ones = new int[spatialDims];
        java.util.Arrays.fill(ones, 1);
        Tensor h = Dense.unflatten(b, latent, latentSize, ones);
        int c = generatorWidth * (resolution / 8);
        int i = 0;
        NetBuilder s = b.sub("g" + i);
        h = ConvTranspose.of(4).bias(false).init(init).apply(s, "convT", h, c);
        h = Activations.relu(s, Norm.BATCH.apply(s, "norm", h));
        while (h.spatial(0) < resolution / 2) {
            s = b.sub("g" + (++i));
            c = Math.max(1, c / 2);
            h = ConvTranspose.of(4).stride(2).padding(1).bias(false).init(init).apply(s, "convT", h, c);
            h = Activations.relu(s, Norm.BATCH.apply(s, "norm", h));
        }
        s = b.sub("g" + (++i));
        h = ConvTranspose.of(4).stride(2).padding(1).bias(false).init(init).apply(s, "convT", h, channels);
        return Activations.tanh(s, h);
    }

    /** @param image [N, channels, resolution...] @return logits [N, 1] */
    public Tensor discriminate(NetBuilder b, Tensor image) {
        if (image.spatialDims() != spatialDims || image.channels() != channels) {
            throw new IllegalArgumentException("DCGAN discriminator expects " + channels + "-channel " + spatialDims + "D images, got " + image);
        }
        for (int sz : image.spatial()) {
            if (sz != resolution) throw new IllegalArgumentException("DCGAN discriminator expects size " + resolution + ", got " + image);
        }
        WeightInit init = WeightInit.normal(0.02);
        Conv down = Conv.of(4).stride(2).padding(1).bias(false).init(init);
        int i = 0;
        NetBuilder s = b.sub("d" + i);
        int c = discriminatorWidth;
        Tensor h = Activations.leakyRelu(s, down.apply(s, "conv", image, c), 0.2);
        while (h.spatial(0) > 4) {
            s = b.sub("d" + (++i));
            c *= 2;
            h = down.apply(s, "conv", h, c);
            h = Activations.leakyRelu(s, Norm.BATCH.apply(s, "norm", h), 0.2);
        }
        s = b.sub("d" + (++i));
        h = Conv.of(4).bias(false).init(init).apply(s, "conv", h, 1);
        return Dense.flatten(b, h);
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static Dcgan fromMap(Map<String, Object> map) {
        return RecordMaps.fromMap(Dcgan.class, KIND + ": hyper-parameter", map, Map.of());
    }
}
