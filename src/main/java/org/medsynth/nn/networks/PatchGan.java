package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.Norm;
import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * The pix2pix PatchGAN discriminator ({@code NLayerDiscriminator}), 2D or 3D:
 * <pre>
 *   conv0: Conv k4 s2 p1 -> width, LeakyReLU 0.2                       (no norm)
 *   conv n (n = 1 .. layers-1): Conv k4 s2 p1 -> width min(2^n, 8), norm, LeakyReLU 0.2
 *   conv layers: Conv k4 s1 p1 -> width min(2^layers, 8), norm, LeakyReLU 0.2
 *   out:  Conv k4 s1 p1 -> 1                                            (logits per patch)
 * </pre>
 * {@code layers = 3} is the 70x70 PatchGAN (a 256x256 input gives 30x30 logits). Conditional use:
 * the condition (e.g. the sketch or label map) is concatenated before the image on the channel axis,
 * as pix2pix's {@code cat(real_A, fake_B)}; {@code inChannels} counts both.
 * Bias as in pix2pix (none before a batch norm); weights N(0, 0.02); optional spectral norm on every
 * convolution. Parameter names: {@code conv<n>/conv/{W,b}}, {@code conv<n>/norm/...}, {@code out/{W,b}}.
 */
public record PatchGan(int spatialDims, int inChannels, int width, int layers, Norm norm, boolean spectralNorm) implements NetworkSpec {
    public static final String KIND = "patchgan";

    public PatchGan {
        if (spatialDims != 2 && spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3");
        if (inChannels < 1 || width < 1 || layers < 1) throw new IllegalArgumentException("inChannels, width and layers must be >= 1");
        if (norm == Norm.PIXEL) throw new IllegalArgumentException("PatchGAN supports batch, instance or no normalisation");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: pix2pix's 70x70 PatchGAN for 3 + 3 input channels, batch norm. */
    public static final class Builder {
        private int spatialDims = 2;
        private int inChannels = 6;
        private int width = 64;
        private int layers = 3;
        private Norm norm = Norm.BATCH;
        private boolean spectralNorm = false;

        public Builder spatialDims(int d) { spatialDims = d; return this; }
        /** Channels of condition + image together. */
        public Builder inChannels(int c) { inChannels = c; return this; }
        /** pix2pix ndf. */
        public Builder width(int w) { width = w; return this; }
        /** pix2pix n_layers_D (3 = 70x70 receptive field). */
        public Builder layers(int n) { layers = n; return this; }
        public Builder norm(Norm n) { norm = n; return this; }
        public Builder spectralNorm(boolean sn) { spectralNorm = sn; return this; }
        public PatchGan build() { return new PatchGan(spatialDims, inChannels, width, layers, norm, spectralNorm); }
    }

    /** Size of the logit map for an input of size {@code in} along one axis (< 1: too small). */
    public int outputSize(int in) {
        int s = in;
        for (int n = 0; n < layers; n++) s = s / 2;
        return s - 2;
    }

    /**
     * @param condition concatenated before {@code image}; may be null for an unconditional D
     * @return logits [N, 1, patches...]
     */
    public Tensor apply(NetBuilder b, Tensor condition, Tensor image) {
        Tensor x = image;
        if (condition != null) {
            if (!java.util.Arrays.equals(condition.spatial(), image.spatial())) {
                throw new IllegalArgumentException("condition " + condition + " and image " + image + " differ in size");
            }
            x = new Tensor(b.sd().concat(b.opName("condConcat"), 1, condition.var(), image.var()),
                    condition.channels() + image.channels(), image.spatial());
            if (image.hasTangent()) {
                // the condition is an input: its tangent is zero unless it carries one
                var ct = condition.hasTangent() ? condition.tangent() : b.sd().zerosLike(b.opName("condT"), condition.var());
                x = x.withTangent(b.sd().concat(b.opName("condConcatT"), 1, ct, image.tangent()));
            }
        }
        if (x.spatialDims() != spatialDims) throw new IllegalArgumentException("PatchGAN is " + spatialDims + "D but the input is " + x);
        if (x.channels() != inChannels) {
            throw new IllegalArgumentException("PatchGAN expects " + inChannels + " input channels (condition + image), got " + x.channels());
        }
        for (int s : x.spatial()) {
            if (outputSize(s) < 1) {
                throw new IllegalArgumentException("images of size " + s + " are too small for a PatchGAN with " + layers
                        + " layers (needs at least " + (3 << layers) + ")");
            }
        }
        x = Layout.working(b, x);
        WeightInit init = WeightInit.normal(0.02);
        Conv k4 = Conv.of(4).padding(1).init(init).spectralNorm(spectralNorm);
        boolean bias = norm.convBias();
        NetBuilder s0 = b.sub("conv0");
        Tensor h = Activations.leakyRelu(s0, k4.stride(2).bias(true).apply(s0, "conv", x, width), 0.2);
        for (int n = 1; n <= layers; n++) {
            NetBuilder s = b.sub("conv" + n);
            int c = width * Math.min(1 << n, 8);
            h = k4.stride(n < layers ? 2 : 1).bias(bias).apply(s, "conv", h, c);
            h = norm.apply(s, "norm", h);
            h = Activations.leakyRelu(s, h, 0.2);
        }
        return Layout.channelsFirst(b, k4.stride(1).bias(true).apply(b, "out", h, 1));
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static PatchGan fromMap(Map<String, Object> map) {
        return RecordMaps.fromMap(PatchGan.class, KIND + ": hyper-parameter", map, Map.of());
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
