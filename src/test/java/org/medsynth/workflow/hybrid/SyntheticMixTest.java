package org.medsynth.workflow.hybrid;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SyntheticMixTest {

    @Test
    void aRatioOutsideZeroToAThousandIsRefusedWithTheKeyUsersType() {
        assertEquals("fake_ratio must be >= 0 (synthetic pairs per real pair), not -1.",
                assertThrows(UserInputException.class, () -> new SyntheticMix(-1, false)).getMessage());
        assertEquals("fake_ratio must be at most 1000, not 1001.",
                assertThrows(UserInputException.class, () -> new SyntheticMix(1001, true)).getMessage());
        assertEquals(1000, new SyntheticMix(1000, false).fakeRatio());
    }

    @Test
    void theLabelIsTheRowOfTheTable() {
        assertEquals("100% F", new SyntheticMix(1, true).label());
        assertEquals("300% F + 100% R", new SyntheticMix(3, false).label());
    }
}
