package org.medsynth.nn.engine.libtorch;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pass frees each value after its last use: after the last op it holds only the requested outputs, the loss and the
 * parameters whose gradients are asked for (so backward frees activations as it goes), and never more than a
 * fraction of the values it makes.
 */
class TorchGraphMemoryTest {

    @Test
    void aPassHoldsOnlyWhatItStillNeeds() {
        SegmentationNetwork net = SegmentationNetworkFamily.create("unet", new SegConfig(2, 1, 3, 2, 2, Norm.BATCH));
        int[] sp = {16, 8};
        ParamStore store = new ParamStore(3, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        SegmentationNetwork.Training t = net.training(b, "seg", 1, sp);
        Map<String, INDArray> feeds = TorchGraphParityTest.feeds(net, sp, new Random(11));
        String loss = t.loss().name();
        String probs = t.output().probabilities().var().name();
        List<String> wrt = b.trainableVariables("seg");
        TorchGraph g = new TorchGraph(b.sd());

        g.gradients(feeds, List.of(loss, probs), loss, wrt);
        Set<String> expected = new HashSet<>(List.of(loss, probs));
        expected.addAll(wrt);
        assertEquals(expected, g.lastHeld.afterOps(), "held when backward starts");
        int made = 0;
        for (DifferentialFunction f : b.sd().ops()) made += f.outputVariables().length;
        assertTrue(g.lastHeld.most() < made / 2, g.lastHeld.most() + " values held at once of " + made);

        Map<String, INDArray> out = g.output(Map.of(SegmentationNetwork.IMAGE, feeds.get(SegmentationNetwork.IMAGE)), List.of(probs));
        assertEquals(Set.of(probs), g.lastHeld.afterOps(), "held after an inference pass");
        assertEquals(1, out.size());
    }
}
