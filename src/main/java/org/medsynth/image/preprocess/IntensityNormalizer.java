package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import org.medsynth.image.bridge.FloatImage;
import org.medsynth.image.bridge.ImgBridge;

/**
 * Clips intensities - at two percentiles, or at a fixed {@link IntensityWindow} - and normalises
 * them, per channel, with statistics taken over the whole image or volume of that channel (all
 * slices and frames). Values are the calibrated ones (HU for a CT with a calibration function).
 * The input is never modified; the result is a 32-bit image with the input's dimensions and
 * spatial calibration.
 * <p>
 * With a window the clipping bounds are the window's ends for every image: {@link Normalization#UNIT}
 * and {@link Normalization#SYMMETRIC} map the window onto [0, 1] / [-1, 1] (a fixed map, the same
 * for all images), {@link Normalization#ZSCORE} takes mean and standard deviation of the windowed
 * (clipped) values of each image, {@link Normalization#NONE} leaves the clipped calibrated values.
 *
 * @param lowPercentile  lower clipping percentile (0 = the minimum, i.e. no clipping below); must be 0 with a window
 * @param highPercentile upper clipping percentile (100 = the maximum, i.e. no clipping above); must be 100 with a window
 * @param window         fixed clipping window in calibrated units, used instead of the percentiles; null = none
 */
public record IntensityNormalizer(double lowPercentile, double highPercentile, Normalization normalization, IntensityWindow window) {

    /** Statistics of one channel: clipping bounds, and mean and standard deviation of the clipped values. */
    public record Stats(double low, double high, double mean, double std) { }

    public IntensityNormalizer {
        if (!(lowPercentile >= 0 && highPercentile <= 100 && lowPercentile < highPercentile)) {
            throw new IllegalArgumentException("Clipping percentiles must satisfy 0 <= low < high <= 100, got "
                    + lowPercentile + " and " + highPercentile + ".");
        }
        if (normalization == null) normalization = Normalization.NONE;
        if (window != null && (lowPercentile > 0 || highPercentile < 100)) {
            throw new IllegalArgumentException("a window replaces percentile clipping: use percentiles 0 and 100 with a window");
        }
    }

    /** Percentile clipping (no window). */
    public IntensityNormalizer(double lowPercentile, double highPercentile, Normalization normalization) {
        this(lowPercentile, highPercentile, normalization, null);
    }

    /** Clipping at a fixed window, then {@code normalization}. */
    public static IntensityNormalizer windowed(IntensityWindow window, Normalization normalization) {
        if (window == null) throw new IllegalArgumentException("no window");
        return new IntensityNormalizer(0, 100, normalization, window);
    }

    /** The clipping bounds (the window, or the percentiles) and statistics of the finite values of the given planes. */
    public Stats measure(float[][] planes) {
        double[] bounds = window != null ? new double[]{window.low(), window.high()}
                : Percentiles.of(planes, lowPercentile, highPercentile);
        double lo = bounds[0], hi = bounds[1];
        double sum = 0, sumSq = 0;
        long n = 0;
        for (float[] p : planes) {
            for (float v : p) {
                if (!Float.isFinite(v)) continue;
                double c = Math.min(hi, Math.max(lo, v));
                sum += c;
                n++;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        for (float[] p : planes) {
            for (float v : p) {
                if (!Float.isFinite(v)) continue;
                double d = Math.min(hi, Math.max(lo, v)) - mean;
                sumSq += d * d;
            }
        }
        double std = n == 0 ? 0 : Math.sqrt(sumSq / n);
        return new Stats(lo, hi, mean, std);
    }

    /** Clips and normalises one value with the given statistics (NaN stays NaN). */
    public float apply(float v, Stats s) {
        double c = Math.min(s.high(), Math.max(s.low(), v));
        double range = s.high() - s.low();
        switch (normalization) {
            case ZSCORE:
                return (float) (s.std() > 0 ? (c - s.mean()) / s.std() : c - s.mean());
            case UNIT:
                return (float) (range > 0 ? (c - s.low()) / range : 0);
            case SYMMETRIC:
                return (float) (range > 0 ? 2 * (c - s.low()) / range - 1 : 0);
            default:
                return (float) c;
        }
    }

    /** The clipped, normalised 32-bit copy of {@code image} (channels handled separately). */
    public ImagePlus apply(ImagePlus image) {
        FloatImage fi = ImgBridge.toFloatImage(image);
        int c = fi.channels(), z = fi.depth(), t = fi.frames();
        float[][][] out = new float[c][][];
        for (int ci = 0; ci < c; ci++) {
            float[][] planes = new float[z * t][];
            for (int ti = 0; ti < t; ti++) for (int zi = 0; zi < z; zi++) planes[ti * z + zi] = fi.plane(ci, zi, ti);
            Stats s = measure(planes);
            out[ci] = new float[planes.length][];
            for (int i = 0; i < planes.length; i++) {
                float[] src = planes[i], dst = new float[src.length];
                for (int k = 0; k < src.length; k++) dst[k] = apply(src[k], s);
                out[ci][i] = dst;
            }
        }
        ImageStack stack = new ImageStack(fi.width(), fi.height());
        for (int ti = 0; ti < t; ti++)
            for (int zi = 0; zi < z; zi++)
                for (int ci = 0; ci < c; ci++) stack.addSlice(new FloatProcessor(fi.width(), fi.height(), out[ci][ti * z + zi]));
        ImagePlus result = new ImagePlus(image.getTitle(), stack);
        result.setDimensions(c, z, t);
        if (c > 1 || t > 1) result.setOpenAsHyperStack(true);
        Calibration cal = image.getCalibration().copy();
        cal.disableDensityCalibration();
        result.setCalibration(cal);
        return result;
    }
}
