package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.workflow.training.TrainingRunner;
import org.medsynth.workflow.training.TrainingTask;

import java.awt.GraphicsEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The training side of ImageJProgress that needs no display: Stop, the console lines, the texts. */
class ImageJProgressTest {

    @TempDir
    Path dir;

    /** Counts steps; its checkpoint is the number of steps done. */
    static final class CountingTask implements TrainingTask {
        final List<Integer> checkpoints = new ArrayList<>();
        Runnable atStep3 = () -> { };

        @Override public int totalSteps() { return 10; }

        @Override public Map<String, Double> step(int step) {
            if (step == 2) atStep3.run(); // the user presses Stop while step 3 runs
            return Map.of("loss", 1.0 / (step + 1));
        }

        @Override public void saveCheckpoint(Path file, int completed) throws IOException {
            checkpoints.add(completed);
            Files.writeString(file, Integer.toString(completed));
        }

        @Override public int loadCheckpoint(Path file) throws IOException {
            return Integer.parseInt(Files.readString(file));
        }
    }

    @Test
    void stopMakesTheTrainerCheckpointTheCurrentStepAndStop() throws IOException {
        assumeTrue(GraphicsEnvironment.isHeadless(), "with a display a training window would open");
        ImageJProgress progress = ImageJProgress.training("Train Toy");
        CountingTask task = new CountingTask();
        task.atStep3 = progress::requestStop;
        Path ckpt = dir.resolve("toy.ckpt");
        TrainingRunner.Result r = quietly(() -> new TrainingRunner(ckpt, 100, "toy").run(task, false, progress));
        assertTrue(r.cancelled());
        assertEquals(3, r.completedSteps(), "the step running when Stop was pressed completes");
        assertEquals(List.of(3), task.checkpoints);
        assertEquals("3", Files.readString(ckpt));
        assertTrue(progress.isCancelled());
        assertFalse(new ImageJProgress("Train Toy").isCancelled(), "a new job starts uncancelled");
    }

    @Test
    void headlessLinesCarryTheLatestLossesAndTheEndSaysHowToContinue() {
        assumeTrue(GraphicsEnvironment.isHeadless(), "console lines are the headless form");
        ImageJProgress progress = ImageJProgress.training("Train Toy");
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("D", 0.5);
        losses.put("G", 2.25);
        String out = capture(() -> {
            progress.reportTraining(new TrainingUpdate(4, 10, losses, "sketch 8 px", 8, 12));
            progress.trainingEnded(4, 10, true, null, Path.of("/data/m-checkpoint.zip"));
        });
        assertTrue(out.contains("[MedSynth] Train Toy  40% step 4/10 sketch 8 px D=0.5000 G=2.250, 12 s left"), out);
        assertTrue(out.contains("Stopped after step 4 of 10 in 8 s.") && out.contains("/data/m-checkpoint.zip"), out);
        assertTrue(out.contains("run Train Toy again with the same settings and 'resume' ticked"), out);
        assertTrue(out.contains("the word resume in the options, not resume=true"), out);
        assertEquals(2, out.lines().count(), "one console line per event: " + out);
    }

    @Test
    void theEndNamesTheModel() {
        String done = ImageJProgress.endText("Train Toy", 10, 10, false, Path.of("/data/m.zip"), Path.of("/data/m.zip.ckpt"), 125);
        assertEquals("Finished: 10 of 10 steps in 2 min 05 s.\nModel: /data/m.zip", done);
        String stopped = ImageJProgress.endText("Train Toy", 3, 10, true, Path.of("/data/m.zip"), Path.of("/data/m.zip.ckpt"), Double.NaN);
        assertTrue(stopped.startsWith("Stopped after step 3 of 10.\nModel (weights so far): /data/m.zip\nCheckpoint: /data/m.zip.ckpt\n"), stopped);
    }

    @Test
    void statusLinesStayShort() {
        assertEquals("Train SkrGAN: step 140/600, 3 min 02 s left", ImageJProgress.statusLine("Train SkrGAN", "step 140/600, 3 min 02 s left"));
        String s = ImageJProgress.statusLine("Train SkrGAN", "reading " + "x".repeat(200) + ".png (3/40)");
        assertEquals(ImageJProgress.STATUS_CHARS, s.length());
        assertTrue(s.endsWith("..."));
    }

    private static String capture(Runnable r) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static <T> T quietly(java.util.function.Supplier<T> s) {
        Object[] out = new Object[1];
        capture(() -> out[0] = s.get());
        @SuppressWarnings("unchecked") T t = (T) out[0];
        return t;
    }
}
