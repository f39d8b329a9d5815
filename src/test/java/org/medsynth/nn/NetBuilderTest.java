package org.medsynth.nn;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Conv;
import org.medsynth.nn.layers.Dense;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetBuilderTest {

    static Tensor tinyD(NetBuilder d, Tensor x) {
        Tensor h = Activations.leakyRelu(d, Conv.of(3).stride(2).padding(1).apply(d, "c1", x, 4), 0.2);
        return Dense.create().apply(d, "fc", h, 1);
    }

    @Test
    void applyingTwiceSharesParametersAndNamesOutputsUniquely() {
        ParamStore store = new ParamStore(7);
        NetBuilder b = NetBuilder.forTraining(store, "D");
        Tensor real = b.input("real", 1, 8, 8);
        Tensor fake = b.input("fake", 1, 8, 8);
        Tensor dReal = tinyD(b.network("D"), real);
        Tensor dFake = tinyD(b.network("D"), fake);
        assertNotEquals(dReal.var().name(), dFake.var().name());
        assertEquals(List.of("D/c1/W", "D/c1/b", "D/fc/W", "D/fc/b"), b.trainableVariables("D"));
        assertEquals(4, store.all().size());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8);
        Map<String, INDArray> out = b.sd().output(Map.of("real", x, "fake", x), dReal.var().name(), dFake.var().name());
        assertEquals(out.get(dReal.var().name()), out.get(dFake.var().name()));
    }

    @Test
    void frozenGroupsAreConstantsSharingTheStoreArrays() {
        ParamStore store = new ParamStore(7);
        NetBuilder gStep = NetBuilder.forTraining(store, "G");
        Tensor z = gStep.input("x", 1, 8, 8);
        Tensor out = tinyD(gStep.network("D"), z);
        assertEquals(VariableType.CONSTANT, gStep.sd().getVariable("D/c1/W").getVariableType());
        assertTrue(gStep.trainableVariables("D").isEmpty());
        NetBuilder dStep = NetBuilder.forTraining(store, "D");
        tinyD(dStep.network("D"), dStep.input("x", 1, 8, 8));
        assertEquals(VariableType.VARIABLE, dStep.sd().getVariable("D/c1/W").getVariableType());
        assertSame(store.array("D/c1/W"), gStep.sd().getArrForVarName("D/c1/W"));
        assertSame(store.array("D/c1/W"), dStep.sd().getArrForVarName("D/c1/W"));
        // an in-place update through one graph is seen by the other
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 1, 8, 8);
        INDArray before = gStep.sd().output(Map.of("x", x), out.var().name()).get(out.var().name()).dup();
        dStep.sd().getArrForVarName("D/fc/b").addi(1.0);
        INDArray after = gStep.sd().output(Map.of("x", x), out.var().name()).get(out.var().name());
        assertEquals(before.getDouble(0) + 1.0, after.getDouble(0), 1e-5);
    }

    @Test
    void initialisationDependsOnSeedAndNameNotOnOrder() {
        ParamStore a = new ParamStore(3);
        ParamStore b = new ParamStore(3);
        ParamStore c = new ParamStore(4);
        a.getOrCreate("x/W", "G", ParamStore.Role.TRAINABLE, new long[]{3, 3}, WeightInit.normal(1), 1);
        a.getOrCreate("y/W", "G", ParamStore.Role.TRAINABLE, new long[]{3, 3}, WeightInit.normal(1), 1);
        b.getOrCreate("y/W", "G", ParamStore.Role.TRAINABLE, new long[]{3, 3}, WeightInit.normal(1), 1);
        b.getOrCreate("x/W", "G", ParamStore.Role.TRAINABLE, new long[]{3, 3}, WeightInit.normal(1), 1);
        c.getOrCreate("x/W", "G", ParamStore.Role.TRAINABLE, new long[]{3, 3}, WeightInit.normal(1), 1);
        assertEquals(a.array("x/W"), b.array("x/W"));
        assertEquals(a.array("y/W"), b.array("y/W"));
        assertNotEquals(a.array("x/W"), c.array("x/W"));
        assertNotEquals(a.array("x/W"), a.array("y/W"));
        // std of a large N(0, 0.02) init
        INDArray big = a.getOrCreate("big", "G", ParamStore.Role.TRAINABLE, new long[]{100, 100}, WeightInit.normal(0.02), 1);
        assertEquals(0.02, big.stdNumber().doubleValue(), 0.001);
        assertEquals(0.0, big.meanNumber().doubleValue(), 0.001);
    }

    @Test
    void clearErrors() {
        ParamStore store = new ParamStore(7);
        NetBuilder b = NetBuilder.forTraining(store, "G");
        Tensor x = b.input("x", 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.of(4).stride(2).apply(b.network("G"), "c", x, 2));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        Conv.of(3).apply(b.network("G"), "c", x, 2);
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> Conv.of(3).apply(b.network("G"), "c", x, 5));
        assertTrue(s.getMessage().contains("G/c/W"), s.getMessage());
    }
}
