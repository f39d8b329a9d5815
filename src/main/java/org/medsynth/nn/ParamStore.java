package org.medsynth.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * All arrays of a model — trainable weights, persistent state (batch-norm running statistics,
 * spectral-norm vectors) and derived helper arrays — by unique name, independent of any SameDiff
 * graph. Several graphs (a D-step graph, a G-step graph, an inference graph, the graph of the next
 * PGGAN resolution) are built over the same store and use the very same {@link INDArray} objects, so
 * an optimiser update in one graph is seen by all others without copying.
 *
 * <p>Initial values are drawn from a random generator seeded by {@code (seed, name)}: the same seed
 * gives the same weights whatever order the graphs are built in.
 */
public final class ParamStore {

    /** What an array is for. */
    public enum Role {
        /** Updated by an optimiser; saved. */
        TRAINABLE,
        /** Not optimised but part of the model (running statistics, spectral-norm u/v); saved. */
        STATE,
        /** Recomputed from other arrays (spectral-norm u v^T); not saved. */
        DERIVED
    }

    /** One named array. */
    public static final class Param {
        private final String name;
        private final String group;
        private final Role role;
        private final INDArray value;

        Param(String name, String group, Role role, INDArray value) {
            this.name = name;
            this.group = group;
            this.role = role;
            this.value = value;
        }

        public String name() { return name; }
        public String group() { return group; }
        public Role role() { return role; }
        public INDArray value() { return value; }
    }

    /**
     * A layer asks for a parameter that a sealed store (a loaded model) does not have, or that exists
     * with another shape, group or role.
     */
    public static final class ParameterMismatchException extends IllegalStateException {
        private final String parameter;

        public ParameterMismatchException(String parameter, String message) {
            super(message);
            this.parameter = parameter;
        }

        public String parameter() {
            return parameter;
        }
    }

    private final long seed;
    private final DataType dataType;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private boolean sealed;

    public ParamStore(long seed, DataType dataType) {
        if (!dataType.isFPType()) throw new IllegalArgumentException("parameters must be floating point, got " + dataType);
        this.seed = seed;
        this.dataType = dataType;
    }

    /** float32 store. */
    public ParamStore(long seed) {
        this(seed, DataType.FLOAT);
    }

    public long seed() { return seed; }

    public DataType dataType() { return dataType; }

    /** The seed of the random generator for one parameter (stable across runs and JVMs). */
    public long seedFor(String name) {
        long h = 1125899906842597L;
        for (int i = 0; i < name.length(); i++) h = 31 * h + name.charAt(i);
        return seed * 0x9E3779B97F4A7C15L ^ h;
    }

    /**
     * Returns the array called {@code name}, creating it with {@code init} if it does not exist yet.
     * An existing array must have the same shape, group and role.
     */
    public synchronized INDArray getOrCreate(String name, String group, Role role, long[] shape, WeightInit init, long fanIn) {
        Param p = params.get(name);
        if (p != null) {
            if (!Arrays.equals(p.value.shape(), shape)) {
                throw new ParameterMismatchException(name, "parameter " + name + " exists with shape " + Arrays.toString(p.value.shape())
                        + " but a layer asks for " + Arrays.toString(shape) + (sealed ? "" : " (two layers with the same name?)"));
            }
            if (!p.group.equals(group) || p.role != role) {
                throw new ParameterMismatchException(name, "parameter " + name + " exists in group " + p.group + "/" + p.role
                        + " but is requested in " + group + "/" + role);
            }
            return p.value;
        }
        if (sealed && role != Role.DERIVED) {
            throw new ParameterMismatchException(name, "the model has no parameter " + name + ": it was saved for a different network or settings");
        }
        long n = 1;
        for (long s : shape) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("parameter " + name + " too large: " + n);
        double[] v = new double[(int) n];
        init.fill(v, new SplittableRandom(seedFor(name)), Math.max(1, fanIn));
        INDArray arr = Nd4j.create(v, shape, DataType.DOUBLE).castTo(dataType);
        params.put(name, new Param(name, group, role, arr));
        return arr;
    }

    /**
     * After sealing, asking for a parameter that does not exist throws {@link ParameterMismatchException}
     * instead of creating a random one (derived arrays are still created). Loaded models are sealed.
     */
    public synchronized void seal() {
        sealed = true;
    }

    public synchronized boolean isSealed() {
        return sealed;
    }

    /** Adds or replaces an array (used when loading a model). The array is used as is. */
    public synchronized void put(String name, String group, Role role, INDArray value) {
        if (value.dataType() != dataType) value = value.castTo(dataType);
        Param old = params.get(name);
        if (old != null && Arrays.equals(old.value.shape(), value.shape())) {
            old.value.assign(value); // keep the object identity: graphs hold references to it
            return;
        }
        if (old != null) throw new IllegalStateException("cannot replace " + name + " " + Arrays.toString(old.value.shape())
                + " by an array of shape " + Arrays.toString(value.shape()));
        params.put(name, new Param(name, group, role, value));
    }

    public synchronized Param get(String name) {
        return params.get(name);
    }

    public synchronized INDArray array(String name) {
        Param p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter called " + name);
        return p.value;
    }

    public synchronized boolean contains(String name) {
        return params.containsKey(name);
    }

    /** All parameters in creation order. */
    public synchronized List<Param> all() {
        return Collections.unmodifiableList(new ArrayList<>(params.values()));
    }

    /** Parameters of one group (any role). */
    public synchronized List<Param> group(String group) {
        List<Param> out = new ArrayList<>();
        for (Param p : params.values()) if (p.group.equals(group)) out.add(p);
        return out;
    }

    /** Number of trainable scalars in a group (or all groups if {@code group} is null). */
    public synchronized long countTrainable(String group) {
        long n = 0;
        for (Param p : params.values()) {
            if (p.role == Role.TRAINABLE && (group == null || p.group.equals(group))) n += p.value.length();
        }
        return n;
    }

    /**
     * Copies every array of {@code other} whose name exists here with the same shape (PGGAN growth:
     * the graph of the next resolution starts from the weights of the previous one).
     *
     * @return number of arrays copied
     */
    public synchronized int copyMatchingFrom(ParamStore other) {
        int n = 0;
        for (Param p : other.all()) {
            Param mine = params.get(p.name);
            if (mine != null && Arrays.equals(mine.value.shape(), p.value.shape())) {
                mine.value.assign(p.value);
                n++;
            }
        }
        return n;
    }
}
