package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.testutil.RecordingProgress;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train SkrGAN from files reports each step's losses for the training window, and a Stop checkpoints. */
class SkrGanLossReportingTest {

    @TempDir
    Path dir;

    /** The images of {@link SkrGanTrainingTest#bars()} as files: a bright bar at four places, and the bars as sketches. */
    private SkrGanJob.Request request(Path model, boolean resume) throws Exception {
        return request(model, resume, SkrGanTrainingTest.tiny("skrgan", 4, 2));
    }

    private SkrGanJob.Request request(Path model, boolean resume, SkrGanSettings settings) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images")), sketches = Files.createDirectories(dir.resolve("sketches"));
        for (int k = 0; k < 4; k++) {
            ByteProcessor[] pair = SkrGanTrainingTest.bar(k);
            ByteProcessor img = pair[0], sk = pair[1];
            assertTrue(new FileSaver(new ImagePlus("i", img)).saveAsPng(images.resolve("bar" + k + ".png").toString()));
            assertTrue(new FileSaver(new ImagePlus("s", sk)).saveAsPng(sketches.resolve("bar" + k + ".png").toString()));
        }
        return new SkrGanJob.Request(images, sketches, model, settings, SkrGanTraining.Stage.BOTH, 0, resume, 100, SketchParameters.defaults());
    }

    @Test
    void reportsTheRecordedLossesOfBothStagesAndAStopLeavesACheckpointToResumeFrom() throws Exception {
        Path model = dir.resolve("m.zip");
        RecordingProgress stop = new RecordingProgress().stopAfter(5);  // in the render stage (4 sketch + 2 render steps)
        SkrGanJob.Outcome cut = SkrGanJob.run(request(model, false), stop);
        assertTrue(cut.cancelled());
        assertEquals(5, cut.completedSteps());
        stop.assertMatches(cut.history());
        assertTrue(stop.updates.get(0).losses().containsKey("D") && stop.updates.get(4).losses().containsKey("L1"),
                "sketch and render losses: " + stop.updates);
        assertTrue(Files.exists(SkrGanJob.checkpointOf(model)), "the stop wrote a checkpoint");
        assertFalse(Files.exists(model), "no model before the training completes");

        RecordingProgress rest = new RecordingProgress();
        SkrGanJob.Outcome end = SkrGanJob.run(request(model, true), rest);
        assertFalse(end.cancelled());
        assertEquals(6, end.completedSteps());
        assertEquals(1, rest.updates.size(), "the resumed run reports only its own step");
        rest.assertMatches(end.history());
        assertTrue(Files.exists(model));
    }

    /** A run that an earlier build started (equal growth, nearest sketches, transposed G_P) goes on as it began. */
    @Test
    void aCheckpointOfAnEarlierBuildResumesWithThatBuildsChoices() throws Exception {
        Path model = dir.resolve("old.zip");
        SkrGanSettings now = SkrGanTrainingTest.tiny("skrgan", 4, 2);
        SkrGanSettings earlier = now.withGrowth(ProgressiveSchedule.Growth.EQUAL).withSketchShrink(org.medsynth.data.SketchPlane.Shrink.NEAREST)
                .withRenderUpsample(org.medsynth.nn.networks.UNet.Upsample.TRANSPOSED);
        assertTrue(SkrGanJob.run(request(model, false, earlier), new RecordingProgress().stopAfter(3)).cancelled());

        SkrGanJob.Outcome end = SkrGanJob.run(request(model, true, now), new RecordingProgress());
        assertFalse(end.cancelled());
        assertEquals(6, end.completedSteps());
        Object saved = org.medsynth.nn.ModelArchive.load(model).manifest().metadata().get("settings");
        assertEquals(earlier, SkrGanSettings.fromMap(SkrGanTraining.castMap(saved, model)));
    }
}
