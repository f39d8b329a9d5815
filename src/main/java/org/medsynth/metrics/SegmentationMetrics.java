package org.medsynth.metrics;

import ij.ImagePlus;
import ij.ImageStack;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * Segmentation metrics of both papers: per class Dice, sensitivity (SEN), specificity, accuracy
 * (ACC), IoU and ROC AUC, in 2D or 3D (an image is a flat array of all its pixels or voxels),
 * optionally restricted to a field-of-view mask (DRIVE scores only inside the FOV). See
 * {@link ConfusionCounts} for the conventions of undefined values and {@link RocCurve} for the AUC.
 */
public final class SegmentationMetrics {

    private SegmentationMetrics() { }

    /** The metrics of one class of one image; {@code roc} is null when no scores were given. */
    public record ClassResult(String className, ConfusionCounts counts, RocCurve roc) {
        public double auc() {
            return roc == null ? Double.NaN : roc.auc();
        }
    }

    /** Counts of a binary truth and prediction inside {@code mask} (null = everywhere). */
    public static ConfusionCounts confusion(boolean[] truth, boolean[] prediction, boolean[] mask) {
        if (truth.length != prediction.length || (mask != null && mask.length != truth.length)) {
            throw new IllegalArgumentException("truth, prediction and mask differ in length");
        }
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < truth.length; i++) {
            if (mask != null && !mask[i]) continue;
            if (truth[i]) {
                if (prediction[i]) tp++;
                else fn++;
            } else {
                if (prediction[i]) fp++;
                else tn++;
            }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /**
     * Scores every class of one image pair.
     * @param truth      truth labels (or a binary mask), one value per pixel/voxel
     * @param prediction predicted labels, same length
     * @param scores     per class its score array (probability of that class), or null entries /
     *                   a null list where there is none
     * @param mask       field of view, or null
     */
    public static List<ClassResult> evaluate(float[] truth, float[] prediction, List<SegmentationClasses.ClassDef> classes,
                                             List<float[]> scores, boolean[] mask) {
        if (truth.length != prediction.length) {
            throw new UserInputException("Truth and prediction differ in size (" + truth.length + " vs "
                    + prediction.length + " pixels).");
        }
        List<ClassResult> out = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            SegmentationClasses.ClassDef cls = classes.get(c);
            boolean[] t = cls.members(truth);
            ConfusionCounts counts = confusion(t, cls.members(prediction), mask);
            float[] s = scores == null ? null : scores.get(c);
            RocCurve roc = s == null ? null : RocCurve.compute(s, t, mask);
            out.add(new ClassResult(cls.name(), counts, roc));
        }
        return out;
    }

    /** All pixels/voxels of a single-channel image or volume, as float (8/16/32-bit; RGB refused). */
    public static float[] voxels(ImagePlus imp, String what) {
        if (imp.getBitDepth() == 24) {
            throw new UserInputException(what + " (" + imp.getTitle() + ") is an RGB image. Masks, label images and "
                    + "probability maps must be 8-, 16- or 32-bit grey (Image>Type>8-bit).");
        }
        if (imp.getNChannels() > 1) {
            throw new UserInputException(what + " (" + imp.getTitle() + ") has " + imp.getNChannels()
                    + " channels; a mask or label image has one. Split the channels (Image>Color>Split Channels).");
        }
        return planes(imp, 1, what);
    }

    /** All voxels of channel {@code channel} (1-based) of a possibly multi-channel image. */
    public static float[] channelVoxels(ImagePlus imp, int channel, String what) {
        if (imp.getBitDepth() == 24) {
            throw new UserInputException(what + " (" + imp.getTitle() + ") is an RGB image; probability maps must be "
                    + "8-, 16- or 32-bit grey, one channel per class.");
        }
        return planes(imp, channel, what);
    }

    private static float[] planes(ImagePlus imp, int channel, String what) {
        int nz = imp.getNSlices() * imp.getNFrames();
        int plane = imp.getWidth() * imp.getHeight();
        long total = (long) plane * nz;
        if (total > Integer.MAX_VALUE - 8) {
            throw new UserInputException(what + " is too large (" + total + " voxels); crop it into parts.");
        }
        float[] out = new float[(int) total];
        ImageStack stack = imp.getStack();
        int k = 0;
        for (int t = 1; t <= imp.getNFrames(); t++) {
            for (int z = 1; z <= imp.getNSlices(); z++) {
                int idx = imp.getStackIndex(channel, z, t);
                ij.process.ImageProcessor ip = stack.getProcessor(idx);
                for (int i = 0; i < plane; i++) out[k * plane + i] = ip.getf(i);
                k++;
            }
        }
        return out;
    }

    /** A field-of-view mask: non-zero = inside; refuses masks with more than two values. */
    public static boolean[] fieldOfView(ImagePlus imp) {
        float[] v = voxels(imp, "The mask");
        SegmentationClasses.checkBinary(v, "The mask " + imp.getTitle());
        boolean[] m = new boolean[v.length];
        int inside = 0;
        for (int i = 0; i < v.length; i++) if (m[i] = v[i] != 0) inside++;
        if (inside == 0) {
            throw new UserInputException("The mask " + imp.getTitle() + " is empty (all 0): no pixel would be evaluated. "
                    + "The mask marks the field of view with non-zero values.");
        }
        return m;
    }
}
