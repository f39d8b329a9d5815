package org.medsynth.workflow.validate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.GenerateImagesCommand;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.nn.ArchiveFixtures;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.segment.SegmenterModel;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A model file of the wrong kind is refused with what it is and what the command needs. */
class ModelKindTest {

    @TempDir
    Path dir;

    static final Map<String, Object> SKRGAN_SETTINGS = Map.of("architecture", "skrgan", "resolution", 8, "rgb", false,
            "sketchIterations", 2, "renderIterations", 1, "batch", 2, "width", 0.004, "renderWidth", 4, "seed", 7);

    @Test
    void aSegmentationModelGivenToGenerateImagesSaysWhatItIs() throws Exception {
        Path seg = ArchiveFixtures.archive(dir.resolve("seg.zip"), Map.of("kind", "medsynth-segmenter", "network", "mlu-net"));
        GenerateImagesCommand c = new GenerateImagesCommand();
        c.model = seg.toFile();
        c.count = 2;
        ErrorMatrix.check("model-wrong-kind", assertThrows(UserInputException.class, c::run));
    }

    @Test
    void aSkrGanModelGivenToSynthesizeVolumeNoLongerSaysNull() throws Exception {
        // before: "it is a 'null' model"; SkrGAN files of earlier versions have no "kind", only "application"
        Path skr = ArchiveFixtures.archive(dir.resolve("fundus.zip"), Map.of("application", "skrgan", "settings", SKRGAN_SETTINGS));
        UserInputException e = assertThrows(UserInputException.class, () -> MedGanModel.load(skr));
        assertEquals("fundus.zip is a SkrGAN model made by Train SkrGAN; Synthesize Volume needs a 3D-MedGAN model made by "
                + "Train 3D-MedGAN.", e.getMessage());
        ErrorMatrix.check("model-wrong-kind", e);
    }

    @Test
    void aCheckpointGivenAsAModelSaysSoAndNamesTheModel() throws Exception {
        Path ckpt = ArchiveFixtures.archive(dir.resolve("liver.zip.ckpt"), Map.of("kind", "medsynth-segmenter-checkpoint"));
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterModel.load(ckpt));
        ErrorMatrix.check("model-is-checkpoint", e);
        Path medgan = ArchiveFixtures.archive(dir.resolve("brain.zip.ckpt"), Map.of("kind", "3d-medgan-checkpoint"));
        UserInputException m = assertThrows(UserInputException.class, () -> SegmenterModel.load(medgan));
        assertEquals("brain.zip.ckpt is a training checkpoint of Train 3D-MedGAN, not a finished model; Segment needs a segmentation "
                + "model made by Train Segmenter.", m.getMessage());
    }

    @Test
    void anUnknownKindSaysItMayComeFromANewerVersion() throws Exception {
        Path odd = ArchiveFixtures.archive(dir.resolve("odd.zip"), Map.of("kind", "medsynth-something-new"));
        ErrorMatrix.check("model-unknown-kind", assertThrows(UserInputException.class, () -> SegmenterModel.load(odd)));
    }

    @Test
    void skrganFilesWithoutAKindAreToldApartByOptimiserStateOrName() {
        Map<String, Object> meta = Map.of("application", "skrgan");
        assertEquals(ModelKind.SKRGAN, ModelKind.of(meta, false, "fundus.zip"));
        assertEquals(ModelKind.SKRGAN_CHECKPOINT, ModelKind.of(meta, true, "fundus.zip"));
        assertEquals(ModelKind.SKRGAN_CHECKPOINT, ModelKind.of(meta, false, "fundus-checkpoint.zip"));
        assertEquals(ModelKind.SKRGAN_CHECKPOINT, ModelKind.of(Map.of("kind", ModelKind.SKRGAN_CHECKPOINT_KIND), false, "x.zip"));
        assertEquals(ModelKind.MEDGAN, ModelKind.of(Map.of("kind", "3d-medgan"), false, "x.zip"));
        assertEquals(ModelKind.UNKNOWN, ModelKind.of(Map.of(), false, "x.zip"));
    }
}
