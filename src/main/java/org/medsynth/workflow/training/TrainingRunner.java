package org.medsynth.workflow.training;

import org.medsynth.core.CancelledException;
import org.medsynth.core.Progress;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.core.UserInputException;
import org.medsynth.util.Outputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link TrainingTask}: progress with losses and time left, cancel, a checkpoint every
 * {@code checkpointEvery} steps and when cancelled, resume from the last checkpoint, and the
 * loss history saved as CSV + plot beside the checkpoint.
 */
public final class TrainingRunner {

    /** How a run ended. */
    public record Result(int completedSteps, boolean cancelled, LossHistory history) { }

    /**
     * How a user continues a stopped training, worded as the dialog and the macro language spell it: the
     * resume checkbox is a bare word in a macro's options. {@code resume=true} would be read as false
     * (ImageJ looks for the word alone) and start the training again from scratch.
     */
    public static final String RESUME = "run it again with the same settings and 'resume' ticked "
            + "(in a macro: the word resume in the options, not resume=true)";

    /** How a user starts again instead (the counterpart of {@link #RESUME}). */
    public static final String NO_RESUME = "untick 'resume'; in a macro leave resume out";

    private final Path checkpoint;
    private final Path lossBase;
    private final int checkpointEvery;
    private final String name;

    /**
     * @param checkpoint      checkpoint file (e.g. model.zip.ckpt); losses go to the same path + ".losses.csv/.png"
     * @param checkpointEvery steps between checkpoints (at least 1)
     * @param name            what is trained, for the plot title
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
                        + ". Delete it, or start the training again without resume (" + NO_RESUME + ").", e);
            }
            checkpointStep = start;
            progress.report((double) start / total, "resumed at step " + start + "/" + total);
            List<TrainingUpdate> earlier = new ArrayList<>();
            for (int row = 0; row < history.size(); row++) {
                earlier.add(new TrainingUpdate(history.step(row), total, history.losses(row), "", Double.NaN, Double.NaN));
            }
            if (!earlier.isEmpty()) progress.reportEarlierSteps(earlier);
        }
        StepTimer timer = new StepTimer(20, System.nanoTime());
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
                long now = System.nanoTime();
                timer.stepEnded(now);
                progress.reportTraining(new TrainingUpdate(done, total, losses, task.describe(step),
                        timer.elapsedSeconds(now), timer.secondsPerStep() * (total - done)));
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
                ? " The checkpoint " + checkpoint.getFileName() + " of step " + checkpointStep + " is kept: lower the learning rate and tick "
                        + "'resume' (in a macro: the word resume in the options) to continue from it; if resume refuses the changed "
                        + "setting, start again without it."
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
}
