package org.medsynth.nn.engine.libtorch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.EngineOptions;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.BatchNorm;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.networks.SegmentationNetworksTest;
import org.medsynth.nn.engine.dl4j.GradientPass;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same graph on both engines: every segmentation network, 2D and 3D, in both feature-map layouts, gives the
 * same loss, probabilities and gradient of every parameter on libtorch as on SameDiff (float64, so the only
 * differences are the order of floating-point sums); a few also in float32, where libtorch's convolutions run on
 * channels-last memory (oneDNN's other kernels: differences of float32 rounding).
 */
class TorchGraphParityTest {

    /** The random images come from ND4J's global generator: the same draws in every run. */
    @BeforeEach
    void seedNd4j() {
        Nd4j.getRandom().setSeed(20261205L);
    }

    @ParameterizedTest(name = "{0} {1}D {2}")
    @CsvSource({
            "unet, 2, channels-last", "unet, 3, channels-last", "unet, 2, channels-first", "unet, 3, channels-first",
            "attention-unet, 2, channels-last", "attention-unet, 3, channels-first",
            "unet++, 2, channels-first", "unet++, 3, channels-last",
            "mlu-net, 2, channels-last", "mlu-net, 3, channels-first",
            "info-max-net, 2, channels-first", "info-max-net, 3, channels-last",
            "im-mlu-net, 2, channels-last", "im-mlu-net, 3, channels-first"})
    void trainingPassMatchesSameDiff(String network, int dims, String layout) {
        trainingPassMatchesSameDiff(network, dims, layout, DataType.DOUBLE, 1e-7);
    }

    @ParameterizedTest(name = "{0} {1}D {2} float32")
    @CsvSource({"unet, 2, channels-first", "unet, 3, channels-first", "unet, 2, channels-last", "mlu-net, 3, channels-last"})
    void float32TrainingPassMatchesSameDiff(String network, int dims, String layout) {
        trainingPassMatchesSameDiff(network, dims, layout, DataType.FLOAT, 2e-4);
    }

    private void trainingPassMatchesSameDiff(String network, int dims, String layout, DataType type, double tolerance) {
        String old = System.getProperty(EngineOptions.LAYOUT);
        System.setProperty(EngineOptions.LAYOUT, layout);
        try {
            SegmentationNetwork net = SegmentationNetworkFamily.create(network, new SegConfig(dims, 1, 3, 2, 2, Norm.BATCH));
            int[] sp = dims == 2 ? new int[]{16, 8} : new int[]{8, 8, 4};
            ParamStore store = new ParamStore(3, type);
            NetBuilder b = NetBuilder.forTraining(store, "seg");
            SegmentationNetwork.Training t = net.training(b, "seg", 1, sp);
            Map<String, INDArray> feeds = new HashMap<>();
            feeds(net, sp, new Random(11)).forEach((k, v) -> feeds.put(k, v.castTo(type)));
            Map<String, INDArray> fed = b.withRandomFeeds(feeds, new SplittableRandom(4));
            List<String> wrt = b.trainableVariables("seg");
            String loss = t.loss().name();
            String probs = t.output().probabilities().var().name();
            List<String> outs = new ArrayList<>(List.of(loss, probs));
            for (SDVariable term : t.terms().values()) outs.add(term.name());
            // the batch statistics the running statistics are updated from
            for (BatchNorm.Application a : b.batchNorms()) outs.addAll(List.of(a.batchMean(), a.batchVar()));

            b.sd().setLossVariables(loss);
            OutAndGrad sd = GradientPass.run(b.sd(), fed, outs, wrt);
            TorchGraph.Pass torch = new TorchGraph(b.sd()).gradients(fed, outs, loss, wrt);

            for (String o : outs) assertClose(sd.getOutputs().get(o), torch.outputs().get(o), o, tolerance);
            assertEquals(wrt.size(), torch.gradients().size(), "a gradient for every parameter");
            double largest = 0;
            for (String v : wrt) {
                INDArray g = torch.gradients().get(v);
                assertClose(sd.getGradients().get(v), g, "d loss / d " + v, tolerance);
                largest = Math.max(largest, g.amaxNumber().doubleValue());
            }
            assertTrue(largest > 1e-6, "the gradients are not all zero");
        } finally {
            if (old == null) System.clearProperty(EngineOptions.LAYOUT);
            else System.setProperty(EngineOptions.LAYOUT, old);
        }
    }

    static Map<String, INDArray> feeds(SegmentationNetwork net, int[] sp, Random r) {
        int n = 2;
        long[] img = new long[2 + sp.length];
        img[0] = n;
        img[1] = 1;
        for (int i = 0; i < sp.length; i++) img[2 + i] = sp[i];
        Map<String, INDArray> f = new HashMap<>();
        INDArray image = Nd4j.rand(DataType.DOUBLE, img).subi(0.5);
        f.put(SegmentationNetwork.IMAGE, image);
        f.put(SegmentationNetwork.TARGET, SegmentationNetworksTest.oneHot(n, net.classes(), sp, r, DataType.DOUBLE));
        if (net.usesMutualInformation()) f.putAll(InfoMaxNet.feeds(image, Nd4j.rand(DataType.DOUBLE, img), new SplittableRandom(2)));
        return f;
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertClose(expected, actual, what, 1e-7);
    }

    /**
     * Largest difference within {@code tolerance} x the largest expected value; in float32 at least 1e-4 x tolerance (a
     * gradient orders of magnitude smaller than the others carries their rounding errors).
     */
    static void assertClose(INDArray expected, INDArray actual, String what, double tolerance) {
        assertFalse(actual == null, "libtorch gave no value for " + what);
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = Math.max(expected.dataType() == DataType.FLOAT ? 1e-4 : 1e-12, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (largest value " + scale + ")");
    }
}
