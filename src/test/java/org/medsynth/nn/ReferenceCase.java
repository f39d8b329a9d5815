package org.medsynth.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reference case written by src/test/python/nn_reference.py (PyTorch, float64). */
public final class ReferenceCase {
    private final String name;
    private final JsonNode root;

    private ReferenceCase(String name, JsonNode root) {
        this.name = name;
        this.root = root;
    }

    public static ReferenceCase load(String name) {
        String res = "/nn/" + name + ".json";
        try (InputStream in = ReferenceCase.class.getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("missing test resource " + res + " (run src/test/python/nn_reference.py)");
            return new ReferenceCase(name, new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() { return name; }

    private static INDArray toArray(JsonNode n) {
        JsonNode shapeN = n.get("shape");
        long[] shape = new long[shapeN.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = shapeN.get(i).asLong();
        JsonNode data = n.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = data.get(i).asDouble();
        if (shape.length == 0) return Nd4j.scalar(d[0]);
        return Nd4j.create(d, shape, DataType.DOUBLE);
    }

    private Map<String, INDArray> section(String key) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        JsonNode s = root.get(key);
        if (s == null) return m;
        Iterator<Map.Entry<String, JsonNode>> it = s.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), toArray(e.getValue()));
        }
        return m;
    }

    public Map<String, INDArray> inputs() { return section("inputs"); }

    public Map<String, INDArray> params() { return section("params"); }

    public Map<String, INDArray> outputs() { return section("outputs"); }

    public Map<String, INDArray> grads() { return section("grads"); }

    public INDArray input(String k) { return get("inputs", k); }

    public INDArray param(String k) { return get("params", k); }

    public INDArray output(String k) { return get("outputs", k); }

    public INDArray grad(String k) { return get("grads", k); }

    public INDArray array(String topLevelKey) {
        JsonNode n = root.get(topLevelKey);
        if (n == null) throw new IllegalArgumentException(name + ": no " + topLevelKey);
        return toArray(n);
    }

    public INDArray upstream() { return array("upstream"); }

    private INDArray get(String sec, String k) {
        JsonNode n = root.get(sec).get(k);
        if (n == null) throw new IllegalArgumentException(name + ": no " + sec + "." + k);
        return toArray(n);
    }

    public JsonNode meta() { return root.get("meta"); }

    public List<String> names(String sec) {
        List<String> l = new ArrayList<>();
        root.get(sec).fieldNames().forEachRemaining(l::add);
        return l;
    }

    /**
     * Asserts max |actual - expected| <= atol + rtol * max |expected|, with a message giving the
     * worst element.
     */
    public static void assertClose(String what, INDArray expected, INDArray actual, double rtol, double atol) {
        org.junit.jupiter.api.Assertions.assertNotNull(actual, what + ": no value computed");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE);
        double scale = e.amaxNumber().doubleValue();
        INDArray diff = Transforms.abs(a.sub(e));
        double max = diff.maxNumber().doubleValue();
        double bound = atol + rtol * scale;
        assertTrue(max <= bound, () -> what + ": max |diff| " + max + " > " + bound + " (max |expected| " + scale + ")");
    }

    private static final class Transforms {
        static INDArray abs(INDArray x) {
            return org.nd4j.linalg.ops.transforms.Transforms.abs(x, true);
        }
    }
}
