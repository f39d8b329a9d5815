package org.medsynth.nn.engine.dl4j;

import org.medsynth.nn.layers.Layout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code full * factor} where {@code factor} has size 1 along {@link #axes} (and the size of {@code full}
 * elsewhere): a per-channel, per-pixel or per-sample scale. Forward on libnd4j's native {@code multiply}
 * kernel; the backward pass is two vectorised kernels per input instead of ND4J's {@code multiply_bp}:
 * {@code dL/dfull = g * factor} and {@code dL/dfactor = sum over axes of (g * full)}.
 *
 * <p>Why: ND4J 1.0.0-M2.1's {@code multiply_bp} is slow whenever the inputs broadcast (a per-channel
 * scale of a 64-channel 256 x 256 map, PGGAN's pixel norm): in an MLU-Net train step these calls were a
 * large share of the step (docs/benchmarks.md, profile section). The same gradient from the two plain
 * kernels costs a small fraction of that.
 *
 * <p>The broadcast axes are fixed when the graph is built (the caller knows them from the layer); they are
 * kept through SameDiff's FlatBuffers clone as a property, like {@link NativeOpAlias}'s epsilon.
 */
public final class BroadcastMulOp extends NativeOpAlias {
    /** Op name in SameDiff graphs (execution uses the hash of the native {@code multiply}). */
    public static final String NAME = "medsynth_broadcast_multiply";

    static {
        registerOpNames(new BroadcastMulOp());
    }

    private int[] axes = new int[0];

    /** For SameDiff's reflective cloning only. */
    public BroadcastMulOp() { }

    private BroadcastMulOp(SameDiff sd, SDVariable full, SDVariable factor, int[] axes) {
        super(sd, new SDVariable[]{full, factor});
        this.axes = axes.clone();
    }

    /**
     * {@code full * factor} as a differentiable graph variable.
     *
     * @param axes the axes along which {@code factor} has size 1 while {@code full} may not (e.g. {@code 2, 3}
     *             for a per-channel scale of an NCHW tensor, {@code 1} for a per-pixel one); empty when both
     *             have the same shape
     */
    public static SDVariable apply(SameDiff sd, String name, SDVariable full, SDVariable factor, int... axes) {
        int[] sorted = axes.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0 || (i > 0 && sorted[i] == sorted[i - 1])) {
                throw new IllegalArgumentException("broadcast axes must be distinct and >= 0, got " + Arrays.toString(axes));
            }
        }
        return new BroadcastMulOp(sd, full, factor, sorted).output(name);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    protected String nativeName() {
        return "multiply";
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grad) {
        SDVariable g = grad.get(0);
        SDVariable full = arg(0), factor = arg(1);
        SDVariable dFull = g.mul(factor);
        SDVariable dFactor = g.mul(full);
        int rank = full.getShape() != null ? full.getShape().length : -1;
        if (axes.length > 1 && rank > 0 && axes[axes.length - 1] < rank - 1) {
            // the last axis is kept (a channels-last per-channel scale): libnd4j's one-pass reduction strides through
            // memory one narrow column at a time; one axis at a time is as fast as channels first (Layout.channelSum)
            dFactor = Layout.sumAxisByAxis(dFactor, true, axes);
        } else if (axes.length > 0) {
            dFactor = dFactor.sum(true, axes);
        }
        return List.of(dFull, dFactor);
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        Map<String, Object> m = super.propertiesForFunction();
        m.put("axes", axes.clone());
        return m;
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        super.setPropertiesForFunction(properties);
        Object a = properties.get("axes");
        if (a instanceof int[] i) axes = i.clone();
        else if (a instanceof long[] l) axes = Arrays.stream(l).mapToInt(Math::toIntExact).toArray();
    }
}
