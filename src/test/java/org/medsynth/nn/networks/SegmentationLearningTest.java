package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.testutil.Phantoms;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small U-Net and a small MLU-Net learn 2D phantoms (organ ellipse with a brighter tumour disc on
 * noise, 32 x 32) in a short fixed-seed training; Dice on fresh phantoms must exceed fixed bounds.
 */
class SegmentationLearningTest {

    static final int SIZE = 32;

    /** Trains and returns the per-class Dice (organ, tumour) on 16 unseen phantoms. */
    static double[] trainAndScore(SegmentationNetwork net, int steps, long seed) {
        ParamStore store = new ParamStore(seed);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        SegmentationNetwork.Training t = net.training(b, "seg", 1, SIZE, SIZE);
        TrainStep step = new TrainStep(b, t.loss(), "seg", new Adam(2e-3, 0.9, 0.999, 1e-8));
        Random r = new Random(seed);
        long t0 = System.nanoTime();
        double first = 0, last = 0;
        for (int i = 0; i < steps; i++) {
            INDArray[] batch = Phantoms.batch2d(4, SIZE, 0.15, r);
            Map<String, INDArray> f = new HashMap<>();
            f.put("image", batch[0]);
            f.put("target", batch[1]);
            double loss = step.run(f).loss();
            if (i == 0) first = loss;
            last = loss;
        }
        System.out.printf("%s: %d steps in %.1f s, loss %.3f -> %.3f%n", net.kind(), steps, (System.nanoTime() - t0) / 1e9, first, last);
        NetBuilder ib = NetBuilder.forInference(store);
        SegmentationNetwork.Output out = net.apply(ib.network("seg"), ib.input("image", 1, SIZE, SIZE));
        INDArray[] test = Phantoms.batch2d(16, SIZE, 0.15, new Random(seed + 1000));
        INDArray p = ib.sd().output(Map.of("image", test[0]), out.probabilities().var().name()).get(out.probabilities().var().name());
        int[] pred = p.argMax(1).castTo(DataType.INT).dup('c').data().asInt();
        int[] truth = test[1].argMax(1).castTo(DataType.INT).dup('c').data().asInt();
        double[] dice = new double[2];
        for (int c = 1; c <= 2; c++) {
            double inter = 0, sp = 0, st = 0;
            for (int i = 0; i < pred.length; i++) {
                boolean a = pred[i] == c, g = truth[i] == c;
                if (a && g) inter++;
                if (a) sp++;
                if (g) st++;
            }
            dice[c - 1] = 2 * inter / (sp + st);
        }
        System.out.printf("%s: Dice organ %.3f tumour %.3f%n", net.kind(), dice[0], dice[1]);
        return dice;
    }

    @Test
    void unetLearnsPhantoms() {
        double[] d = trainAndScore(new SegUNet(new SegConfig(2, 1, 3, 8, 2, Norm.BATCH)), 200, 7);
        assertTrue(d[0] > 0.9 && d[1] > 0.7, "Dice organ " + d[0] + " tumour " + d[1]);
    }

    @Test
    void mluNetLearnsPhantoms() {
        double[] d = trainAndScore(new MluNet(new SegConfig(2, 1, 3, 8, 2, Norm.BATCH)), 200, 7);
        assertTrue(d[0] > 0.9 && d[1] > 0.7, "Dice organ " + d[0] + " tumour " + d[1]);
    }
}
