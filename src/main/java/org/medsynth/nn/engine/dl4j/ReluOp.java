package org.medsynth.nn.engine.dl4j;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scalar.Step;

import java.util.Collections;
import java.util.List;

/**
 * ReLU on libnd4j's native {@code relu} kernel, with a backward pass built from two vectorised kernels:
 * {@code dL/dx = dL/dy * step(x)}.
 *
 * <p>Why not {@code sd.nn().relu(...)}: its gradient in ND4J 1.0.0-M2.1 is {@code thresholdedrelu_bp},
 * which evaluates a {@code std::function} per element: several times slower than the native relu_bp,
 * which in turn is slower than step + multiply, and in a 256 x 256 U-Net train step an order of magnitude
 * slower than PyTorch's ReLU backward passes (docs/benchmarks.md). The forward kernel is as fast as the
 * legacy scalar ReLU.
 *
 * <p>Like {@link FusedBatchNormOp} the op carries its own op name ({@value #NAME}), registered with
 * SameDiff's op-name mapping, so that SameDiff's FlatBuffers clone of the op keeps this {@link #doDiff}.
 * The mask uses x > 0 (not >= 0): the derivative at 0 is taken as 0, as PyTorch does.
 */
public final class ReluOp extends NativeOpAlias {
    /** Op name in SameDiff graphs (execution uses the hash of the native {@code relu}). */
    public static final String NAME = "medsynth_relu";

    static {
        registerOpNames(new ReluOp());
    }

    /** For SameDiff's reflective cloning only. */
    public ReluOp() { }

    public ReluOp(SameDiff sd, SDVariable x) {
        super(sd, new SDVariable[]{x});
        addTArgument(0.0);   // the kernel's cutoff: max(x, 0)
    }

    /** max(x, 0) as a differentiable graph variable. */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x) {
        return new ReluOp(sd, x).output(name);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    protected String nativeName() {
        return "relu";
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grad) {
        SDVariable mask = new Step(sameDiff, arg(), false, 0.0).outputVariable();
        return Collections.singletonList(grad.get(0).mul(mask));
    }
}
