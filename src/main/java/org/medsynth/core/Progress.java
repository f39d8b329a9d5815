package org.medsynth.core;

import java.util.List;

/**
 * Where long-running jobs report how far they are and learn whether the user wants them to stop.
 * Implementations decide how to show it (ImageJ progress bar, a console line, nothing in tests).
 */
public interface Progress {

    /** @param fraction 0..1 of the whole job; message a short status line, e.g. "slice 3/40" */
    void report(double fraction, String message);

    /**
     * A finished training step with its losses and timing. Trainers call this once per step; a training
     * window draws the losses, the default shows the step as an ordinary progress line.
     */
    default void reportTraining(TrainingUpdate update) {
        report(update.fraction(), update.line());
    }

    /**
     * The steps of earlier runs, once, when a training resumes from a checkpoint (so that a loss chart can
     * show the whole training); their times are unknown (NaN). The default ignores them.
     */
    default void reportEarlierSteps(List<TrainingUpdate> steps) {
    }

    /** True once the user asked to cancel (Esc or a Stop button in ImageJ; Ctrl-C is handled by the JVM). */
    boolean isCancelled();

    /** Throws {@link CancelledException} when the user cancelled; call between units of work. */
    default void checkCancelled() {
        if (isCancelled()) throw new CancelledException();
    }

    /** A progress sink that shows nothing and never cancels (tests, library use). */
    Progress NONE = new Progress() {
        @Override public void report(double fraction, String message) { }
        @Override public boolean isCancelled() { return false; }
    };
}
