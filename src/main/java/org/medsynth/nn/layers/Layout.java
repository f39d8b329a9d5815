package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Memory layout of the feature maps inside a network: channels first (NCHW / NCDHW, the layout of every
 * input and output) or channels last (NHWC / NDHWC).
 *
 * <p>Why channels last: libnd4j runs convolutions on oneDNN, whose fast forward kernels (brgconv) work on
 * NHWC. On NCHW arrays libnd4j reorders the input to NHWC, the (uninitialised) output too, and the result
 * back to NCHW around every forward convolution, which costs more than the convolution itself on
 * small maps and a large share of a 2D MLU-Net's inference time (DNNL_VERBOSE, docs/nn-toolkit.md). Networks that support it convert their input once with
 * {@link #working} and their outputs back with {@link #channelsFirst}; the layers in between follow the
 * tensor's {@link Tensor#channelsLast()}. Parameters have the same shapes in both layouts, so models
 * do not depend on it.
 *
 * <p>Which one the networks work in is {@link org.medsynth.nn.EngineOptions#channelsLast()} (channels last by
 * default; channels first for comparisons).
 */
public final class Layout {
    private Layout() { }

    /** x in the working layout of b's options (a permutation when it differs; x itself otherwise). */
    public static Tensor working(NetBuilder b, Tensor x) {
        return to(b, x, b.options().channelsLast());
    }

    /** x channels last or first as asked (a permutation when it differs; x itself otherwise). */
    public static Tensor to(NetBuilder b, Tensor x, boolean channelsLast) {
        return channelsLast ? channelsLast(b, x) : channelsFirst(b, x);
    }

    /** x as NHWC / NDHWC. */
    public static Tensor channelsLast(NetBuilder b, Tensor x) {
        if (x.channelsLast() || x.spatialDims() == 0) return x;
        int rank = 2 + x.spatialDims();
        int[] p = new int[rank];
        for (int i = 1; i < rank - 1; i++) p[i] = i + 1;
        p[rank - 1] = 1;
        return x.inLayout(permute(b, x.var(), p, "layoutChannelsLast"), true).withTangent(x.hasTangent() ? permute(b, x.tangent(), p, "layoutChannelsLastT") : null);
    }

    /** x as NCHW / NCDHW. */
    public static Tensor channelsFirst(NetBuilder b, Tensor x) {
        if (!x.channelsLast()) return x;
        int rank = 2 + x.spatialDims();
        int[] p = new int[rank];
        p[1] = rank - 1;
        for (int i = 2; i < rank; i++) p[i] = i - 1;
        return x.inLayout(permute(b, x.var(), p, "layoutChannelsFirst"), false).withTangent(x.hasTangent() ? permute(b, x.tangent(), p, "layoutChannelsFirstT") : null);
    }

    /**
     * Sum of a channels-last array of rank {@code rank} over every axis but the channels (and the batch axis when
     * {@code keepBatch}): [C] or [N, C]. libnd4j reduces over leading axes with the kept (channel) axis innermost
     * one strided column at a time, many times slower than the same sum channels first; summing in stages that each keep a large enough trailing block is as fast as channels
     * first: the batch with the first spatial axis, then one axis at a time (the arrays shrink at every stage).
     */
    public static SDVariable channelSum(SDVariable v, int rank) {
        if (rank < 3) return sumAxisByAxis(v, false, 0);
        int[] rest = new int[rank - 3];                   // after the (0, 1) stage: the axes before the channels
        for (int i = 0; i < rest.length; i++) rest[i] = i;
        return sumAxisByAxis(v.sum(false, 0, 1), false, rest);
    }

    /**
     * Sum over the given ascending axes one axis at a time, each stage keeping a large trailing block (see
     * {@link #channelSum}); with {@code keepDims} the reduced axes stay as size 1.
     */
    public static SDVariable sumAxisByAxis(SDVariable v, boolean keepDims, int... axes) {
        SDVariable r = v;
        for (int i = 0; i < axes.length; i++) r = r.sum(keepDims, keepDims ? axes[i] : axes[i] - i);   // earlier stages removed i axes
        return r;
    }

    /**
     * Mean of v (holding data of x's shape and layout) over x's spatial axes: [N, C], or with {@code keepDims}
     * [N, C, 1, 1] / [N, 1, 1, C]. Channels last it sums one spatial axis at a time (see {@link #channelSum}).
     */
    public static SDVariable spatialMean(Tensor x, SDVariable v, boolean keepDims) {
        if (!x.channelsLast()) return v.mean(keepDims, x.spatialAxes());
        double count = 1;
        for (int s : x.spatial()) count *= s;
        return sumAxisByAxis(v, keepDims, x.spatialAxes()).div(count);
    }

    private static SDVariable permute(NetBuilder b, SDVariable v, int[] p, String name) {
        return b.sd().permute(b.opName(name), v, p);
    }
}
