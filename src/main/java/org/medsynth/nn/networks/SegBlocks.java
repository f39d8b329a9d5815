package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.ChannelSoftmax;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.ConvTranspose;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.layers.Norm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling3DConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Building blocks of the segmentation networks (U-Net family), 2D and 3D alike:
 * the U-Net double convolution, 2x max pooling, 2x transposed-convolution up-sampling, skip
 * concatenation, 1x1 classification heads, global average pooling.
 */
public final class SegBlocks {
    private SegBlocks() { }

    /**
     * U-Net double convolution: (3x3 conv, normalisation, ReLU) twice, "same" padding. Convolutions
     * have a bias unless a batch norm follows. Parameters {@code name/conv1}, {@code name/norm1},
     * {@code name/conv2}, {@code name/norm2}.
     */
    public static Tensor doubleConv(NetBuilder b, String name, Tensor x, int channels, Norm norm) {
        NetBuilder s = b.sub(name);
        Conv c = Conv.of(3).samePadding().bias(norm.convBias());
        Tensor h = c.apply(s, "conv1", x, channels);
        h = Activations.relu(s, norm.apply(s, "norm1", h));
        h = c.apply(s, "conv2", h, channels);
        return Activations.relu(s, norm.apply(s, "norm2", h));
    }

    /** k stacked (3x3 conv, norm, ReLU) layers; k = 0 gives one 1x1 (conv, norm, ReLU). */
    public static Tensor convStack(NetBuilder b, String name, Tensor x, int channels, int k, Norm norm) {
        NetBuilder s = b.sub(name);
        if (k == 0) {
            Tensor h = Conv.of(1).bias(norm.convBias()).apply(s, "conv0", x, channels);
            return Activations.relu(s, norm.apply(s, "norm0", h));
        }
        Tensor h = x;
        Conv c = Conv.of(3).samePadding().bias(norm.convBias());
        for (int i = 1; i <= k; i++) {
            h = c.apply(s, "conv" + i, h, channels);
            h = Activations.relu(s, norm.apply(s, "norm" + i, h));
        }
        return h;
    }

    /** The plain U-Net encoder's outputs: one skip per level, and the bottom feature map (the code). */
    record Encoded(Tensor[] skips, Tensor code) { }

    /**
     * The plain U-Net encoder of {@code c}: per level a double convolution ("enc" + i, kept as that level's skip)
     * and 2x max pooling, then the "bottom" double convolution.
     */
    static Encoded encoder(NetBuilder b, Tensor x, SegConfig c) {
        int depth = c.depth();
        Tensor[] skips = new Tensor[depth];
        Tensor h = x;
        for (int i = 0; i < depth; i++) {
            h = doubleConv(b, "enc" + i, h, c.channelsAt(i), c.norm());
            skips[i] = h;
            h = maxPool(b, h);
        }
        return new Encoded(skips, doubleConv(b, "bottom", h, c.channelsAt(depth), c.norm()));
    }

    /** 2x2(x2) max pooling with stride 2; sizes must be even. */
    public static Tensor maxPool(NetBuilder b, Tensor x) {
        int[] sp = x.spatial();
        for (int i = 0; i < sp.length; i++) {
            if (sp[i] % 2 != 0) throw new IllegalArgumentException("cannot max-pool " + x + ": odd size");
            sp[i] /= 2;
        }
        SDVariable y;
        if (x.spatialDims() == 2) {
            Pooling2DConfig c = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
                    .paddingMode(PaddingMode.VALID).isNHWC(x.channelsLast()).build();
            y = b.sd().cnn().maxPooling2d(b.opName("maxPool"), x.var(), c);
        } else if (x.spatialDims() == 3) {
            Pooling3DConfig c = Pooling3DConfig.builder().kD(2).kH(2).kW(2).sD(2).sH(2).sW(2).pD(0).pH(0).pW(0)
                    .dD(1).dH(1).dW(1).isSameMode(false).isNCDHW(!x.channelsLast()).build();
            y = b.sd().cnn().maxPooling3d(b.opName("maxPool"), x.var(), c);
        } else {
            throw new IllegalArgumentException("max pooling needs a 2D or 3D input, got " + x);
        }
        return x.with(y, x.channels(), sp);
    }

