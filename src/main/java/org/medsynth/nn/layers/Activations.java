package org.medsynth.nn.layers;

import org.medsynth.nn.engine.dl4j.ReluOp;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;

/** Point-wise activations (with forward-mode tangents: t * f'(x)). */
public final class Activations {
    private Activations() { }

    /**
     * max(x, 0) + slope min(x, 0); PGGAN, pix2pix and DCGAN discriminators use slope 0.2. ND4J's own
     * kernels (lrelu / lrelu_bp, slow per element). Composing it from {@link ReluOp} instead
     * ({@code slope x + (1 - slope) relu(x)}, four vectorised kernels) was faster per array in isolation
     * but made whole training steps slower (256 px PGGAN: more ops and more full-size intermediates), so it
     * is not used.
     */
    public static Tensor leakyRelu(NetBuilder b, Tensor x, double slope) {
        SDVariable y = b.sd().nn().leakyRelu(b.opName("lrelu"), x.var(), slope);
        SDVariable t = null;
        if (x.hasTangent()) {
            SDVariable d = positive(b, x).mul(1 - slope).add(slope);
            t = x.tangent().mul(b.opName("lreluT"), d);
        }
        return x.with(y, t);
    }

    /** max(x, 0) on {@link ReluOp} (ND4J's own ReLU gradient is much slower, see there). */
    public static Tensor relu(NetBuilder b, Tensor x) {
        SDVariable y = ReluOp.apply(b.sd(), b.opName("relu"), x.var());
        SDVariable t = x.hasTangent() ? x.tangent().mul(b.opName("reluT"), positive(b, x)) : null;
        return x.with(y, t);
    }

    public static Tensor tanh(NetBuilder b, Tensor x) {
        SDVariable y = b.sd().math().tanh(b.opName("tanh"), x.var());
        SDVariable t = x.hasTangent() ? x.tangent().mul(b.opName("tanhT"), b.sd().math().square(y).rsub(1.0)) : null;
        return x.with(y, t);
    }

    public static Tensor sigmoid(NetBuilder b, Tensor x) {
        SDVariable y = b.sd().nn().sigmoid(b.opName("sigmoid"), x.var());
        SDVariable t = x.hasTangent() ? x.tangent().mul(b.opName("sigmoidT"), y.mul(y.rsub(1.0))) : null;
        return x.with(y, t);
    }

    /** 1 where x > 0, else 0 (a comparison: SameDiff does not differentiate through it). */
    private static SDVariable positive(NetBuilder b, Tensor x) {
        return x.var().gt(b.opName("positive"), 0.0).castTo(b.opName("positiveF"), b.dataType());
    }

    /** Output activation of a network. */
    public enum Output {
        /** Raw values (logits for a discriminator or a segmenter trained with a logits loss). */
        NONE,
        /** Images in [-1, 1] (pix2pix, DCGAN). */
        TANH,
        /** Per-channel probabilities. */
        SIGMOID,
        /** Class probabilities over the channel axis (see {@link ChannelSoftmax}). */
        SOFTMAX;

        public Tensor apply(NetBuilder b, Tensor x) {
            return switch (this) {
                case NONE -> x;
                case TANH -> tanh(b, x);
                case SIGMOID -> sigmoid(b, x);
                case SOFTMAX -> ChannelSoftmax.apply(b, x);
            };
        }
    }
}
