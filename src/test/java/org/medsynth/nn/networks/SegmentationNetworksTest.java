package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segmentation networks: shapes and softmax in 2D/3D, gradient flow, rebuild from maps, errors. */
public class SegmentationNetworksTest {

    static List<SegmentationNetwork> all(SegConfig c) {
        return List.of(new SegUNet(c), new AttentionUNet(c), new UNetPlusPlus(c, false), new UNetPlusPlus(c, true),
                new MluNet(c), InfoMaxNet.infoMax(c), InfoMaxNet.imMlu(c));
    }

    static int[] sizes(int dims) {
        return dims == 2 ? new int[]{16, 8} : new int[]{8, 8, 4};
    }

    /**
     * {@code net}'s training objective on placeholders "image" (1 channel) and "target" (one-hot, the network's
     * classes) of size {@code sp}, parameters under "seg".
     */
    static SegmentationNetwork.Training training(SegmentationNetwork net, NetBuilder b, int[] sp) {
        Tensor x = b.input("image", 1, sp);
        long[] ts = x.shape(-1);
        ts[1] = net.classes();
        SDVariable target = b.sd().placeHolder("target", DataType.FLOAT, ts);
        return net.training(b.network("seg"), x, target);
    }

    /** A random one-hot target [n, classes, spatial]. */
    public static INDArray oneHot(int n, int classes, int[] spatial, Random r, DataType dt) {
        long[] shape = new long[2 + spatial.length];
        shape[0] = n;
        shape[1] = classes;
        int vox = 1;
        for (int i = 0; i < spatial.length; i++) {
            shape[2 + i] = spatial[i];
            vox *= spatial[i];
        }
        double[] v = new double[n * classes * vox];
        for (int k = 0; k < n; k++) for (int i = 0; i < vox; i++) v[(k * classes + r.nextInt(classes)) * vox + i] = 1;
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
    }

