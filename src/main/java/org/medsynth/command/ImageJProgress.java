package org.medsynth.command;

import ij.IJ;
import org.medsynth.core.Progress;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.workflow.training.TrainingRunner;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Progress for jobs started from ImageJ: the progress bar and a short status line in the GUI, and a
 * console line (at most one per second, plus the last one) when running headless. Esc in ImageJ
 * cancels. A training ({@link #training}) also gets a {@link TrainingWindow} in the GUI (outside a
 * macro's batch mode), with the live loss chart and a Stop button; close it (try-with-resources) so
 * that the progress bar is reset however the job ends.
 */
public final class ImageJProgress implements Progress, AutoCloseable {

    /** Longest status-line message: ImageJ cuts the status line at its window's width. */
    static final int STATUS_CHARS = 70;

    private final String task;
    private final boolean console;
    private final boolean training;
    private volatile boolean stopRequested;
    private TrainingWindow window;
    private TrainingUpdate last;
    private boolean ended;
    private long lastLine;

    public ImageJProgress(String task) {
        this(task, false);
    }

    private ImageJProgress(String task, boolean training) {
        this.task = task;
        this.training = training;
        this.console = GraphicsEnvironment.isHeadless();
        IJ.resetEscape();
    }

    /** Progress of a training: in the GUI the training window opens with the first report. */
    public static ImageJProgress training(String task) {
        return new ImageJProgress(task, true);
    }

    @Override
    public void report(double fraction, String message) {
        if (console) {
            printThrottled(fraction, message);
        } else {
            IJ.showProgress(Math.min(1, fraction));
            IJ.showStatus(statusLine(task, message + (fraction < 1 ? " (Esc to cancel)" : "")));
            TrainingWindow w = window();
            if (w != null) w.status(message);
        }
    }

    @Override
    public void reportTraining(TrainingUpdate u) {
        last = u;
        if (console) {
            printThrottled(u.fraction(), u.line());
        } else {
            IJ.showProgress(u.fraction());
            IJ.showStatus(statusLine(task, u.stepAndTimeLeft()));
            TrainingWindow w = window();
            if (w != null) w.update(u);
        }
    }

    @Override
    public void reportEarlierSteps(List<TrainingUpdate> steps) {
        TrainingWindow w = console ? null : window();
        if (w != null) for (TrainingUpdate u : steps) w.addEarlier(u);
    }

    @Override
    public boolean isCancelled() {
        return stopRequested || IJ.escapePressed();
    }

    /** What the training window's Stop button does: the trainer checkpoints after its current step and stops. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Ends a training: resets the progress bar, and shows where the model is and, if it was stopped,
     * how to continue (in the training window, the status line, the console headless).
     *
     * @param model      the model file, or null if none was written (then {@code checkpoint} is named)
     * @param checkpoint the checkpoint a resumed run continues from
     */
    public void trainingEnded(int completed, int total, boolean stopped, Path model, Path checkpoint) {
        ended = true;
        String text = endText(task, completed, total, stopped, model, checkpoint, last == null ? Double.NaN : last.elapsedSeconds());
        String status = stopped ? "stopped at step " + completed + "/" + total : "finished, " + completed + " steps";
        if (console) {
            System.out.println("[MedSynth] " + task + ": " + text.replace('\n', ' '));
            System.out.flush();
        } else {
            IJ.showProgress(1.0);
            IJ.showStatus(statusLine(task, status));
            if (window != null) window.finish(text);
            else IJ.log(task + ": " + text.replace('\n', ' ')); // batch mode: no window to say it
        }
    }

    /** Resets the progress bar; a training that did not reach {@link #trainingEnded} says it stopped with an error. */
    @Override
    public void close() {
        if (console) return;
        IJ.showProgress(1.0);
        if (ended || !training) return;
        IJ.showStatus(statusLine(task, "stopped with an error"));
        if (window != null) window.finish(task + " stopped with an error (see the error message).");
    }

    /**
     * The training window, opened on first use: GUI trainings only, and not in a macro's batch mode, which
     * promises no new windows (a macro that trains six networks would otherwise leave six windows).
     */
    private synchronized TrainingWindow window() {
        if (training && window == null && !ended && !ij.macro.Interpreter.isBatchMode()) {
            window = TrainingWindow.open("MedSynth " + task, this::requestStop);
        }
        return window;
    }

    private void printThrottled(double fraction, String message) {
        long now = System.currentTimeMillis();
        if (now - lastLine >= 1000 || fraction >= 1.0) {
            lastLine = now;
            System.out.printf("[MedSynth] %s %3.0f%% %s%n", task, 100 * Math.min(1, fraction), message);
            System.out.flush();
        }
    }

    /** "Train SkrGAN: step 140/600, 3 min 02 s left", shortened to fit ImageJ's status line. */
    static String statusLine(String task, String message) {
        String s = task + ": " + message;
        return s.length() <= STATUS_CHARS ? s : s.substring(0, STATUS_CHARS - 3) + "...";
    }

    /** The end of a training as the window shows it: what happened, where the model is, how to continue. */
    static String endText(String task, int completed, int total, boolean stopped, Path model, Path checkpoint, double seconds) {
        StringBuilder sb = new StringBuilder();
        String time = Double.isNaN(seconds) ? "" : " in " + TrainingUpdate.duration(seconds);
        if (!stopped) {
            sb.append(String.format(Locale.ROOT, "Finished: %d of %d steps%s.%n", completed, total, time));
            sb.append("Model: ").append(model);
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "Stopped after step %d of %d%s.%n", completed, total, time));
        if (model != null) sb.append("Model (weights so far): ").append(model).append('\n');
        else sb.append("The model is written when the training completes.\n");
        sb.append("Checkpoint: ").append(checkpoint).append('\n');
        sb.append("To continue, ").append(TrainingRunner.RESUME.replace("run it again", "run " + task + " again")).append('.');
        return sb.toString();
    }
}
