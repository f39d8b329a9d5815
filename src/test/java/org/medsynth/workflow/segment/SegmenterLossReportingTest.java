package org.medsynth.workflow.segment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.RecordingProgress;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train Segmenter reports each step's losses for the training window, and a Stop checkpoints. */
class SegmenterLossReportingTest {

    @TempDir
    Path tmp;

    @Test
    void reportsTheRecordedLossesAndAStopLeavesACheckpointToResumeFrom() throws Exception {
        SegmentationFixtures.writePairs(tmp, 3, 16, 1, 5);
        SegmenterSettings s = SegmenterTrainingTest.tiny("info-max-net", new int[]{16, 16}, 5).withValidation(0, 0);
        Path model = tmp.resolve("m.zip");
        RecordingProgress stop = new RecordingProgress().stopAfter(3);
        SegmenterTraining.Result cut = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), model, false, stop);
        assertTrue(cut.cancelled());
        assertEquals(3, cut.completedSteps());
        stop.assertMatches(cut.losses());
        assertTrue(stop.updates.get(0).losses().size() > 1, "every loss term of the network: " + stop.updates.get(0));
        assertTrue(stop.updates.get(0).stage().startsWith("info-max-net"), stop.updates.get(0).stage());
        assertTrue(Files.exists(SegmenterTraining.checkpointOf(model)), "the stop wrote a checkpoint");

        RecordingProgress rest = new RecordingProgress();
        SegmenterTraining.Result end = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), model, true, rest);
        assertFalse(end.cancelled());
        assertEquals(5, end.completedSteps());
        assertEquals(2, rest.updates.size(), "the resumed run reports only its own steps");
        rest.assertMatches(end.losses());
    }
}
