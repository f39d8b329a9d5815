package org.medsynth.nn.train;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Learning test (integration test: about 1 minute on 2 cores; {@code mvn verify} or
 * {@code mvn test -Dtest=Pix2pixLearningIT}): a pix2pix U-Net (width 8, depth 5) with a PatchGAN
 * learns to reproduce 4 fixed 32x32 sketch -> image pairs. Seed 42, Adam lr 1e-3 (beta1 0.5),
 * vanilla GAN + 100 L1, batch 4.
 * Measured: mean L1 (images in [-1, 1]) 0.66 for a zero output; after 150 steps (training / inference mode):
 * transposed 0.028 / 0.031, nearest + conv 0.039 / 0.044, nearest + conv with the full-resolution input skip 0.032 /
 * 0.033. Bound: below 0.10 after 150 steps, in training and in inference mode, for every up-sampling. (After 80 steps
 * the skip's training-mode L1 was the lowest, 0.038, but its inference-mode L1 0.123: the running statistics of its
 * full-resolution batch norm still lagged the weights.)
 */
class Pix2pixLearningIT {

    static final int STEPS = 150;

    /** Sketch: circle outline (1 on the outline, -1 elsewhere); image: shaded disc on a textured background. */
    static INDArray[] pairs(int n, int size) {
        float[] sk = new float[n * size * size];
        float[] im = new float[n * size * size];
        for (int k = 0; k < n; k++) {
            double cx = 8 + 5 * k;
            double cy = 10 + 4 * (k % 2) * 3;
            double r = 5 + k;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double d = Math.hypot(x - cx, y - cy);
                    int i = k * size * size + y * size + x;
                    sk[i] = Math.abs(d - r) < 0.8 ? 1f : -1f;
                    im[i] = d < r ? (float) (0.8 - 0.6 * d / r + 0.3 * Math.sin(k + x * 0.3))
                            : (float) (-0.7 + 0.2 * Math.cos(y * 0.2 + k));
                }
            }
        }
        return new INDArray[]{Nd4j.create(sk, new long[]{n, 1, size, size}, 'c'), Nd4j.create(im, new long[]{n, 1, size, size}, 'c')};
    }

    @ParameterizedTest
    @EnumSource(UNet.Upsample.class)
    void learnsFourPairs(UNet.Upsample upsample) {
        int size = 32;
        INDArray[] p = pairs(4, size);
        double baseline = Transforms.abs(p[1], true).meanNumber().doubleValue();
        UNet unet = UNet.builder().inChannels(1).outChannels(1).width(8).depth(5).upsample(upsample).build();
        PatchGan d = PatchGan.builder().inChannels(2).width(8).layers(2).build();
        ConditionalGan gan = new ConditionalGan(new ParamStore(42), unet::apply, d::apply, 1, 1, new int[]{size, size},
                ConditionalGan.GanLoss.VANILLA, 100, new Adam(1e-3, 0.5, 0.999, 1e-8), new Adam(1e-3, 0.5, 0.999, 1e-8));
        ConditionalGan.StepLosses last = null;
        for (int i = 0; i < STEPS; i++) last = gan.step(p[0], p[1]);
        double inference = Transforms.abs(gan.generate(p[0]).sub(p[1]), true).meanNumber().doubleValue();
        System.out.printf("%s: baseline L1 %.3f, after %d steps: training %.4f, inference %.4f%n", upsample, baseline, STEPS, last.gL1(), inference);
        assertTrue(baseline > 0.6);
        assertTrue(last.gL1() < 0.10, "training-mode L1 " + last.gL1());
        assertTrue(inference < 0.10, "inference-mode L1 " + inference);
    }
}
