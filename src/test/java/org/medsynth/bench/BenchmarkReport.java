package org.medsynth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/** Shared pieces of the benchmark mains: arguments, timing, and writing one section of docs/benchmarks.md. */
public final class BenchmarkReport {

    private BenchmarkReport() { }

    /** The {@code key=value} arguments from index {@code from} on, in their order. */
    public static Map<String, String> keyValues(String[] args, int from) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int e = args[i].indexOf('=');
            if (e < 1) throw new IllegalArgumentException("expected key=value, got '" + args[i] + "'");
            kv.put(args[i].substring(0, e), args[i].substring(e + 1));
        }
        return kv;
    }

    /**
     * Puts {@code markdown} into {@code target} between the markers of section {@code id}, replacing
     * an earlier run's section or appending a new one; other sections are left as they are.
     */
    public static void writeSection(Path target, String id, String markdown) throws IOException {
        String begin = "<!-- BEGIN " + id + " benchmark -->", end = "<!-- END " + id + " benchmark -->";
        String section = begin + "\n" + markdown.strip() + "\n" + end + "\n";
        String old = Files.exists(target) ? Files.readString(target) : "# Benchmarks\n\n";
        int b = old.indexOf(begin), e = old.indexOf(end);
        String updated;
        if (b >= 0 && e > b) {
            int after = e + end.length();
            if (after < old.length() && old.charAt(after) == '\n') after++;
            updated = old.substring(0, b) + section + old.substring(after);
        } else {
            updated = old + (old.endsWith("\n\n") ? "" : old.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, updated, StandardCharsets.UTF_8);
    }

    /** Seconds per call of {@code op}, after {@code warmUp} untimed calls. */
    public static double secondsPerCall(int warmUp, int reps, IntConsumer op) {
        for (int i = 0; i < warmUp; i++) op.accept(i);
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) op.accept(warmUp + i);
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    /** One line on the machine and JVM, for the head of a section. */
    public static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB";
    }
}
