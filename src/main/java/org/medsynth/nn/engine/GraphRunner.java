package org.medsynth.nn.engine;

import org.medsynth.nn.engine.dl4j.GradientPass;
import org.medsynth.nn.engine.libtorch.TorchGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;

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

    /** Requested values and gradients (variable name -> gradient) of one pass. */
    public record Pass(Map<String, INDArray> outputs, Map<String, INDArray> gradients) { }

    /** The requested values (new arrays) for the given feeds (placeholder name -> array). */
    public Map<String, INDArray> output(Map<String, INDArray> feeds, String... outputs) {
        if (engine == Engine.LIBTORCH) return torch().output(feeds, List.of(outputs));
        return sd.output(feeds, outputs);
    }

    /** The requested values and the gradients of the scalar {@code loss} with respect to the variables {@code wrt}. */
    public Pass gradients(Map<String, INDArray> feeds, Collection<String> outputs, String loss, Collection<String> wrt) {
        if (engine == Engine.LIBTORCH) {
            TorchGraph.Pass p = torch().gradients(feeds, outputs, loss, wrt);
            return new Pass(p.outputs(), p.gradients());
        }
        List<String> current = sd.getLossVariables();
        if (current == null || current.size() != 1 || !current.get(0).equals(loss)) sd.setLossVariables(loss);
        OutAndGrad og = GradientPass.run(sd, feeds, outputs, wrt);
        return new Pass(og.getOutputs(), og.getGradients());
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
