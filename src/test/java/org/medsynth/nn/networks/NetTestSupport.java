package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Norm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medsynth.nn.ReferenceCase.assertClose;

/** Shared helpers of the network tests. */
final class NetTestSupport {
    private NetTestSupport() { }

    static ParamStore storeFrom(ReferenceCase c, DataType dt, String group) {
        ParamStore store = new ParamStore(1, dt);
        c.params().forEach((k, v) -> store.put(k, group, k.endsWith("runningMean") || k.endsWith("runningVar")
                ? ParamStore.Role.STATE : ParamStore.Role.TRAINABLE, v.castTo(dt)));
        return store;
    }
    static Tensor varInput(NetBuilder b, String name, INDArray arr) {
        long[] s = arr.shape();
        int[] sp = new int[s.length - 2];
        for (int i = 0; i < sp.length; i++) sp[i] = (int) s[2 + i];
        return new Tensor(b.sd().var(name, arr), (int) s[1], sp);
    }
    /** Output and all gradients of L = sum(y * upstream) for a network whose input is a variable "x". */
    static OutAndGrad outAndGrads(NetBuilder b, Tensor y, INDArray upstream, String group, Map<String, INDArray> feeds) {
        SDVariable loss = y.var().mul(b.sd().constant(upstream.castTo(b.dataType()))).sum().rename("loss");
        b.sd().setLossVariables(loss);
        List<String> gv = new ArrayList<>(b.trainableVariables(group));
        if (b.sd().hasVariable("x") && b.sd().getVariable("x").getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) gv.add("x");
        return b.sd().calculateGradientsAndOutputs(feeds, List.of(y.var().name()), gv);
    }
    /**
     * Double: 1e-7 relative (ND4J's LeakyReLU uses the slope 0.2f, an error of 1.5e-8 per layer);
     * float: 1e-4 relative to the largest gradient of the network (gradients that are exactly 0 in
     * PyTorch, e.g. of a bias before an instance norm, come out as float rounding noise).
     */
    static void compare(ReferenceCase c, OutAndGrad og, String yName, DataType dt) {
        double rtol = dt == DataType.DOUBLE ? 1e-7 : 1e-4;
        assertClose(c.name() + " y", c.output("y"), og.getOutputs().get(yName), rtol, 1e-9);
        double scale = 0;
        for (String k : c.names("grads")) scale = Math.max(scale, c.grad(k).amaxNumber().doubleValue());
        for (String k : c.names("grads")) {
            assertClose(c.name() + " grad " + k, c.grad(k), og.getGradients().get(k), rtol, rtol * scale);
        }
    }
    static INDArray run(NetBuilder b, Tensor out, Map<String, INDArray> feeds) {
        Map<String, INDArray> f = b.withRandomFeeds(feeds, new SplittableRandom(1));
        return b.sd().output(f, out.var().name()).get(out.var().name());
    }
    static int[] cube(int dims, int r) {
        int[] a = new int[dims];
        java.util.Arrays.fill(a, r);
        return a;
    }
    static INDArray avgPool(INDArray x, int dims) {
        long[] s = x.shape();
        long[] shape = new long[2 + 2 * dims];
        shape[0] = s[0];
        shape[1] = s[1];
        for (int i = 0; i < dims; i++) {
            shape[2 + 2 * i] = s[2 + i] / 2;
            shape[3 + 2 * i] = 2;
        }
        INDArray r = x.dup('c').reshape('c', shape);
        int[] axes = new int[dims];
        for (int i = 0; i < dims; i++) axes[i] = 3 + 2 * i;
        return r.mean(axes);
    }
    static void assertAllGradientsNonZero(NetBuilder b, SDVariable loss, Map<String, INDArray> feeds, String... groups) {
        b.sd().setLossVariables(loss);
        List<String> vars = new ArrayList<>();
        for (String g : groups) vars.addAll(b.trainableVariables(g));
        assertTrue(vars.size() > 3);
        Map<String, INDArray> grads = b.sd().calculateGradients(b.withRandomFeeds(feeds, new SplittableRandom(3)), vars);
        for (String v : vars) {
            INDArray g = grads.get(v);
            assertTrue(g != null && g.norm2Number().doubleValue() > 0, "no gradient reaches " + v);
        }
    }
}
