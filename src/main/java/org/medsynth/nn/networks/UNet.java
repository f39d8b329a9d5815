package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.ConvTranspose;
import org.medsynth.nn.layers.Dropout;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.layers.Resample;
import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * The pix2pix U-Net generator ({@code unet_256} of junyanz/pytorch-CycleGAN-and-pix2pix),
 * generalised to any depth, width and 2D/3D.
 *
 * <p>Level i = 0 .. depth-1 has {@code width * min(2^i, 8)} feature maps. Encoder: 4x4(x4) stride-2
 * convolutions; every level but the first is preceded by LeakyReLU 0.2 and every level but the
 * first and the innermost is followed by the normalisation. Decoder: ReLU (LeakyReLU with {@link Builder#upSlope}), 4x4 stride-2 transposed
 * convolution, normalisation (not on the outermost), dropout 0.5 in the {@code dropoutBlocks} blocks
 * directly above the innermost (pix2pix: depth - 5, the ngf*8 -> ngf*8 blocks), then concatenation
 * [skip, up] on the channel axis. The outermost decoder block ends with the output activation (tanh for
 * pix2pix). Convolutions have a bias except before a batch norm; weights N(0, 0.02), batch-norm gains
 * N(1, 0.02). With {@code depth = 8} and {@code width = 64} this is exactly {@code unet_256}
 * (54,413,955 parameters with batch norm for 3 -> 3 channels, as PyTorch counts them).
 *
 * <p>Parameter names below the builder's prefix: {@code down<i>/conv/{W,b}}, {@code down<i>/norm/...},
 * {@code up<i>/convT/{W,b}} ({@code up<i>/conv/{W,b}} with nearest up-sampling), {@code up<i>/norm/...}; with
 * {@link Upsample#NEAREST_INPUT_SKIP} {@code up0/conv/...} makes {@code width} maps ({@code up0/norm/...} with batch norm) and {@code up0/out/{W,b}} the output.
 * The input size must be divisible by 2^depth.
 *
 * <p><b>Up-sampling.</b> {@link Upsample#TRANSPOSED} (pix2pix, and models saved before the option existed) is the
 * 4x4 stride-2 transposed convolution; its kernel taps overlap unevenly, so it leaves a period-2 checkerboard in the
 * output unless training removes it (Odena et al., "Deconvolution and checkerboard artifacts", Distill 2016).
 * {@link Upsample#NEAREST} is the resize-convolution PGGAN's generator uses: nearest-neighbour up-sampling x2, then
 * a 3x3(x3) convolution with padding 1, which cannot produce a pattern the input does not have.
 */
public record UNet(int spatialDims, int inChannels, int outChannels, int width, int depth, Norm norm, boolean spectralNorm,
                   int dropoutBlocks, double dropoutRate, Activations.Output output, double upSlope, Upsample upsample)
        implements NetworkSpec {
    public static final String KIND = "unet";

    /** How the decoder doubles the spatial size. */
    public enum Upsample {
        /** 4x4(x4) stride-2 transposed convolution (pix2pix; checkerboard-prone). */
        TRANSPOSED,
        /** Nearest-neighbour x2 then a 3x3(x3) convolution (resize-convolution, as PGGAN). */
        NEAREST,
        /**
         * {@link #NEAREST}, and the outermost block sees the network's input at full resolution: its up-sampled
         * features ({@code width} maps, batch-normalised where the network has batch norm) are concatenated with the input and a 3x3(x3) convolution makes
         * the output. Without this every path from input to output passes a stride-2 level and comes back through a
         * nearest-neighbour x2, so the output is drawn from half-resolution features: 1-pixel structures of the input
         * (thin vessels in a sketch, label boundaries) come out faint and 2-pixel blocky. The transposed convolution
         * had this detail back through its four kernel phases.
         */
        NEAREST_INPUT_SKIP;

        boolean nearest() {
            return this != TRANSPOSED;
        }
    }

    /** Checks the values; {@code dropoutBlocks} -1 becomes pix2pix's max(0, depth - 5), a null {@code upsample} transposed. */
    public UNet {
        if (spatialDims != 2 && spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3");
        if (inChannels < 1 || outChannels < 1 || width < 1) throw new IllegalArgumentException("channels and width must be >= 1");
        if (depth < 2) throw new IllegalArgumentException("U-Net depth must be >= 2, got " + depth);
        if (dropoutBlocks < 0) dropoutBlocks = Math.max(0, depth - 5);
        if (dropoutBlocks > depth - 2) {
            throw new IllegalArgumentException("at most depth - 2 = " + (depth - 2) + " decoder blocks can have dropout, got " + dropoutBlocks);
        }
        if (norm == Norm.PIXEL) throw new IllegalArgumentException("U-Net supports batch, instance or no normalisation");
        if (!(upSlope >= 0 && upSlope < 1)) throw new IllegalArgumentException("decoder LeakyReLU slope must be in [0, 1), got " + upSlope);
        if (upsample == null) upsample = Upsample.TRANSPOSED;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** pix2pix {@code unet_256}: depth 8, width 64, batch norm, dropout, tanh. */
    public static Builder pix2pix(int inChannels, int outChannels) {
        return builder().inChannels(inChannels).outChannels(outChannels);
    }

    /** Builder; defaults are pix2pix's unet_256 (2D, 3 -> 3 channels). */
    public static final class Builder {
        private int spatialDims = 2;
        private int inChannels = 3;
        private int outChannels = 3;
        private int width = 64;
        private int depth = 8;
        private Norm norm = Norm.BATCH;
        private boolean spectralNorm = false;
        private int dropoutBlocks = -1;
        private double dropoutRate = 0.5;
        private Activations.Output output = Activations.Output.TANH;
        private double upSlope = 0;
        private Upsample upsample = Upsample.TRANSPOSED;

        public Builder spatialDims(int d) { spatialDims = d; return this; }
        public Builder inChannels(int c) { inChannels = c; return this; }
        public Builder outChannels(int c) { outChannels = c; return this; }
        /** Feature maps of the first level (pix2pix ngf). */
        public Builder width(int w) { width = w; return this; }
        /** Number of stride-2 down-samplings (pix2pix num_downs). */
        public Builder depth(int d) { depth = d; return this; }
        public Builder norm(Norm n) { norm = n; return this; }
        /** Spectral normalisation on every convolution. */
        public Builder spectralNorm(boolean sn) { spectralNorm = sn; return this; }
        /** Decoder blocks above the innermost with dropout; -1 (default) = pix2pix's max(0, depth - 5); 0 = none. */
        public Builder dropoutBlocks(int n) { dropoutBlocks = n; return this; }
        public Builder dropoutRate(double r) { dropoutRate = r; return this; }
        public Builder output(Activations.Output o) { output = o; return this; }
        /**
         * Decoder activation: 0 (default) = ReLU as pix2pix; a slope in (0, 1) = LeakyReLU with that
         * slope (3D-MedGAN: LeakyReLU in the down- and up-sampling blocks).
         */
        public Builder upSlope(double slope) { upSlope = slope; return this; }
        /** Decoder up-sampling; default {@link Upsample#TRANSPOSED} (pix2pix). */
        public Builder upsample(Upsample u) { upsample = u; return this; }
        public UNet build() {
            return new UNet(spatialDims, inChannels, outChannels, width, depth, norm, spectralNorm, dropoutBlocks, dropoutRate, output,
                    upSlope, upsample);
        }
    }

    /** Feature maps at level i. */
    public int channelsAt(int level) {
        return width * Math.min(1 << Math.min(level, 3), 8);
    }

    /** The input size must be a multiple of this (2^depth). */
    public int sizeMultiple() {
        return 1 << depth;
    }

    /**
     * Builds the U-Net on {@code x} with the builder's scope (e.g. {@code b.network("G")}).
     *
     * @return the output [N, outChannels, same spatial size]
     */
    public Tensor apply(NetBuilder b, Tensor x) {
        if (x.spatialDims() != spatialDims) throw new IllegalArgumentException("U-Net is " + spatialDims + "D but the input is " + x);
        if (x.channels() != inChannels) {
            throw new IllegalArgumentException("U-Net expects " + inChannels + " input channels, got " + x.channels());
        }
        for (int s : x.spatial()) {
            if (s % sizeMultiple() != 0) {
                throw new IllegalArgumentException("a U-Net of depth " + depth + " needs image sizes divisible by " + sizeMultiple()
                        + ", got " + java.util.Arrays.toString(x.spatial()) + "; crop/pad or resize the images, or use a smaller depth");
            }
        }
        WeightInit init = WeightInit.normal(0.02);
        boolean bias = norm.convBias();
        Conv down = Conv.of(4).stride(2).padding(1).init(init).spectralNorm(spectralNorm);
        ConvTranspose upT = ConvTranspose.of(4).stride(2).padding(1).init(init).spectralNorm(spectralNorm);
        Conv upConv = Conv.of(3).samePadding().init(init).spectralNorm(spectralNorm);
        Tensor[] d = new Tensor[depth];
        Tensor input = Layout.working(b, x);
        Tensor h = input;
        for (int i = 0; i < depth; i++) {
            NetBuilder s = b.sub("down" + i);
            if (i > 0) h = Activations.leakyRelu(s, h, 0.2);
            h = down.bias(bias).apply(s, "conv", h, channelsAt(i));
            if (i > 0 && i < depth - 1) h = norm.apply(s, "norm", h);
            d[i] = h;
        }
        // decoder: h = innermost encoder output
        for (int i = depth - 1; i >= 1; i--) {
            NetBuilder s = b.sub("up" + i);
            h = upActivation(s, h);
            h = up(s, h, channelsAt(i - 1), bias, upT, upConv);
            h = norm.apply(s, "norm", h);
            if (i < depth - 1 && i >= depth - 1 - dropoutBlocks) h = Dropout.apply(s, h, dropoutRate);
            h = skipConcat(b, s, d[i - 1], h);
        }
        NetBuilder s = b.sub("up0");
        h = upActivation(s, h);
        if (upsample == Upsample.NEAREST_INPUT_SKIP) {
            // batch norm (running statistics at synthesis) keeps the features' scale, without which the output learns
            // 1-pixel lines slower than without the skip (UNetFineDetailIT); an instance norm here would take its
            // statistics over the whole synthesised volume, so a tissue's intensity would depend on how much of the
            // volume it fills (MedGanLearnsTest), and is left out
            h = norm == Norm.BATCH ? norm.apply(s, "norm", up(s, h, width, bias, upT, upConv)) : up(s, h, width, true, upT, upConv);
            h = skipConcat(b, s, input, upActivation(s, h));
            h = upConv.bias(true).apply(s, "out", h, outChannels);
        } else {
            h = up(s, h, outChannels, true, upT, upConv);
        }
        return Layout.channelsFirst(s, output.apply(s, h));
    }

    /** [skip, h] on the channel axis (the U-Net's skip connection). */
    private static Tensor skipConcat(NetBuilder b, NetBuilder s, Tensor skip, Tensor h) {
        return skip.with(b.sd().concat(s.opName("skip"), skip.channelAxis(), skip.var(), h.var()), skip.channels() + h.channels(), skip.spatial());
    }

    private Tensor up(NetBuilder s, Tensor h, int channels, boolean bias, ConvTranspose upT, Conv upConv) {
        if (upsample.nearest()) return upConv.bias(bias).apply(s, "conv", Resample.upNearest(s, h, 2), channels);
        return upT.bias(bias).apply(s, "convT", h, channels);
    }

    private Tensor upActivation(NetBuilder s, Tensor h) {
        return upSlope > 0 ? Activations.leakyRelu(s, h, upSlope) : Activations.relu(s, h);
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Options models saved before they existed lack, with the values such models have. */
    private static final Map<String, Object> OLDER_MODELS = Map.of("upSlope", 0.0, "upsample", Upsample.TRANSPOSED.name());

    /** The hyper-parameters; an option of {@link #OLDER_MODELS} is left out at its older models' value (as ever). */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = RecordMaps.toMap(this);
        OLDER_MODELS.forEach(m::remove);   // remove(key, value): only where the value is the older models' one
        return m;
    }

    public static UNet fromMap(Map<String, Object> map) {
        return RecordMaps.fromMap(UNet.class, KIND + ": hyper-parameter", map, OLDER_MODELS);
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
