package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;

/** Creates the effective weight of a linear layer: stored weight, equalised-LR scale, spectral norm. */
final class Kernels {
    private Kernels() { }

    /**
     * @param rowAxis axis of the output features (the rows of the matrix whose largest singular value
     *                spectral normalisation divides by)
     */
    static SDVariable weight(NetBuilder s, long[] shape, WeightInit init, long fanIn, boolean spectralNorm, int rowAxis) {
        SDVariable w = s.param("W", shape, init, fanIn);
        if (spectralNorm) {
            // sigma(c W) = c sigma(W): with spectral norm the equalised-LR constant cancels out
            return SpectralNorm.normalize(s, s.prefix() + "W", w, rowAxis);
        }
        double scale = init.runtimeScale(fanIn);
        if (scale != 1.0) return w.mul(s.opName("Wscaled"), scale);
        return w;
    }

    static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) r *= base;
        return r;
    }

    static void checkSpatial(org.medsynth.nn.Tensor x, String layer) {
        if (x.spatialDims() != 2 && x.spatialDims() != 3) {
            throw new IllegalArgumentException(layer + " needs a 2D or 3D input, got " + x);
        }
    }
}
