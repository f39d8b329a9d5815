package org.medsynth.nn.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A SameDiff op that runs a native libnd4j kernel ({@link #nativeName()}) under an op name of its own, so
 * that SameDiff's FlatBuffers clone comes back as the subclass (with its own {@code doDiff}) rather than as
 * ND4J's Java wrapper of that kernel. Optionally carries one epsilon, stored as the kernel's T argument and
 * kept through cloning as a property.
 */
abstract class NativeOpAlias extends DynamicCustomOp {
    /** Epsilon of the kernel, or NaN for kernels without one. */
    protected double epsilon = Double.NaN;

    /** For SameDiff's reflective cloning only. */
    protected NativeOpAlias() { }

    protected NativeOpAlias(SameDiff sd, SDVariable[] args) {
        super(null, sd, args, false);
    }

    /** Name of the native kernel this op executes. */
    protected abstract String nativeName();

    /** Sets the epsilon (the kernel's only T argument). */
    protected void setEpsilon(double e) {
        epsilon = e;
        addTArgument(e);
    }

    @Override
    public long opHash() {
        return descriptor(nativeName()).getHash();
    }

    @Override
    public CustomOpDescriptor getDescriptor() {
        return Nd4j.getExecutioner().getCustomOperations().get(nativeName());
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!Double.isNaN(epsilon)) m.put("epsilon", epsilon);
        return m;
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        Object e = properties.get("epsilon");
        if (e instanceof Number n) epsilon = n.doubleValue();
    }

    @Override
    public void configureFromArguments() {
        if (numTArguments() > 0) epsilon = getTArgument(0);
    }

    static CustomOpDescriptor descriptor(String op) {
        CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(op);
        if (d == null) throw new IllegalStateException("the ND4J backend has no native op '" + op + "'");
        return d;
    }
}