    /** 2x2(x2) transposed convolution with stride 2 (doubles the size), "up-convolution" of U-Net. */
    public static Tensor upConv(NetBuilder b, String name, Tensor x, int channels) {
        return ConvTranspose.of(2).stride(2).apply(b, name, x, channels);
    }

    /** [a, c] on the channel axis; the spatial sizes must agree. */
    public static Tensor concat(NetBuilder b, Tensor a, Tensor c) {
        if (!java.util.Arrays.equals(a.spatial(), c.spatial())) {
            throw new IllegalArgumentException("cannot concatenate " + a + " and " + c + ": sizes differ");
        }
        c = Layout.to(b, c, a.channelsLast());
        return a.with(b.sd().concat(b.opName("concat"), a.channelAxis(), a.var(), c.var()), a.channels() + c.channels(), a.spatial());
    }

    /** Several tensors of the same size on the channel axis. */
    public static Tensor concat(NetBuilder b, java.util.List<Tensor> parts) {
        if (parts.size() == 1) return parts.get(0);
        SDVariable[] v = new SDVariable[parts.size()];
        int ch = 0;
        for (int i = 0; i < v.length; i++) {
            Tensor t = parts.get(i);
            if (!java.util.Arrays.equals(t.spatial(), parts.get(0).spatial())) {
                throw new IllegalArgumentException("cannot concatenate " + parts + ": sizes differ");
            }
            t = Layout.to(b, t, parts.get(0).channelsLast());
            v[i] = t.var();
            ch += t.channels();
        }
        return parts.get(0).with(b.sd().concat(b.opName("concat"), parts.get(0).channelAxis(), v), ch, parts.get(0).spatial());
    }

    /** 1x1 convolution to {@code classes} logits. */
    public static Tensor head(NetBuilder b, String name, Tensor x, int classes) {
        return Conv.of(1).init(WeightInit.heNormal()).apply(b, name, x, classes);
    }

    /** Softmax over the channel axis (safe from the oneDNN axis-1 bug). */
    public static Tensor softmax(NetBuilder b, Tensor logits) {
        return ChannelSoftmax.apply(b, logits);
    }

    /** Mean over the spatial axes: [N, C, spatial...] -> [N, C]. */
    public static Tensor globalAveragePool(NetBuilder b, Tensor x) {
        if (x.spatialDims() == 0) return x;
        return new Tensor(Layout.spatialMean(x, x.var(), false).rename(b.opName("gap")), x.channels());
    }

    /**
     * A network's output with every tensor channels first (the layout of inputs, targets and consumers); the
     * conversions cost nothing unless something uses them.
     */
    static SegmentationNetwork.Output channelsFirst(NetBuilder b, SegmentationNetwork.Output o) {
        List<Tensor> sides = new ArrayList<>();
        for (Tensor t : o.sideProbabilities()) sides.add(Layout.channelsFirst(b, t));
        return new SegmentationNetwork.Output(Layout.channelsFirst(b, o.probabilities()), Layout.channelsFirst(b, o.logits()),
                List.copyOf(sides), Layout.channelsFirst(b, o.code()));
    }

    /** Checks dimensionality, channels and size divisibility of a network input. */
    static void checkInput(String network, Tensor x, int spatialDims, int inChannels, int multiple) {
        if (x.spatialDims() != spatialDims) {
            throw new IllegalArgumentException(network + " is " + spatialDims + "D but the input is " + x);
        }
        if (x.channels() != inChannels) {
            throw new IllegalArgumentException(network + " expects " + inChannels + " input channels, got " + x.channels());
        }
        for (int s : x.spatial()) {
            if (s % multiple != 0) {
                throw new IllegalArgumentException(network + " needs image/patch sizes divisible by " + multiple + ", got "
                        + java.util.Arrays.toString(x.spatial()) + "; use a patch or tile size that is a multiple of " + multiple
                        + " or a smaller depth");
            }
        }
    }
}
