package org.medsynth.workflow.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.RecordingProgress;
import org.medsynth.core.Progress;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TrainingRunnerTest {

    @TempDir
    Path dir;

    /** Noisy gradient descent on (w - 3)^2; the noise of a step depends only on (seed, step). */
    static class ToyTask implements TrainingTask {
        double w = 0;
        final List<Integer> checkpoints = new ArrayList<>();
        double nanAt = -1;

        @Override public int totalSteps() { return 20; }

        @Override public Map<String, Double> step(int step) {
            double noise = new Random(42L * 1_000_003 + step).nextGaussian() * 0.01;
            double loss = (w - 3) * (w - 3);
            w -= 0.1 * (2 * (w - 3) + noise);
            return Map.of("loss", step == nanAt ? Double.NaN : loss, "w", w);
        }

        @Override public void saveCheckpoint(Path file, int completed) throws IOException {
            checkpoints.add(completed);
            byte[] bytes = ByteBuffer.allocate(12).putInt(completed).putDouble(w).array();
            org.medsynth.util.AtomicFiles.write(file, out -> out.write(bytes));
        }

        @Override public int loadCheckpoint(Path file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            int completed = b.getInt();
            w = b.getDouble();
            return completed;
        }
    }

    /** Cancels once {@code after} reports have been made. */
    static Progress cancelAfter(int after) {
        return new Progress() {
            int reports;
            @Override public void report(double f, String m) { reports++; }
            @Override public boolean isCancelled() { return reports >= after; }
        };
    }

    @Test
    void checkpointsAtTheIntervalAndAtTheEndAndSavesLossCurves() throws IOException {
        ToyTask task = new ToyTask();
        TrainingRunner runner = new TrainingRunner(dir.resolve("model.ckpt"), 5, "toy");
        TrainingRunner.Result r = runner.run(task, false, Progress.NONE);
        assertEquals(20, r.completedSteps());
        assertFalse(r.cancelled());
        assertEquals(List.of(5, 10, 15, 20), task.checkpoints);
        assertTrue(Files.size(runner.lossPlot()) > 1000, "a PNG plot");
        LossHistory saved = LossHistory.loadCsv(runner.lossCsv());
        assertEquals(20, saved.size());
        List<Double> loss = saved.values("loss");
        assertTrue(loss.get(19) < loss.get(0) / 100, "the toy loss falls: " + loss);
    }

    @Test
    void cancelThenResumeEndsExactlyWhereAnUninterruptedRunEnds() throws IOException {
        ToyTask straight = new ToyTask();
        new TrainingRunner(dir.resolve("a.ckpt"), 5, "toy").run(straight, false, Progress.NONE);

        ToyTask first = new ToyTask();
        TrainingRunner runner = new TrainingRunner(dir.resolve("b.ckpt"), 5, "toy");
        TrainingRunner.Result cut = runner.run(first, false, cancelAfter(7));
        assertTrue(cut.cancelled());
        assertEquals(7, cut.completedSteps());
        assertEquals(List.of(5, 7), first.checkpoints, "a checkpoint is written on cancel");

        ToyTask resumed = new ToyTask(); // a fresh process: nothing in memory
        TrainingRunner.Result rest = runner.run(resumed, true, Progress.NONE);
        assertEquals(20, rest.completedSteps());
        assertEquals(straight.w, resumed.w, 0.0, "bit-identical result after resume");
        assertEquals(20, LossHistory.loadCsv(runner.lossCsv()).size(), "history continues across the resume");
    }

    @Test
    void aNonFiniteLossStopsWithAClearMessageAndKeepsTheLastCheckpoint() throws IOException {
        ToyTask task = new ToyTask();
        task.nanAt = 12;
        TrainingRunner runner = new TrainingRunner(dir.resolve("c.ckpt"), 5, "toy");
        UserInputException e = assertThrows(UserInputException.class, () -> runner.run(task, false, Progress.NONE));
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("step 13"), e.getMessage());
        assertEquals(10, new ToyTask().loadCheckpoint(dir.resolve("c.ckpt")));
    }

    @Test
    void aCorruptCheckpointIsReportedWithWhatToDo() throws IOException {
        Files.write(dir.resolve("d.ckpt"), new byte[]{1, 2});
        TrainingRunner runner = new TrainingRunner(dir.resolve("d.ckpt"), 5, "toy");
        UserInputException e = assertThrows(UserInputException.class, () -> runner.run(new ToyTask(), true, Progress.NONE));
        assertTrue(e.getMessage().contains(TrainingRunner.NO_RESUME), e.getMessage());
    }

    @Test
    void reportsEveryStepWithTheLossesItRecordsAndTheTimeLeft() {
        RecordingProgress progress = new RecordingProgress();
        TrainingRunner.Result r = new TrainingRunner(dir.resolve("e.ckpt"), 5, "toy").run(new ToyTask(), false, progress);
        progress.assertMatches(r.history());
        assertEquals(20, progress.updates.size());
        TrainingUpdate first = progress.updates.get(0), last = progress.updates.get(19);
        assertEquals(1, first.step());
        assertEquals(20, first.total());
        assertTrue(first.secondsLeft() >= 0 && first.elapsedSeconds() >= 0, first.toString());
        assertEquals(1.0, last.fraction());
        assertEquals(0.0, last.secondsLeft(), 0.0, "nothing left after the last step");
    }

    @Test
    void aStopRequestedDuringAStepCheckpointsThatStepAndStops() throws IOException {
        RecordingProgress progress = new RecordingProgress().stopAfter(7);
        TrainingRunner runner = new TrainingRunner(dir.resolve("f.ckpt"), 100, "toy");
        ToyTask task = new ToyTask();
        TrainingRunner.Result r = runner.run(task, false, progress);
        assertTrue(r.cancelled());
        assertEquals(7, r.completedSteps());
        assertEquals(List.of(7), task.checkpoints);
        assertEquals(7, new ToyTask().loadCheckpoint(dir.resolve("f.ckpt")));
        assertEquals(7, progress.updates.size());

        RecordingProgress resumed = new RecordingProgress();
        TrainingRunner.Result rest = runner.run(new ToyTask(), true, resumed);
        assertEquals(7, resumed.earlier.size(), "the chart of a resumed run gets the earlier steps once");
        for (int i = 0; i < 7; i++) {
            assertEquals(i + 1, resumed.earlier.get(i).step());
            Map<String, Double> before = progress.updates.get(i).losses(), reloaded = resumed.earlier.get(i).losses();
            assertEquals(before.keySet(), reloaded.keySet());
            for (String k : before.keySet()) assertEquals(before.get(k), reloaded.get(k), 1e-5 * Math.abs(before.get(k)), "the CSV keeps 6 digits");
        }
        assertEquals(13, resumed.updates.size());
        resumed.assertMatches(rest.history());
    }
}
