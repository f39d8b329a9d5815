package org.medsynth.nn;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * ND4J 1.0.0-M2.1 prints "Added differentiated op NAME" to System.out for every operation each time
 * SameDiff builds a gradient function (a debugging line left in SameDiff.createGradFunction), hundreds
 * of lines per network. This stream drops exactly those lines and passes everything else through, so
 * the console (a terminal, Fiji's Console window, a headless run's output) shows MedSynth's progress
 * lines, not ND4J's internals. {@link Backend#require()} installs it, so it applies in the GUI too.
 */
public final class Nd4jDebugFilter extends OutputStream {

    static final String NOISE = "Added differentiated op ";

    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private Nd4jDebugFilter(PrintStream target) {
        this.target = target;
    }

    /** Replaces System.out by a filtered copy (idempotent). */
    public static synchronized void install() {
        if (System.out instanceof Filtered) return;
        System.setOut(new Filtered(new Nd4jDebugFilter(System.out)));
    }

    private static final class Filtered extends PrintStream {
        Filtered(Nd4jDebugFilter f) {
            super(f, true, StandardCharsets.UTF_8);
        }
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') flushLine();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) write(b[i]);
    }

    @Override
    public synchronized void flush() {
        // a partial line stays buffered until its newline so that it can still be recognised
        target.flush();
    }

    private void flushLine() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(NOISE)) {
            target.print(s);
            target.flush();
        }
    }
}
