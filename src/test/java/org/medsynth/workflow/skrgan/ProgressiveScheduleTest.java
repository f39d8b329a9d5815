package org.medsynth.workflow.skrgan;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import static org.junit.jupiter.api.Assertions.*;

class ProgressiveScheduleTest {

    @Test
    void everyResolutionGetsAnEqualShareWithFadeInThenStabilisation() {
        ProgressiveSchedule s = new ProgressiveSchedule(32, 40, 16); // levels 4, 8, 16, 32: 10 steps each
        assertEquals(4, s.levels());
        for (int i = 0; i < 10; i++) assertEquals(new ProgressiveSchedule.Phase(4, 1.0, 16, false), s.at(i));
        // 8 px: steps 10..14 fade (alpha 1/6 .. 5/6), 15..19 stable
        assertEquals(8, s.at(10).resolution());
        assertEquals(1.0 / 6, s.at(10).alpha(), 1e-12);
        assertEquals(5.0 / 6, s.at(14).alpha(), 1e-12);
        assertTrue(s.at(14).fading());
        assertEquals(1.0, s.at(15).alpha());
        assertFalse(s.at(15).fading());
        assertEquals(32, s.at(39).resolution());
        assertEquals(1.0, s.at(39).alpha());
        double previous = 0;
        for (int i = 30; i < 35; i++) {
            assertTrue(s.at(i).alpha() > previous, "alpha rises during the fade-in");
            previous = s.at(i).alpha();
        }
    }

    @Test
    void batchShrinksAtHighResolutionAsInPggan() {
        ProgressiveSchedule s = new ProgressiveSchedule(512, 800, 16);
        assertEquals(16, s.batchAt(64));
        assertEquals(8, s.batchAt(256));
        assertEquals(4, s.batchAt(512));
        assertEquals(2, new ProgressiveSchedule(512, 800, 2).batchAt(64));
    }

    @Test
    void tooFewStepsOrBadResolutionAreRefusedClearly() {
        assertThrows(UserInputException.class, () -> new ProgressiveSchedule(48, 100, 4));
        UserInputException e = assertThrows(UserInputException.class, () -> new ProgressiveSchedule(256, 3, 4));
        assertTrue(e.getMessage().contains("at least 7 iterations"), e.getMessage());
    }
}