    @ParameterizedTest(name = "{0}D")
    @CsvSource({"2", "3"})
    void outputShapesAndSoftmax(int dims) {
        SegConfig c = new SegConfig(dims, 2, 3, 2, 2, Norm.BATCH);
        int[] sp = sizes(dims);
        for (SegmentationNetwork net : all(c)) {
            for (NetBuilder.Mode mode : NetBuilder.Mode.values()) {
                ParamStore store = new ParamStore(5);
                NetBuilder b = NetBuilder.create(store, mode, "seg");
                Tensor x = b.input("image", 2, sp);
                SegmentationNetwork.Output o = net.apply(b.network("seg"), x);
                INDArray in = Nd4j.randn(DataType.FLOAT, x.shape(3));
                Map<String, INDArray> out = b.sd().output(Map.of("image", in), o.probabilities().var().name(),
                        o.logits().var().name(), o.code().var().name());
                INDArray p = out.get(o.probabilities().var().name());
                assertArrayEquals(o.probabilities().shape(3), p.shape(), net.kind());
                assertEquals(3, p.size(1));
                long[] codeShape = out.get(o.code().var().name()).shape();
                assertEquals(c.channelsAt(2), codeShape[1], net.kind() + " code channels");
                for (int i = 0; i < dims; i++) assertEquals(sp[i] / 4, codeShape[2 + i], net.kind() + " code size");
                INDArray sums = p.sum(1);
                assertTrue(sums.sub(1.0).amaxNumber().doubleValue() < 1e-5, net.kind() + ": probabilities sum to 1");
                if (!(net instanceof UNetPlusPlus u && u.deepSupervision())) {
                    // softmax by hand (the oneDNN axis-1 softmax bug must not show)
                    INDArray logits = out.get(o.logits().var().name()).castTo(DataType.DOUBLE);
                    INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(logits.sub(logits.max(true, 1)), false);
                    INDArray hand = e.div(e.sum(true, 1));
                    assertTrue(hand.sub(p.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() < 1e-5, net.kind() + " softmax");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}D")
    @CsvSource({"2", "3"})
    void everyParameterReceivesAGradient(int dims) {
        SegConfig c = new SegConfig(dims, 1, 3, 2, 2, Norm.BATCH);
        int[] sp = sizes(dims);
        Random r = new Random(dims);
        for (SegmentationNetwork net : all(c)) {
            NetBuilder b = NetBuilder.forTraining(new ParamStore(9), "seg");
            SegmentationNetwork.Training t = training(net, b, sp);
            INDArray img = Nd4j.randn(DataType.FLOAT, b.input("image", 1, sp).shape(3));
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put("image", img);
            feeds.put("target", oneHot(3, 3, sp, r, DataType.FLOAT));
            if (net.usesMutualInformation()) feeds.putAll(InfoMaxNet.feeds(img, null, new SplittableRandom(1)));
            NetTestSupport.assertAllGradientsNonZero(b, t.loss(), feeds, "seg");
            if (net instanceof InfoMaxNet) {
                assertTrue(b.trainableVariables("seg").stream().anyMatch(v -> v.startsWith("seg/mi/")), "MI encoder is trained");
                assertTrue(b.trainableVariables("seg").contains("seg/critic/theta"), "critic is trained");
            }
        }
    }

    /** Gradients of the IM-MLU-Net loss (Dice + deep supervision + BCE) against central differences, float64. */
    @Test
    void gradientsMatchFiniteDifferences() {
        SegConfig c = new SegConfig(2, 1, 2, 2, 2, Norm.BATCH);
        InfoMaxNet net = new InfoMaxNet(new MluNet(c, 3, 0.5), 2, 3, 1.0);
        ParamStore store = new ParamStore(3, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        int[] sp = {8, 8};
        Tensor x = b.input("image", 1, sp);
        SDVariable target = b.sd().placeHolder("target", DataType.DOUBLE, -1, 2, 8, 8);
        SegmentationNetwork.Training t = net.training(b.network("seg"), x, target);
        INDArray img = Nd4j.randn(DataType.DOUBLE, 2, 1, 8, 8);
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put("image", img);
        feeds.put("target", oneHot(2, 2, sp, new Random(4), DataType.DOUBLE));
        feeds.putAll(InfoMaxNet.feeds(img, Nd4j.randn(DataType.DOUBLE, 1, 1, 8, 8), new SplittableRandom(2)));
        String loss = t.loss().name();
        b.sd().setLossVariables(loss);
        String[] checked = {"seg/enc0/attn/select1/W", "seg/enc0/attn/squeeze/W", "seg/enc1/branch2/conv2/W", "seg/fuse/w1",
                "seg/dec1/upscale/W", "seg/critic/theta", "seg/critic/thetaY", "seg/mi/head/W", "seg/bottom/norm1/gamma"};
        Map<String, INDArray> grads = b.sd().calculateGradients(feeds, checked);
        Random r = new Random(5);
        double h = 1e-6;
        for (String name : checked) {
            INDArray w = store.array(name);
            for (int k = 0; k < 3; k++) {
                long i = r.nextInt((int) w.length());
                double v = w.getDouble(i);
                w.putScalar(i, v + h);
                double lp = b.sd().output(feeds, loss).get(loss).getDouble(0);
                w.putScalar(i, v - h);
                double lm = b.sd().output(feeds, loss).get(loss).getDouble(0);
                w.putScalar(i, v);
                double fd = (lp - lm) / (2 * h);
                double g = grads.get(name).getDouble(i);
                assertEquals(fd, g, 1e-6 + 1e-4 * Math.abs(fd), name + "[" + i + "]");
            }
        }
    }

    /** The critic scores matched image/code pairs higher than mismatched ones after a short joint training. */
    @Test
    void criticScoresMatchedPairsHigherAfterTraining() {
        SegConfig c = new SegConfig(2, 1, 2, 4, 2, Norm.BATCH);
        InfoMaxNet net = new InfoMaxNet(new SegUNet(c), 4, 4, 1.0);
        ParamStore store = new ParamStore(11);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        Tensor x = b.input("image", 1, 16, 16);
        SDVariable target = b.sd().placeHolder("target", DataType.FLOAT, -1, 2, 16, 16);
        SegmentationNetwork.Training t = net.training(b.network("seg"), x, target);
        org.medsynth.nn.train.TrainStep step = new org.medsynth.nn.train.TrainStep(b, t.loss(), "seg",
                new org.medsynth.nn.train.Adam(2e-3, 0.9, 0.999, 1e-8));
        String pos = t.terms().get("miPositive").name(), neg = t.terms().get("miNegative").name(), bce = t.terms().get("bce").name();
        Random r = new Random(12);
        SplittableRandom sr = new SplittableRandom(13);
        double[] before = evaluate(b, pos, neg, bce, new Random(99), new SplittableRandom(98));
        for (int i = 0; i < 40; i++) {
            Map<String, INDArray> f = discs(8, r);
            f.putAll(InfoMaxNet.feeds(f.get("image"), null, sr));
            step.run(f);
        }
        double[] after = evaluate(b, pos, neg, bce, new Random(99), new SplittableRandom(98));
        System.out.printf("critic gap before %.3f (bce %.3f), after %.3f (bce %.3f)%n", before[0], before[1], after[0], after[1]);
        assertTrue(after[0] > 0.3, "matched pairs score higher: gap " + after[0]);
        assertTrue(after[1] < 0.65 && after[1] < before[1] - 0.08, "BCE falls below log 2: " + before[1] + " -> " + after[1]);
    }

    /** {mean(score matched) - mean(score mismatched), BCE} over 5 unseen batches. */
    private static double[] evaluate(NetBuilder b, String pos, String neg, String bce, Random r, SplittableRandom sr) {
        double gap = 0, loss = 0;
        for (int k = 0; k < 5; k++) {
            Map<String, INDArray> f = discs(8, r);
            f.putAll(InfoMaxNet.feeds(f.get("image"), null, sr));
            Map<String, INDArray> o = b.sd().output(f, pos, neg, bce);
            gap += o.get(pos).getDouble(0) - o.get(neg).getDouble(0);
            loss += o.get(bce).getDouble(0);
        }
        return new double[]{gap / 5, loss / 5};
    }

    /** Toy set: a disc of random centre, radius and brightness on noise; target = the disc. */
    static Map<String, INDArray> discs(int n, Random r) {
        float[] img = new float[n * 256];
        float[] hot = new float[n * 2 * 256];
        for (int k = 0; k < n; k++) {
            double cx = 4 + 8 * r.nextDouble(), cy = 4 + 8 * r.nextDouble(), rad = 1.5 + 4 * r.nextDouble(), v = 0.5 + r.nextDouble();
            for (int y = 0; y < 16; y++) for (int xx = 0; xx < 16; xx++) {
                boolean in = (xx - cx) * (xx - cx) + (y - cy) * (y - cy) <= rad * rad;
                img[k * 256 + y * 16 + xx] = (float) ((in ? v : 0) + 0.1 * r.nextGaussian());
                hot[(k * 2 + (in ? 1 : 0)) * 256 + y * 16 + xx] = 1;
            }
        }
        Map<String, INDArray> f = new HashMap<>();
        f.put("image", Nd4j.create(img, new long[]{n, 1, 16, 16}, 'c'));
        f.put("target", Nd4j.create(hot, new long[]{n, 2, 16, 16}, 'c'));
        return f;
    }

    /** Deep supervision combines the Dice terms as documented: dice(final) + w * mean(dice(sides)). */
    @Test
    void diceTrainingCombinesTheScales() {
        ParamStore store = new ParamStore(1, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forInference(store);
        INDArray p0 = Nd4j.createFromArray(new double[]{0.9, 0.2, 0.6, 0.0, 0.1, 0.8, 0.4, 1.0}).reshape(1, 2, 2, 2);
        INDArray p1 = Nd4j.createFromArray(new double[]{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}).reshape(1, 2, 2, 2);
        INDArray g = Nd4j.createFromArray(new double[]{1, 0, 1, 0, 0, 1, 0, 1}).reshape(1, 2, 2, 2);
        Tensor final0 = new Tensor(b.sd().constant("p0", p0), 2, 2, 2);
        Tensor side = new Tensor(b.sd().constant("p1", p1), 2, 2, 2);
        SegmentationNetwork.Output o = new SegmentationNetwork.Output(final0, final0, List.of(final0, side), final0);
        SegmentationNetwork.Training t = SegmentationNetwork.diceTraining(b, o, b.sd().constant("g", g), 0.5);
        // eq. (1) by hand (eps 1e-5): class 0: 2*1.5/(1.21+2); class 1: 2*1.8/(1.81+2); uniform 0.5: 2*1/(1+2) for both
        double eps = SegmentationNetwork.DICE_EPS;
        double d0 = ((1 - 3.0 / (3.21 + eps)) + (1 - 3.6 / (3.81 + eps))) / 2;
        double d1 = 1 - 2.0 / (3 + eps);
        Map<String, INDArray> out = b.sd().output(Map.of(), t.loss().name(), t.terms().get("dice").name());
        assertEquals(d0, out.get(t.terms().get("dice").name()).getDouble(0), 1e-12);
        assertEquals(d0 + 0.5 * (d0 + d1) / 2, out.get(t.loss().name()).getDouble(0), 1e-12);
    }

    @Test
    void specsRoundTripThroughMaps() {
        SegConfig c = new SegConfig(3, 4, 5, 16, 4, Norm.INSTANCE);
        List<SegmentationNetwork> nets = new ArrayList<>(all(c));
        nets.add(new MluNet(c, 4, 0.25));
        nets.add(new InfoMaxNet(new MluNet(c, 2, 1.0), 8, 12, 0.5));
        for (SegmentationNetwork n : nets) {
            SegmentationNetwork back = SegmentationNetworks.fromMap(n.kind(), new HashMap<>(n.toMap()));
            assertEquals(n.toMap(), back.toMap(), n.kind());
            assertEquals(n.getClass(), back.getClass());
        }
        for (String name : SegmentationNetworkFamily.names()) {
            SegmentationNetwork n = SegmentationNetworkFamily.create(name, c);
            assertEquals(name, SegmentationNetworkFamily.nameOf(n));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentationNetworkFamily.create("resnet", c));
        assertTrue(e.getMessage().contains("unknown segmentation network"), e.getMessage());
        Map<String, Object> bad = new HashMap<>(new MluNet(c).toMap());
        bad.remove("branches");
        e = assertThrows(IllegalArgumentException.class, () -> SegmentationNetworks.fromMap("mlu-net", bad));
        assertTrue(e.getMessage().contains("branches"), e.getMessage());
    }

    @Test
    void badSizesAndChannelsAreRefusedClearly() {
        SegConfig c = new SegConfig(2, 1, 2, 2, 3, Norm.BATCH);
        NetBuilder b = NetBuilder.forInference(new ParamStore(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MluNet(c).apply(b.network("seg"), b.input("x", 1, 20, 20)));
        assertTrue(e.getMessage().contains("divisible by 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SegUNet(c).apply(b.network("seg"), b.input("y", 2, 16, 16)));
        assertTrue(e.getMessage().contains("1 input channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SegConfig(2, 1, 1, 2, 3, Norm.BATCH));
        assertThrows(IllegalArgumentException.class, () -> InfoMaxNet.feeds(Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), null, new SplittableRandom(1)));
    }
}
