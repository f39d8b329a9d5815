package org.medsynth.nn.train;

import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.layers.BatchNorm;
import org.medsynth.nn.layers.SpectralNorm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
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

/**
 * One optimisation step of one parameter group on one graph: the building block of GAN training.
 *
 * <pre>{@code
 * ParamStore store = new ParamStore(seed);
 * // D-step graph: G frozen (constants), D trainable
 * NetBuilder dg = NetBuilder.forTraining(store, "D");
 * ... build G(a) and D(a, b), D(a, G(a)) in dg, lossD ...
 * TrainStep dStep = new TrainStep(dg, lossD, "D", Adam.pix2pix());
 * // G-step graph: D frozen, G trainable
 * NetBuilder gg = NetBuilder.forTraining(store, "G");
 * ... build G(a), D(a, G(a)) in gg, lossG ...
 * TrainStep gStep = new TrainStep(gg, lossG, "G", Adam.pix2pix());
 * for (...) { dStep.run(feeds); gStep.run(feeds); }
 * }</pre>
 *
 * A step: (1) one power iteration for every spectral-norm weight of the group; (2) dropout masks
 * drawn from this step's own seeded generator; (3) loss, requested outputs and the gradients of the
 * group's variables in one pass; (4) Adam update of exactly those variables (in place in the store);
 * (5) running statistics of the group's batch-norm layers. Nothing of any other group changes.
 * Gradient arrays are closed after the update, and a {@link MemoryGuard} keeps the rest of the native
 * memory bounded.
 */
public final class TrainStep {
    private final NetBuilder graph;
    private final String lossName;
    private final String group;
    private final Adam adam;
    private final List<String> variables;
    private SplittableRandom rng;
    private int powerIterations = 1;
    private MemoryGuard memoryGuard;
    /** Runs the passes on {@link Engine#selected()} when the step was made. */
    private final GraphRunner runner;

    /** Result of {@link #compute}: loss, requested outputs and gradients (name -> array). */
    public record Result(double loss, Map<String, INDArray> outputs, Map<String, INDArray> gradients,
                         Map<String, INDArray> batchStats) {
        /** Closes gradient and batch-statistics arrays (outputs stay usable). */
        public void closeGradients() {
            for (INDArray a : gradients.values()) closeQuietly(a);
            for (INDArray a : batchStats.values()) closeQuietly(a);
        }
    }

    public TrainStep(NetBuilder graph, SDVariable loss, String group, Adam adam) {
        this.graph = graph;
        this.lossName = loss.name();
        this.group = group;
        this.adam = adam;
        this.variables = new ArrayList<>(graph.trainableVariables(group));
        if (variables.isEmpty()) {
            throw new IllegalArgumentException("group '" + group + "' has no trainable variables in this graph (build it with "
                    + "NetBuilder.forTraining(store, \"" + group + "\"))");
        }
        this.rng = new SplittableRandom(graph.store().seed() * 31 + group.hashCode());
        this.runner = new GraphRunner(graph.sd(), Engine.selected());
        this.memoryGuard = MemoryGuard.global(runner.engine());
    }

    /** Seed of the generator for dropout masks (default derived from the store's seed and the group). */
    public TrainStep seed(long seed) {
        rng = new SplittableRandom(seed);
        return this;
    }

    /** Power iterations per step for spectral norm (default 1, as PyTorch). */
    public TrainStep powerIterations(int n) {
        if (n < 0) throw new IllegalArgumentException("iterations must be >= 0");
        powerIterations = n;
        return this;
    }

    /** The guard called after each {@link #run} (default {@link MemoryGuard#global(Engine)} of the step's engine); null disables it. */
    public TrainStep memoryGuard(MemoryGuard guard) {
        memoryGuard = guard;
        return this;
    }

    /**
     * Makes each pass set the placeholder {@code placeholder} to the gradient of the scalar {@code of} with respect to
     * the placeholder {@code wrt}, and differentiate the loss through it (double backpropagation: a loss that penalises
     * a gradient, as WGAN-GP's); the placeholder is then not fed. libtorch only ({@link GraphRunner#feedGradient}).
     *
     * @throws UnsupportedOperationException on DL4J
     */
    public TrainStep feedGradient(String placeholder, String of, String wrt) {
        runner.feedGradient(placeholder, of, wrt);
        return this;
    }

    /** The engine that runs the passes: {@link Engine#selected()} when the step was made. */
    public Engine engine() { return runner.engine(); }

    public NetBuilder graph() { return graph; }

    public String group() { return group; }

    public Adam optimizer() { return adam; }

    public String lossName() { return lossName; }

    /** Names of the variables this step updates. */
    public List<String> variables() { return Collections.unmodifiableList(variables); }

    /** A full step; returns loss and the requested outputs (gradients already applied and closed). */
    public Result run(Map<String, INDArray> feeds, String... outputs) {
        powerIterate();
        return finish(compute(feeds, null, null, null, null, outputs));
    }

