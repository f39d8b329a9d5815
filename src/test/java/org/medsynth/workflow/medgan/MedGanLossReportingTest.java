package org.medsynth.workflow.medgan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.RecordingProgress;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train 3D-MedGAN reports each iteration's losses for the training window, and a Stop checkpoints. */
class MedGanLossReportingTest {

    @TempDir
    Path dir;

    @Test
    void reportsTheRecordedLossesAndAStopLeavesACheckpointToResumeFrom() throws Exception {
        MedGanConfig cfg = MedGanTrainerTest.tiny().withL1Weight(2).withIterations(5).withCheckpointEvery(100);
        MedGanTraining.Data data = MedGanPhantoms.data(12, 12, 12, 3);
        Path model = dir.resolve("m.zip");
        RecordingProgress stop = new RecordingProgress().stopAfter(3);
        MedGanTraining.Result cut = MedGanTraining.train(data, model, cfg, false, stop);
        assertTrue(cut.cancelled());
        assertEquals(3, cut.completedIterations());
        stop.assertMatches(cut.history());
        assertTrue(stop.updates.get(0).losses().keySet().containsAll(java.util.List.of("D", "G", "G_L1")), stop.updates.get(0).toString());
        assertTrue(Files.exists(cut.checkpoint()), "the stop wrote a checkpoint");

        RecordingProgress rest = new RecordingProgress();
        MedGanTraining.Result end = MedGanTraining.train(data, model, cfg, true, rest);
        assertFalse(end.cancelled());
        assertEquals(5, end.completedIterations());
        assertEquals(2, rest.updates.size(), "the resumed run reports only its own iterations");
        rest.assertMatches(end.history());
    }
}
