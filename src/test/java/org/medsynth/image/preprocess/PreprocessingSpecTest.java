package org.medsynth.image.preprocess;

import org.junit.jupiter.api.Test;
import org.medsynth.workflow.UserInputException;

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
