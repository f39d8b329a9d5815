package org.medsynth.image.preprocess;

import org.medsynth.core.UserInputException;

import java.util.Arrays;
import java.util.Locale;

/** How intensities are rescaled after clipping (at percentiles or at an {@link IntensityWindow}). */
public enum Normalization {
    /** Values are left as they are (after clipping). */
    NONE("none"),
    /** (v - mean) / std, mean and std of the clipped (or windowed) values; std 0 gives v - mean. */
    ZSCORE("zscore"),
    /** Linearly from [low, high] (the window, the clipping percentiles, or min/max without clipping) to [0, 1]. */
    UNIT("0to1"),
    /** Linearly from [low, high] to [-1, 1] (the GANs' range). */
    SYMMETRIC("-1to1");

    private final String key;

    Normalization(String key) {
        this.key = key;
    }

    /** The name used in JSON specs and macro options. */
    public String key() {
        return key;
    }

    public static Normalization fromKey(String key) {
        String k = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
        for (Normalization n : values()) {
            if (n.key.equals(k) || n.name().toLowerCase(Locale.ROOT).equals(k)) return n;
        }
        if (k.equals("z-score")) return ZSCORE;
        throw new UserInputException("Unknown normalization '" + key + "'. Use one of "
                + Arrays.stream(values()).map(Normalization::key).toList() + ".");
    }
}
