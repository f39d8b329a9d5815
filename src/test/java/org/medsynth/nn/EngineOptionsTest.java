package org.medsynth.nn;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.layers.BatchNorm;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineOptionsTest {

    @Test
    void unsetPropertiesGiveTheDefaults() {
        assertEquals(EngineOptions.DEFAULTS, EngineOptions.from(name -> null));
    }

    @Test
    void everyPropertySelectsTheOtherPath() {
        Map<String, String> p = Map.of(EngineOptions.BATCH_NORM, "Composed", EngineOptions.BATCH_NORM_BACKWARD, " native",
                EngineOptions.LAYOUT, "channels-first", EngineOptions.FREE_EARLY, "false", EngineOptions.GC_OVERHEAD, "0");
        assertEquals(new EngineOptions(BatchNorm.Implementation.COMPOSED, true, false, false, 0), EngineOptions.from(p::get));
    }

    @Test
    void aBadValueIsRefusedWithThePropertyAndTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineOptions.from(Map.of(EngineOptions.LAYOUT, "nchw")::get));
        assertTrue(e.getMessage().contains(EngineOptions.LAYOUT) && e.getMessage().contains("channels-last")
                && e.getMessage().contains("channels-first") && e.getMessage().contains("nchw"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineOptions.from(Map.of(EngineOptions.GC_OVERHEAD, "1.5")::get));
        assertTrue(e.getMessage().contains(EngineOptions.GC_OVERHEAD) && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EngineOptions.from(Map.of(EngineOptions.FREE_EARLY, "yes")::get));
        assertTrue(e.getMessage().contains(EngineOptions.FREE_EARLY) && e.getMessage().contains("true"), e.getMessage());
    }

    @Test
    void aBuilderKeepsTheOptionsItWasCreatedWith() {
        String before = System.getProperty(EngineOptions.LAYOUT);
        System.setProperty(EngineOptions.LAYOUT, "channels-first");
        try {
            NetBuilder b = NetBuilder.forInference(new ParamStore(1));
            System.clearProperty(EngineOptions.LAYOUT);
            assertEquals(false, b.options().channelsLast());
        } finally {
            if (before == null) System.clearProperty(EngineOptions.LAYOUT);
            else System.setProperty(EngineOptions.LAYOUT, before);
        }
    }

    @Test
    void libtorchGraphsAreChannelsFirstAndCollectLessUnlessThePropertiesSayOtherwise() {
        String layout = System.getProperty(EngineOptions.LAYOUT), gc = System.getProperty(EngineOptions.GC_OVERHEAD);
        try {
            System.clearProperty(EngineOptions.LAYOUT);
            System.clearProperty(EngineOptions.GC_OVERHEAD);
            EngineOptions torch = EngineOptions.DEFAULTS.forEngine(org.medsynth.nn.engine.Engine.LIBTORCH);
            assertEquals(false, torch.channelsLast());
            assertEquals(EngineOptions.LIBTORCH_GC_OVERHEAD, torch.gcOverhead());
            assertEquals(EngineOptions.DEFAULTS, EngineOptions.DEFAULTS.forEngine(org.medsynth.nn.engine.Engine.DL4J));
            System.setProperty(EngineOptions.LAYOUT, "channels-last");
            System.setProperty(EngineOptions.GC_OVERHEAD, "0.05");
            EngineOptions asked = EngineOptions.fromSystemProperties();
            assertEquals(asked, asked.forEngine(org.medsynth.nn.engine.Engine.LIBTORCH));
            assertEquals(0.05, asked.gcOverhead());
        } finally {
            if (layout == null) System.clearProperty(EngineOptions.LAYOUT);
            else System.setProperty(EngineOptions.LAYOUT, layout);
            if (gc == null) System.clearProperty(EngineOptions.GC_OVERHEAD);
            else System.setProperty(EngineOptions.GC_OVERHEAD, gc);
        }
    }
}
