package org.medsynth.workflow.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A loss that becomes NaN: the message says which loss, where, on what, and whether a checkpoint is there. */
class TrainingDivergenceTest {

    @TempDir
    Path dir;

    static final class Task extends TrainingRunnerTest.ToyTask {
        @Override
        public String describeBatch(int step) {
            return "patches of liver-03.nii.gz, liver-07.nii.gz";
        }
    }

    @Test
    void beforeTheFirstCheckpointItSaysThatNoneExists() {
        Task t = new Task();
        t.nanAt = 2;
        UserInputException e = assertThrows(UserInputException.class,
                () -> new TrainingRunner(dir.resolve("m.zip.ckpt"), 10, "toy").run(t, false, Progress.NONE));
        ErrorMatrix.check("diverged-no-checkpoint", e);
        assertTrue(e.getMessage().contains("at step 3 (patches of liver-03.nii.gz, liver-07.nii.gz)"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("m.zip.ckpt")));
    }

    @Test
    void afterACheckpointItNamesItsStepForResume() {
        Task t = new Task();
        t.nanAt = 6;
        UserInputException e = assertThrows(UserInputException.class,
                () -> new TrainingRunner(dir.resolve("m.zip.ckpt"), 4, "toy").run(t, false, Progress.NONE));
        ErrorMatrix.check("diverged-with-checkpoint", e);
        assertTrue(e.getMessage().contains("The checkpoint m.zip.ckpt of step 4 is kept"), e.getMessage());
    }
}
