package org.medsynth.workflow.skrgan;

import org.junit.jupiter.api.Test;
import org.medsynth.data.SketchPlane;
import org.medsynth.nn.networks.UNet;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SkrGanSettingsTest {

    private static final SkrGanSettings NEW = new SkrGanSettings("skrgan", 64, true, 10, 10, 4, 0.0625, 8, 1);

    @Test
    void newModelsShrinkSketchesByCoverageAndSaySo() {
        assertEquals(SketchPlane.Shrink.COVERAGE, NEW.sketchShrink());
        assertEquals(NEW, SkrGanSettings.fromMap(NEW.toMap()));
    }

    @Test
    void modelsWithoutTheKeyWereTrainedOnNearestShrunkSketchesWithTransposedRendering() {
        Map<String, Object> older = new java.util.LinkedHashMap<>(NEW.toMap());
        older.remove("sketchShrink");
        older.remove("renderUpsample");
        SkrGanSettings read = SkrGanSettings.fromMap(older);
        assertEquals(SketchPlane.Shrink.NEAREST, read.sketchShrink());
        assertEquals(UNet.Upsample.TRANSPOSED, read.renderUpsample());
        assertEquals(NEW.withSketchShrink(SketchPlane.Shrink.NEAREST).withRenderUpsample(UNet.Upsample.TRANSPOSED), read);
    }
}
