package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv3DConfig;

/**
 * 2D/3D transposed convolution with PyTorch's semantics: output size
 * {@code (in - 1) stride - 2 padding + kernel} (k4 s2 p1 doubles the size).
 * Weights are stored in SameDiff's layout [k, k, cOut, cIn] / [k, k, k, cOut, cIn]
 * (PyTorch ConvTranspose: [cIn, cOut, k, k] -> permute(2, 3, 1, 0)).
 * Spectral normalisation uses the matrix [cOut, rest], as PyTorch does for ConvTranspose (dim 1).
 * The fan-in used by He/equalised initialisation is {@code cIn k^d}.
 */
public final class ConvTranspose {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private final WeightInit init;
    private final boolean spectralNorm;

    private ConvTranspose(int kernel, int stride, int padding, boolean bias, WeightInit init, boolean spectralNorm) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("invalid transposed convolution kernel " + kernel + " stride " + stride + " padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
        this.init = init;
        this.spectralNorm = spectralNorm;
    }

    /** Kernel size k, stride 1, padding 0, with bias, He-normal initialisation. */
    public static ConvTranspose of(int kernel) {
        return new ConvTranspose(kernel, 1, 0, true, WeightInit.heNormal(), false);
    }

    public ConvTranspose stride(int s) { return new ConvTranspose(kernel, s, padding, bias, init, spectralNorm); }

    public ConvTranspose padding(int p) { return new ConvTranspose(kernel, stride, p, bias, init, spectralNorm); }

    public ConvTranspose bias(boolean b) { return new ConvTranspose(kernel, stride, padding, b, init, spectralNorm); }

    public ConvTranspose init(WeightInit i) { return new ConvTranspose(kernel, stride, padding, bias, i, spectralNorm); }

    public ConvTranspose spectralNorm(boolean sn) { return new ConvTranspose(kernel, stride, padding, bias, init, sn); }

    public int outputSize(int in) {
        return (in - 1) * stride - 2 * padding + kernel;
    }

    public Tensor apply(NetBuilder b, String name, Tensor x, int outChannels) {
        Kernels.checkSpatial(x, "ConvTranspose " + name);
        int d = x.spatialDims();
        int[] outSpatial = new int[d];
        for (int i = 0; i < d; i++) {
            outSpatial[i] = outputSize(x.spatial(i));
            if (outSpatial[i] < 1) throw new IllegalArgumentException("ConvTranspose " + b.prefix() + name + ": output would be empty for " + x);
        }
        NetBuilder s = b.sub(name);
        long cin = x.channels();
        long[] shape = d == 2 ? new long[]{kernel, kernel, outChannels, cin} : new long[]{kernel, kernel, kernel, outChannels, cin};
        long fanIn = cin * Kernels.pow(kernel, d);
        SDVariable w = Kernels.weight(s, shape, init, fanIn, spectralNorm, d);
        SDVariable bv = bias ? s.param("b", new long[]{outChannels}, WeightInit.constant(0), fanIn) : null;
        String out = s.opName("out");
        SDVariable y;
        SDVariable t = null;
        if (d == 2) {
            DeConv2DConfig c = DeConv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
                    .dH(1).dW(1).isSameMode(false).dataFormat(x.channelsLast() ? "NHWC" : "NCHW").build();
            y = bv == null ? b.sd().cnn().deconv2d(out, x.var(), w, c) : b.sd().cnn().deconv2d(out, x.var(), w, bv, c);
            if (x.hasTangent()) t = b.sd().cnn().deconv2d(s.opName("tangent"), x.tangent(), w, c);
        } else {
            DeConv3DConfig c = DeConv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel).sD(stride).sH(stride).sW(stride)
                    .pD(padding).pH(padding).pW(padding).dD(1).dH(1).dW(1).isSameMode(false).dataFormat(x.channelsLast() ? "NDHWC" : "NCDHW").build();
            y = bv == null ? b.sd().cnn().deconv3d(out, x.var(), w, c) : b.sd().cnn().deconv3d(out, x.var(), w, bv, c);
            if (x.hasTangent()) t = b.sd().cnn().deconv3d(s.opName("tangent"), x.tangent(), w, c);
        }
        return x.with(y, outChannels, outSpatial).withTangent(t);
    }
}
