package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;

/** PGGAN pixel-wise feature normalisation: x / sqrt(mean over channels of x^2 + 1e-8). Works on flat latents too. */
public final class PixelNorm {
    public static final double EPS = 1e-8;

    private PixelNorm() { }

    public static Tensor apply(NetBuilder b, Tensor x) {
        SDVariable ms = b.sd().math().square(b.opName("pnSq"), x.var()).mean(b.opName("pnMean"), true, 1);
        SDVariable inv = b.sd().math().rsqrt(b.opName("pnInv"), ms.add(EPS));
        return x.with(x.var().mul(b.opName("pixelNorm"), inv));
    }
}
