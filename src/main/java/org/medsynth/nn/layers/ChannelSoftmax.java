package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Softmax over the channel axis of NCHW/NCDHW data.
 *
 * <p>Every oneDNN build of ND4J 1.0.0-M2.1 computes {@code softmax(x, 1)} of a rank-4 array wrongly
 * (off by up to 0.8). This layer permutes the channels last, applies softmax over the last axis
 * (which is correct) and permutes back. A flat [N, C] input uses softmax over axis 1 directly (rank 2
 * is correct).
 */
public final class ChannelSoftmax {
    private ChannelSoftmax() { }

    public static Tensor apply(NetBuilder b, Tensor x) {
        if (x.channelsLast()) return x.with(b.sd().nn().softmax(b.opName("softmax"), x.var(), x.channelAxis()));
        return x.with(apply(b, x.var(), x.spatialDims()));
    }

    public static SDVariable apply(NetBuilder b, SDVariable x, int spatialDims) {
        if (spatialDims == 0) return b.sd().nn().softmax(b.opName("softmax"), x, 1);
        int rank = spatialDims + 2;
        int[] toLast = new int[rank];
        int[] back = new int[rank];
        toLast[0] = 0;
        for (int i = 1; i < rank - 1; i++) toLast[i] = i + 1;
        toLast[rank - 1] = 1;
        for (int i = 0; i < rank; i++) back[toLast[i]] = i;
        SDVariable p = b.sd().permute(b.opName("toChannelsLast"), x, toLast);
        SDVariable s = b.sd().nn().softmax(b.opName("softmaxLast"), p, rank - 1);
        return b.sd().permute(b.opName("softmax"), s, back);
    }
}
