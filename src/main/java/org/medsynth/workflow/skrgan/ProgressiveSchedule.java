package org.medsynth.workflow.skrgan;

import org.medsynth.core.UserInputException;

/**
 * PGGAN's growth schedule over a fixed number of training steps through resolutions 4, 8, ..., max.
 * Every level after the first starts by fading the new layers in (alpha rising linearly from 0 to 1),
 * then stabilises (alpha 1). How the steps are shared between levels is the {@link Growth}. Batch sizes
 * shrink at high resolutions as in PGGAN's minibatch table.
 */
public final class ProgressiveSchedule {

    /** Where a step is: resolution, fade-in factor, batch size. */
    public record Phase(int resolution, double alpha, int batch, boolean fading) { }

    /** How the steps are shared between the resolutions. */
    public enum Growth {
        /**
         * PGGAN's own schedule (tkarras/progressive_growing_of_gans: 600k images of fade-in and 600k of stabilisation
         * per resolution, 15,000k in all): each resolution below the final one gets 8 % of the steps (4 % fading in,
         * 4 % stable; the first, 4 px, only its 4 % stable), and the final resolution keeps the rest (its fade-in 4 %):
         * 68 % of a 64 px training is spent at 64 px, where the fine structure (a vessel tree) is learnt.
         */
        PGGAN,
        /** Equal shares for all resolutions, half fade-in, half stable: what models saved before the setting used. */
        EQUAL
    }

    /** PGGAN's half phase (600k of 15,000k images) as a fraction of the whole training. */
    static final double PGGAN_HALF_PHASE = 0.04;

    private final int maxResolution;
    private final int totalSteps;
    private final int maxBatch;
    private final int levels;
    private final boolean fixedResolution;
    private final Growth growth;

    /** The equal-share schedule of models saved before the growth setting existed. */
    public ProgressiveSchedule(int maxResolution, int totalSteps, int maxBatch) {
        this(maxResolution, totalSteps, maxBatch, Growth.EQUAL);
    }

    /**
     * @param maxResolution final resolution (power of two, at least 4)
     * @param totalSteps    steps of the whole progressive training
     * @param maxBatch      batch size at low resolutions (the paper uses 16)
     * @param growth        how the steps are shared between the resolutions
     */
    public ProgressiveSchedule(int maxResolution, int totalSteps, int maxBatch, Growth growth) {
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
        this.growth = growth;
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
        this.growth = Growth.EQUAL;
    }

    public int totalSteps() { return totalSteps; }

    public int levels() { return levels; }

    public Growth growth() { return growth; }

    /** First step of level k (0 = 4 px; k = levels gives the end of the training). */
    public int levelStart(int level) {
        if (growth == Growth.EQUAL || level == 0 || level == levels) return (int) ((long) totalSteps * level / levels);
        // PGGAN: 4 % for the first level, 8 % for each further one below the final; at least one step per level
        int start = (int) Math.floor(totalSteps * PGGAN_HALF_PHASE * (2 * level - 1));
        return Math.max(start, levelStart(level - 1) + 1);
    }

    /** Steps of level k (k >= 1) that fade its layers in. */
    private int fadeLength(int level, int length) {
        if (level == 0) return 0;
        if (growth == Growth.EQUAL || level < levels - 1) return length / 2;
        // the final level fades in over a lower level's half phase, then stabilises for the rest of the training
        return Math.min(length / 2, Math.max(1, (int) Math.round(totalSteps * PGGAN_HALF_PHASE)));
    }

    public Phase at(int step) {
        if (step < 0 || step >= totalSteps) throw new IllegalArgumentException("step " + step + " outside 0.." + (totalSteps - 1));
        int level = levels - 1;
        while (levelStart(level) > step) level--;
        int resolution = fixedResolution ? maxResolution : 4 << level;
        int start = levelStart(level), length = levelStart(level + 1) - start;
        int fade = fadeLength(level, length);
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
