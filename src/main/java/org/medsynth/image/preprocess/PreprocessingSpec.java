package org.medsynth.image.preprocess;

import org.medsynth.core.UserInputException;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Preprocessor} does to an image (and its label map), stored with a model so that
 * inference repeats exactly what training did. Every step is optional:
 * <ul>
 * <li>an intensity window {@code [low, high]} in calibrated units (HU for CT; see {@link IntensityWindow}):
 *     off when null. It REPLACES percentile clipping (the percentiles must then be 0 and 100), and the
 *     normalisation maps the window, not each image's own range: -1to1 / 0to1 map low..high onto
 *     [-1, 1] / [0, 1], zscore standardises the windowed values of each image;</li>
 * <li>clipping at two percentiles: off when they are 0 and 100 (clipping at min and max changes nothing);</li>
 * <li>normalisation: {@link Normalization#NONE} switches it off;</li>
 * <li>in-plane resize: off when width and height are 0;</li>
 * <li>organ-centred slice crop (training only, it needs the label map): off when cropSlices is 0.</li>
 * </ul>
 *
 * In a model's manifest (see {@link #toMap()}) the window is the pair of keys {@code window_low} and
 * {@code window_high}, written only when there is a window: a spec without a window gives exactly the
 * map of earlier MedSynth versions, and maps without the keys (all models written before the window
 * existed) read as "no window". {@link #VERSION} stays 1: a reader that does not know the window keys
 * refuses them as unknown settings instead of silently segmenting without the window.
 *
 * @param cropLabel organ label for the crop; 0 = any non-zero label
 * @param window    fixed intensity window in calibrated units used instead of percentile clipping; null = none
 */
public record PreprocessingSpec(double clipLowPercentile, double clipHighPercentile, Normalization normalization,
                                int width, int height, int cropSlices, int cropLabel, CropPlacement cropPlacement,
                                IntensityWindow window) {

    public static final int VERSION = 1;

    private static final Set<String> KEYS = Set.of("version", "clip_low_percentile", "clip_high_percentile",
            "normalization", "width", "height", "crop_slices", "crop_label", "crop_placement", "window_low", "window_high");

    public PreprocessingSpec {
        if (!(clipLowPercentile >= 0 && clipHighPercentile <= 100 && clipLowPercentile < clipHighPercentile)) {
            throw new UserInputException("Clipping percentiles must satisfy 0 <= low < high <= 100 (got "
                    + clipLowPercentile + " and " + clipHighPercentile + "); use 0 and 100 for no clipping.");
        }
        if (width < 0 || height < 0 || (width == 0) != (height == 0)) {
            throw new UserInputException("Resize width and height must both be positive, or both 0 for no resizing (got "
                    + width + " x " + height + ").");
        }
        if (cropSlices < 0) throw new UserInputException("The number of slices to crop must be >= 0 (0 = no crop): " + cropSlices);
        if (cropLabel < 0) throw new UserInputException("The crop label must be >= 0 (0 = any foreground label): " + cropLabel);
        if (window != null && (clipLowPercentile > 0 || clipHighPercentile < 100)) {
            throw new UserInputException("An intensity window (" + window.describe() + ") replaces percentile clipping; set the"
                    + " clipping percentiles to 0 and 100 (got " + clipLowPercentile + " and " + clipHighPercentile + ") or give no window.");
        }
        if (normalization == null) normalization = Normalization.NONE;
        if (cropPlacement == null) cropPlacement = CropPlacement.CENTER_OF_MASS;
    }

    /** Without a window. */
    public PreprocessingSpec(double clipLowPercentile, double clipHighPercentile, Normalization normalization,
                             int width, int height, int cropSlices, int cropLabel, CropPlacement cropPlacement) {
        this(clipLowPercentile, clipHighPercentile, normalization, width, height, cropSlices, cropLabel, cropPlacement, null);
    }

    /** Does nothing. */
    public static PreprocessingSpec none() {
        return new PreprocessingSpec(0, 100, Normalization.NONE, 0, 0, 0, 0, CropPlacement.CENTER_OF_MASS);
    }

    /**
     * The paper's liver setting (LIVER100): clip at 0.5/99.5 %, z-score, 256 x 256 in-plane, 48 slices
     * of the liver (any foreground label) chosen at random. The paper does not name the
     * normalisation; z-score is our choice.
     */
    public static PreprocessingSpec paperLiver() {
        return new PreprocessingSpec(0.5, 99.5, Normalization.ZSCORE, 256, 256, 48, 0, CropPlacement.RANDOM);
    }

    public boolean clips() { return clipLowPercentile > 0 || clipHighPercentile < 100; }
    public boolean windows() { return window != null; }
    public boolean resizes() { return width > 0; }
    public boolean crops() { return cropSlices > 0; }

    /** Percentile clipping; refused while there is a window (unless 0 and 100). */
    public PreprocessingSpec withClip(double low, double high) {
        return new PreprocessingSpec(low, high, normalization, width, height, cropSlices, cropLabel, cropPlacement, window);
    }

    /** A fixed window instead of percentile clipping (the percentiles become 0 and 100); null = no window. */
    public PreprocessingSpec withWindow(IntensityWindow w) {
        return w == null ? new PreprocessingSpec(clipLowPercentile, clipHighPercentile, normalization, width, height, cropSlices, cropLabel, cropPlacement, null)
                : new PreprocessingSpec(0, 100, normalization, width, height, cropSlices, cropLabel, cropPlacement, w);
    }

    public PreprocessingSpec withNormalization(Normalization n) {
        return new PreprocessingSpec(clipLowPercentile, clipHighPercentile, n, width, height, cropSlices, cropLabel, cropPlacement, window);
    }

    public PreprocessingSpec withSize(int w, int h) {
        return new PreprocessingSpec(clipLowPercentile, clipHighPercentile, normalization, w, h, cropSlices, cropLabel, cropPlacement, window);
    }

    public PreprocessingSpec withCrop(int slices, int label, CropPlacement placement) {
        return new PreprocessingSpec(clipLowPercentile, clipHighPercentile, normalization, width, height, slices, label, placement, window);
    }

    /** The normaliser of the intensity step (window or percentiles, then the normalisation). */
    public IntensityNormalizer intensityNormalizer() {
        return new IntensityNormalizer(clipLowPercentile, clipHighPercentile, normalization, window);
    }

    /**
     * The intensity step in words, for logs and tables, e.g. "window -160..240 -> -1to1" or
     * "clip 0.5-99.5 % -> zscore".
     */
    public String describeIntensity() {
        String clip = window != null ? "window " + window.describe()
                : clips() ? "clip " + IntensityWindow.fmt(clipLowPercentile) + "-" + IntensityWindow.fmt(clipHighPercentile) + " %"
                : "no clipping";
        return clip + " -> " + normalization.key();
    }

    /** As a map with snake_case keys and JSON-friendly values (numbers and strings). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("clip_low_percentile", clipLowPercentile);
        m.put("clip_high_percentile", clipHighPercentile);
        m.put("normalization", normalization.key());
        m.put("width", width);
        m.put("height", height);
        m.put("crop_slices", cropSlices);
        m.put("crop_label", cropLabel);
        m.put("crop_placement", cropPlacement.key());
        if (window != null) {
            m.put("window_low", window.low());
            m.put("window_high", window.high());
        }
        return m;
    }

    /**
     * Reads a map written by {@link #toMap()}. Missing keys mean "step off" (as in {@link #none()});
     * unknown keys and newer versions are refused, since silently ignoring a step would make
     * inference differ from training.
     */
    public static PreprocessingSpec fromMap(Map<String, ?> m) {
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new UserInputException("Unknown preprocessing setting '" + k + "'. It was probably written by a newer"
                        + " MedSynth; update MedSynth to use this model.");
            }
        }
        int version = (int) number(m, "version", VERSION);
        if (version > VERSION) {
            throw new UserInputException("Preprocessing settings of version " + version + " are newer than this MedSynth"
                    + " understands (" + VERSION + "); update MedSynth.");
        }
        PreprocessingSpec d = none();
        boolean hasLow = m.get("window_low") != null, hasHigh = m.get("window_high") != null;
        if (hasLow != hasHigh) {
            throw new UserInputException("The preprocessing settings have " + (hasLow ? "window_low" : "window_high") + " without "
                    + (hasLow ? "window_high" : "window_low") + "; the model file is damaged. Train the model again.");
        }
        IntensityWindow window = hasLow ? new IntensityWindow(number(m, "window_low", Double.NaN), number(m, "window_high", Double.NaN)) : null;
        return new PreprocessingSpec(
                number(m, "clip_low_percentile", d.clipLowPercentile),
                number(m, "clip_high_percentile", d.clipHighPercentile),
                m.containsKey("normalization") ? Normalization.fromKey(String.valueOf(m.get("normalization"))) : d.normalization,
                integer(m, "width", d.width),
                integer(m, "height", d.height),
                integer(m, "crop_slices", d.cropSlices),
                integer(m, "crop_label", d.cropLabel),
                m.containsKey("crop_placement") ? CropPlacement.fromKey(String.valueOf(m.get("crop_placement"))) : d.cropPlacement,
                window);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PreprocessingSpec fromJson(String json) {
        Map<String, Object> m;
        try {
            m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new UserInputException("The preprocessing settings are not valid JSON: " + e.getOriginalMessage());
        }
        return fromMap(m);
    }

    private static double number(Map<String, ?> m, String key, double fallback) {
        Object v = m.get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new UserInputException("Preprocessing setting '" + key + "' must be a number, not '" + v + "'.");
        }
    }

    private static int integer(Map<String, ?> m, String key, int fallback) {
        double v = number(m, key, fallback);
        if (v != Math.rint(v)) throw new UserInputException("Preprocessing setting '" + key + "' must be a whole number, not " + v + ".");
        return (int) v;
    }
}
