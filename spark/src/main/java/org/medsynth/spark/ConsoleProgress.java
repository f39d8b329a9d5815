package org.medsynth.spark;

import org.medsynth.core.Progress;

import java.util.Locale;

/** Progress of one long item (a training run) on the executor's console, at most one line per interval. */
public final class ConsoleProgress implements Progress {
    private final String what;
    private final long intervalNs;
    private long last;

    public ConsoleProgress(String what, double intervalSeconds) {
        this.what = what;
        this.intervalNs = (long) (intervalSeconds * 1e9);
    }

    @Override
    public void report(double fraction, String message) {
        long now = System.nanoTime();
        if (last != 0 && now - last < intervalNs && fraction < 1) return;
        last = now;
        System.out.println(String.format(Locale.ROOT, "[MedSynth] %s %3d%% %s", what, (int) Math.round(100 * fraction), message));
        System.out.flush();
    }

    @Override
    public boolean isCancelled() {
        return false;
    }
}
