package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * {@code full * factor} where {@code factor} has size 1 along some axes: a per-channel, per-pixel or per-sample weight
 * (MLU-Net's scale and branch weights, attention gates). Networks call this rather than the engine's op
 * ({@link BroadcastMulOp}, which gives SameDiff a fast gradient for it).
 */
public final class Scale {
    private Scale() { }

    /**
     * @param name operation name below {@code b}'s scope
     * @param axes the axes along which {@code factor} has size 1 while {@code full} may not
     */
    public static SDVariable apply(NetBuilder b, String name, SDVariable full, SDVariable factor, int... axes) {
        return BroadcastMulOp.apply(b.sd(), b.opName(name), full, factor, axes);
    }
}
