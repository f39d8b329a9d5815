package org.medsynth.image.preprocess;

/**
 * Percentiles of float data, defined as numpy's default ("linear"): the value at fractional rank
 * {@code p / 100 * (n - 1)} of the sorted finite values, interpolated between its two neighbours.
 * Uses selection (expected linear time) on a copy, so large volumes need no full sort.
 */
public final class Percentiles {

    private Percentiles() { }

    /**
     * The percentiles {@code ps} (each 0..100) of the finite values of all arrays together.
     * Returns NaN for each percentile when there is no finite value.
     */
    public static double[] of(float[][] arrays, double... ps) {
        int n = 0;
        for (float[] a : arrays) for (float v : a) if (Float.isFinite(v)) n++;
        float[] work = new float[n];
        int k = 0;
        for (float[] a : arrays) for (float v : a) if (Float.isFinite(v)) work[k++] = v;
        double[] out = new double[ps.length];
        for (int i = 0; i < ps.length; i++) {
            double p = ps[i];
            if (!(p >= 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in 0..100: " + p);
            if (n == 0) {
                out[i] = Double.NaN;
                continue;
            }
            double rank = p / 100.0 * (n - 1);
            int lo = (int) Math.floor(rank);
            double frac = rank - lo;
            double a = select(work, lo);
            double b = frac > 0 ? minAbove(work, lo) : a;
            out[i] = a + (b - a) * frac;
        }
        return out;
    }

    /** After this, work[k] holds the k-th smallest value, smaller ones before it, larger after. */
    static float select(float[] work, int k) {
        int left = 0, right = work.length - 1;
        while (left < right) {
            float pivot = median3(work[left], work[(left + right) >>> 1], work[right]);
            int i = left, j = right;
            while (i <= j) {
                while (work[i] < pivot) i++;
                while (work[j] > pivot) j--;
                if (i <= j) {
                    float t = work[i];
                    work[i] = work[j];
                    work[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else break;
        }
        return work[k];
    }

    /** The smallest value after position k (call after {@link #select}). */
    private static float minAbove(float[] work, int k) {
        float m = Float.POSITIVE_INFINITY;
        for (int i = k + 1; i < work.length; i++) if (work[i] < m) m = work[i];
        return m == Float.POSITIVE_INFINITY ? work[k] : m;
    }

    private static float median3(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
