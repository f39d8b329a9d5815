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
        older.remove("growth");
        SkrGanSettings read = SkrGanSettings.fromMap(older);
        assertEquals(SketchPlane.Shrink.NEAREST, read.sketchShrink());
        assertEquals(UNet.Upsample.TRANSPOSED, read.renderUpsample());
        assertEquals(ProgressiveSchedule.Growth.EQUAL, read.growth());
        assertEquals(NEW.withSketchShrink(SketchPlane.Shrink.NEAREST).withRenderUpsample(UNet.Upsample.TRANSPOSED)
                .withGrowth(ProgressiveSchedule.Growth.EQUAL), read);
    }

    @Test
    void newModelsGrowOnPgganScheduleAndRecordIt() {
        assertEquals(ProgressiveSchedule.Growth.PGGAN, NEW.growth());
        assertEquals("PGGAN", NEW.toMap().get("growth"));
        assertEquals(null, NEW.withGrowth(ProgressiveSchedule.Growth.EQUAL).toMap().get("growth"),
                "the older models' value is left out, so their settings map stays as it was");
    }

    @Test
    void aResumedRunKeepsTheBuildChoicesOfItsCheckpoint() {
        SkrGanSettings saved = NEW.withSketchShrink(SketchPlane.Shrink.NEAREST).withRenderUpsample(UNet.Upsample.TRANSPOSED)
                .withGrowth(ProgressiveSchedule.Growth.EQUAL);
        assertEquals(saved, NEW.withBuildChoicesOf(saved));
    }
}
