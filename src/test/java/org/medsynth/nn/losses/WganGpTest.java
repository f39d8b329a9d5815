package org.medsynth.nn.losses;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.Dense;
import org.medsynth.nn.layers.MinibatchStdDev;
import org.medsynth.nn.train.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medsynth.nn.ReferenceCase.assertClose;

/**
 * The WGAN-GP critic step against PyTorch's double backprop on a tiny fixed critic (with and without minibatch stddev,
 * which couples the samples), on both engines (DL4J: the forward-mode (JVP) surrogate; libtorch: its own double
 * backprop): loss value, penalty, and the gradient of the whole loss w.r.t. every critic parameter.
 */
class WganGpTest {

    static WganGp.Critic critic(boolean mbstd) {
        return (d, x) -> {
            Tensor h = Activations.leakyRelu(d, Conv.of(3).stride(2).padding(1).apply(d, "c1", x, 3), 0.2);
            if (mbstd) h = MinibatchStdDev.apply(d, h, 4);
            h = Activations.leakyRelu(d, Conv.of(3).stride(2).padding(1).apply(d, "c2", h, 3), 0.2);
            return Dense.create().apply(d, "fc", h, 1);
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"wgan_gp_plain,DOUBLE,DL4J", "wgan_gp_mbstd,DOUBLE,DL4J", "wgan_gp_plain,FLOAT,DL4J", "wgan_gp_mbstd,FLOAT,DL4J",
            "wgan_gp_plain,DOUBLE,LIBTORCH", "wgan_gp_mbstd,DOUBLE,LIBTORCH", "wgan_gp_plain,FLOAT,LIBTORCH", "wgan_gp_mbstd,FLOAT,LIBTORCH"})
    void matchesPyTorchDoubleBackprop(String name, DataType dt, Engine engine) {
        ReferenceCase c = ReferenceCase.load(name);
        ParamStore store = new ParamStore(1, dt);
        c.params().forEach((k, v) -> store.put(k, "D", ParamStore.Role.TRAINABLE, v.castTo(dt)));
        WganGp gp;
        try (Engine.Scope s = Engine.use(engine)) {
            gp = new WganGp(store, "D", critic(c.meta().get("mbstd").asBoolean()), 2, new int[]{8, 8},
                    c.meta().get("lambda").asDouble(), c.meta().get("drift").asDouble(), Adam.pggan());
        }
        assertEquals(engine, gp.trainStep().engine());
        Map<String, INDArray> before = new HashMap<>();
        store.all().forEach(p -> before.put(p.name(), p.value().dup()));
        WganGp.Result r = gp.compute(c.input("real"), c.input("fake"), c.input("t"), Map.of());
        double tol = dt == DataType.DOUBLE ? 1e-7 : 1e-4;
        assertEquals(c.output("loss").getDouble(0), r.loss(), tol * Math.max(1, Math.abs(r.loss())), "loss");
        assertEquals(c.output("gp").getDouble(0), r.penalty(), tol * Math.max(1, r.penalty()), "penalty");
        assertEquals(c.output("wasserstein").getDouble(0), r.wassersteinEstimate(), tol, "W estimate");
        assertEquals(c.output("norms").meanNumber().doubleValue(), r.meanGradientNorm(), tol, "mean gradient norm");
        // gradients: exact up to rounding (float64 1e-8 relative; ND4J's LeakyReLU slope is a float32 0.2f)
        double gtol = dt == DataType.DOUBLE ? 1e-8 : 1e-4;
        double scale = 0;
        for (String k : c.names("grads")) scale = Math.max(scale, c.grad(k).amaxNumber().doubleValue());
        for (String k : c.names("grads")) {
            assertClose(name + " dL/d" + k + " " + dt + " " + engine, c.grad(k), r.step().gradients().get(k), gtol, gtol * scale);
        }
        // compute() changes nothing
        store.all().forEach(p -> assertEquals(before.get(p.name()), p.value(), p.name()));
        // a step updates the critic
        gp.step(c.input("real"), c.input("fake"), Map.of(), new SplittableRandom(1));
        assertNotEquals(before.get("D/c1/W"), store.array("D/c1/W"));
        // the same instance serves another batch size
        INDArray r2 = c.input("real").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup();
        INDArray f2 = c.input("fake").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup();
        WganGp.Result small = gp.compute(r2, f2, c.input("t").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)).dup(), Map.of());
        assertTrue(Double.isFinite(small.loss()) && small.meanGradientNorm() > 0);
        assertEquals(2, small.step().outputs().values().iterator().next().size(0));
    }
}
