package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.medsynth.core.UserInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fixed intensity window {@code [low, high]} in CALIBRATED units (Hounsfield units for CT): the
 * values ImageJ shows for a pixel, i.e. after the image's calibration function (a signed 16-bit
 * image's -32768 offset, a DICOM rescale slope and intercept, a NIfTI scl_slope/scl_inter). 32-bit
 * images have no calibration function in ImageJ, so their pixel values are taken as they are.
 * <p>
 * Used instead of percentile clipping: every value is clipped to the window, and the normalisation
 * maps the window itself (not the image's own range) onto its target range, so a given HU gives the
 * same network input in every image.
 */
public record IntensityWindow(double low, double high) {

    /**
     * Standard radiological CT windows (width / level in HU), by name. "abdomen" is the soft-tissue
     * window W400/L40 used by most liver-segmentation work (LiTS pipelines, the phantoms' display range).
     */
    private static final Map<String, IntensityWindow> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("abdomen", new IntensityWindow(-160, 240));  // W400 L40
        PRESETS.put("liver", new IntensityWindow(-45, 105));     // W150 L30
        PRESETS.put("brain", new IntensityWindow(0, 80));        // W80 L40
        PRESETS.put("lung", new IntensityWindow(-1350, 150));    // W1500 L-600
        PRESETS.put("bone", new IntensityWindow(-500, 1300));    // W1800 L400
    }

    /** The choices of a command's {@code window} key: "none" and the preset names. */
    public static final List<String> CHOICES = List.of("none", "abdomen", "liver", "brain", "lung", "bone");

    public IntensityWindow {
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            throw new UserInputException("The intensity window needs two finite numbers (got " + low + " and " + high + ").");
        }
        if (!(low < high)) {
            throw new UserInputException("The intensity window's lower end (" + fmt(low) + ") must be below its upper end ("
                    + fmt(high) + "), e.g. window_low=-160 window_high=240 for an abdominal CT window.");
        }
    }

    /** The preset of that name (see {@link #CHOICES}); null for "none" or an empty name. */
    public static IntensityWindow preset(String name) {
        String k = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        int space = k.indexOf(' ');
        if (space > 0) k = k.substring(0, space);  // "abdomen (-160..240 HU)" as shown in descriptions
        if (k.isEmpty() || k.equals("none")) return null;
        IntensityWindow w = PRESETS.get(k);
        if (w == null) {
            throw new UserInputException("Unknown window '" + name + "'. Use one of " + CHOICES
                    + ", or give the window in calibrated units with window_low and window_high.");
        }
        return w;
    }

    /** "abdomen (-160..240), liver (-45..105), ..." for help texts. */
    public static String presetList() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, IntensityWindow> e : PRESETS.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(" (").append(e.getValue().describe()).append(")");
        }
        return sb.toString();
    }

    /**
     * The window a command's options ask for, or null for none.
     * <ul>
     * <li>{@code low} and {@code high} (text, calibrated units): both empty, "NaN" or "none" = not given;
     *     equal numbers = no window; only one given, or low &gt; high, is refused with what to do;</li>
     * <li>{@code preset} ("none" or a name of {@link #CHOICES}) is used when the numbers are not given;
     *     a preset that disagrees with given numbers is refused.</li>
     * </ul>
     */
    public static IntensityWindow fromOptions(String preset, String low, String high) {
        double lo = number("window_low", low), hi = number("window_high", high);
        IntensityWindow fromPreset = preset(preset);
        if (Double.isNaN(lo) && Double.isNaN(hi)) return fromPreset;
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            throw new UserInputException("Give both window_low and window_high (in calibrated units, HU for CT), e.g. "
                    + "window_low=-160 window_high=240, or neither for no window; only "
                    + (Double.isNaN(lo) ? "window_high" : "window_low") + " was given.");
        }
        if (lo == hi) {
            if (fromPreset != null) {
                throw new UserInputException("window=" + preset.trim() + " asks for the window " + fromPreset.describe()
                        + " but window_low = window_high = " + fmt(lo) + " switches the window off; give only one of them.");
            }
            return null;
        }
        if (lo > hi) {
            throw new UserInputException("window_low (" + fmt(lo) + ") must be below window_high (" + fmt(hi) + "), e.g. "
                    + "window_low=-160 window_high=240 for an abdominal CT window; leave both empty for no window.");
        }
        IntensityWindow w = new IntensityWindow(lo, hi);
        if (fromPreset != null && !fromPreset.equals(w)) {
            throw new UserInputException("window=" + preset.trim() + " (" + fromPreset.describe() + ") and window_low/window_high ("
                    + w.describe() + ") disagree; give either the preset or the two numbers.");
        }
        return w;
    }

    private static double number(String key, String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("nan") || t.equalsIgnoreCase("none")) return Double.NaN;
        try {
            double v = Double.parseDouble(t);
            if (Double.isInfinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new UserInputException(key + " must be a number in calibrated units (HU for CT), e.g. " + key + "="
                    + (key.endsWith("low") ? "-160" : "240") + ", or empty for no window; '" + t + "' is not one.");
        }
    }

    /** The value clipped to the window (NaN stays NaN). */
    public double clip(double v) {
        return Math.min(high, Math.max(low, v));
    }

    /** Below this share of voxels inside the window, an image is probably uncalibrated (see {@link #warning}). */
    public static final double MIN_SHARE = 0.01;

    /**
     * The share (0..1) of the finite calibrated values of an image (all channels, slices and frames) that
     * lie inside the window; 0 for an image without finite values, 1 for RGB (the window is for grey values).
     */
    public double shareInside(ImagePlus image) {
        if (image.getBitDepth() == 24) return 1;
        Calibration cal = image.getCalibration();
        float[] table = image.getBitDepth() != 32 && cal.calibrated() ? cal.getCTable() : null;
        long in = 0, n = 0;
        ImageStack stack = image.getStack();
        for (int s = 1; s <= stack.getSize(); s++) {
            ImageProcessor ip = stack.getProcessor(s);
            boolean isFloat = ip instanceof FloatProcessor;
            for (int i = 0, size = ip.getPixelCount(); i < size; i++) {
                float v;
                if (isFloat) {
                    v = ip.getf(i);
                } else {
                    int raw = ip.get(i);
                    v = table != null && raw < table.length ? table[raw] : raw;
                }
                if (!Float.isFinite(v)) continue;
                n++;
                if (v >= low && v <= high) in++;
            }
        }
        return n == 0 ? 0 : (double) in / n;
    }

    /**
     * Null when at least {@link #MIN_SHARE} of the image's voxels lie inside the window; otherwise what is wrong
     * and what to check (the usual cause: an image without its calibration function, so raw values instead of HU).
     */
    public String warning(ImagePlus image) {
        double share = shareInside(image);
        if (share >= MIN_SHARE) return null;
        return String.format(Locale.ROOT, "only %.1f%% of the voxels of %s lie inside the intensity window %s; check that the image is "
                + "calibrated (Image>Show Info shows the calibration function; a CT should give HU, set it with Analyze>Calibrate...) "
                + "and that the window suits it", 100 * share, image.getTitle(), describe());
    }

    /** "-160..240". */
    public String describe() {
        return fmt(low) + ".." + fmt(high);
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
