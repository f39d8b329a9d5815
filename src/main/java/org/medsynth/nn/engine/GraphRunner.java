package org.medsynth.nn.engine;

import org.medsynth.nn.engine.dl4j.GradientPass;
import org.medsynth.nn.engine.libtorch.TorchGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The passes of one built graph on one engine: SameDiff's own execution (gradients by {@link GradientPass}), or a
 * {@link TorchGraph} over the same graph, made on first use. The one place that dispatches on the engine: training
 * steps, the WGAN-GP probe, generators and synthesis fix their engine when they are made ({@link Engine#selected()})
 * and make one runner per graph. Not thread-safe (one pass at a time).
 */
public final class GraphRunner {
    private final SameDiff sd;
    private final Engine engine;
    private TorchGraph torch;

    public GraphRunner(SameDiff sd, Engine engine) {
        this.sd = sd;
        this.engine = engine;
    }

    public Engine engine() { return engine; }

    /** Requested values and gradients (variable name -> gradient) of one pass; what it kept for a later pass (or null). */
    public record Pass(Map<String, INDArray> outputs, Map<String, INDArray> gradients, Kept kept) { }

    /** Values a pass kept with their autograd graph for a later pass of another graph (libtorch: {@link TorchGraph.Kept}). */
    public static final class Kept implements AutoCloseable {
        private final TorchGraph.Kept torch;

        private Kept(TorchGraph.Kept torch) { this.torch = torch; }

        @Override
        public void close() { torch.close(); }
    }

    /** True when this engine can keep a pass's values with their graph ({@link #gradientsKeeping}): libtorch. */
    public boolean keepsGraphs() {
        return engine == Engine.LIBTORCH;
    }

    /** The requested values (new arrays) for the given feeds (placeholder name -> array). */
    public Map<String, INDArray> output(Map<String, INDArray> feeds, String... outputs) {
        if (engine == Engine.LIBTORCH) return torch().output(feeds, List.of(outputs));
        return sd.output(feeds, outputs);
    }

    /** The requested values and the gradients of the scalar {@code loss} with respect to the variables {@code wrt}. */
    public Pass gradients(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt) {
        if (engine == Engine.LIBTORCH) {
            TorchGraph.Pass p = torch().gradients(feeds, outputs, loss, wrt);
            return new Pass(p.outputs(), p.gradients(), null);
        }
        List<String> current = sd.getLossVariables();
        if (current == null || current.size() != 1 || !current.get(0).equals(loss)) sd.setLossVariables(loss);
        OutAndGrad og = GradientPass.run(sd, feeds, outputs, wrt);
        return new Pass(og.getOutputs(), og.getGradients(), null);
    }

    /**
     * {@link #gradients}, keeping the values {@code keep} with their graph back to the variables {@code leaves} for
     * {@link #gradientsFrom} ({@link TorchGraph#gradientsKeeping}). libtorch only ({@link #keepsGraphs}).
     */
    public Pass gradientsKeeping(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt,
                                 Set<String> keep, Collection<String> leaves) {
        TorchGraph.Pass p = keeping().gradientsKeeping(feeds, outputs, loss, wrt, keep, leaves);
        return new Pass(p.outputs(), p.gradients(), new Kept(p.kept()));
    }

    /** {@link #gradients} reading the values of {@code kept} as this graph's {@code as} (kept name -> name here). libtorch only. */
    public Pass gradientsFrom(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt,
                              Kept kept, Map<String, String> as) {
        TorchGraph.Pass p = keeping().gradientsFrom(feeds, outputs, loss, wrt, kept.torch, as);
        return new Pass(p.outputs(), p.gradients(), null);
    }

    private TorchGraph keeping() {
        if (!keepsGraphs()) throw new UnsupportedOperationException("only the libtorch engine keeps a pass's graph for a later pass");
        return torch();
    }

    /**
     * Makes every pass set the placeholder {@code placeholder} to the gradient of the scalar {@code of} with respect to
     * the placeholder {@code wrt}, itself differentiated when a loss depends on it (double backpropagation, see
     * {@link TorchGraph#feedGradient}); the placeholder is then not fed.
     *
     * @throws UnsupportedOperationException on DL4J: SameDiff 1.0.0-M2.1 cannot differentiate a gradient
     */
    public void feedGradient(String placeholder, String of, String wrt) {
        if (engine != Engine.LIBTORCH) {
            throw new UnsupportedOperationException("only the libtorch engine differentiates a gradient (double backpropagation); "
                    + "SameDiff cannot take the derivative of a derivative");
        }
        torch().feedGradient(placeholder, of, wrt);
    }

    private TorchGraph torch() {
        if (torch == null) torch = new TorchGraph(sd);
        return torch;
    }
}
