package org.medsynth.nn.networks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.layers.Norm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segmentation networks compute the same in both feature-map layouts ({@link Layout}): the training graph
 * built channels last (NHWC / NDHWC inside, the default) gives the loss, every parameter gradient and the
 * batch statistics of the graph built channels first (NCHW / NCDHW), from the same parameters and feeds; so
 * does the inference graph. The channels-first graphs are the ones checked against PyTorch elsewhere.
 */
class ChannelsLastEquivalenceTest {

    @ParameterizedTest(name = "{0}D, {1} norm")
    @CsvSource({"2, batch", "3, batch", "2, instance", "3, instance"})
    void channelsLastEqualsChannelsFirst(int dims, String norm) {
        // the bottom level has a unit size (4 x 1, 2 x 2 x 1); batch norm's composed backward (>= 64 x 64 values per
        // channel) is checked channels last in FusedBatchNormOpTest
        SegConfig c = new SegConfig(dims, 1, 3, 2, 2, Norm.parse(norm));
        int[] sp = dims == 2 ? new int[]{16, 4} : new int[]{8, 8, 4};
        for (SegmentationNetwork net : SegmentationNetworksTest.all(c)) {
            Map<String, INDArray> feeds = feeds(net, sp, new Random(7));
            Result first = inLayout("channels-first", () -> run(net, sp, feeds));
            Result last = inLayout("channels-last", () -> run(net, sp, feeds));
            assertTrue(first.variables.stream().noneMatch(o -> o.contains("layoutChannelsLast")), "channels-first graph has no conversion");
            assertTrue(last.variables.stream().anyMatch(o -> o.contains("layoutChannelsLast")), "channels-last graph converts its input");
            assertEquals(first.values.keySet(), last.values.keySet(), net.kind());
            List<String> differing = new ArrayList<>();
            for (String k : new java.util.TreeSet<>(first.values.keySet())) {
                INDArray a = first.values.get(k), b = last.values.get(k);
                assertArrayEquals(a.shape(), b.shape(), net.kind() + " " + k);
                double scale = Math.max(1e-3, a.amaxNumber().doubleValue());
                double diff = a.sub(b).amaxNumber().doubleValue();
                if (!(diff <= 2e-4 * scale)) differing.add(k + " by " + diff + " (largest value " + a.amaxNumber() + ")");
            }
            assertTrue(differing.isEmpty(), net.kind() + ": channels last differs in " + differing);
            assertFalse(first.values.isEmpty());
        }
    }

    private record Result(Map<String, INDArray> values, List<String> variables) { }

    private static Map<String, INDArray> feeds(SegmentationNetwork net, int[] sp, Random r) {
        long[] shape = new long[2 + sp.length];
        shape[0] = 2;
        shape[1] = 1;
        for (int i = 0; i < sp.length; i++) shape[2 + i] = sp[i];
        Nd4j.getRandom().setSeed(r.nextLong());
        INDArray img = Nd4j.randn(DataType.FLOAT, shape);
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put("image", img);
        feeds.put("target", SegmentationNetworksTest.oneHot(2, 3, sp, r, DataType.FLOAT));
        if (net.usesMutualInformation()) feeds.putAll(InfoMaxNet.feeds(img, null, new SplittableRandom(1)));
        return feeds;
    }

    /** Loss, batch statistics and gradients of every trainable parameter of a fresh training graph, and inference probabilities. */
    private static Result run(SegmentationNetwork net, int[] sp, Map<String, INDArray> feeds) {
        ParamStore store = new ParamStore(11);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        Tensor x = b.input("image", 1, sp);
        long[] ts = x.shape(-1);
        ts[1] = 3;
        SDVariable target = b.sd().placeHolder("target", DataType.FLOAT, ts);
        SegmentationNetwork.Training t = net.training(b.network("seg"), x, target);
        b.sd().setLossVariables(t.loss().name());
        List<String> wanted = new ArrayList<>(b.trainableVariables("seg"));
        Map<String, INDArray> values = new HashMap<>();
        b.sd().calculateGradients(feeds, wanted).forEach((k, v) -> values.put("grad " + k, v.dup()));
        List<String> outs = new ArrayList<>(List.of(t.loss().name(), t.output().probabilities().var().name()));
        for (String v : b.sd().variableMap().keySet()) if (v.endsWith("batchMean") || v.endsWith("batchVar")) outs.add(v);
        String probabilities = t.output().probabilities().var().name();   // named after the layout's last op
        b.sd().output(feeds, outs.toArray(new String[0])).forEach((k, v) -> values.put(k.equals(probabilities) ? "probabilities" : k, v.dup()));

        NetBuilder ib = NetBuilder.forInference(store);
        SegmentationNetwork.Output o = net.apply(ib.network("seg"), ib.input("image", 1, sp));
        String p = o.probabilities().var().name();
        values.put("inference", ib.sd().output(Map.of("image", feeds.get("image")), p).get(p).dup());
        List<String> variables = new ArrayList<>();
        variables.addAll(b.sd().variableMap().keySet());
        return new Result(values, variables);
    }

    private static <T> T inLayout(String layout, Supplier<T> body) {
        String before = System.getProperty(Layout.PROPERTY);
        System.setProperty(Layout.PROPERTY, layout);
        try {
            return body.get();
        } finally {
            if (before == null) System.clearProperty(Layout.PROPERTY);
            else System.setProperty(Layout.PROPERTY, before);
        }
    }
}
