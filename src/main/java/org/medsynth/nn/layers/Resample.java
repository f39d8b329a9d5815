package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling3DConfig;

/** Nearest-neighbour up-sampling and average down-sampling by an integer factor (2D and 3D). */
public final class Resample {
    private Resample() { }

    /** Repeats every pixel/voxel {@code factor} times along each spatial axis. */
    public static Tensor upNearest(NetBuilder b, Tensor x, int factor) {
        Kernels.checkSpatial(x, "upNearest");
        if (factor < 1) throw new IllegalArgumentException("factor must be >= 1");
        if (factor == 1) return x;
        int[] sp = x.spatial();
        for (int i = 0; i < sp.length; i++) sp[i] *= factor;
        if (x.channelsLast()) {
            // upsampling3d ignores its NDHWC flag in ND4J 1.0.0-M2.1 (it always up-samples axes 2-4), and the attention
            // U-Net's gradients differ with upsampling2d on NHWC: go through channels first (the attention
            // coefficients, its only channels-last use, have one channel, so the permutations are cheap)
            return Layout.channelsLast(b, upNearest(b, Layout.channelsFirst(b, x), factor));
        }
        SDVariable y = up(b, x.var(), x.spatialDims(), factor, "up");
        SDVariable t = x.hasTangent() ? up(b, x.tangent(), x.spatialDims(), factor, "upT") : null;
        return x.with(y, x.channels(), sp).withTangent(t);
    }

    /** Channels first only (see upNearest). */
    private static SDVariable up(NetBuilder b, SDVariable v, int dims, int factor, String name) {
        return dims == 2
                ? b.sd().cnn().upsampling2d(b.opName(name), v, factor, factor, true)
                : b.sd().cnn().upsampling3d(b.opName(name), v, true, factor, factor, factor);
    }

    /** Mean over non-overlapping blocks of {@code factor}^d; the spatial sizes must be divisible by it. */
    public static Tensor downAverage(NetBuilder b, Tensor x, int factor) {
        Kernels.checkSpatial(x, "downAverage");
        if (factor < 1) throw new IllegalArgumentException("factor must be >= 1");
        if (factor == 1) return x;
        int[] sp = x.spatial();
        for (int i = 0; i < sp.length; i++) {
            if (sp[i] % factor != 0) throw new IllegalArgumentException("cannot average-pool " + x + " by " + factor);
            sp[i] /= factor;
        }
        SDVariable y = avg(b, x.var(), x, factor, "down");
        SDVariable t = x.hasTangent() ? avg(b, x.tangent(), x, factor, "downT") : null;
        return x.with(y, x.channels(), sp).withTangent(t);
    }

    private static SDVariable avg(NetBuilder b, SDVariable v, Tensor x, int factor, String name) {
        if (x.spatialDims() == 2) {
            Pooling2DConfig c = Pooling2DConfig.builder().kH(factor).kW(factor).sH(factor).sW(factor).pH(0).pW(0)
                    .dH(1).dW(1).paddingMode(PaddingMode.VALID).isNHWC(x.channelsLast()).build();
            return b.sd().cnn().avgPooling2d(b.opName(name), v, c);
        }
        Pooling3DConfig c = Pooling3DConfig.builder().kD(factor).kH(factor).kW(factor).sD(factor).sH(factor).sW(factor)
                .pD(0).pH(0).pW(0).dD(1).dH(1).dW(1).isSameMode(false).isNCDHW(!x.channelsLast()).build();
        return b.sd().cnn().avgPooling3d(b.opName(name), v, c);
    }
}
