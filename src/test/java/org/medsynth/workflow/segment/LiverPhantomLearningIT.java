package org.medsynth.workflow.segment;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.data.LiverPhantom;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.image.preprocess.Preprocessor;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.MluNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegUNet;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small U-Net and a small MLU-Net learn the bundled liver CT phantoms ({@link LiverPhantom}: liver among
 * spleen, kidneys and soft tissue of similar density, hypo- or hyperdense tumours) slice-wise: fixed seeds,
 * 300 steps of batch 4 (half of each batch slices with tumour), pooled Dice on the slices with liver of 8 unseen
 * phantoms (64 x 64 x 12).
 * <ul>
 * <li>With an abdominal CT window (HU clipped to [-160, 240], scaled to [-1, 1]; the library's
 * {@link IntensityWindow} through {@link Preprocessor}, as Train Segmenter's window=abdomen normalization=-1to1)
 * both networks learn liver AND tumour (measured: U-Net 0.893 / 0.630, MLU-Net 0.899 / 0.517).</li>
 * <li>With the paper's percentile clipping (0.5-99.5 %) + z-score, the tumour is not learnt in this budget
 * (U-Net liver 0.707, tumour 0): air and bone set the percentiles, so liver and tumour (about 30 HU apart under
 * 12 HU noise) are squeezed into about 2 % of the range. Kept as a test so that the difference stays documented.</li>
 * </ul>
 * An integration test (about 2 min), not a unit test.
 */
class LiverPhantomLearningIT {
    static final int SIZE = 64, DEPTH = 12;

    /** The abdominal CT window: HU clipped to [-160, 240] and mapped to [-1, 1], as Train Segmenter's window=abdomen normalization=-1to1. */
    static final PreprocessingSpec CT_WINDOW = PreprocessingSpec.none().withWindow(IntensityWindow.preset("abdomen"))
            .withNormalization(Normalization.SYMMETRIC);
    /** The paper's percentile clipping (0.5-99.5 %) + z-score. */
    static final PreprocessingSpec PERCENTILES = SegmenterSettings.paperPreprocessing();

    /** Slices (normalised image, labels) of phantoms seed0..seed0+n-1 that contain liver. */
    static List<float[][]> slices(long seed0, int n, boolean ctWindow) {
        Preprocessor pre = new Preprocessor(ctWindow ? CT_WINDOW : PERCENTILES);
        List<float[][]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            LiverPhantom.Sample s = LiverPhantom.generate(SIZE, SIZE, DEPTH, seed0 + k);
            ImagePlus ct = pre.prepare(s.ct()).image();
            for (int z = 1; z <= DEPTH; z++) {
                float[] img = (float[]) ct.getStack().getProcessor(z).getPixels();
                byte[] lab = (byte[]) s.labels().getStack().getPixels(z);
                float[] l = new float[lab.length];
                boolean liver = false;
                for (int i = 0; i < l.length; i++) {
                    l[i] = lab[i];
                    liver |= lab[i] != 0;
                }
                if (liver) out.add(new float[][]{img.clone(), l});
            }
        }
        return out;
    }

    static INDArray[] batch(List<float[][]> data, int[] idx) {
        int n = idx.length, hw = SIZE * SIZE;
        float[] x = new float[n * hw], y = new float[n * 3 * hw];
        for (int b = 0; b < n; b++) {
            float[][] s = data.get(idx[b]);
            System.arraycopy(s[0], 0, x, b * hw, hw);
            for (int i = 0; i < hw; i++) y[(b * 3 + (int) s[1][i]) * hw + i] = 1;
        }
        return new INDArray[]{Nd4j.create(x, new long[]{n, 1, SIZE, SIZE}), Nd4j.create(y, new long[]{n, 3, SIZE, SIZE})};
    }

    /** Trains {@code steps} steps of batch 4 and returns the pooled Dice (liver, tumour) on unseen phantoms. */
    static double[] trainAndScore(SegmentationNetwork net, int steps, long seed, boolean ctWindow) {
        List<float[][]> train = slices(100, 12, ctWindow), test = slices(5000, 8, ctWindow);
        ParamStore store = new ParamStore(seed);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        SegmentationNetwork.Training t = net.training(b, "seg", 1, SIZE, SIZE);
        TrainStep step = new TrainStep(b, t.loss(), "seg", new Adam(2e-3, 0.9, 0.999, 1e-8));
        // as the trainer's rare_share: half of each batch are slices with tumour
        List<Integer> withTumour = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            for (float v : train.get(i)[1]) if (v == 2) { withTumour.add(i); break; }
        }
        Random r = new Random(seed);
        long t0 = System.nanoTime();
        double first = 0, last = 0;
        for (int i = 0; i < steps; i++) {
            int[] idx = new int[4];
            for (int k = 0; k < idx.length; k++) idx[k] = k % 2 == 0 && !withTumour.isEmpty() ? withTumour.get(r.nextInt(withTumour.size())) : r.nextInt(train.size());
            INDArray[] xy = batch(train, idx);
            double loss = step.run(Map.of("image", xy[0], "target", xy[1])).loss();
            if (i == 0) first = loss;
            last = loss;
        }
        NetBuilder ib = NetBuilder.forInference(store);
        SegmentationNetwork.Output out = net.apply(ib.network("seg"), ib.input("image", 1, SIZE, SIZE));
        String pName = out.probabilities().var().name();
        double[] inter = new double[3], sum = new double[3];
        for (int i = 0; i < test.size(); i++) {
            INDArray[] xy = batch(test, new int[]{i});
            int[] pred = ib.sd().output(Map.of("image", xy[0]), pName).get(pName).argMax(1).castTo(DataType.INT).dup('c').data().asInt();
            float[] truth = test.get(i)[1];
            for (int p = 0; p < pred.length; p++) {
                int g = (int) truth[p];
                if (pred[p] == g) inter[g]++;
                sum[pred[p]]++;
                sum[g]++;
            }
        }
        double[] dice = {2 * inter[1] / sum[1], 2 * inter[2] / sum[2]};
        long tumourTruth = 0;
        for (float[][] sl : test) for (float v : sl[1]) if (v == 2) tumourTruth++;
        System.out.printf("tumour pixels in the test slices %d, predicted %.0f, correct %.0f%n", tumourTruth, sum[2] - tumourTruth, inter[2]);
        System.out.printf("%s on liver phantoms: %d steps in %.1f s, loss %.3f -> %.3f, Dice liver %.3f tumour %.3f (%d test slices)%n",
                net.kind(), steps, (System.nanoTime() - t0) / 1e9, first, last, dice[0], dice[1], test.size());
        return dice;
    }

    @Test
    void unetLearnsLiverAndTumourWithACtWindow() {
        double[] d = trainAndScore(new SegUNet(new SegConfig(2, 1, 3, 8, 3, Norm.BATCH)), STEPS, 7, true);
        assertTrue(d[0] > 0.8 && d[1] > 0.4, "Dice liver " + d[0] + " tumour " + d[1]);
    }

    @Test
    void mluNetLearnsLiverAndTumourWithACtWindow() {
        double[] d = trainAndScore(new MluNet(new SegConfig(2, 1, 3, 8, 3, Norm.BATCH)), STEPS, 7, true);
        assertTrue(d[0] > MLU_LIVER && d[1] > MLU_TUMOUR, "Dice liver " + d[0] + " tumour " + d[1]);
    }

    /** The paper's percentile clipping + z-score: the liver is learnt, the tumour not (measured 0.707 / 0). */
    @Test
    void withPercentileClippingTheUnetLearnsTheLiverOnly() {
        double[] d = trainAndScore(new SegUNet(new SegConfig(2, 1, 3, 8, 3, Norm.BATCH)), STEPS, 7, false);
        assertTrue(d[0] > 0.6, "Dice liver " + d[0] + " (tumour " + d[1] + ")");
    }

    static final int STEPS = 300;
    static final double MLU_LIVER = 0.8, MLU_TUMOUR = 0.35;  // measured 0.899 / 0.517
}
