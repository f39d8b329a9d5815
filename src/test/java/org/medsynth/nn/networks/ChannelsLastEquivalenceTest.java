package org.medsynth.nn.networks;

import org.medsynth.nn.EngineOptions;
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
            List<String> differing = differing(first.values, last.values);
            assertTrue(differing.isEmpty(), net.kind() + ": channels last differs in " + differing);
            assertFalse(first.values.isEmpty());
        }
    }

    /**
     * The GAN networks on the same machinery: the U-Net generator into the PatchGAN discriminator (condition = the
     * generator's input), 2D with batch norm as pix2pix (G_P / D_P), 3D with instance and spectral norm as
     * 3D-MedGAN: same output and gradients of every parameter of both in either layout.
     */
    @ParameterizedTest(name = "{0}D, {1} norm, spectral norm {2}")
    @CsvSource({"2, batch, false", "3, instance, true"})
    void ganNetworksChannelsLastEqualChannelsFirst(int dims, String norm, boolean spectral) {
        UNet g = UNet.builder().spatialDims(dims).inChannels(2).outChannels(1).width(4).depth(dims == 2 ? 4 : 3)
                .norm(Norm.parse(norm)).spectralNorm(spectral).dropoutBlocks(0).upSlope(0.2).build();
        PatchGan d = PatchGan.builder().spatialDims(dims).inChannels(3).width(4).layers(2).norm(Norm.parse(norm)).spectralNorm(spectral).build();
        int[] sp = dims == 2 ? new int[]{32, 16} : new int[]{16, 16, 16};
        long[] shape = new long[2 + dims];
        shape[0] = 2;
        shape[1] = 2;
        for (int i = 0; i < dims; i++) shape[2 + i] = sp[i];
        Nd4j.getRandom().setSeed(5);
        INDArray cond = Nd4j.randn(DataType.FLOAT, shape);
        Supplier<Map<String, INDArray>> run = () -> {
            ParamStore store = new ParamStore(13);
            NetBuilder b = NetBuilder.forTraining(store, "G");
            Tensor x = b.input("cond", 2, sp);
            Tensor fake = g.apply(b.network("G"), x);
            Tensor score = d.apply(b.network("D"), x, fake);
            long[] scoreShape = score.var().eval(Map.of("cond", cond)).shape();
            Nd4j.getRandom().setSeed(6);
            SDVariable w = b.sd().constant("w", Nd4j.rand(DataType.FLOAT, scoreShape));   // a non-uniform upstream gradient
            SDVariable loss = score.var().mul(w).sum("ganLoss");
            b.sd().setLossVariables(loss.name());
            List<String> params = new ArrayList<>(b.trainableVariables("G"));
            params.addAll(b.trainableVariables("D"));
            Map<String, INDArray> values = new HashMap<>();
            b.sd().calculateGradients(Map.of("cond", cond), params).forEach((k, v) -> values.put("grad " + k, v.dup()));
            String fakeName = fake.var().name(), scoreName = score.var().name();
            b.sd().output(Map.of("cond", cond), fakeName, scoreName).forEach((k, v) -> values.put(k.equals(fakeName) ? "fake" : "score", v.dup()));
            return values;
        };
        Map<String, INDArray> first = inLayout("channels-first", run);
        Map<String, INDArray> last = inLayout("channels-last", run);
        assertEquals(first.keySet(), last.keySet());
        List<String> differing = differing(first, last);
        assertTrue(differing.isEmpty(), "channels last differs in " + differing);
    }

    /**
     * The arrays of {@code last} that differ from {@code first} by more than 2e-4 of their largest value. Gradients
     * that are zero in exact arithmetic (biases before a normalisation) are float32 cancellation noise: their scale
     * is at least 1e-2 of the largest gradient of the network.
     */
    private static List<String> differing(Map<String, INDArray> first, Map<String, INDArray> last) {
        double largest = first.entrySet().stream().filter(e -> e.getKey().startsWith("grad "))
                .mapToDouble(e -> e.getValue().amaxNumber().doubleValue()).max().orElse(1);
        List<String> differing = new ArrayList<>();
        for (String k : new java.util.TreeSet<>(first.keySet())) {
            INDArray a = first.get(k), b = last.get(k);
            assertArrayEquals(a.shape(), b.shape(), k);
            double scale = Math.max(a.amaxNumber().doubleValue(), k.startsWith("grad ") ? 1e-2 * largest : 1e-3);
            double diff = a.sub(b).amaxNumber().doubleValue();
            if (!(diff <= 2e-4 * scale)) differing.add(k + " by " + diff + " (largest value " + a.amaxNumber() + "; largest gradient " + largest + ")");
        }
        return differing;
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
        SegmentationNetwork.Training t = SegmentationNetworksTest.training(net, b, sp);
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
        String before = System.getProperty(EngineOptions.LAYOUT);
        System.setProperty(EngineOptions.LAYOUT, layout);
        try {
            return body.get();
        } finally {
            if (before == null) System.clearProperty(EngineOptions.LAYOUT);
            else System.setProperty(EngineOptions.LAYOUT, before);
        }
    }
}
