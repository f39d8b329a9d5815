package org.medsynth.workflow.segment;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The settings in a model's training information keep the keys and value forms of earlier builds. */
class SegmenterSettingsMapTest {

    @Test
    void keysAndValueFormsOfEarlierBuilds() {
        SegmenterSettings s = SegmenterSettings.defaults("unet", 3, new int[]{96, 96, 32});
        Map<String, Object> m = s.toMap();
        assertEquals(List.of("network", "width", "depth", "norm", "classes", "patch", "batch", "iterations", "learningRate", "decayAt",
                "decayFactor", "seed", "validation", "validateEvery", "rareShare", "augment", "init"), List.copyOf(m.keySet()));
        assertEquals("96x96x32", m.get("patch"));
        assertEquals(s.norm().name(), m.get("norm"));
        assertEquals("", m.get("init"));
        assertEquals(Path.of("a.zip").toString(), s.withInit(Path.of("a.zip")).toMap().get("init"));
    }
}
