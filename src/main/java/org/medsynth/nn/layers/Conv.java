package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2D/3D convolution (cross-correlation as in PyTorch) with a cubic kernel, stride and symmetric zero
 * padding; output size {@code floor((in + 2 padding - kernel) / stride) + 1}.
 * Weights are stored in SameDiff's layout [k, k, cIn, cOut] / [k, k, k, cIn, cOut]
 * (PyTorch: [cOut, cIn, k, k] -> permute(2, 3, 1, 0)).
 *
 * <pre>{@code Tensor y = Conv.of(4).stride(2).padding(1).bias(false).apply(b, "down1", x, 128);}</pre>
 * An immutable specification: every setter returns a new instance.
 */
public final class Conv {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private final WeightInit init;
    private final boolean spectralNorm;

    private Conv(int kernel, int stride, int padding, boolean bias, WeightInit init, boolean spectralNorm) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("invalid convolution kernel " + kernel + " stride " + stride + " padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
        this.init = init;
        this.spectralNorm = spectralNorm;
    }

    /** Kernel size k, stride 1, padding 0, with bias, He-normal initialisation, no spectral norm. */
    public static Conv of(int kernel) {
        return new Conv(kernel, 1, 0, true, WeightInit.heNormal(), false);
    }

    public Conv stride(int s) { return new Conv(kernel, s, padding, bias, init, spectralNorm); }

    public Conv padding(int p) { return new Conv(kernel, stride, p, bias, init, spectralNorm); }

    /** Padding (k - 1) / 2 for odd kernels ("same" size at stride 1). */
    public Conv samePadding() {
        if (kernel % 2 == 0) throw new IllegalArgumentException("same padding needs an odd kernel, got " + kernel);
        return padding((kernel - 1) / 2);
    }

    public Conv bias(boolean b) { return new Conv(kernel, stride, padding, b, init, spectralNorm); }

    public Conv init(WeightInit i) { return new Conv(kernel, stride, padding, bias, i, spectralNorm); }

    public Conv spectralNorm(boolean sn) { return new Conv(kernel, stride, padding, bias, init, sn); }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    /** Output size along one dimension. */
    public int outputSize(int in) {
        int num = in + 2 * padding - kernel;
        if (num < 0) return 0;
        return num / stride + 1;
    }

    /**
     * Applies the convolution; parameters are {@code <prefix>name/W} and {@code <prefix>name/b}.
     */
    public Tensor apply(NetBuilder b, String name, Tensor x, int outChannels) {
        Kernels.checkSpatial(x, "Conv " + name);
        int d = x.spatialDims();
        int[] outSpatial = new int[d];
        for (int i = 0; i < d; i++) {
            outSpatial[i] = outputSize(x.spatial(i));
            if (outSpatial[i] < 1) {
                throw new IllegalArgumentException("Conv " + b.prefix() + name + ": input " + x + " is too small for kernel "
                        + kernel + " padding " + padding);
            }
        }
        NetBuilder s = b.sub(name);
        long cin = x.channels();
        long[] shape = d == 2 ? new long[]{kernel, kernel, cin, outChannels} : new long[]{kernel, kernel, kernel, cin, outChannels};
        long fanIn = cin * Kernels.pow(kernel, d);
        SDVariable w = Kernels.weight(s, shape, init, fanIn, spectralNorm, d + 1);
        SDVariable bv = bias ? s.param("b", new long[]{outChannels}, WeightInit.constant(0), fanIn) : null;
        String out = s.opName("out");
        SDVariable y;
        SDVariable t = null;
        if (d == 2) {
            Conv2DConfig c = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
                    .dH(1).dW(1).paddingMode(PaddingMode.VALID).dataFormat(x.channelsLast() ? "NHWC" : "NCHW").build();
            y = bv == null ? b.sd().cnn().conv2d(out, x.var(), w, c) : b.sd().cnn().conv2d(out, x.var(), w, bv, c);
            if (x.hasTangent()) t = b.sd().cnn().conv2d(s.opName("tangent"), x.tangent(), w, c);
        } else {
            Conv3DConfig c = Conv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel).sD(stride).sH(stride).sW(stride)
                    .pD(padding).pH(padding).pW(padding).dD(1).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                    .biasUsed(bv != null).dataFormat(x.channelsLast() ? "NDHWC" : "NCDHW").build();
            y = bv == null ? b.sd().cnn().conv3d(out, x.var(), w, c) : b.sd().cnn().conv3d(out, x.var(), w, bv, c);
            if (x.hasTangent()) {
                Conv3DConfig ct = Conv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel).sD(stride).sH(stride).sW(stride)
                        .pD(padding).pH(padding).pW(padding).dD(1).dH(1).dW(1).paddingMode(PaddingMode.VALID)
                        .biasUsed(false).dataFormat(x.channelsLast() ? "NDHWC" : "NCDHW").build();
                t = b.sd().cnn().conv3d(s.opName("tangent"), x.tangent(), w, ct);
            }
        }
        // the tangent (directional derivative) of a convolution is the convolution without bias
        return x.with(y, outChannels, outSpatial).withTangent(t);
    }
}
