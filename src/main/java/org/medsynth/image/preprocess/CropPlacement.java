package org.medsynth.image.preprocess;

import org.medsynth.core.UserInputException;

import java.util.Arrays;
import java.util.Locale;

/** Where an organ-centred slice window is placed. */
public enum CropPlacement {
    /** Centred on the organ's centre of mass along z (voxel count per slice as weight). */
    CENTER_OF_MASS("center_of_mass"),
    /** Centred on the middle of the organ's first and last slice. */
    EXTENT_CENTER("extent_center"),
    /** Uniformly random among the windows that lie within the organ's first..last slice (the paper's choice for training). */
    RANDOM("random");

    private final String key;

    CropPlacement(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static CropPlacement fromKey(String key) {
        String k = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
        for (CropPlacement p : values()) if (p.key.equals(k)) return p;
        throw new UserInputException("Unknown crop placement '" + key + "'. Use one of "
                + Arrays.stream(values()).map(CropPlacement::key).toList() + ".");
    }
}
