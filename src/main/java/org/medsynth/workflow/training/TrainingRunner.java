package org.medsynth.workflow.training;

import org.medsynth.workflow.CancelledException;
import org.medsynth.workflow.Progress;
import org.medsynth.workflow.UserInputException;
import org.medsynth.workflow.validate.Outputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Drives a {@link TrainingTask}: progress with losses and time left, cancel, a checkpoint every
 * {@code checkpointEvery} steps and when cancelled, resume from the last checkpoint, and the
 * loss history saved as CSV + plot beside the checkpoint.
 */
public final class TrainingRunner {

    /** How a run ended. */
    public record Result(int completedSteps, boolean cancelled, LossHistory history) { }

    private final Path checkpoint;
    private final Path lossBase;
    private final int checkpointEvery;
    private final String name;

    /**
     * @param checkpoint      checkpoint file (e.g. model.zip.ckpt); losses go to the same path + ".losses.csv/.png"
     * @param checkpointEvery steps between checkpoints (at least 1)
     * @param name            what is trained, for progress lines and the plot title
     */
    public TrainingRunner(Path checkpoint, int checkpointEvery, String name) {
        this(checkpoint, checkpoint, checkpointEvery, name);
    }

    /** As above, with the loss files named after {@code lossBase} (e.g. the model: model.zip.losses.csv). */
    public TrainingRunner(Path checkpoint, Path lossBase, int checkpointEvery, String name) {
        this.checkpoint = checkpoint;
        this.lossBase = lossBase;
        this.checkpointEvery = Math.max(1, checkpointEvery);
        this.name = name;
    }

    public Path lossCsv() {
        return lossBase.resolveSibling(lossBase.getFileName() + ".losses.csv");
    }

    public Path lossPlot() {
        return lossBase.resolveSibling(lossBase.getFileName() + ".losses.png");
    }

    /**
     * Trains; with {@code resume} continues from the checkpoint if there is one.
     * A cancel saves a checkpoint first, then returns with {@code cancelled = true}.
     */
    public Result run(TrainingTask task, boolean resume, Progress progress) {
        int total = task.totalSteps();
        int start = 0;
        int checkpointStep = -1;
        LossHistory history = new LossHistory();
        if (resume && Files.exists(checkpoint)) {
            try {
                start = task.loadCheckpoint(checkpoint);
                if (Files.exists(lossCsv())) history = LossHistory.loadCsv(lossCsv());
            } catch (IOException | RuntimeException e) {
                if (e instanceof UserInputException) throw (UserInputException) e;
                throw new UserInputException("Cannot resume from the checkpoint " + checkpoint + ": " + e.getMessage()
                        + ". Delete it (or set resume=false) to start the training again.", e);
            }
            checkpointStep = start;
            progress.report((double) start / total, "resumed at step " + start + "/" + total);
        }
        long t0 = System.nanoTime();
        int done = start;
        try {
            for (int step = start; step < total; step++) {
                progress.checkCancelled();
                Map<String, Double> losses = task.step(step);
                for (Map.Entry<String, Double> e : losses.entrySet()) {
                    if (!Double.isFinite(e.getValue())) throw diverged(task, step, e.getKey(), e.getValue(), checkpointStep);
                }
                history.add(step + 1, losses);
                done = step + 1;
                if (done % checkpointEvery == 0 && done < total) {
                    save(task, done, history);
                    checkpointStep = done;
                }
                double perStep = (System.nanoTime() - t0) / 1e9 / (done - start);
                progress.report((double) done / total, String.format(Locale.ROOT, "%s step %d/%d %s %s, %s left",
                        name, done, total, task.describe(step), format(losses), duration(perStep * (total - done))));
            }
        } catch (CancelledException e) {
            if (done > start) save(task, done, history);
            return new Result(done, true, history);
        }
        save(task, done, history);
        return new Result(done, false, history);
    }

    /**
     * The message for a loss that became NaN or infinite: which loss, at which step, on what data, and
     * whether a checkpoint is there to resume from. The input images were checked for NaN and infinite
     * values before training (InputChecks), so the usual cause is a learning rate too high for the data.
     */
    private UserInputException diverged(TrainingTask task, int step, String loss, double value, int checkpointStep) {
        String batch;
        try {
            batch = task.describeBatch(step);
        } catch (RuntimeException e) {
            batch = "";
        }
        String kept = checkpointStep > 0
                ? " The checkpoint " + checkpoint.getFileName() + " of step " + checkpointStep + " is kept: after lowering the learning rate, "
                        + "resume=true continues from it."
                : " No checkpoint had been written yet (the first comes at step " + Math.min(checkpointEvery, task.totalSteps())
                        + "), so the training starts again from the beginning.";
        return new UserInputException("Training diverged: the loss " + loss + " became " + value + " at step " + (step + 1)
                + (batch == null || batch.isBlank() ? "" : " (" + batch + ")")
                + ". The images were checked for NaN and infinite values, so the learning rate is probably too high for this data: "
                + "lower it (e.g. by a factor of 10)." + kept);
    }

    private void save(TrainingTask task, int done, LossHistory history) {
        Path writing = checkpoint;
        try {
            task.saveCheckpoint(checkpoint, done);
            writing = lossCsv();
            history.saveCsv(lossCsv());
            writing = lossPlot();
            history.savePlot(lossPlot(), name + " losses");
        } catch (IOException e) {
            throw Outputs.writeFailed(writing, e);
        }
    }

    private static String format(Map<String, Double> losses) {
        return losses.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s=%.4g", e.getKey(), e.getValue()))
                .collect(Collectors.joining(" "));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
