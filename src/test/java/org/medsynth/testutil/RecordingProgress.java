package org.medsynth.testutil;

import org.medsynth.core.Progress;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.workflow.training.LossHistory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Progress that records the training updates it gets and can ask to stop after a given number of
 * steps, as the training window's Stop button does.
 */
public final class RecordingProgress implements Progress {

    public final List<TrainingUpdate> updates = new ArrayList<>();
    public final List<TrainingUpdate> earlier = new ArrayList<>();
    private int stopAfter = Integer.MAX_VALUE;

    /** Requests a stop once {@code steps} steps have been reported. */
    public RecordingProgress stopAfter(int steps) {
        this.stopAfter = steps;
        return this;
    }

    @Override public void report(double fraction, String message) { }

    @Override public void reportTraining(TrainingUpdate update) {
        updates.add(update);
    }

    @Override public void reportEarlierSteps(List<TrainingUpdate> steps) {
        earlier.addAll(steps);
    }

    @Override public boolean isCancelled() {
        return updates.size() >= stopAfter;
    }

    /**
     * Every reported step has the losses the trainer recorded for it, row for row, and every loss
     * recorded was reported (the history's gaps, NaN, are losses a step did not have).
     */
    public void assertMatches(LossHistory history) {
        assertFalse(updates.isEmpty(), "no training step was reported");
        int offset = history.size() - updates.size(); // a resumed run reports only its own steps
        assertTrue(offset >= 0, updates.size() + " updates for " + history.size() + " recorded steps");
        for (int i = 0; i < updates.size(); i++) {
            TrainingUpdate u = updates.get(i);
            assertEquals(offset + i + 1, u.step(), "steps are reported in order, once each");
            for (Map.Entry<String, Double> e : u.losses().entrySet()) {
                assertEquals(history.values(e.getKey()).get(offset + i), e.getValue(), 0.0,
                        e.getKey() + " at step " + u.step());
            }
        }
        for (String n : history.names()) {
            List<Double> recorded = history.values(n);
            for (int i = 0; i < updates.size(); i++) {
                Double reported = updates.get(i).losses().get(n);
                if (reported == null) assertTrue(Double.isNaN(recorded.get(offset + i)), n + " recorded but not reported at step " + updates.get(i).step());
            }
        }
    }
}
