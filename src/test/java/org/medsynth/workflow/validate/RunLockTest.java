package org.medsynth.workflow.validate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.UserInputException;
import org.medsynth.util.OutputsTest;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondRunOnTheSameModelIsRefusedWhileTheFirstRuns() {
        Path model = dir.resolve("liver.zip");
        try (RunLock first = RunLock.acquire(model, "Train Segmenter")) {
            UserInputException e = assertThrows(UserInputException.class, () -> RunLock.acquire(model, "Train Segmenter"));
            ErrorMatrix.check("run-in-progress", e);
            RunLock.acquire(dir.resolve("other.zip"), "Train Segmenter").close(); // another model is no problem
        }
        assertFalse(Files.exists(RunLock.lockFile(model)), "the lock goes with the run");
        RunLock.acquire(model, "Train Segmenter").close();
    }

    @Test
    void theLockOfAKilledRunIsTakenOver() throws Exception {
        Path model = dir.resolve("liver.zip");
        long dead = OutputsTest.deadPid();
        Files.writeString(RunLock.lockFile(model), dead + "\n\nTrain Segmenter\n2020-01-01T00:00:00Z\n");
        try (RunLock lock = RunLock.acquire(model, "Train Segmenter")) {
            assertTrue(Files.readString(RunLock.lockFile(model)).startsWith(ProcessHandle.current().pid() + "\n"));
        }
    }
}
