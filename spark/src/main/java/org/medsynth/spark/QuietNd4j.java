package org.medsynth.spark;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * ND4J 1.0.0-M2.1 prints "Added differentiated op ..." on System.out for every op whenever SameDiff builds a gradient
 * (hundreds of lines per training run); this filter drops exactly those lines (as the headless launcher does).
 */
final class QuietNd4j extends OutputStream {
    private static final String NOISE = "Added differentiated op ";
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private QuietNd4j(PrintStream target) {
        this.target = target;
    }

    static synchronized void install() {
        if (System.out instanceof Filtered) return;
        System.setOut(new Filtered(new QuietNd4j(System.out)));
    }

    private static final class Filtered extends PrintStream {
        Filtered(QuietNd4j f) {
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
        for (int i = 0; i < len; i++) write(b[off + i]);
    }

    @Override
    public synchronized void flush() {
        target.flush();
    }

    private void flushLine() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(NOISE)) target.print(s);
    }
}
