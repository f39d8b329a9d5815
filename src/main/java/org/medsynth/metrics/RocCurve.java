package org.medsynth.metrics;

import java.util.Arrays;

/**
 * The ROC curve of a score (probability) map against a binary truth, and its exact area.
 * <p>
 * The area is the Mann-Whitney statistic: the probability that a random positive scores higher
 * than a random negative, ties counting one half. It equals the trapezoidal area under the full
 * curve (one point per distinct score, as scikit-learn's {@code roc_auc_score}) and is computed
 * exactly from the sorted scores, without binning. It is NaN when the truth has no positives or
 * no negatives.
 *
 * @param fpr false positive rates, from 0 to 1
 * @param tpr true positive rates, from 0 to 1
 * @param thresholds the score at or above which a pixel counts as positive for each point
 *                   (the first point's threshold is +infinity)
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds, double auc, long positives, long negatives) {

    /**
     * @param scores score per pixel (higher = more likely positive); must be finite inside the mask
     * @param truth  true class per pixel
     * @param mask   pixels to use, or null for all
     */
    public static RocCurve compute(float[] scores, boolean[] truth, boolean[] mask) {
        if (scores.length != truth.length || (mask != null && mask.length != truth.length)) {
            throw new IllegalArgumentException("scores, truth and mask differ in length");
        }
        int np = 0, nn = 0;
        for (int i = 0; i < truth.length; i++) {
            if (mask != null && !mask[i]) continue;
            if (Float.isNaN(scores[i])) throw new IllegalArgumentException("NaN score at index " + i);
            if (truth[i]) np++;
            else nn++;
        }
        float[] pos = new float[np], neg = new float[nn];
        np = 0;
        nn = 0;
        for (int i = 0; i < truth.length; i++) {
            if (mask != null && !mask[i]) continue;
            if (truth[i]) pos[np++] = scores[i];
            else neg[nn++] = scores[i];
        }
        return fromSorted(sorted(pos), sorted(neg));
    }

    /** The curve from positive and negative scores, each sorted ascending. */
    public static RocCurve fromSorted(float[] pos, float[] neg) {
        int np = pos.length, nn = neg.length;
        double auc = area(pos, neg);
        // walk thresholds from the highest distinct score down
        int pointsMax = np + nn + 1;
        double[] fpr = new double[pointsMax], tpr = new double[pointsMax], thr = new double[pointsMax];
        int k = 0;
        fpr[k] = 0;
        tpr[k] = 0;
        thr[k++] = Double.POSITIVE_INFINITY;
        int i = np - 1, j = nn - 1;
        while (i >= 0 || j >= 0) {
            float t = Math.max(i >= 0 ? pos[i] : Float.NEGATIVE_INFINITY, j >= 0 ? neg[j] : Float.NEGATIVE_INFINITY);
            while (i >= 0 && pos[i] == t) i--;
            while (j >= 0 && neg[j] == t) j--;
            tpr[k] = np == 0 ? Double.NaN : (double) (np - 1 - i) / np;
            fpr[k] = nn == 0 ? Double.NaN : (double) (nn - 1 - j) / nn;
            thr[k++] = t;
        }
        return new RocCurve(Arrays.copyOf(fpr, k), Arrays.copyOf(tpr, k), Arrays.copyOf(thr, k), auc, np, nn);
    }

    /** Exact Mann-Whitney AUC of sorted positive and negative scores (ties count 1/2). */
    public static double area(float[] pos, float[] neg) {
        if (pos.length == 0 || neg.length == 0) return Double.NaN;
        long twice = 0; // 2 * (number of pairs pos > neg) + (number of tied pairs)
        int lo = 0, hi = 0; // neg[0..lo) < v ; neg[0..hi) <= v
        for (int i = 0; i < pos.length; ) {
            float v = pos[i];
            int run = 0;
            while (i < pos.length && pos[i] == v) {
                i++;
                run++;
            }
            while (lo < neg.length && neg[lo] < v) lo++;
            if (hi < lo) hi = lo;
            while (hi < neg.length && neg[hi] <= v) hi++;
            twice += run * (2L * lo + (hi - lo));
        }
        return twice / (2.0 * pos.length * (double) neg.length);
    }

    /** At most {@code max} points of the curve (first and last kept), for plotting. */
    public double[][] thinned(int max) {
        int n = fpr.length;
        if (n <= max) return new double[][] {fpr.clone(), tpr.clone()};
        double[] x = new double[max], y = new double[max];
        for (int k = 0; k < max; k++) {
            int idx = (int) Math.round((double) k * (n - 1) / (max - 1));
            x[k] = fpr[idx];
            y[k] = tpr[idx];
        }
        return new double[][] {x, y};
    }

    private static float[] sorted(float[] a) {
        Arrays.sort(a);
        return a;
    }
}
