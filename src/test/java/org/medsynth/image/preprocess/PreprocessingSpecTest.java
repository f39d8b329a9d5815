package org.medsynth.image.preprocess;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessingSpecTest {

    @Test
    void jsonAndMapRoundTripsKeepEverySetting() {
        PreprocessingSpec s = new PreprocessingSpec(1.5, 98.25, Normalization.SYMMETRIC, 128, 96, 32, 2, CropPlacement.EXTENT_CENTER);
        assertEquals(s, PreprocessingSpec.fromJson(s.toJson()));
        assertEquals(s, PreprocessingSpec.fromMap(s.toMap()));
        assertEquals(PreprocessingSpec.paperLiver(), PreprocessingSpec.fromJson(PreprocessingSpec.paperLiver().toJson()));
        String json = s.toJson();
        assertTrue(json.contains("\"normalization\" : \"-1to1\""), json);
        assertTrue(json.contains("\"crop_placement\" : \"extent_center\""), json);
    }

    @Test
    void missingKeysMeanStepOffAndStringNumbersAreAccepted() {
        assertEquals(PreprocessingSpec.none(), PreprocessingSpec.fromJson("{}"));
        Map<String, Object> m = new HashMap<>();
        m.put("width", "64");
        m.put("height", 64);
        m.put("normalization", "zscore");
        PreprocessingSpec s = PreprocessingSpec.fromMap(m);
        assertTrue(s.resizes());
        assertFalse(s.clips());
        assertFalse(s.crops());
        assertEquals(64, s.width());
        assertEquals(Normalization.ZSCORE, s.normalization());
    }

    @Test
    void windowRoundTripsAndReplacesPercentileClipping() {
        IntensityWindow w = new IntensityWindow(-160, 240);
        PreprocessingSpec s = SpecFixtures.paperLike().withWindow(w).withNormalization(Normalization.SYMMETRIC).withSize(128, 128);
        assertEquals(w, s.window());
        assertTrue(s.windows());
        assertFalse(s.clips(), "the window replaces the percentiles");
        assertEquals(s, PreprocessingSpec.fromMap(s.toMap()));
        assertEquals(s, PreprocessingSpec.fromJson(s.toJson()));
        assertEquals(-160.0, s.toMap().get("window_low"));
        assertEquals(240.0, s.toMap().get("window_high"));
        assertEquals("window -160..240 -> -1to1", s.describeIntensity());
        assertEquals("clip 0.5-99.5 % -> zscore", SpecFixtures.paperLike().describeIntensity());
        assertEquals(SpecFixtures.paperLike().withClip(0, 100), s.withWindow(null).withNormalization(Normalization.ZSCORE).withSize(0, 0));
        UserInputException e = assertThrows(UserInputException.class, () -> s.withClip(0.5, 99.5));
        assertTrue(e.getMessage().contains("replaces percentile clipping"), e.getMessage());
        // the intensity step of the spec is the window's
        assertEquals(IntensityNormalizer.windowed(w, Normalization.SYMMETRIC), s.intensityNormalizer());
    }

    /** Maps written before the window existed (the format-1 models' exact map) read as before: no window. */
    @Test
    void oldMapsWithoutWindowKeysReadUnchanged() {
        Map<String, Object> old = new java.util.LinkedHashMap<>();
        old.put("version", 1);
        old.put("clip_low_percentile", 0.5);
        old.put("clip_high_percentile", 99.5);
        old.put("normalization", "zscore");
        old.put("width", 0);
        old.put("height", 0);
        old.put("crop_slices", 0);
        old.put("crop_label", 0);
        old.put("crop_placement", "center_of_mass");
        PreprocessingSpec s = PreprocessingSpec.fromMap(old);
        assertNull(s.window());
        assertEquals(new PreprocessingSpec(0.5, 99.5, Normalization.ZSCORE, 0, 0, 0, 0, CropPlacement.CENTER_OF_MASS), s);
        assertEquals(old, s.toMap(), "a spec without a window writes exactly the old map");
        // one end alone is a damaged file
        Map<String, Object> half = new HashMap<>(SpecFixtures.paperLike().withWindow(new IntensityWindow(-160, 240)).toMap());
        half.remove("window_high");
        UserInputException e = assertThrows(UserInputException.class, () -> PreprocessingSpec.fromMap(half));
        assertTrue(e.getMessage().contains("window_low without window_high"), e.getMessage());
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"window_low\": 240, \"window_high\": -160}"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson(
                "{\"clip_low_percentile\": 0.5, \"window_low\": -160, \"window_high\": 240}"), "window and percentiles");
    }

    /** Specs for the tests. */
    static final class SpecFixtures {
        static PreprocessingSpec paperLike() {
            return new PreprocessingSpec(0.5, 99.5, Normalization.ZSCORE, 0, 0, 0, 0, CropPlacement.CENTER_OF_MASS);
        }
    }

    @Test
    void refusesWhatItDoesNotUnderstand() {
        UserInputException e = assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"bias_field\": true}"));
        assertTrue(e.getMessage().contains("bias_field"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"version\": 99}"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"normalization\": \"log\"}"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"width\": 2.5, \"height\": 3}"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{\"width\": 64}"), "height missing");
        assertThrows(UserInputException.class, () -> PreprocessingSpec.fromJson("{not json"));
        assertThrows(UserInputException.class, () -> PreprocessingSpec.none().withClip(99, 1));
    }
}
