package org.medsynth.launch;

import ij.IJ;
import ij.Macro;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;

/**
 * Shows a failure the way the user can read it: a dialog of readable width in the GUI; one line on
 * stderr when nobody can answer a dialog (headless, or {@code ImageJ -batch} without an ImageJ window,
 * where a modal dialog would block the macro forever). Then it stops the calling macro, as ImageJ's
 * own commands do, and records the message for the headless runner's exit status.
 */
public final class Failure {

    /** Characters per line in an error dialog (about 500 pixels in ImageJ's dialog font). */
    public static final int WIDTH = 72;

    private Failure() { }

    public static void report(String title, String message) {
        LastError.set(title + ": " + message);
        if (nobodyToAnswerDialogs()) {
            System.err.println(title + ": " + message);
            System.err.flush();
        } else {
            IJ.error(title, wrap(message, WIDTH));
        }
        abortMacro();
    }

    /** Details (a stack trace) for a bug report: the Log window in the GUI, stderr otherwise. */
    public static void details(String text) {
        if (nobodyToAnswerDialogs()) System.err.println(text);
        else IJ.log(text);
    }

    /** Headless, or a batch macro with no ImageJ window (ImageJ -batch): a dialog would never be answered. */
    public static boolean nobodyToAnswerDialogs() {
        return GraphicsEnvironment.isHeadless() || IJ.getInstance() == null && Interpreter.isBatchMode();
    }

    /**
     * Stops the calling macro (if any). Macro.abort() throws only on ImageJ's own macro threads (named
     * "...Macro$"); a macro run on another thread (ImageJ -batch, the headless runner) would go on to its
     * next line, so the interpreter is told to stop as well.
     */
    public static void abortMacro() {
        Interpreter interpreter = Interpreter.getInstance();
        if (interpreter != null) interpreter.abortMacro();
        if (Macro.getOptions() != null || interpreter != null) Macro.abort();
    }

    /**
     * Breaks {@code text} at spaces into lines of at most {@code width} characters (ImageJ's message dialog
     * makes one line of every line of text: an unwrapped message of a few hundred characters gave a dialog
     * wider than the screen). A word longer than a line (a path) starts a line of its own and is cut there.
     */
    public static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        String[] paragraphs = text.split("\n", -1);
        for (int p = 0; p < paragraphs.length; p++) {
            if (p > 0) out.append('\n');
            int lineStart = out.length();
            for (String word : paragraphs[p].trim().split(" +")) {
                if (word.isEmpty()) continue;
                int lineLength = out.length() - lineStart;
                if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                    out.append('\n');
                    lineStart = out.length();
                    lineLength = 0;
                }
                if (lineLength > 0) out.append(' ');
                while (word.length() > width) {
                    out.append(word, 0, width).append('\n');
                    lineStart = out.length();
                    word = word.substring(width);
                }
                out.append(word);
            }
        }
        return out.toString();
    }
}
