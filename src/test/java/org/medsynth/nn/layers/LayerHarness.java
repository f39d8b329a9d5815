package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one layer over the parameters of a reference case, feeds its inputs, and computes the
 * outputs and the gradients of L = sum(out * upstream) with respect to inputs and parameters.
 */
final class LayerHarness {

    interface Body {
        /** @return named outputs; the first one is multiplied by the upstream array for the loss */
        Map<String, SDVariable> build(NetBuilder b, Map<String, Tensor> inputs);
    }

    record Result(Map<String, INDArray> outputs, Map<String, INDArray> grads, NetBuilder builder, ParamStore store) { }

    static ParamStore storeWith(ReferenceCase c, DataType dt, String group) {
        ParamStore store = new ParamStore(1, dt);
        c.params().forEach((k, v) -> store.put(k, group, k.endsWith("running" + "Mean") || k.endsWith("runningVar")
                ? ParamStore.Role.STATE : ParamStore.Role.TRAINABLE, v.castTo(dt)));
        return store;
    }

    static Result run(ReferenceCase c, DataType dt, NetBuilder.Mode mode, Body body) {
        ParamStore store = storeWith(c, dt, NetBuilder.DEFAULT_GROUP);
        return run(c, store, dt, mode, body, c.upstream());
    }

    static Result run(ReferenceCase c, ParamStore store, DataType dt, NetBuilder.Mode mode, Body body, INDArray upstream) {
        NetBuilder b = NetBuilder.create(store, mode, NetBuilder.DEFAULT_GROUP);
        Map<String, Tensor> ins = new LinkedHashMap<>();
        Map<String, INDArray> feeds = new HashMap<>();
        c.inputs().forEach((k, v) -> {
            long[] s = v.shape();
            int[] sp = new int[s.length - 2];
            for (int i = 0; i < sp.length; i++) sp[i] = (int) s[2 + i];
            // inputs are VARIABLEs, not placeholders: SameDiff returns placeholder gradients only when
            // they happen to lie on the path to a variable
            ins.put(k, new Tensor(b.sd().var(k, v.castTo(dt)), (int) s[1], sp));
        });
        Map<String, SDVariable> outs = body.build(b, ins);
        SDVariable first = outs.values().iterator().next();
        SDVariable loss = first.mul(b.sd().constant("upstream", upstream.castTo(dt))).sum();
        loss = loss.rename("loss");
        b.sd().setLossVariables(loss);
        List<String> gradVars = new ArrayList<>(ins.keySet());
        gradVars.addAll(b.trainableVariables(NetBuilder.DEFAULT_GROUP));
        List<String> outNames = new ArrayList<>();
        for (SDVariable v : outs.values()) outNames.add(v.name());
        OutAndGrad og = b.sd().calculateGradientsAndOutputs(feeds, outNames, gradVars);
        Map<String, INDArray> o = new LinkedHashMap<>();
        outs.forEach((k, v) -> o.put(k, og.getOutputs().get(v.name())));
        return new Result(o, og.getGradients(), b, store);
    }

    static Map<String, SDVariable> one(String name, Tensor t) {
        Map<String, SDVariable> m = new LinkedHashMap<>();
        m.put(name, t.var());
        return m;
    }
}
