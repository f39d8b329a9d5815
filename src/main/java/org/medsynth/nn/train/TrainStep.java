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
        Result r = compute(feeds, outputs);
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
        SameDiff sd = graph.sd();
        Map<String, INDArray> f = graph.withRandomFeeds(onlyPlaceholders(sd, feeds), rng);
        Set<String> outs = new LinkedHashSet<>();
        outs.add(lossName);
        Collections.addAll(outs, outputs);
        List<BatchNorm.Application> bns = myBatchNorms();
        for (BatchNorm.Application a : bns) {
            outs.add(a.batchMean());
            outs.add(a.batchVar());
            outs.add(a.count());
        }
        GraphRunner.Pass pass = runner.gradients(f, outs, lossName, variables);
        Map<String, INDArray> all = pass.outputs();
        Map<String, INDArray> gradients = pass.gradients();
        Map<String, INDArray> requested = new LinkedHashMap<>();
        for (String o : outputs) requested.put(o, all.get(o));
        Map<String, INDArray> stats = new HashMap<>();
        for (BatchNorm.Application a : bns) {
            stats.put(a.batchMean(), all.get(a.batchMean()));
            stats.put(a.batchVar(), all.get(a.batchVar()));
            stats.put(a.count(), all.get(a.count()));
        }
        INDArray lossArr = all.get(lossName);
        double loss = lossArr.getDouble(0);
        if (!requested.containsKey(lossName)) closeQuietly(lossArr);
        return new Result(loss, requested, gradients, stats);
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
        for (BatchNorm.Application a : myBatchNorms()) {
            BatchNorm.updateRunningStats(store, a, r.batchStats().get(a.batchMean()), r.batchStats().get(a.batchVar()),
                    r.batchStats().get(a.count()).getDouble(0));
        }
    }

    private List<BatchNorm.Application> myBatchNorms() {
        List<BatchNorm.Application> l = new ArrayList<>();
        for (BatchNorm.Application a : graph.batchNorms()) {
            ParamStore.Param p = graph.store().get(a.runningMean());
            if (p != null && p.group().equals(group)) l.add(a);
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
