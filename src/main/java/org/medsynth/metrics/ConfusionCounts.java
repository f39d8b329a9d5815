package org.medsynth.metrics;

/**
 * Pixel (or voxel) counts of one class: true/false positives and negatives, and the overlap
 * metrics derived from them.
 * <p>
 * Undefined cases: Dice and IoU are 1 when truth and prediction are both empty (perfect
 * agreement that the class is absent, the common convention, e.g. in the BraTS evaluation) and 0
 * when only one of them is empty. Sensitivity is NaN when the truth has no positives, specificity
 * NaN when it has no negatives, precision NaN when nothing is predicted positive; means over
 * images skip NaN.
 */
public record ConfusionCounts(long tp, long fp, long tn, long fn) {

    /** The counts of one label of two label arrays of the same length (voxels equal to {@code label} are positive). */
    public static ConfusionCounts ofLabel(int[] truth, int[] prediction, int label) {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean t = truth[i] == label, p = prediction[i] == label;
            if (t && p) tp++;
            else if (p) fp++;
            else if (t) fn++;
        }
        return new ConfusionCounts(tp, fp, truth.length - tp - fp - fn, fn);
    }

    /** Dice, but NaN when the label is absent from truth and prediction (a mean over labels then skips it). */
    public double diceOrNaN() {
        return truthPositives() + predictedPositives() == 0 ? Double.NaN : dice();
    }

    public ConfusionCounts add(ConfusionCounts o) {
        return new ConfusionCounts(tp + o.tp, fp + o.fp, tn + o.tn, fn + o.fn);
    }

    public long total() {
        return tp + fp + tn + fn;
    }

    public long truthPositives() {
        return tp + fn;
    }

    public long predictedPositives() {
        return tp + fp;
    }

    /** 2 TP / (2 TP + FP + FN); 1 when truth and prediction are both empty. */
    public double dice() {
        long d = 2 * tp + fp + fn;
        return d == 0 ? 1.0 : 2.0 * tp / d;
    }

    /** TP / (TP + FP + FN) (Jaccard); 1 when truth and prediction are both empty. */
    public double iou() {
        long d = tp + fp + fn;
        return d == 0 ? 1.0 : (double) tp / d;
    }

    /** Sensitivity (recall, true positive rate) TP / (TP + FN); NaN without truth positives. */
    public double sensitivity() {
        return ratio(tp, tp + fn);
    }

    /** Specificity TN / (TN + FP); NaN without truth negatives. */
    public double specificity() {
        return ratio(tn, tn + fp);
    }

    /** Precision (positive predictive value) TP / (TP + FP); NaN when nothing is predicted positive. */
    public double precision() {
        return ratio(tp, tp + fp);
    }

    /** (TP + TN) / all; NaN for an empty region. */
    public double accuracy() {
        return ratio(tp + tn, total());
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
