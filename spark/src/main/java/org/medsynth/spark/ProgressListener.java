package org.medsynth.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Progress of a job on the driver's console: items done of the total, the rate, and the time left, at most one line
 * every {@code intervalMs} (and one at the end). One item is one Spark task, so finished tasks count items.
 */
final class ProgressListener extends SparkListener {
    private final String job;
    private final String unit;
    private final int total;
    private final long intervalMs;
    private final Consumer<String> out;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final long start = System.nanoTime();
    private volatile long lastPrint;
    private volatile boolean active = true;

    ProgressListener(String job, String unit, int total, long intervalMs, Consumer<String> out) {
        this.job = job;
        this.unit = unit;
        this.total = total;
        this.intervalMs = intervalMs;
        this.out = out;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        if (active) running.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        if (!active) return;
        running.decrementAndGet();
        if (e.taskInfo().successful()) done.incrementAndGet();
        long now = System.nanoTime() / 1_000_000;
        if (now - lastPrint >= intervalMs || done.get() == total) {
            lastPrint = now;
            out.accept(line());
        }
    }

    void stop() {
        active = false;
    }

    int done() {
        return done.get();
    }

    String line() {
        int d = Math.min(done.get(), total);
        double minutes = (System.nanoTime() - start) / 60e9;
        double rate = minutes > 0 ? d / minutes : 0;
        String left = d == 0 || d >= total ? "" : ", about " + duration((total - d) / rate * 60) + " left";
        return String.format(Locale.ROOT, "%s %3d%% %d/%d %s done, %.1f %s/min%s", job, total == 0 ? 100 : 100 * d / total, d, total, unit,
                rate, unit, left);
    }

    static String duration(double seconds) {
        if (seconds < 90) return Math.round(seconds) + " s";
        if (seconds < 5400) return Math.round(seconds / 60) + " min";
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
