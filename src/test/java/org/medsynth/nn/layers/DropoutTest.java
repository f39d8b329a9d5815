package org.medsynth.nn.layers;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutTest {
    @Test
    void trainingMasksScalesAndBackpropagatesThroughTheMask() {
        ParamStore store = new ParamStore(1, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "G");
        Tensor in = b.input("x", 8, 16, 16);
        // a trainable scale so that SameDiff has a variable to differentiate
        var s = b.network("G").param("s", new long[]{1}, org.medsynth.nn.WeightInit.constant(1), 1);
        Tensor y = Dropout.apply(b, in.with(in.var().mul(s)), 0.5);
        assertEquals(1, b.dropoutMasks().size());
        b.sd().setLossVariables(y.var().sum().rename("loss"));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 8, 16, 16).addi(0.5);
        Map<String, INDArray> feeds = b.withRandomFeeds(Map.of("x", x), new SplittableRandom(42));
        OutAndGrad og = b.sd().calculateGradientsAndOutputs(feeds, List.of(y.var().name()), List.of("G/s"));
        INDArray out = og.getOutputs().get(y.var().name());
        long zeros = 0;
        double expectGrad = 0;
        for (long i = 0; i < out.length(); i++) {
            double o = out.getDouble(i);
            if (o == 0) zeros++;
            else {
                assertEquals(2 * x.getDouble(i), o, 1e-12);
                expectGrad += 2 * x.getDouble(i);
            }
        }
        assertEquals(0.5, zeros / (double) out.length(), 0.03, "fraction dropped");
        assertEquals(expectGrad, og.getGradients().get("G/s").getDouble(0), 1e-9);
        // same seed, same mask; another seed, another mask
        String mask = b.dropoutMasks().get(0).placeholder();
        INDArray m1 = b.withRandomFeeds(Map.of("x", x), new SplittableRandom(42)).get(mask);
        INDArray m2 = b.withRandomFeeds(Map.of("x", x), new SplittableRandom(43)).get(mask);
        assertEquals(feeds.get(mask), m1);
        assertNotEquals(m1, m2);
        // consecutive draws from one generator differ (a new mask every step)
        SplittableRandom rng = new SplittableRandom(1);
        assertNotEquals(b.withRandomFeeds(Map.of("x", x), rng).get(mask), b.withRandomFeeds(Map.of("x", x), rng).get(mask));
    }

    @Test
    void inferenceIsIdentity() {
        ParamStore store = new ParamStore(1, DataType.FLOAT);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor x = b.input("x", 3, 4, 4);
        assertSame(x, Dropout.apply(b, x, 0.5));
        assertTrue(b.dropoutMasks().isEmpty());
    }
}
