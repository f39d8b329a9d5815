package org.medsynth.image.tiling;

import org.junit.jupiter.api.Test;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class SlidingWindowTest {

    private static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    /** x -> 2x + 1 per voxel, and a second output channel 3 - x: K = 2 for C = 1. */
    private static final Function<INDArray, INDArray> POINTWISE = t -> {
        INDArray a = t.mul(2).add(1);
        INDArray b = t.neg().add(3);
        return Nd4j.concat(1, a, b);
    };

    /**
     * A fixed 3x3 (or 3x3x3) convolution with zero padding ("same"), 2 input channels -> 1 output
     * channel, with different weights per tap; computed by hand so it needs no native op.
     */
    private static INDArray conv(INDArray x) {
        boolean vol = x.rank() == 5;
        long[] s = x.shape();
        int b = (int) s[0], c = (int) s[1];
        int d = vol ? (int) s[2] : 1, h = (int) s[vol ? 3 : 2], w = (int) s[vol ? 4 : 3];
        float[] in = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[b * d * h * w];
        int rz = vol ? 1 : 0;
        for (int n = 0; n < b; n++)
            for (int z = 0; z < d; z++)
                for (int y = 0; y < h; y++)
                    for (int xx = 0; xx < w; xx++) {
                        double sum = 0;
                        for (int ch = 0; ch < c; ch++)
                            for (int dz = -rz; dz <= rz; dz++)
                                for (int dy = -1; dy <= 1; dy++)
                                    for (int dx = -1; dx <= 1; dx++) {
                                        int zz = z + dz, yy = y + dy, x2 = xx + dx;
                                        if (zz < 0 || zz >= d || yy < 0 || yy >= h || x2 < 0 || x2 >= w) continue;
                                        double weight = (ch + 1) * 0.1 + dx * 0.3 - dy * 0.2 + dz * 0.15 + dx * dy * 0.05;
                                        sum += weight * in[((n * c + ch) * d + zz) * h * w + yy * w + x2];
                                    }
                        out[((n * d + z) * h + y) * w + xx] = (float) sum;
                    }
        return Nd4j.create(out, vol ? new long[]{b, 1, d, h, w} : new long[]{b, 1, h, w}, 'c');
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void pointwisePredictorGivesExactlyTheWholeImageResult() {
        for (SlidingWindow.Blend blend : SlidingWindow.Blend.values()) {
            INDArray img2d = random(1, 2, 1, 37, 29);   // sizes not divisible by the stride
            SlidingWindow sw = new SlidingWindow(new int[]{16, 12}, 0.5, blend, 0, 3, 0f);
            INDArray tiled = sw.predict(img2d, POINTWISE, Progress.NONE);
            assertArrayEquals(new long[]{2, 2, 37, 29}, tiled.shape());
            assertEquals(0.0, maxDiff(POINTWISE.apply(img2d), tiled), blend + " 2D: bit-exact");

            INDArray img3d = random(2, 1, 1, 11, 19, 23);
            INDArray tiled3 = new SlidingWindow(new int[]{8, 8, 4}, 0.25, blend, 0, 1, 0f).predict(img3d, POINTWISE, Progress.NONE);
            assertArrayEquals(new long[]{1, 2, 11, 19, 23}, tiled3.shape());
            assertEquals(0.0, maxDiff(POINTWISE.apply(img3d), tiled3), blend + " 3D: bit-exact");
        }
    }

    @Test
    void convolutionWithAMarginMatchesTheWholeImageAndWithoutOneDoesNot() {
        INDArray img = random(3, 1, 2, 41, 35);
        INDArray whole = conv(img);
        INDArray withMargin = new SlidingWindow(new int[]{16, 16}, 0.25, SlidingWindow.Blend.GAUSSIAN, 1, 2, 0f)
                .predict(img, SlidingWindowTest::conv, Progress.NONE);
        assertTrue(maxDiff(whole, withMargin) < 1e-5, "max difference " + maxDiff(whole, withMargin));
        // the check can fail: without the margin, tile borders see zero padding inside the image
        INDArray noMargin = new SlidingWindow(new int[]{16, 16}, 0.25, SlidingWindow.Blend.CONSTANT, 0, 1, 0f)
                .predict(img, SlidingWindowTest::conv, Progress.NONE);
        assertTrue(maxDiff(whole, noMargin) > 1e-2);

        INDArray vol = random(4, 1, 2, 13, 17, 15);
        INDArray tiled3 = new SlidingWindow(new int[]{8, 8, 6}, 0.4, SlidingWindow.Blend.LINEAR, 1, 4, 0f)
                .predict(vol, SlidingWindowTest::conv, Progress.NONE);
        assertTrue(maxDiff(conv(vol), tiled3) < 1e-5, "3D max difference " + maxDiff(conv(vol), tiled3));
    }

    @Test
    void imagesSmallerThanATileArePaddedAndCropped() {
        INDArray img = random(5, 1, 2, 5, 7);
        AtomicInteger calls = new AtomicInteger();
        INDArray out = new SlidingWindow(new int[]{16, 16}, 0.5, SlidingWindow.Blend.GAUSSIAN, 0, 1, 0f).predict(img, t -> {
            calls.incrementAndGet();
            assertArrayEquals(new long[]{1, 2, 16, 16}, t.shape(), "the predictor always gets whole tiles");
            return t.sum(true, 1);
        }, Progress.NONE);
        assertEquals(1, calls.get());
        assertArrayEquals(new long[]{1, 1, 5, 7}, out.shape());
        assertEquals(0.0, maxDiff(img.sum(true, 1), out));
    }

    @Test
    void tilesCoverEveryVoxelForAnySize() {
        Random r = new Random(6);
        for (int trial = 0; trial < 200; trial++) {
            int tile = 1 + r.nextInt(20), stride = 1 + r.nextInt(tile), size = tile + r.nextInt(60);
            int[] p = SlidingWindow.positions(size, tile, stride);
            boolean[] covered = new boolean[size];
            for (int i = 0; i < p.length; i++) {
                assertTrue(p[i] >= 0 && p[i] + tile <= size, "inside");
                if (i > 0) assertTrue(p[i] > p[i - 1] && p[i] - p[i - 1] <= stride, "increasing, at most a stride apart");
                for (int k = p[i]; k < p[i] + tile; k++) covered[k] = true;
            }
            assertEquals(size - tile, p[p.length - 1], "last tile flush with the end");
            for (int k = 0; k < size; k++) assertTrue(covered[k], "size " + size + " tile " + tile + " stride " + stride + " voxel " + k);
        }
        // a constant predictor gives exactly that constant everywhere (0/0 would give NaN where no tile counted)
        INDArray ones = new SlidingWindow(new int[]{8, 6, 4}, 0.5, SlidingWindow.Blend.GAUSSIAN, 1, 1, 0f)
                .predict(Nd4j.zeros(DataType.FLOAT, 1, 1, 10, 13, 22), t -> Nd4j.ones(DataType.FLOAT, t.shape()), Progress.NONE);
        assertEquals(1.0, ones.minNumber().doubleValue(), 0);
        assertEquals(1.0, ones.maxNumber().doubleValue(), 0);
    }

    @Test
    void blendWindowsAreCentreHeavyAndPositive() {
        SlidingWindow g = new SlidingWindow(new int[]{32, 32}, 0.5, SlidingWindow.Blend.GAUSSIAN, 0, 1, 0f);
        double[] w = g.window(2);
        assertEquals(w[0], w[31], 1e-12);
        assertTrue(w[0] > 0 && w[0] < 1e-3 && w[15] > 0.99);
        double[] lin = new SlidingWindow(new int[]{10, 10}, 0.4, SlidingWindow.Blend.LINEAR, 0, 1, 0f).window(2);
        assertArrayEquals(new double[]{0.2, 0.4, 0.6, 0.8, 1, 1, 0.8, 0.6, 0.4, 0.2}, lin, 1e-12);
        assertThrows(UserInputException.class, () -> new SlidingWindow(new int[]{16, 16}, 0.05, SlidingWindow.Blend.GAUSSIAN, 2, 1, 0f));
        assertThrows(UserInputException.class, () -> new SlidingWindow(new int[]{16, 16}, 1.0));
        assertThrows(IllegalArgumentException.class,
                () -> new SlidingWindow(new int[]{8, 8}, 0.5).predict(Nd4j.zeros(1, 1, 4, 8, 8), POINTWISE, Progress.NONE));
    }
}
