package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;

/** Point-wise activations. */
public final class Activations {
    private Activations() { }

    /** max(x, 0) + slope min(x, 0); PGGAN, pix2pix and DCGAN discriminators use slope 0.2. */
    public static Tensor leakyRelu(NetBuilder b, Tensor x, double slope) {
        return x.with(b.sd().nn().leakyRelu(b.opName("lrelu"), x.var(), slope));
    }

    public static Tensor relu(NetBuilder b, Tensor x) {
        return x.with(b.sd().nn().relu(b.opName("relu"), x.var(), 0.0));
    }

    public static Tensor tanh(NetBuilder b, Tensor x) {
        return x.with(b.sd().math().tanh(b.opName("tanh"), x.var()));
    }

    public static Tensor sigmoid(NetBuilder b, Tensor x) {
        return x.with(b.sd().nn().sigmoid(b.opName("sigmoid"), x.var()));
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
