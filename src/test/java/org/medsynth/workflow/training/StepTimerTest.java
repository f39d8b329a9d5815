package org.medsynth.workflow.training;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepTimerTest {

    private static final long S = 1_000_000_000L;

    @Test
    void unknownBeforeTheFirstStepThenTheMeanOfTheStepsSoFar() {
        StepTimer t = new StepTimer(3, 10 * S);
        assertTrue(Double.isNaN(t.secondsPerStep()));
        t.stepEnded(12 * S);
        assertEquals(2.0, t.secondsPerStep(), 1e-9);
        t.stepEnded(16 * S);
        assertEquals(3.0, t.secondsPerStep(), 1e-9);
        assertEquals(6.0, t.elapsedSeconds(16 * S), 1e-9);
    }

    @Test
    void followsTheCurrentPaceOnceTheWindowIsFull() {
        StepTimer t = new StepTimer(3, 0);
        long now = 0;
        for (int i = 0; i < 10; i++) t.stepEnded(now += S);       // 1 s per step (a small resolution)
        assertEquals(1.0, t.secondsPerStep(), 1e-9);
        for (int i = 0; i < 2; i++) t.stepEnded(now += 4 * S);    // the pace changes: 4 s per step
        assertEquals(3.0, t.secondsPerStep(), 1e-9, "(1 + 4 + 4) / 3");
        t.stepEnded(now += 4 * S);
        assertEquals(4.0, t.secondsPerStep(), 1e-9, "only the last 3 steps count");
        assertEquals(22.0, t.elapsedSeconds(now), 1e-9);
    }
}
