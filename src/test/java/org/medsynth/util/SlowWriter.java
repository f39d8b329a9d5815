package org.medsynth.util;

import java.nio.file.Path;

/** For AtomicFilesCrashTest: starts writing args[0] through AtomicFiles and never finishes (until killed). */
public final class SlowWriter {
    private SlowWriter() { }

    public static void main(String[] args) throws Exception {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 20]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
