package org.medsynth.workflow.hybrid;

import org.medsynth.core.UserInputException;

/**
 * How synthetic pairs join the real training pairs, as in the paper's Table 1: {@code fakeRatio} synthetic
 * pairs per real pair, with the real pairs ("300% F + 100% R" = 3) or alone ({@code syntheticOnly}, "100% F"
 * with ratio 1). Whether a synthetic-only mix has pairs to train on is checked with its source
 * ({@link SyntheticTrainingData#of}), which says first when no source is given at all.
 */
public record SyntheticMix(int fakeRatio, boolean syntheticOnly) {

    /** As many copies per pair as Augment Training Set writes at most. */
    public static final int MAX_FAKE_RATIO = 1000;

    public SyntheticMix {
        if (fakeRatio < 0) throw new UserInputException("fake_ratio must be >= 0 (synthetic pairs per real pair), not " + fakeRatio + ".");
        if (fakeRatio > MAX_FAKE_RATIO) {
            throw new UserInputException("fake_ratio must be at most " + MAX_FAKE_RATIO + ", not " + fakeRatio + ".");
        }
    }

    /** The Table 1 row: "100% F", "100% F + 100% R", "300% F + 100% R", ... */
    public String label() {
        String f = (100 * fakeRatio) + "% F";
        return syntheticOnly ? f : f + " + 100% R";
    }
}
