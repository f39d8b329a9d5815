package org.medsynth.nn.layers;

import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Additive attention gate of Attention U-Net (Oktay et al. 2018, "grid attention"):
 * <pre>
 *   theta = Conv_k=f,s=f,no bias (x)      x: skip features [N, Fx, S],  g: gating signal [N, Fg, S / f]
 *   phi   = Conv_1x1 (g)
 *   q     = ReLU(theta + phi)
 *   alpha = sigmoid(Conv_1x1(q) -> 1 channel)        attention coefficients at the resolution of g
 *   out   = W(x * up(alpha))                          W = 1x1 conv + normalisation
 * </pre>
 * {@code f} (1 or 2, the same on every axis) follows from the sizes of x and g. Difference to the
 * reference implementation: coefficients are up-sampled by nearest neighbour (Oktay: bilinear /
 * trilinear), which SameDiff offers for 2D and 3D alike.
 */
public final class AttentionGate {

    /** Gated features and the attention coefficients (1 channel, at the resolution of x). */
    public record Result(Tensor output, Tensor coefficients) { }

    private AttentionGate() { }

    public static Result apply(NetBuilder b, String name, Tensor x, Tensor g, int interChannels, Norm outputNorm, WeightInit init) {
        if (x.spatialDims() != g.spatialDims() || x.spatialDims() < 2) {
            throw new IllegalArgumentException("attention gate needs x and g with the same 2 or 3 spatial dimensions, got " + x + " and " + g);
        }
        int f = x.spatial(0) / g.spatial(0);
        for (int i = 0; i < x.spatialDims(); i++) {
            if (f < 1 || x.spatial(i) != g.spatial(i) * f) {
                throw new IllegalArgumentException("attention gate: the size of x " + x + " must be the size of g " + g
                        + " times the same integer on every axis");
            }
        }
        NetBuilder s = b.sub(name);
        Tensor theta = Conv.of(f).stride(f).bias(false).init(init).apply(s, "theta", x, interChannels);
        Tensor phi = Conv.of(1).init(init).apply(s, "phi", g, interChannels);
        Tensor q = Activations.relu(s, theta.with(theta.var().add(s.opName("sum"), phi.var())));
        Tensor psi = Conv.of(1).init(init).apply(s, "psi", q, 1);
        Tensor alpha = Activations.sigmoid(s, psi);
        Tensor up = Resample.upNearest(s, alpha, f);
        SDVariable gated = BroadcastMulOp.apply(b.sd(), s.opName("gated"), x.var(), up.var(), x.channelAxis());
        Tensor w = Conv.of(1).init(init).bias(outputNorm.convBias()).apply(s, "W", x.with(gated), x.channels());
        Tensor out = outputNorm.apply(s, "norm", w);
        return new Result(out, up);
    }
}
