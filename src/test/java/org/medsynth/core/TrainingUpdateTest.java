package org.medsynth.core;


import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrainingUpdateTest {

    private static Map<String, Double> losses() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("D", 0.123456);
        m.put("G", 12.34567);
        return m;
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("0 s", TrainingUpdate.duration(0.2));
        assertEquals("42 s", TrainingUpdate.duration(42.2));
        assertEquals("1 min 00 s", TrainingUpdate.duration(59.6));
        assertEquals("2 min 05 s", TrainingUpdate.duration(125));
        assertEquals("1 h 01 min", TrainingUpdate.duration(3660));
        assertEquals("26 h 00 min", TrainingUpdate.duration(26 * 3600));
        assertEquals("?", TrainingUpdate.duration(Double.NaN));
        assertEquals("?", TrainingUpdate.duration(Double.POSITIVE_INFINITY));
    }

    @Test
    void theStatusLineHasStepTotalAndTimeLeftOnly() {
        TrainingUpdate u = new TrainingUpdate(140, 600, losses(), "sketch 32 px fade 0.40", 65, 182);
        assertEquals("step 140/600, 3 min 02 s left", u.stepAndTimeLeft());
        assertEquals("step 600/600", new TrainingUpdate(600, 600, losses(), "", 65, 0).stepAndTimeLeft());
        assertEquals("step 1/600", new TrainingUpdate(1, 600, losses(), "", 1, Double.NaN).stepAndTimeLeft());
    }

    @Test
    void theConsoleLineAddsStageAndLossesInTheTrainersOrder() {
        TrainingUpdate u = new TrainingUpdate(140, 600, losses(), "sketch 32 px", 65, 182);
        assertEquals("step 140/600 sketch 32 px D=0.1235 G=12.35, 3 min 02 s left", u.line());
        assertEquals("step 3/3 D=0.1235 G=12.35", new TrainingUpdate(3, 3, losses(), null, 5, 0).line());
        assertEquals(140 / 600.0, u.fraction(), 1e-12);
    }

    @Test
    void theLossesAreACopyThatCannotChange() {
        Map<String, Double> m = losses();
        TrainingUpdate u = new TrainingUpdate(1, 2, m, "", 0, 0);
        m.put("L1", 3.0);
        assertEquals(2, u.losses().size());
        assertThrows(UnsupportedOperationException.class, () -> u.losses().put("x", 1.0));
    }
}
