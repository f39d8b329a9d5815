package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Fully connected layer y = x W + b on [N, in]; a spatial input is flattened first in C-major order
 * (as PyTorch's {@code flatten(1)}). W is stored [in, out] (PyTorch Linear: [out, in] -> transpose).
 */
public final class Dense {
    private final boolean bias;
    private final WeightInit init;
    private final boolean spectralNorm;

    private Dense(boolean bias, WeightInit init, boolean spectralNorm) {
        this.bias = bias;
        this.init = init;
        this.spectralNorm = spectralNorm;
    }

    /** With bias, He-normal initialisation. */
    public static Dense create() {
        return new Dense(true, WeightInit.heNormal(), false);
    }

    public Dense bias(boolean b) { return new Dense(b, init, spectralNorm); }

    public Dense init(WeightInit i) { return new Dense(bias, i, spectralNorm); }

    public Dense spectralNorm(boolean sn) { return new Dense(bias, init, sn); }

    public Tensor apply(NetBuilder b, String name, Tensor x, int outFeatures) {
        Tensor flat = flatten(b, x);
        long in = flat.channels();
        NetBuilder s = b.sub(name);
        SDVariable w = Kernels.weight(s, new long[]{in, outFeatures}, init, in, spectralNorm, 1);
        SDVariable y = flat.var().mmul(bias ? s.opName("mmul") : s.opName("out"), w);
        if (bias) {
            SDVariable bv = s.param("b", new long[]{outFeatures}, WeightInit.constant(0), in);
            y = y.add(s.opName("out"), bv);
        }
        SDVariable t = flat.hasTangent() ? flat.tangent().mmul(s.opName("tangent"), w) : null;
        return new Tensor(y, outFeatures).withTangent(t);
    }

    /** [N, C, spatial...] -> [N, C * prod(spatial)]; a flat tensor is returned unchanged. */
    public static Tensor flatten(NetBuilder b, Tensor x) {
        if (x.spatialDims() == 0) return x;
        long n = x.sizePerSample();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("too many features to flatten: " + x);
        SDVariable v = b.sd().reshape(b.opName("flatten"), x.var(), -1, n);
        SDVariable t = x.hasTangent() ? b.sd().reshape(b.opName("flattenT"), x.tangent(), -1, n) : null;
        return new Tensor(v, (int) n).withTangent(t);
    }

    /** [N, C * prod(spatial)] -> [N, C, spatial...]. */
    public static Tensor unflatten(NetBuilder b, Tensor x, int channels, int... spatial) {
        long n = channels;
        for (int s : spatial) n *= s;
        if (x.spatialDims() != 0 || x.channels() != n) {
            throw new IllegalArgumentException("cannot reshape " + x + " to " + channels + "x" + java.util.Arrays.toString(spatial));
        }
        long[] shape = new long[2 + spatial.length];
        shape[0] = -1;
        shape[1] = channels;
        for (int i = 0; i < spatial.length; i++) shape[2 + i] = spatial[i];
        SDVariable t = x.hasTangent() ? b.sd().reshape(b.opName("unflattenT"), x.tangent(), shape) : null;
        return new Tensor(b.sd().reshape(b.opName("unflatten"), x.var(), shape), channels, spatial).withTangent(t);
    }
}
