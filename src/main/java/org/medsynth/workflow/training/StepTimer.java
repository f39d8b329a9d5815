package org.medsynth.workflow.training;

/**
 * Seconds per step over the last few steps of a run. A recent window rather than the mean of the
 * whole run, because the pace changes during training (SkrGAN's steps slow down at every resolution
 * and change again in the render stage), and the time left should follow the current pace
 * (the first step's set-up, building the graphs, is also soon forgotten).
 */
final class StepTimer {

    private final long[] times; // ring buffer: the run's start, then the time (ns) at which each step ended
    private final long start;
    private int count;          // entries written to the ring

    /** @param window steps to average over; {@code startNanos} when the run (or the resume) began */
    StepTimer(int window, long startNanos) {
        this.times = new long[Math.max(1, window) + 1];
        this.start = startNanos;
        times[0] = startNanos;
        count = 1;
    }

    void stepEnded(long nanos) {
        times[count % times.length] = nanos;
        count++;
    }

    /** Mean seconds per step over the last {@code window} steps (fewer at first); NaN before the first step. */
    double secondsPerStep() {
        int span = Math.min(count - 1, times.length - 1);
        if (span == 0) return Double.NaN;
        long last = times[(count - 1) % times.length], first = times[(count - 1 - span) % times.length];
        return (last - first) / 1e9 / span;
    }

    double elapsedSeconds(long nanos) {
        return (nanos - start) / 1e9;
    }
}
