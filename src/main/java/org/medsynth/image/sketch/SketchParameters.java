package org.medsynth.image.sketch;

import ij.process.AutoThresholder;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Settings of the sketch-draft extraction (SkrGAN section 2.1).
 *
 * @param sigma     Gaussian low-pass standard deviation in pixels, applied to the Sobel edge
 *                  magnitude (0 = no smoothing)
 * @param threshold an ImageJ auto-threshold method name (Otsu, Li, Triangle, ...) or "Fixed"
 * @param level     with "Fixed": the threshold as a fraction (0..1) of the slice's largest smoothed
 *                  edge strength; ignored otherwise
 * @param radius    radius in pixels of the circular structuring element of the opening and the
 *                  closing (ImageJ's RankFilters convention: 1 = 3x3 square, 1.5 = 5x5 without
 *                  corners, 2 = 5x5 disc; 0 = no morphology)
 * @param channel   how an RGB image becomes grey: green (fundus photographs: best vessel
 *                  contrast), red, blue or luminance
 */
public record SketchParameters(double sigma, String threshold, double level, double radius, String channel) {

    public static final String FIXED = "Fixed";
    public static final String[] CHANNELS = {"green", "luminance", "red", "blue"};

    public static SketchParameters defaults() {
        return new SketchParameters(2.0, "Li", 0.2, 1.0, "green");
    }

    /** Threshold choices offered to users: ImageJ's auto-threshold methods, then Fixed. */
    public static String[] thresholdChoices() {
        List<String> names = new ArrayList<>();
        names.add("Otsu");
        for (String m : AutoThresholder.getMethods()) if (!m.equals("Otsu")) names.add(m);
        names.add(FIXED);
        return names.toArray(new String[0]);
    }

    public SketchParameters {
        if (!(sigma >= 0) || sigma > 100) {
            throw new UserInputException("sigma must be between 0 and 100 pixels (got " + sigma + ").");
        }
        if (!(radius >= 0) || radius > 50) {
            throw new UserInputException("radius must be between 0 and 50 pixels (got " + radius + ").");
        }
        if (threshold == null || (!threshold.equalsIgnoreCase(FIXED) && method(threshold) == null)) {
            throw new UserInputException("Unknown threshold method '" + threshold + "'. Use one of "
                    + String.join(", ", thresholdChoices()) + ".");
        }
        if (threshold.equalsIgnoreCase(FIXED) && !(level > 0 && level < 1)) {
            throw new UserInputException("With threshold=Fixed, level must be between 0 and 1 "
                    + "(a fraction of the strongest edge); got " + level + ".");
        }
        if (channel == null || !List.of(CHANNELS).contains(channel.toLowerCase(Locale.ROOT))) {
            throw new UserInputException("Unknown channel '" + channel + "'. Use green, luminance, red or blue.");
        }
        channel = channel.toLowerCase(Locale.ROOT);
    }

    boolean fixed() {
        return threshold.equalsIgnoreCase(FIXED);
    }

    /** The ImageJ method for a case-insensitive name, or null. */
    static AutoThresholder.Method method(String name) {
        for (AutoThresholder.Method m : AutoThresholder.Method.values()) {
            if (m.name().equalsIgnoreCase(name)) return m;
        }
        return null;
    }
}
