package org.medsynth.workflow.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One model's training as the {@link TrainingRunner} drives it: steps, and checkpoints that hold
 * everything needed to continue exactly where it stopped (weights, optimiser state, random state).
 */
public interface TrainingTask {

    /** Number of steps of the whole training. */
    int totalSteps();

    /** A short description of where step {@code step} is, e.g. "stage sketch, 64 px, fade-in 0.40". */
    default String describe(int step) {
        return "";
    }

    /**
     * What step {@code step} trained on, for a message when its loss became NaN: e.g. "patches of liver-03,
     * liver-07"; empty if the task cannot say.
     */
    default String describeBatch(int step) {
        return "";
    }

    /** Runs step {@code step} (0-based) and returns its losses by name, e.g. {"D": 0.7, "G": 1.2}. */
    Map<String, Double> step(int step);

    /** Writes a checkpoint after {@code completedSteps} steps; must write atomically. */
    void saveCheckpoint(Path file, int completedSteps) throws IOException;

    /** Restores a checkpoint and returns the number of steps it had completed. */
    int loadCheckpoint(Path file) throws IOException;
}
