package org.medsynth.nn;

import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.layers.BatchNorm;
import org.medsynth.nn.layers.Dropout;
import org.medsynth.nn.layers.SpectralNorm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds networks into one SameDiff graph over a {@link ParamStore}.
 *
 * <p>A builder owns (or wraps) a SameDiff instance and knows
 * <ul>
 *   <li>the {@link Mode}: TRAIN graphs use batch statistics and dropout, INFERENCE graphs running
 *       statistics and no dropout (fixed when the graph is built; build one graph per use);</li>
 *   <li>which parameter groups are trainable in this graph: parameters of a trainable group become
 *       SameDiff VARIABLEs, all others CONSTANTs that share the store's arrays (so a G-step graph
 *       can contain D frozen, and sees D's latest weights after every D step);</li>
 *   <li>a name prefix and group (from {@link #network(String)} / {@link #sub(String)}), so every
 *       parameter gets a unique hierarchical name like {@code G/down3/conv/W};</li>
 *   <li>registries of trainable variables per group, spectral-norm states and batch-norm
 *       applications, which {@link org.medsynth.nn.train.TrainStep} uses.</li>
 * </ul>
 * Applying the same network twice under the same name (D(real), D(fake)) shares the parameters;
 * operation outputs get unique names automatically.
 */
public final class NetBuilder {

    /** Whether the graph is for training or for inference. */
    public enum Mode { TRAIN, INFERENCE }

    private static final class Shared {
        final SameDiff sd;
        final ParamStore store;
        final Mode mode;
        final EngineOptions options;
        final Set<String> trainableGroups;
        final Map<String, List<String>> trainableVars = new LinkedHashMap<>();
        final List<SpectralNorm.State> spectral = new ArrayList<>();
        final List<BatchNorm.Application> batchNorms = new ArrayList<>();
        final List<Dropout.Mask> masks = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final Map<String, Integer> nameCounts = new HashMap<>();

        Shared(SameDiff sd, ParamStore store, Mode mode, Set<String> trainableGroups) {
            this.sd = sd;
            this.store = store;
            this.mode = mode;
            this.options = EngineOptions.fromSystemProperties().forEngine(Engine.selected());
            this.trainableGroups = trainableGroups;
        }
    }

    /** Group of parameters created outside any {@link #network(String)} scope. */
    public static final String DEFAULT_GROUP = "main";

    private final Shared shared;
    private final String prefix;
    private final String group;

    private NetBuilder(Shared shared, String prefix, String group) {
        this.shared = shared;
        this.prefix = prefix;
        this.group = group;
    }

    /**
     * A builder over a new SameDiff instance.
     *
     * @param trainableGroups groups whose parameters are trainable in this graph (may be empty)
     */
    public static NetBuilder create(ParamStore store, Mode mode, String... trainableGroups) {
        return create(SameDiff.create(), store, mode, trainableGroups);
    }

    /** A builder over an existing SameDiff instance. */
    public static NetBuilder create(SameDiff sd, ParamStore store, Mode mode, String... trainableGroups) {
        Set<String> groups = new LinkedHashSet<>(List.of(trainableGroups));
        return new NetBuilder(new Shared(sd, store, mode, Collections.unmodifiableSet(groups)), "", DEFAULT_GROUP);
    }

    /** TRAIN-mode builder in which the given groups are trainable. */
    public static NetBuilder forTraining(ParamStore store, String... trainableGroups) {
        return create(store, Mode.TRAIN, trainableGroups);
    }

    /** INFERENCE-mode builder in which nothing is trainable. */
    public static NetBuilder forInference(ParamStore store) {
        return create(store, Mode.INFERENCE);
    }

    /** A builder for a (sub-)network whose parameters form the group {@code group}, prefixed {@code group/}. */
    public NetBuilder network(String group) {
        checkName(group);
        return new NetBuilder(shared, group + "/", group);
    }

    /** A nested scope within the current group: names get the prefix {@code <prefix>name/}. */
    public NetBuilder sub(String name) {
        checkName(name);
        return new NetBuilder(shared, prefix + name + "/", group);
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(":")) {
            throw new IllegalArgumentException("invalid scope name '" + name + "'");
        }
    }

    public SameDiff sd() { return shared.sd; }

    public ParamStore store() { return shared.store; }

    public Mode mode() { return shared.mode; }

    /** The engine options this graph is built with (the system properties when the builder was created). */
    public EngineOptions options() { return shared.options; }

    public boolean training() { return shared.mode == Mode.TRAIN; }

    public DataType dataType() { return shared.store.dataType(); }

    public String prefix() { return prefix; }

    public String group() { return group; }

    public boolean isTrainable(String group) {
        return shared.trainableGroups.contains(group);
    }

    public Set<String> trainableGroups() { return shared.trainableGroups; }

    /**
     * An image/volume placeholder [batch, channels, spatial...] with an open batch size. The name is
     * used as is (not prefixed) so feeding is simple; asking twice returns the same placeholder.
     */
    public Tensor input(String name, int channels, int... spatial) {
        long[] shape = new long[2 + spatial.length];
        shape[0] = -1;
        shape[1] = channels;
        for (int i = 0; i < spatial.length; i++) shape[2 + i] = spatial[i];
        SDVariable v;
        if (shared.sd.hasVariable(name)) {
            v = shared.sd.getVariable(name);
        } else {
            v = shared.sd.placeHolder(name, dataType(), shape);
            shared.inputs.add(name);
        }
        return new Tensor(v, channels, spatial);
    }

    /** A flat [batch, features] placeholder (latent vectors). */
    public Tensor vectorInput(String name, int features) {
        return input(name, features);
    }

    /** A scalar placeholder (e.g. PGGAN's fade-in factor alpha), not prefixed; feed {@code Nd4j.scalar(dataType, v)}. */
    public SDVariable scalarInput(String name) {
        if (shared.sd.hasVariable(name)) return shared.sd.getVariable(name);
        return shared.sd.placeHolder(name, dataType());
    }

    /**
     * A parameter {@code <prefix>localName} of the current group: created in the store on first use,
     * a VARIABLE in this graph if the group is trainable here (and the role is TRAINABLE), otherwise a
     * CONSTANT sharing the store's array.
     */
    public SDVariable param(String localName, long[] shape, WeightInit init, long fanIn, ParamStore.Role role) {
        String full = prefix + localName;
        INDArray arr = shared.store.getOrCreate(full, group, role, shape, init, fanIn);
        return bind(full, arr, role);
    }

    /** A trainable parameter. */
    public SDVariable param(String localName, long[] shape, WeightInit init, long fanIn) {
        return param(localName, shape, init, fanIn, ParamStore.Role.TRAINABLE);
    }

    /** Puts an existing store array into this graph (variable or constant as for {@link #param}). */
    public SDVariable bind(String fullName, INDArray arr, ParamStore.Role role) {
        SameDiff sd = shared.sd;
        if (sd.hasVariable(fullName)) return sd.getVariable(fullName);
        if (role == ParamStore.Role.TRAINABLE && isTrainable(group)) {
            SDVariable v = sd.var(fullName, arr);
            shared.trainableVars.computeIfAbsent(group, k -> new ArrayList<>()).add(fullName);
            return v;
        }
        return sd.constant(fullName, arr);
    }

    /** A unique name for an operation output: {@code <prefix>base}, then {@code _1}, {@code _2}, ... */
    public String opName(String base) {
        String full = prefix + base;
        synchronized (shared.nameCounts) {
            int k = shared.nameCounts.getOrDefault(full, 0);
            String candidate = k == 0 ? full : full + "_" + k;
            while (shared.sd.hasVariable(candidate)) {
                k++;
                candidate = full + "_" + k;
            }
            shared.nameCounts.put(full, k + 1);
            return candidate;
        }
    }

    /** Names of the SameDiff variables of a group that are trainable in this graph, in creation order. */
    public List<String> trainableVariables(String group) {
        return Collections.unmodifiableList(shared.trainableVars.getOrDefault(group, List.of()));
    }

    /** All groups that have trainable variables in this graph. */
    public Set<String> groupsWithVariables() {
        return Collections.unmodifiableSet(shared.trainableVars.keySet());
    }

    public void register(SpectralNorm.State state) {
        for (SpectralNorm.State s : shared.spectral) if (s.weightName().equals(state.weightName())) return;
        shared.spectral.add(state);
    }

    /** Spectral-norm states used in this graph. */
    public List<SpectralNorm.State> spectralNorms() {
        return Collections.unmodifiableList(shared.spectral);
    }

    public void register(BatchNorm.Application app) {
        shared.batchNorms.add(app);
    }

    public void register(Dropout.Mask mask) {
        shared.masks.add(mask);
    }

    /** Dropout masks that must be fed in TRAIN mode. */
    public List<Dropout.Mask> dropoutMasks() {
        return Collections.unmodifiableList(shared.masks);
    }

    /** Names of the placeholders created by {@link #input} / {@link #vectorInput}, in order. */
    public List<String> inputs() {
        return Collections.unmodifiableList(shared.inputs);
    }

    /**
     * {@code feeds} plus freshly drawn dropout masks for the masks not already in {@code feeds} (the
     * batch size is taken from the first {@link #input} found in {@code feeds}). Returns {@code feeds}
     * itself when nothing is missing. Graphs built by the same code name their masks alike, so masks
     * drawn for one graph can be fed to another (e.g. the same G dropout in a D step and a G step).
     */
    public Map<String, INDArray> withRandomFeeds(Map<String, INDArray> feeds, SplittableRandom rng) {
        boolean missing = false;
        for (Dropout.Mask m : shared.masks) missing |= !feeds.containsKey(m.placeholder());
        if (!missing) return feeds;
        long batch = -1;
        for (String in : shared.inputs) {
            INDArray a = feeds.get(in);
            if (a != null && a.rank() >= 1) {
                batch = a.size(0);
                break;
            }
        }
        if (batch < 1) throw new IllegalArgumentException("cannot tell the batch size: feed one of the inputs " + shared.inputs);
        Map<String, INDArray> out = new HashMap<>(feeds);
        for (Dropout.Mask m : shared.masks) {
            if (feeds.containsKey(m.placeholder())) continue;
            long n = batch;
            for (long s : m.shapeWithoutBatch()) n *= s;
            float[] v = new float[Math.toIntExact(n)];
            float scale = (float) (1.0 / m.keep());
            for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble() < m.keep() ? scale : 0f;
            long[] shape = new long[1 + m.shapeWithoutBatch().length];
            shape[0] = batch;
            System.arraycopy(m.shapeWithoutBatch(), 0, shape, 1, m.shapeWithoutBatch().length);
            out.put(m.placeholder(), Nd4j.create(v, shape, 'c').castTo(dataType()));
        }
        return out;
    }

    /** Batch-norm applications in TRAIN mode (their running statistics are updated after each step). */
    public List<BatchNorm.Application> batchNorms() {
        return Collections.unmodifiableList(shared.batchNorms);
    }
}
