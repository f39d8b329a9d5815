package org.medsynth.workflow.skrgan;

import org.medsynth.core.UserInputException;

/**
 * PGGAN's growth schedule over a fixed number of training steps: resolutions 4, 8, ..., max get
 * equal shares of the steps; every level after the first spends the first half of its share fading
 * the new layers in (alpha rising linearly from 0 to 1) and the second half stabilising (alpha 1).
 * Batch sizes shrink at high resolutions as in PGGAN's minibatch table.
 */
public final class ProgressiveSchedule {

    /** Where a step is: resolution, fade-in factor, batch size. */
    public record Phase(int resolution, double alpha, int batch, boolean fading) { }

    private final int maxResolution;
    private final int totalSteps;
    private final int maxBatch;
    private final int levels;
    private final boolean fixedResolution;

    /**
     * @param maxResolution final resolution (power of two, at least 4)
     * @param totalSteps    steps of the whole progressive training
     * @param maxBatch      batch size at low resolutions (the paper uses 16)
     */
    public ProgressiveSchedule(int maxResolution, int totalSteps, int maxBatch) {
        if (maxResolution < 4 || Integer.bitCount(maxResolution) != 1) {
            throw new UserInputException("resolution must be a power of two of at least 4, got " + maxResolution);
        }
        this.levels = Integer.numberOfTrailingZeros(maxResolution) - 1;
        if (totalSteps < levels) {
            throw new UserInputException("Progressive growing to " + maxResolution + " px needs at least " + levels
                    + " iterations (one per resolution); got " + totalSteps + ".");
        }
        if (maxBatch < 1) throw new UserInputException("batch must be at least 1, got " + maxBatch);
        this.maxResolution = maxResolution;
        this.totalSteps = totalSteps;
        this.maxBatch = maxBatch;
        this.fixedResolution = false;
    }

    /** No growth: every step at {@code resolution} with alpha 1 (the WGAN-GP baseline on PGGAN's networks). */
    public static ProgressiveSchedule fixed(int resolution, int totalSteps, int maxBatch) {
        return new ProgressiveSchedule(resolution, totalSteps, maxBatch, true);
    }

    private ProgressiveSchedule(int resolution, int totalSteps, int maxBatch, boolean fixed) {
        if (resolution < 4 || Integer.bitCount(resolution) != 1) {
            throw new UserInputException("resolution must be a power of two of at least 4, got " + resolution);
        }
        if (totalSteps < 1 || maxBatch < 1) throw new UserInputException("iterations and batch must be at least 1");
        this.maxResolution = resolution;
        this.totalSteps = totalSteps;
        this.maxBatch = maxBatch;
        this.levels = 1;
        this.fixedResolution = true;
    }

    public int totalSteps() { return totalSteps; }

    public int levels() { return levels; }

    /** First step of level k (0 = 4 px). */
    public int levelStart(int level) {
        return (int) ((long) totalSteps * level / levels);
    }

    public Phase at(int step) {
        if (step < 0 || step >= totalSteps) throw new IllegalArgumentException("step " + step + " outside 0.." + (totalSteps - 1));
        int level = levels - 1;
        while (levelStart(level) > step) level--;
        int resolution = fixedResolution ? maxResolution : 4 << level;
        int start = levelStart(level), length = levelStart(level + 1) - start;
        int fade = level == 0 ? 0 : length / 2;
        int into = step - start;
        double alpha = into < fade ? (into + 1.0) / (fade + 1.0) : 1.0;
        return new Phase(resolution, alpha, batchAt(resolution), into < fade);
    }

    /** PGGAN's per-resolution minibatch sizes (16 up to 128 px, 8 at 256, 4 at 512 and above), capped by maxBatch. */
    public int batchAt(int resolution) {
        int table = resolution <= 128 ? 16 : resolution == 256 ? 8 : 4;
        return Math.max(1, Math.min(maxBatch, table));
    }

    public int maxResolution() { return maxResolution; }
}
