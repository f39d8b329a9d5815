package org.medsynth.command;

import ij.IJ;
import org.medsynth.workflow.Progress;

import java.awt.GraphicsEnvironment;

/**
 * Progress for jobs started from ImageJ: the progress bar and status line in the GUI, and a
 * console line (at most one per second, plus the last one) when running headless.
 * Esc in ImageJ cancels.
 */
public final class ImageJProgress implements Progress {

    private final String task;
    private final boolean console;
    private long lastLine;

    public ImageJProgress(String task) {
        this.task = task;
        this.console = GraphicsEnvironment.isHeadless();
        IJ.resetEscape();
    }

    @Override
    public void report(double fraction, String message) {
        if (console) {
            long now = System.currentTimeMillis();
            if (now - lastLine >= 1000 || fraction >= 1.0) {
                lastLine = now;
                System.out.printf("[MedSynth] %s %3.0f%% %s%n", task, 100 * Math.min(1, fraction), message);
                System.out.flush();
            }
        } else {
            IJ.showProgress(Math.min(1, fraction));
            IJ.showStatus(task + ": " + message + (fraction < 1 ? " (Esc to cancel)" : ""));
        }
    }

    @Override
    public boolean isCancelled() {
        return IJ.escapePressed();
    }
}
