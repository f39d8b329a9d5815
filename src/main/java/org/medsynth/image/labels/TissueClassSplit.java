package org.medsynth.image.labels;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.AutoThresholder;
import ij.process.ByteProcessor;
import ij.process.FloodFiller;
import ij.process.ImageProcessor;
import org.medsynth.core.UserInputException;

import java.util.Arrays;

/**
 * Splits the regions of an atlas (a parcellation such as the Brodmann areas, drawn over grey and white matter alike)
 * into tissue classes by the intensity of the image it was drawn on, so that a label map carries the anatomy a
 * label-to-image GAN has to draw: in a T1 image, voxels brighter than the white-matter threshold become the white-matter
 * label, voxels darker than the CSF threshold the CSF label (sulci, ventricles), the rest keep their region's label.
 * Unlabelled voxels enclosed by labelled ones in their slice (the brain's interior: ventricles, deep grey matter and
 * the white matter between them in an atlas of the cortex) are split the same way, their middle class becoming the
 * deep-grey-matter label; unlabelled voxels outside stay 0 (background, scalp, skull).
 *
 * <p>Thresholds are Otsu's (ImageJ's {@link AutoThresholder}, 256 bins between the smallest and largest value): the
 * white-matter threshold over the labelled voxels, then the CSF threshold over the labelled voxels at or below it.
 * Intensities are the image's calibrated values; NaN voxels keep their label.
 */
public final class TissueClassSplit {

    /** Label numbers of the new classes; 0 in {@link #split} means the next free number above the map's largest. */
    public record Classes(int white, int csf, int deep) { }

    /** A voxel brighter than {@code white} is white matter, one darker than {@code csf} CSF (image units). */
    public record Thresholds(double csf, double white) {
        public static final Thresholds AUTOMATIC = new Thresholds(Double.NaN, Double.NaN);
    }

    /** The split label map, the numbers and thresholds used, and the voxels that became each class. */
    public record Result(ImagePlus image, Classes classes, Thresholds thresholds, long white, long csf, long deep, long kept) { }

    private TissueClassSplit() { }

    public static Result split(ImagePlus labelMap, ImagePlus intensity, Classes wanted, Thresholds given) {
        LabelVolume labels = LabelVolume.from(labelMap);
        float[] v = intensities(intensity, labels);
        int[] in = labels.values();
        Classes ids = classNumbers(wanted, labels);
        boolean[] labelled = new boolean[in.length];
        for (int i = 0; i < in.length; i++) labelled[i] = in[i] > 0;
        double white = Double.isNaN(given.white()) ? otsu(v, labelled, Double.POSITIVE_INFINITY) : given.white();
        double csf = Double.isNaN(given.csf()) ? otsu(v, labelled, white) : given.csf();
        if (!(csf < white)) {
            throw new UserInputException("The CSF threshold (" + csf + ") must be below the white-matter threshold (" + white + ").");
        }
        boolean[] inside = enclosed(labelled, labels.width(), labels.height(), labels.depth());
        int[] out = in.clone();
        long nWhite = 0, nCsf = 0, nDeep = 0, kept = 0;
        for (int i = 0; i < in.length; i++) {
            if ((!labelled[i] && !inside[i]) || Float.isNaN(v[i])) continue;
            if (v[i] > white) {
                out[i] = ids.white();
                nWhite++;
            } else if (v[i] < csf) {
                out[i] = ids.csf();
                nCsf++;
            } else if (!labelled[i]) {
                out[i] = ids.deep();
                nDeep++;
            } else {
                kept++;
            }
        }
        ImagePlus image = labels.withValues(out, null).toImagePlus(baseTitle(labelMap.getTitle()) + "-tissue");
        return new Result(image, ids, new Thresholds(csf, white), nWhite, nCsf, nDeep, kept);
    }

