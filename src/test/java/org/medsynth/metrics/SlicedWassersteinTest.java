package org.medsynth.metrics;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlicedWassersteinTest {

    /** The same images as make_set() in src/test/python/swd_reference.py. */
    static List<ImageChannels> makeSet(int n, int c, int w, int h, long seed, int pattern) {
        Random rnd = new Random(seed);
        List<ImageChannels> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            float[][] ch = new float[c][w * h];
            for (int cc = 0; cc < c; cc++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        ch[cc][y * w + x] = (x * 3 + y * pattern + 17 * k + 40 * cc) % 200 + rnd.nextInt(56);
                    }
                }
            }
            out.add(new ImageChannels(w, h, ch));
        }
        return out;
    }

    static SlicedWasserstein.Result swd(List<ImageChannels> a, List<ImageChannels> b, long seed) {
        ImageChannels first = a.get(0);
        SlicedWasserstein m = new SlicedWasserstein(first.width(), first.height(), first.channelCount(), seed);
        SlicedWasserstein.DescriptorSet sa = m.newSet(), sb = m.newSet();
        a.forEach(sa::add);
        b.forEach(sb::add);
        return m.distance(sa, sb);
    }

    @Test
    void matchesNumpyPortOfPggan() {
        List<String> lines = ReferenceFiles.lines("swd_reference.txt");
        assertEquals(2, lines.size());
        for (String line : lines) {
            String[] parts = line.split(":");
            String[] p = parts[0].trim().split("\\s+");
            int c = Integer.parseInt(p[1]), w = Integer.parseInt(p[2]), h = Integer.parseInt(p[3]);
            List<ImageChannels> real = makeSet(Integer.parseInt(p[4]), c, w, h, Long.parseLong(p[6]), Integer.parseInt(p[8]));
            List<ImageChannels> fake = makeSet(Integer.parseInt(p[5]), c, w, h, Long.parseLong(p[7]), Integer.parseInt(p[9]));
            double[] expected = ReferenceFiles.doubles(parts[1]);
            SlicedWasserstein.Result r = swd(real, fake, Long.parseLong(p[10]));
            assertEquals(expected.length - 1, r.perLevel().length, p[0]);
            for (int l = 0; l < r.perLevel().length; l++) {
                assertEquals(expected[l], r.perLevel()[l], 1e-4 * expected[l], p[0] + " level " + l);
            }
            assertEquals(expected[expected.length - 1], r.mean(), 1e-4 * r.mean(), p[0] + " mean");
            assertEquals(r.mean() * 1e3, r.meanX1e3(), 1e-9);
        }
    }

    @Test
    void levelsFollowPggan() {
        assertArrayEquals(new int[] {256, 128, 64, 32, 16}, new SlicedWasserstein(256, 256, 3, 0).resolutions());
        SlicedWasserstein odd = new SlicedWasserstein(565, 584, 3, 0);
        assertArrayEquals(new int[] {544, 272, 136, 68, 34, 17}, odd.resolutions());
        assertArrayEquals(new int[] {10, 4, 544, 576}, odd.cropRegion());
    }

    @Test
    void zeroForIdenticalSetsAndGrowingWithAShift() {
        List<ImageChannels> real = makeSet(4, 1, 64, 64, 1, 2);
        assertEquals(0.0, swd(real, real, 3).mean(), 0.0);
        double previous = 0;
        for (double sigma : new double[] {5, 20, 60}) {
            Random rnd = new Random(9);
            List<ImageChannels> noisy = new ArrayList<>();
            for (ImageChannels im : real) {
                float[] v = im.channels()[0].clone();
                for (int i = 0; i < v.length; i++) v[i] += (float) (sigma * rnd.nextGaussian());
                noisy.add(new ImageChannels(64, 64, new float[][] {v}));
            }
            double d = swd(real, noisy, 3).mean();
            assertTrue(d > previous, "SWD should grow with the noise: sigma " + sigma + " gave " + d + " after " + previous);
            previous = d;
        }
    }

    @Test
    void sameSeedSameResult() {
        List<ImageChannels> a = makeSet(3, 3, 32, 32, 1, 2), b = makeSet(3, 3, 32, 32, 2, 4);
        assertEquals(swd(a, b, 42).mean(), swd(a, b, 42).mean(), 0.0);
    }

    @Test
    void unequalSizesGiveExactWasserstein() {
        float[] a = {0, 1, 2, 3}, b = {0, 2};
        // Q_a = 0,1,2,3 on quarters; Q_b = 0 on [0,.5), 2 on [.5,1): |0-0|+|1-0|+|2-2|+|3-2| = 2 quarters
        assertEquals(0.5, SlicedWasserstein.wasserstein1Sorted(a, b), 1e-12);
        assertEquals(0.5, SlicedWasserstein.wasserstein1Sorted(b, a), 1e-12);
    }

    @Test
    void mirrorBordersAsScipy() {
        int[] expected = {2, 1, 0, 1, 2, 3, 4, 3, 2};
        for (int i = -2; i <= 6; i++) assertEquals(expected[i + 2], SlicedWasserstein.mirror(i, 5));
    }

    @Test
    void refusesMismatchedImages() {
        SlicedWasserstein m = new SlicedWasserstein(32, 32, 1, 0);
        SlicedWasserstein.DescriptorSet s = m.newSet();
        UserInputException e = assertThrows(UserInputException.class,
                () -> s.add(new ImageChannels(40, 32, new float[][] {new float[40 * 32]})));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
        assertThrows(UserInputException.class, () -> s.add(new ImageChannels(32, 32, new float[3][32 * 32])));
        assertThrows(UserInputException.class, () -> new SlicedWasserstein(12, 40, 1, 0));
        assertThrows(UserInputException.class, () -> m.distance(m.newSet(), m.newSet()));
    }
}
