package org.medsynth.nn.engine.dl4j;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Registers op classes with SameDiff's op-name mapping under their {@link #opName()} (idempotent), so that
     * SameDiff's FlatBuffers clone of an op comes back as its class.
     */
    static void registerOpNames(NativeOpAlias... prototypes) {
        Map<String, DifferentialFunction> m = ImportClassMapping.getOpNameMapping();
        synchronized (m) {
            for (NativeOpAlias p : prototypes) m.putIfAbsent(p.opName(), p);
        }
    }

    /** The op's (first) output, renamed to {@code name} unless that is null. */
    SDVariable output(String name) {
        SDVariable y = outputVariable();
        return name == null ? y : y.rename(name);
    }

    /** Every output has the data type of the first input (one output unless {@link #getNumOutputs()} says more). */
    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> in) {
        return Collections.nCopies(Math.max(1, getNumOutputs()), in.get(0));
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