    /** The image's calibrated values in the label map's voxel order, after checking that the two match. */
    private static float[] intensities(ImagePlus imp, LabelVolume labels) {
        if (imp == null) throw new UserInputException("No intensity image given: give the image the label map was drawn on.");
        if (imp.getBitDepth() == 24 || imp.getNChannels() > 1 || imp.getNFrames() > 1) {
            throw new UserInputException("The intensity image '" + imp.getTitle() + "' must be a single-channel grey image (8, 16"
                    + " or 32 bit) with one frame; convert it with Image > Type or split its channels.");
        }
        if (imp.getWidth() != labels.width() || imp.getHeight() != labels.height() || imp.getStackSize() != labels.depth()) {
            throw new UserInputException("The label map '" + labels.title() + "' is " + labels.width() + " x " + labels.height()
                    + " x " + labels.depth() + " voxels but the intensity image '" + imp.getTitle() + "' is " + imp.getWidth()
                    + " x " + imp.getHeight() + " x " + imp.getStackSize() + ": give the image the label map was drawn on.");
        }
        Calibration cal = imp.getCalibration();
        boolean floats = imp.getBitDepth() == 32;
        int plane = labels.width() * labels.height();
        float[] v = new float[labels.size()];
        ImageStack stack = imp.getStack();
        for (int z = 0; z < labels.depth(); z++) {
            ImageProcessor ip = stack.getProcessor(z + 1);
            for (int i = 0; i < plane; i++) v[z * plane + i] = floats ? ip.getf(i) : (float) cal.getCValue(ip.get(i));
        }
        return v;
    }

    private static Classes classNumbers(Classes wanted, LabelVolume labels) {
        int next = Math.max(labels.max(), 0) + 1;
        int white = wanted.white() > 0 ? wanted.white() : next++;
        int csf = wanted.csf() > 0 ? wanted.csf() : next++;
        int deep = wanted.deep() > 0 ? wanted.deep() : next;
        Classes ids = new Classes(white, csf, deep);
        if (white == csf || white == deep || csf == deep) {
            throw new UserInputException("The white-matter, CSF and deep-grey-matter labels must differ; got " + white + ", " + csf
                    + " and " + deep + " (0 = the next free number).");
        }
        for (int id : new int[]{white, csf, deep}) {
            if (id < 0) throw new UserInputException("Label numbers must be positive; got " + id + ".");
            if (labels.count(id) > 0) {
                throw new UserInputException("Label " + id + " is already a region of '" + labels.title() + "': choose a number the"
                        + " map does not use, or 0 for the next free one (" + (labels.max() + 1) + ").");
            }
        }
        return ids;
    }

    /**
     * Otsu's threshold of the values at {@code mask} voxels that are at most {@code below}, as a value: voxels above it
     * are the brighter class.
     */
    static double otsu(float[] v, boolean[] mask, double below) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            if (mask[i] && !Float.isNaN(v[i]) && v[i] <= below) {
                lo = Math.min(lo, v[i]);
                hi = Math.max(hi, v[i]);
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            throw new UserInputException("The label map has no labelled voxels (values > 0) with an intensity"
                    + (below == Double.POSITIVE_INFINITY ? "" : " at or below " + below) + ": nothing to split.");
        }
        if (hi == lo) {
            throw new UserInputException("All labelled voxels have the intensity " + lo + ": the image has no tissue contrast to split by.");
        }
        int[] histogram = new int[256];
        double binWidth = (hi - lo) / 256;
        for (int i = 0; i < v.length; i++) {
            if (mask[i] && !Float.isNaN(v[i]) && v[i] <= below) histogram[Math.min(255, (int) ((v[i] - lo) / binWidth))]++;
        }
        int bin = new AutoThresholder().getThreshold(AutoThresholder.Method.Otsu, histogram);
        return lo + (bin + 1) * binWidth; // the upper edge of the last bin of the darker class
    }

    /** Unlabelled voxels that a slice's labelled voxels enclose (not reachable from the slice's border, 4-connected). */
    static boolean[] enclosed(boolean[] labelled, int w, int h, int d) {
        boolean[] inside = new boolean[labelled.length];
        int plane = w * h;
        for (int z = 0; z < d; z++) {
            byte[] px = new byte[plane];
            for (int i = 0; i < plane; i++) px[i] = labelled[z * plane + i] ? (byte) 255 : 0;
            ByteProcessor ip = new ByteProcessor(w, h, px);
            ip.setValue(128);
            FloodFiller filler = new FloodFiller(ip);
            for (int x = 0; x < w; x++) {
                if (ip.get(x, 0) == 0) filler.fill(x, 0);
                if (ip.get(x, h - 1) == 0) filler.fill(x, h - 1);
            }
            for (int y = 0; y < h; y++) {
                if (ip.get(0, y) == 0) filler.fill(0, y);
                if (ip.get(w - 1, y) == 0) filler.fill(w - 1, y);
            }
            for (int i = 0; i < plane; i++) inside[z * plane + i] = px[i] == 0;
        }
        return inside;
    }

    private static String baseTitle(String title) {
        String t = title == null ? "labels" : title;
        for (String ext : Arrays.asList(".nii.gz", ".nii", ".tif", ".tiff")) {
            if (t.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) return t.substring(0, t.length() - ext.length());
        }
        return t;
    }
}
