package org.medsynth.image.preprocess;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PercentilesTest {

    /** numpy.percentile(a, p) with the default linear interpolation, by full sort. */
    private static double numpyStyle(float[] a, double p) {
        float[] s = a.clone();
        Arrays.sort(s);
        double rank = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - (double) s[lo]) * (rank - lo);
    }

    @Test
    void knownValuesOfAShuffledRange() {
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) a[i] = i;
        Random r = new Random(1);
        for (int i = a.length - 1; i > 0; i--) { int j = r.nextInt(i + 1); float t = a[i]; a[i] = a[j]; a[j] = t; }
        double[] p = Percentiles.of(new float[][]{a}, 0.5, 99.5, 0, 100, 50);
        // numpy.percentile(np.arange(1000), [0.5, 99.5, 0, 100, 50]) = [4.995, 994.005, 0, 999, 499.5]
        assertArrayEquals(new double[]{4.995, 994.005, 0, 999, 499.5}, p, 1e-9);
    }

    @Test
    void matchesSortedReferenceOnRandomDataWithTiesAndIgnoresNaN() {
        Random r = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + r.nextInt(3000);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = trial % 2 == 0 ? (float) r.nextGaussian() : r.nextInt(5); // many ties
            float[] withNaN = Arrays.copyOf(a, n + 3);
            withNaN[n] = Float.NaN;
            withNaN[n + 1] = Float.POSITIVE_INFINITY;
            withNaN[n + 2] = Float.NaN;
            // split over two arrays: percentiles are of all values together
            float[] first = Arrays.copyOfRange(withNaN, 0, withNaN.length / 2);
            float[] second = Arrays.copyOfRange(withNaN, withNaN.length / 2, withNaN.length);
            for (double p : new double[]{0, 0.5, 13.7, 50, 99.5, 100}) {
                double got = Percentiles.of(new float[][]{first, second}, p)[0];
                assertEquals(numpyStyle(a, p), got, 1e-6, "trial " + trial + " p " + p);
            }
        }
    }

    @Test
    void noFiniteValuesGivesNaN() {
        assertTrue(Double.isNaN(Percentiles.of(new float[][]{{Float.NaN}}, 50)[0]));
    }
}
