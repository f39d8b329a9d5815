package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.FormatFixtures;
import org.medsynth.core.Progress;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A 3D-MedGAN model written by the model-format-1 build (committed fixture) still loads and synthesises the
 * volume that build synthesised from the same label map and seed. Regenerate with {@code main} only when the
 * format version is raised.
 */
public class MedGanModelCompatibilityTest {

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : FormatFixtures.sourceFolder(MedGanModelCompatibilityTest.class);
        Files.createDirectories(dir);
        Path model = dir.resolve("medgan.zip");
        MedGanTraining.train(MedGanPhantoms.data(12, 12, 12, 3), model, MedGanTrainerTest.tiny().withIterations(2), false, Progress.NONE);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) if (f.getFileName().toString().startsWith("medgan.zip.")) Files.delete(f);
        }
        Files.deleteIfExists(MedGanTraining.checkpointFor(model));
        int w = 18, h = 16, d = 14;
        ImagePlus labels = MedGanPhantoms.labelImage(MedGanPhantoms.ball(w, h, d, 8, 8, 7, 4), w, h, d, "labels.tif");
        FormatFixtures.saveTiff(labels, dir.resolve("medgan-labels.tif"));
        FormatFixtures.saveTiff(MedGanModel.load(model).synthesize(labels, MedGanModel.Options.defaults(4), Progress.NONE),
                dir.resolve("medgan-synthetic-seed4.tif"));
    }

    @Test
    void aFormat1ModelSynthesisesAsTheBuildThatWroteIt() {
        Class<?> c = getClass();
        MedGanModel m = MedGanModel.load(FormatFixtures.resource(c, "medgan.zip"));
        ImagePlus labels = FormatFixtures.openTiff(FormatFixtures.resource(c, "medgan-labels.tif"));
        ImagePlus expected = FormatFixtures.openTiff(FormatFixtures.resource(c, "medgan-synthetic-seed4.tif"));
        FormatFixtures.assertSameImage(expected, m.synthesize(labels, MedGanModel.Options.defaults(4), Progress.NONE), 1e-3);
    }
}
