package org.medsynth.nn.engine;

import org.medsynth.nn.engine.libtorch.TorchGraph;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * The forward pass of one built graph on one engine: SameDiff's own execution, or a {@link TorchGraph} over the same
 * graph, made on first use. For the objects that run a network outside a {@link org.medsynth.nn.train.TrainStep}
 * (generators, synthesis); they fix the engine when they are made ({@link Engine#selected()}) and make one runner per
 * graph. Not thread-safe (one pass at a time).
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

    /** The requested values (new arrays) for the given feeds (placeholder name -> array). */
    public Map<String, INDArray> output(Map<String, INDArray> feeds, String... outputs) {
        if (engine == Engine.LIBTORCH) {
            if (torch == null) torch = new TorchGraph(sd);
            return torch.output(feeds, List.of(outputs));
        }
        return sd.output(feeds, outputs);
    }
}
