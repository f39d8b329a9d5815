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
    void pgganGrowthSpendsMostStepsAtTheFinalResolutionAsTkarrasSchedule() {
        // 64 px, 1000 steps: 4 px 40 stable; 8, 16, 32 px 80 each (40 fade + 40 stable); 64 px 40 fade + 680 stable
        ProgressiveSchedule s = new ProgressiveSchedule(64, 1000, 16, ProgressiveSchedule.Growth.PGGAN);
        assertEquals(java.util.List.of(0, 40, 120, 200, 280, 1000),
                java.util.stream.IntStream.rangeClosed(0, 5).map(s::levelStart).boxed().toList());
        assertEquals(new ProgressiveSchedule.Phase(4, 1.0, 16, false), s.at(39));
        assertEquals(8, s.at(40).resolution());
        assertEquals(1.0 / 41, s.at(40).alpha(), 1e-12);
        assertTrue(s.at(79).fading());
        assertFalse(s.at(80).fading());
        assertEquals(64, s.at(280).resolution());
        assertEquals(1.0 / 41, s.at(280).alpha(), 1e-12);
        assertTrue(s.at(319).fading());
        assertEquals(new ProgressiveSchedule.Phase(64, 1.0, 16, false), s.at(320));
        assertEquals(new ProgressiveSchedule.Phase(64, 1.0, 16, false), s.at(999));
    }

    @Test
    void pgganGrowthGivesEveryResolutionAStepEvenWithTheFewestSteps() {
        for (int steps = 7; steps < 40; steps++) {
            ProgressiveSchedule s = new ProgressiveSchedule(256, steps, 4, ProgressiveSchedule.Growth.PGGAN);
            for (int level = 0; level < s.levels(); level++) {
                assertTrue(s.levelStart(level + 1) > s.levelStart(level), "level " + level + " of " + steps + " steps is empty");
                assertEquals(4 << level, s.at(s.levelStart(level)).resolution());
            }
            assertEquals(256, s.at(steps - 1).resolution());
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
