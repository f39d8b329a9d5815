package org.medsynth.nn.layers;

import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
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
        SDVariable y = BroadcastMulOp.apply(b.sd(), b.opName("pixelNorm"), x.var(), inv, 1);
        SDVariable t = null;
        if (x.hasTangent()) {
            // y = x r, r = (mean x^2 + eps)^-1/2: t_r = -r^3 mean(x t)
            SDVariable mxt = x.var().mul(x.tangent()).mean(true, 1);
            SDVariable tr = inv.mul(inv).mul(inv).mul(mxt).neg();
            t = x.tangent().mul(inv).add(b.opName("pixelNormT"), x.var().mul(tr));
        }
        return x.with(y, t);
    }
}