    /**
     * What one step's pass kept for the step of another group ({@link #runKeeping}): a value with its autograd graph back
     * to that group's variables, and that group's batch statistics from the same pass. Valid until that group's
     * variables change; close it after {@link #runFrom} (it holds the graph's memory).
     */
    public static final class Carried implements AutoCloseable {
        private final GraphRunner.Kept kept;
        private final String value;
        private final String group;
        /** Running-mean name -> {batch mean, batch variance, count} of the group's batch norms. */
        private final Map<String, INDArray[]> statistics;

        private Carried(GraphRunner.Kept kept, String value, String group, Map<String, INDArray[]> statistics) {
            this.kept = kept;
            this.value = value;
            this.group = group;
            this.statistics = statistics;
        }

        @Override
        public void close() { kept.close(); }
    }

    /** A step's result and what its pass kept ({@link #runKeeping}). */
    public record Keeping(Result result, Carried carried) { }

    /** True when this step's engine can keep a pass's graph for another step ({@link #runKeeping}): libtorch. */
    public boolean keepsGraphs() {
        return runner.keepsGraphs();
    }

    /**
     * {@link #run}, keeping the value {@code value} of this graph with its autograd graph back to the variables of
     * {@code group} (constants of this step), and that group's batch statistics, for the step of that group
     * ({@link #runFrom}), which then need not compute the value again: a GAN's D step keeps G's fake for G's step. libtorch
     * only ({@link #keepsGraphs}).
     */
    public Keeping runKeeping(Map<String, INDArray> feeds, String value, String group, String... outputs) {
        if (group.equals(this.group)) throw new IllegalArgumentException("keep the graph back to another group's variables, not to " + group);
        powerIterate();
        Computed c = compute(feeds, value, group, null, null, outputs);
        return new Keeping(finish(c), new Carried(c.kept(), value, group, c.otherStatistics()));
    }

    /**
     * {@link #run} with the value {@code carried} kept as this graph's {@code as}: the ops that compute {@code as} do not
     * run, the gradients of this group's variables come through the kept graph, and the batch statistics of this group's
     * batch norms from the pass that kept it. {@code carried} must come from {@link #runKeeping} for this step's group,
     * and nothing may have changed this group's variables since (this step's power iteration neither: use it for groups
     * without spectral norm).
     */
    public Result runFrom(Map<String, INDArray> feeds, Carried carried, String as, String... outputs) {
        if (!carried.group.equals(group)) throw new IllegalArgumentException("the value was kept for " + carried.group + ", not for " + group);
        if (iteratesSpectralNorms()) {
            throw new IllegalStateException("a kept value is stale after the power iteration of " + group + "'s spectral norms");
        }
        return finish(compute(feeds, null, null, carried, as, outputs));
    }

    /**
     * True when each step power-iterates spectral norms of this group before its pass, which changes the group's
     * normalised weights: a value another step kept from them is then stale ({@link #runFrom}).
     */
    public boolean iteratesSpectralNorms() {
        if (powerIterations == 0) return false;
        for (SpectralNorm.State st : graph.spectralNorms()) if (st.group().equals(group)) return true;
        return false;
    }

    /** Update, close, memory guard: the end of every step. */
    private Result finish(Computed c) {
        Result r = c.result();
        apply(r);
        r.closeGradients();
        if (memoryGuard != null) memoryGuard.afterStep();
        return new Result(r.loss(), r.outputs(), Map.of(), Map.of());
    }

    /** Power iteration for the spectral-norm weights of this group. */
    public void powerIterate() {
        if (powerIterations == 0) return;
        for (SpectralNorm.State st : graph.spectralNorms()) {
            if (st.group().equals(group)) SpectralNorm.iterate(graph.store(), st, powerIterations, runner.engine());
        }
    }

    /** Loss, outputs and gradients without changing any parameter. */
    public Result compute(Map<String, INDArray> feeds, String... outputs) {
        return compute(feeds, null, null, null, null, outputs).result();
    }

    /** A pass's result, what it kept (or null) and the kept group's batch statistics (running-mean name -> mean, var, count). */
    private record Computed(Result result, GraphRunner.Kept kept, Map<String, INDArray[]> otherStatistics) { }

