package org.medsynth.nn.engine.libtorch;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a graph that MedSynth's networks built with SameDiff on libtorch: each op the requested values depend on is
 * replayed, in the graph's order, by the libtorch function that computes the same thing ({@link TorchOps}), and
 * gradients come from libtorch's autograd (not from SameDiff's gradient graph). One exception to op by op: a batch norm
 * in training mode and the moments op that computes its batch statistics for it run as one libtorch batch norm, which
 * gives the statistics too (as in PyTorch; computing them twice cost 3-4 % of a U-Net train step). Parameters and
 * feeds are read from the same ND4J arrays SameDiff uses, without copying, so the optimiser, checkpoints and model
 * archives work unchanged whichever engine runs a step.
 *
 * <p>A placeholder may be set by the pass itself to the gradient of a scalar of the graph with respect to an input
 * ({@link #feedGradient}); a loss computed from it is then differentiated through that gradient (double
 * backpropagation, which SameDiff cannot do).
 *
 * <p>The device is the one {@link TorchDevice} names when the graph is made. On CUDA each pass copies the feeds and
 * parameters it reads to the device (parameters are not cached there between passes) and its results and gradients
 * back into new ND4J arrays.
 *
 * <p>Memory: each value is freed after the last op of the pass that reads it, unless it is a requested output, the
 * loss or a parameter whose gradient is asked for, so the values a backward pass needs are held by libtorch's autograd
 * alone, which frees each as backward passes it (as in PyTorch). Each op's own temporaries (views, options, scalars)
 * live in a {@link PointerScope} of that op; the pass's scope frees the rest when the pass ends. Results are copied
 * into new ND4J arrays before that (ND4J manages its buffers itself, so the scopes do not take them). Not thread-safe
 * (one pass at a time per graph).
 */
public final class TorchGraph {
    private final SameDiff sd;
    private final boolean cuda;
    /** Plans by (wanted values, values given by an earlier pass). */
    private final Map<List<Set<String>>, Plan> plans = new HashMap<>();
    /** Placeholders that each pass sets itself: placeholder name -> the gradient it holds ({@link #feedGradient}). */
    private final Map<String, FedGradient> fedGradients = new LinkedHashMap<>();

    /** d of / d wrt, {@code of} a scalar of the graph, {@code wrt} a placeholder. */
    private record FedGradient(String of, String wrt) { }

    /** Of the last pass: the most values held at once, and those held after the last op (for tests). */
    Held lastHeld;

    /**
     * The ops a pass runs, in order, after each op the values no later op reads, and the fed gradients it uses; batch
     * norms (by name) that compute the batch statistics they read themselves, and the moments ops that therefore do
     * not run ({@link TorchOps#batchStatisticsOf}).
     */
    private record Plan(List<DifferentialFunction> ops, List<List<String>> lastRead, Set<String> fed,
                        Map<String, DifferentialFunction> statisticsOf, Set<String> deferred) { }

    record Held(int most, Set<String> afterOps) { }

    /**
     * Opt-in profile ({@code -Dmedsynth.torch.profile=true}, read once): wall time per op kind of the forward replay,
     * plus "(backward)" for libtorch's autograd and "(results)" for copying results and gradients to ND4J arrays,
     * summed over all passes of all graphs. Off (the default), the passes read no clock.
     */
    public static final Map<String, long[]> PROFILE = Boolean.getBoolean("medsynth.torch.profile")
            ? java.util.Collections.synchronizedMap(new java.util.TreeMap<>()) : null;

    private static long tick() {
        return PROFILE == null ? 0 : System.nanoTime();
    }

    /** Adds the time since {@code t0} (from {@link #tick}) to {@code kind}'s total and count. */
    private static void tock(String kind, long t0) {
        if (PROFILE == null) return;
        long[] acc = PROFILE.computeIfAbsent(kind, k -> new long[2]);
        acc[0] += System.nanoTime() - t0;
        acc[1]++;
    }

    /**
     * A graph that runs on the device {@link TorchDevice#resolve} chooses now.
     *
     * @throws IllegalStateException when libtorch does not load, or CUDA is asked for and libtorch has no CUDA device
     */
    public TorchGraph(SameDiff sd) {
        this.sd = sd;
        this.cuda = TorchDevice.resolve();
    }

    /** "cuda:0" or "cpu". */
    public String device() {
        return cuda ? "cuda:0" : "cpu";
    }

    /** Values and gradients of one pass; the values it kept for a later pass (null unless asked, see {@link #gradientsKeeping}). */
    public record Pass(Map<String, INDArray> outputs, Map<String, INDArray> gradients, Kept kept) { }

    /**
     * Values of one pass kept with their autograd graph, and the leaf tensors of the variables that graph starts from,
     * for a later pass of another graph over the same parameters ({@link #gradientsFrom}): that pass reads the values
     * instead of computing them again and differentiates through the kept graph into the leaves. Holds native memory
     * (the graph's saved tensors) until closed; valid while the kept variables' arrays are not changed.
     */
    public static final class Kept implements AutoCloseable {
        private final Map<String, Tensor> values;
        private final Map<String, Tensor> leaves;
        private Map<String, INDArray> hostInputs;

        private Kept(Map<String, Tensor> values, Map<String, Tensor> leaves, Map<String, INDArray> hostInputs) {
            this.values = values;
            this.leaves = leaves;
            this.hostInputs = hostInputs;
        }

        @Override
        public void close() {
            values.values().forEach(Tensor::close);
            leaves.values().forEach(Tensor::close);
            values.clear();
            leaves.clear();
            Reference.reachabilityFence(hostInputs);   // the tensors over their memory are gone only now
            hostInputs = null;
        }
    }

    /** The requested values for the given feeds (placeholder name -> array), without gradients. */
    public Map<String, INDArray> output(Map<String, INDArray> feeds, Collection<String> outputs) {
        return run(feeds, outputs, null, List.of(), Set.of(), Set.of(), null, Map.of()).outputs();
    }

    /**
     * The requested values and the gradients of the scalar {@code loss} with respect to the variables {@code wrt}
     * (variable name -> gradient; a variable the loss does not depend on has none).
     */
    public Pass gradients(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt) {
        if (loss == null) throw new IllegalArgumentException("a gradient pass needs a loss");
        return run(feeds, outputs, loss, wrt, Set.of(), Set.of(), null, Map.of());
    }

    /**
     * {@link #gradients}, and keeps the values {@code keep} with their autograd graph back to the variables {@code leaves}
     * (which are differentiable in this pass, though only {@code wrt}'s gradients are computed): the pass's
     * {@link Pass#kept()}, for {@link #gradientsFrom}. E.g. a GAN's D step keeps G's fake, whose graph G's step then
     * back-propagates through, so that G runs forward once per iteration (as in PyTorch's pix2pix).
     */
    public Pass gradientsKeeping(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt,
                                 Set<String> keep, Collection<String> leaves) {
        if (loss == null) throw new IllegalArgumentException("a gradient pass needs a loss");
        return run(feeds, outputs, loss, wrt, keep, Set.copyOf(leaves), null, Map.of());
    }

    /**
     * {@link #gradients} with the values of {@code kept} as the values of this graph's variables that {@code as} names
     * (kept name -> name here), not computed again; the gradients of {@code wrt} variables that only the kept graph reads
     * are taken through it (the kept leaves). {@code kept} stays open (the caller closes it).
     */
    public Pass gradientsFrom(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt,
                              Kept kept, Map<String, String> as) {
        if (loss == null) throw new IllegalArgumentException("a gradient pass needs a loss");
        for (String k : as.keySet()) if (!kept.values.containsKey(k)) throw new IllegalArgumentException(k + " was not kept");
        for (String n : as.values()) if (!sd.hasVariable(n)) throw new IllegalArgumentException("the graph has no variable " + n);
        return run(feeds, outputs, loss, wrt, Set.of(), Set.of(), kept, as);
    }

    /**
     * From now on the placeholder {@code placeholder} is not fed: each pass that reads it sets it to the gradient of the
     * scalar {@code of} with respect to the placeholder {@code wrt} (same shape), computed by libtorch's autograd with
     * the graph of the gradient kept ({@code create_graph}), so that a loss computed from it is differentiated through
     * it: double backpropagation, as WGAN-GP's gradient penalty needs. The graph must compute {@code of} before the
     * first op that reads {@code placeholder} (in the graph's order), and {@code of} must not depend on it.
     */
    public void feedGradient(String placeholder, String of, String wrt) {
        for (String p : List.of(placeholder, wrt)) {
            if (!sd.hasVariable(p) || !sd.getVariable(p).isPlaceHolder()) throw new IllegalArgumentException(p + " is not a placeholder of the graph");
        }
        if (!sd.hasVariable(of)) throw new IllegalArgumentException("the graph has no variable " + of);
        if (placeholder.equals(wrt) || fedGradients.containsKey(wrt)) throw new IllegalArgumentException(wrt + " is itself a fed gradient");
        fedGradients.put(placeholder, new FedGradient(of, wrt));
        plans.clear();
    }

    private Pass run(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt,
                     Set<String> keepValues, Set<String> keepLeaves, Kept use, Map<String, String> useAs) {
        Set<String> wanted = new LinkedHashSet<>(outputs);
        if (loss != null) wanted.add(loss);
        wanted.addAll(keepValues);
        Set<String> given = Set.copyOf(useAs.values());
        Plan plan = plans.computeIfAbsent(List.of(Set.copyOf(wanted), given), k -> plan(wanted, given));
        Set<String> fed = plan.fed();
        Map<String, INDArray> hostInputs = hostInputs(plan.ops(), wanted, fed, given, feeds);
        Set<String> trainable = new HashSet<>(wrt);
        Set<String> differentiated = new HashSet<>();
        for (String p : fed) differentiated.add(fedGradients.get(p).wrt());
        Set<String> keep = new HashSet<>(wanted);
        if (loss != null) keep.addAll(trainable);
        keep.addAll(keepLeaves);
        // a fed gradient that is itself a requested output is computed after the ops: what it needs stays
        for (String o : outputs) {
            if (fed.contains(o)) {
                keep.add(fedGradients.get(o).of());
                keep.add(fedGradients.get(o).wrt());
            }
        }
        Map<String, INDArray> results = new LinkedHashMap<>();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        Kept kept = null;
        try (PointerScope scope = new PointerScope()) {
            NoGradGuard noGrad = loss == null && fed.isEmpty() ? new NoGradGuard() : null;
            Map<String, Tensor> values = new HashMap<>();
            for (Map.Entry<String, INDArray> e : hostInputs.entrySet()) {
                Tensor t = cuda ? TorchArrays.onCuda(e.getValue()) : TorchArrays.view(e.getValue());
                if ((loss != null && trainable.contains(e.getKey())) || differentiated.contains(e.getKey()) || keepLeaves.contains(e.getKey())) {
                    t.requires_grad_(true);
                }
                values.put(e.getKey(), t);
            }
            // an earlier pass's values: new handles in this pass's scope (the kept ones stay with the Kept)
            useAs.forEach((from, to) -> values.put(to, new Tensor(use.values.get(from))));
            int most = values.size();
            for (int k = 0; k < plan.ops().size(); k++) {
                DifferentialFunction f = plan.ops().get(k);
                SDVariable[] args = f.args();
                SDVariable[] outVars = f.outputVariables();
                DifferentialFunction moments = plan.statisticsOf().get(f.getOwnName());
                // a moments op runs with the batch norm that reads its statistics
                if (!plan.deferred().contains(f.getOwnName())) try (PointerScope opScope = new PointerScope()) {
                    Tensor[] in = new Tensor[args.length];
                    for (int i = 0; i < args.length; i++) {
                        if (moments != null && (i == 1 || i == 2)) continue;              // not computed yet
                        in[i] = values.get(args[i].name());
                        if (in[i] == null && fed.contains(args[i].name())) {
                            // grad's own handle points into its vector; later ops read the gradient too
                            in[i] = ownHandle(fedGradient(args[i].name(), values), scope, opScope);
                            values.put(args[i].name(), in[i]);
                        }
                        if (in[i] == null) throw new IllegalStateException("libtorch engine: no value for " + args[i].name() + ", input of " + f.getOwnName());
                        // an op that makes a tensor of its own (a shape, an index) makes it on the CPU
                        if (cuda && !in[i].is_cuda()) in[i] = in[i].cuda();
                    }
                    long t0 = tick();
                    Tensor[] out = moments == null ? TorchOps.run(f, in) : batchNormWithStatistics(f, moments, in, values, scope, opScope);
                    tock(f.opName(), t0);
                    for (int i = 0; i < outVars.length; i++) {
                        // out[i] may be an input's handle or point into a temporary of the op
                        values.put(outVars[i].name(), ownHandle(out[i], scope, opScope));
                    }
                }
                most = Math.max(most, values.size());
                for (String v : plan.lastRead().get(k)) {
                    if (!keep.contains(v)) values.remove(v).close();
                }
            }
            lastHeld = new Held(most, Set.copyOf(values.keySet()));
            if (loss != null) {
                Tensor l = values.get(loss);
                if (l.numel() != 1) throw new IllegalArgumentException("the loss " + loss + " is not a scalar");
                // the gradients of the wrt variables only (not of a fed gradient's wrt input, which also requires grad)
                List<String> names = new ArrayList<>();
                TensorVector leaves = new TensorVector();
                for (String v : wrt) {
                    Tensor t = values.get(v);
                    if (t == null && use != null) t = use.leaves.get(v);
                    if (t != null && t.requires_grad()) {
                        names.add(v);
                        leaves.push_back(t);
                    }
                }
                if (!names.isEmpty()) {
                    long t0 = tick();
                    TensorVector g = torch.grad(new TensorVector(l), leaves, new TensorVector(), new BoolOptional(false), false, true);
                    tock("(backward)", t0);
                    t0 = tick();
                    for (int i = 0; i < names.size(); i++) {
                        if (g.get(i).defined()) grads.put(names.get(i), TorchArrays.toArray(g.get(i)));
                    }
                    tock("(results)", t0);
                }
            }
            long t0 = tick();
            for (String o : outputs) {
                Tensor v = values.get(o);
                if (v == null && fed.contains(o)) v = new Tensor(fedGradient(o, values));
                results.put(o, TorchArrays.toArray(v));
            }
            tock("(results)", t0);
            if (!keepValues.isEmpty() || !keepLeaves.isEmpty()) kept = keep(values, keepValues, keepLeaves, hostInputs, scope);
            if (noGrad != null) noGrad.close();
        }
        // the tensors over these arrays' memory (CPU) are gone only now (or with the Kept)
        Reference.reachabilityFence(hostInputs);
        return new Pass(results, grads, kept);
    }

    /** New handles, outside the pass's scope, to the values and leaves a later pass reads ({@link Kept}). */
    private static Kept keep(Map<String, Tensor> values, Set<String> keepValues, Set<String> keepLeaves, Map<String, INDArray> hostInputs,
                             PointerScope scope) {
        Map<String, Tensor> v = new HashMap<>(), l = new HashMap<>();
        for (String n : keepValues) v.put(n, outside(values.get(n), scope));
        for (String n : keepLeaves) {
            Tensor t = values.get(n);
            if (t != null) l.put(n, outside(t, scope));
        }
        return new Kept(v, l, hostInputs);
    }

    /** A new handle to {@code t} that the pass's scope does not free (detaching releases the scope's reference). */
    private static Tensor outside(Tensor t, PointerScope scope) {
        if (t == null) throw new IllegalStateException("libtorch engine: a value to keep was not computed");
        Tensor h = new Tensor(t);
        h.retainReference();
        scope.detach(h);
        return h;
    }

    /**
     * The batch norm {@code f} and the moments op {@code m} whose statistics it reads (its inputs 1 and 2, not given):
     * both at once where {@link TorchOps#batchNormAndStatistics} can, else one after the other; m's outputs go into
     * {@code values}, f's are returned.
     */
    private static Tensor[] batchNormWithStatistics(DifferentialFunction f, DifferentialFunction m, Tensor[] in, Map<String, Tensor> values,
                                                    PointerScope pass, PointerScope op) {
        Tensor[] both = TorchOps.batchNormAndStatistics(f, in[0], in[3], in[4]);
        Tensor[] stats = both != null ? new Tensor[]{both[1], both[2]} : TorchOps.run(m, new Tensor[]{in[0]});
        for (int i = 0; i < 2; i++) values.put(m.outputVariables()[i].name(), ownHandle(stats[i], pass, op));
        if (both != null) return new Tensor[]{both[0]};
        in[1] = stats[0];
        in[2] = stats[1];
        return TorchOps.run(f, in);
    }

    /** A new handle to {@code t}'s tensor that lives in the pass's scope, not in the op's (which frees what the op made). */
    private static Tensor ownHandle(Tensor t, PointerScope pass, PointerScope op) {
        Tensor h = new Tensor(t);
        pass.attach(h);
        op.detach(h);
        return h;
    }

    /** The fed-gradient placeholders that ops of the plan read or that are wanted themselves. */
    private Set<String> fedGradientsUsed(List<DifferentialFunction> plan, Set<String> wanted) {
        Set<String> used = new HashSet<>();
        if (fedGradients.isEmpty()) return used;
        for (DifferentialFunction f : plan) for (SDVariable a : f.args()) if (fedGradients.containsKey(a.name())) used.add(a.name());
        for (String w : wanted) if (fedGradients.containsKey(w)) used.add(w);
        return used;
    }

    /** d of / d wrt of a fed-gradient placeholder, with its own graph (create_graph) so that it is differentiable. */
    private Tensor fedGradient(String placeholder, Map<String, Tensor> values) {
        FedGradient fg = fedGradients.get(placeholder);
        Tensor of = values.get(fg.of());
        if (of == null) {
            throw new IllegalStateException("libtorch engine: " + placeholder + " is the gradient of " + fg.of()
                    + ", which the graph computes only after its first use");
        }
        if (of.numel() != 1) throw new IllegalArgumentException(fg.of() + ", whose gradient " + placeholder + " holds, is not a scalar");
        TensorVector g = torch.grad(new TensorVector(of), new TensorVector(values.get(fg.wrt())), new TensorVector(),
                new BoolOptional(true), true, false);
        return g.get(0);
    }

    /** The ops the wanted values depend on, in the graph's (topological) order, and where each value is read last. */
    private Plan plan(Set<String> wanted, Set<String> given) {
        Map<String, DifferentialFunction> producer = new HashMap<>();
        for (DifferentialFunction f : sd.ops()) {
            for (SDVariable v : f.outputVariables()) producer.put(v.name(), f);
        }
        Set<String> needed = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(wanted);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!sd.hasVariable(name)) throw new IllegalArgumentException("the graph has no variable " + name);
            if (given.contains(name)) continue;
            FedGradient fg = fedGradients.get(name);
            if (fg != null) {
                todo.push(fg.of());
                todo.push(fg.wrt());
                continue;
            }
            DifferentialFunction f = producer.get(name);
            if (f == null || !needed.add(f.getOwnName())) continue;
            for (SDVariable a : f.args()) todo.push(a.name());
        }
        List<DifferentialFunction> ops = new ArrayList<>();
        for (DifferentialFunction f : sd.ops()) if (needed.contains(f.getOwnName())) ops.add(f);
        // the last op that reads each value (an output no op reads: the op that makes it)
        Map<String, Integer> last = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            for (SDVariable v : ops.get(k).outputVariables()) last.put(v.name(), k);
            for (SDVariable a : ops.get(k).args()) {
                last.put(a.name(), k);
                // the op that first reads a fed gradient computes it from its scalar and input: they live until then
                FedGradient fg = fedGradients.get(a.name());
                if (fg != null) {
                    last.merge(fg.of(), k, Math::max);
                    last.merge(fg.wrt(), k, Math::max);
                }
            }
        }
        List<List<String>> lastRead = new ArrayList<>();
        for (int k = 0; k < ops.size(); k++) lastRead.add(new ArrayList<>());
        last.forEach((v, k) -> lastRead.get(k).add(v));
        // a batch norm computes its batch statistics itself when no op between the moments op and it reads them
        Map<String, DifferentialFunction> statisticsOf = new HashMap<>();
        Set<String> deferred = new HashSet<>();
        Map<String, Integer> position = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) position.put(ops.get(k).getOwnName(), k);
        for (int k = 0; k < ops.size(); k++) {
            DifferentialFunction m = TorchOps.batchStatisticsOf(ops.get(k));
            if (m == null || !position.containsKey(m.getOwnName())) continue;
            Set<String> stats = Set.of(m.outputVariables()[0].name(), m.outputVariables()[1].name());
            boolean readBetween = false;
            for (int j = position.get(m.getOwnName()) + 1; j < k; j++) {
                for (SDVariable a : ops.get(j).args()) readBetween |= stats.contains(a.name());
            }
            if (!readBetween) {
                statisticsOf.put(ops.get(k).getOwnName(), m);
                deferred.add(m.getOwnName());
            }
        }
        return new Plan(ops, lastRead, fedGradientsUsed(ops, wanted), statisticsOf, deferred);
    }

    /** Feeds, parameters and constants the plan reads, as row-major arrays (made here, outside the pass's scope). */
    private Map<String, INDArray> hostInputs(List<DifferentialFunction> plan, Set<String> wanted, Set<String> fed, Set<String> given,
                                             Map<String, INDArray> feeds) {
        Set<String> produced = new HashSet<>();
        for (DifferentialFunction f : plan) for (SDVariable v : f.outputVariables()) produced.add(v.name());
        Set<String> names = new LinkedHashSet<>();
        for (DifferentialFunction f : plan) for (SDVariable a : f.args()) if (!produced.contains(a.name())) names.add(a.name());
        for (String w : wanted) if (!produced.contains(w)) names.add(w);
        for (String p : fed) names.add(fedGradients.get(p).wrt());
        names.removeAll(fedGradients.keySet());
        names.removeAll(given);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : names) {
            SDVariable v = sd.getVariable(n);
            INDArray a;
            if (v.getVariableType() == VariableType.PLACEHOLDER) {
                a = feeds.get(n);
                if (a == null) throw new IllegalArgumentException("no value fed for the input '" + n + "'");
            } else if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                a = v.getArr();
                if (a == null) throw new IllegalStateException("the graph's " + n + " has no array");
            } else {
                throw new IllegalStateException("libtorch engine: " + n + " (" + v.getVariableType() + ") is neither computed nor an input");
            }
            m.put(n, TorchArrays.hostArray(a));
        }
        return m;
    }
}
