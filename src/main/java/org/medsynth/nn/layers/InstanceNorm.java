package org.medsynth.nn.layers;

import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Instance normalisation: per sample and channel, subtract the spatial mean and divide by
 * sqrt(biased variance + 1e-5) — PyTorch's InstanceNorm2d/3d with {@code track_running_stats=False},
 * identical in training and inference. Propagates forward-mode tangents. Optionally with a per-channel affine gain/bias
 * ({@code gamma}, {@code beta}); pix2pix uses it without.
 */
public final class InstanceNorm {
    public static final double EPS = 1e-5;

    private InstanceNorm() { }

    public static Tensor apply(NetBuilder b, String name, Tensor x, boolean affine) {
        if (x.spatialDims() == 0) throw new IllegalArgumentException("InstanceNorm needs a spatial input, got " + x);
        NetBuilder s = b.sub(name);
        int[] axes = x.spatialAxes();
        SDVariable mean = Layout.spatialMean(x, x.var(), true).rename(s.opName("mean"));
        SDVariable xc = x.var().sub(s.opName("centred"), mean);
        SDVariable var = Layout.spatialMean(x, b.sd().math().square(s.opName("sq"), xc), true).rename(s.opName("var"));
        SDVariable inv = b.sd().math().rsqrt(s.opName("invStd"), var.add(EPS));
        SDVariable norm = BroadcastMulOp.apply(b.sd(), s.opName("normalized"), xc, inv, axes);
        SDVariable t = null;
        if (x.hasTangent()) {
            // y = xc / sigma: t_y = t_xc / sigma - y * mean(xc t_xc) / sigma^2
            SDVariable txc = x.tangent().sub(x.tangent().mean(true, axes));
            SDVariable tv = xc.mul(txc).mean(true, axes);
            t = txc.mul(inv).sub(norm.mul(tv.mul(b.sd().math().square(inv))));
        }
        SDVariable y;
        if (affine) {
            int c = x.channels();
            long[] bshape = BatchNorm.broadcastShape(x);
            SDVariable gamma = b.sd().reshape(s.opName("gammaB"), s.param("gamma", new long[]{c}, WeightInit.constant(1), c), bshape);
            SDVariable beta = b.sd().reshape(s.opName("betaB"), s.param("beta", new long[]{c}, WeightInit.constant(0), c), bshape);
            y = BroadcastMulOp.apply(b.sd(), s.opName("scaled"), norm, gamma, BatchNorm.reductionAxes(x)).add(s.opName("out"), beta);
            if (t != null) t = t.mul(gamma);
        } else {
            y = norm;
        }
        return x.with(y, t);
    }
}