    /**
     * One pass: plain, keeping {@code keepValue} with its graph back to {@code keepGroup}'s variables (and that group's
     * batch statistics), or reading {@code from}'s kept value as {@code fromAs}.
     */
    private Computed compute(Map<String, INDArray> feeds, String keepValue, String keepGroup, Carried from, String fromAs, String... outputs) {
        SameDiff sd = graph.sd();
        Map<String, INDArray> f = graph.withRandomFeeds(onlyPlaceholders(sd, feeds), rng);
        Set<String> outs = new LinkedHashSet<>();
        outs.add(lossName);
        Collections.addAll(outs, outputs);
        List<BatchNorm.Application> bns = batchNormsOf(group);
        if (from == null) for (BatchNorm.Application a : bns) outs.addAll(statisticNames(a));
        List<BatchNorm.Application> others = keepGroup == null ? List.of() : batchNormsOf(keepGroup);
        for (BatchNorm.Application a : others) outs.addAll(statisticNames(a));
        GraphRunner.Pass pass = keepValue != null
                ? runner.gradientsKeeping(f, outs, lossName, variables, Set.of(keepValue), variablesOf(keepGroup))
                : from != null ? runner.gradientsFrom(f, outs, lossName, variables, from.kept, Map.of(from.value, fromAs))
                : runner.gradients(f, outs, lossName, variables);
        Map<String, INDArray> all = pass.outputs();
        Map<String, INDArray> requested = new LinkedHashMap<>();
        for (String o : outputs) requested.put(o, all.get(o));
        Map<String, INDArray> stats = new HashMap<>();
        for (BatchNorm.Application a : bns) {
            INDArray[] s = from == null ? statistics(all, a) : from.statistics.get(a.runningMean());
            if (s == null) throw new IllegalStateException("the kept pass has no batch statistics for " + a.runningMean());
            stats.put(a.batchMean(), s[0]);
            stats.put(a.batchVar(), s[1]);
            stats.put(a.count(), s[2]);
        }
        Map<String, INDArray[]> otherStats = new HashMap<>();
        for (BatchNorm.Application a : others) otherStats.put(a.runningMean(), statistics(all, a));
        INDArray lossArr = all.get(lossName);
        double loss = lossArr.getDouble(0);
        if (!requested.containsKey(lossName)) closeQuietly(lossArr);
        return new Computed(new Result(loss, requested, pass.gradients(), stats), pass.kept(), otherStats);
    }

    /** The names of a batch norm's batch mean, batch variance and count, which a training pass computes. */
    private static List<String> statisticNames(BatchNorm.Application a) {
        return List.of(a.batchMean(), a.batchVar(), a.count());
    }

    /** A batch norm's batch mean, variance and count among a pass's values. */
    private static INDArray[] statistics(Map<String, INDArray> values, BatchNorm.Application a) {
        return new INDArray[]{values.get(a.batchMean()), values.get(a.batchVar()), values.get(a.count())};
    }

    /** The store's trainable variables of {@code g} that this graph holds (as variables or constants). */
    private List<String> variablesOf(String g) {
        List<String> names = new ArrayList<>();
        for (ParamStore.Param p : graph.store().group(g)) {
            if (p.role() == ParamStore.Role.TRAINABLE && graph.sd().hasVariable(p.name())) names.add(p.name());
        }
        return names;
    }

    /**
     * Values of the graph's outputs for the feeds on this step's engine, without gradients and without changing
     * anything (e.g. G's fakes for the D step that follows); feeds the graph has no placeholder for are ignored.
     */
    public Map<String, INDArray> output(Map<String, INDArray> feeds, String... outputs) {
        return runner.output(onlyPlaceholders(graph.sd(), feeds), outputs);
    }

    /** Adam update of this group's variables and the running statistics of its batch norms. */
    public void apply(Result r) {
        Map<String, INDArray> g = r.gradients();
        for (String v : variables) {
            if (!g.containsKey(v)) throw new IllegalStateException("no gradient for " + v + ": is it connected to the loss " + lossName + "?");
        }
        adam.update(graph.store(), g, runner.engine());
        ParamStore store = graph.store();
        for (BatchNorm.Application a : batchNormsOf(group)) {
            BatchNorm.updateRunningStats(store, a, r.batchStats().get(a.batchMean()), r.batchStats().get(a.batchVar()),
                    r.batchStats().get(a.count()).getDouble(0));
        }
    }

    /** The batch norms of group {@code g} in this graph. */
    private List<BatchNorm.Application> batchNormsOf(String g) {
        List<BatchNorm.Application> l = new ArrayList<>();
        for (BatchNorm.Application a : graph.batchNorms()) {
            ParamStore.Param p = graph.store().get(a.runningMean());
            if (p != null && p.group().equals(g)) l.add(a);
        }
        return l;
    }

    /** SameDiff rejects feeds for placeholders a graph does not have; drop them (one feed map can serve several graphs). */
    public static Map<String, INDArray> onlyPlaceholders(SameDiff sd, Map<String, INDArray> feeds) {
        Map<String, INDArray> f = new HashMap<>();
        for (Map.Entry<String, INDArray> e : feeds.entrySet()) {
            if (sd.hasVariable(e.getKey()) && sd.getVariable(e.getKey()).isPlaceHolder()) f.put(e.getKey(), e.getValue());
        }
        return f;
    }

    static void closeQuietly(INDArray a) {
        if (a != null && a.closeable()) a.close();
    }
}
