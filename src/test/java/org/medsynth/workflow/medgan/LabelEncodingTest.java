package org.medsynth.workflow.medgan;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LabelEncodingTest {

    @Test
    void valuesWithGapsBecomeConsecutiveChannels() {
        LabelEncoding e = LabelEncoding.of(List.of(new int[]{0, 48, 4, 0}, new int[]{17, 4}));
        assertArrayEquals(new int[]{0, 4, 17, 48}, e.values());
        assertEquals(4, e.classes());
        assertEquals(2, e.index(17));
        assertEquals(-1, e.index(5));
        assertEquals(-1, e.index(-3));
        assertArrayEquals(new int[]{3, 1, 0}, e.indices(new int[]{48, 4, 0}, "map"));
    }

    @Test
    void anUnknownLabelIsRefusedWithTheKnownOnes() {
        LabelEncoding e = new LabelEncoding(new int[]{0, 1, 2});
        UserInputException x = assertThrows(UserInputException.class, () -> e.indices(new int[]{0, 7}, "Label map 'a'"));
        assertTrue(x.getMessage().contains("label 7") && x.getMessage().contains("0, 1, 2"), x.getMessage());
    }

    @Test
    void aSingleLabelOrTooManyValuesAreRefused() {
        assertThrows(UserInputException.class, () -> LabelEncoding.of(List.of(new int[]{3, 3, 3})));
        int[] many = new int[300];
        for (int i = 0; i < many.length; i++) many[i] = i;
        UserInputException x = assertThrows(UserInputException.class, () -> LabelEncoding.of(List.of(many)));
        assertTrue(x.getMessage().contains("label maps"), x.getMessage());
    }

    @Test
    void oneHotPutsAOneInTheChannelOfTheClass() {
        LabelEncoding e = new LabelEncoding(new int[]{0, 5, 9});
        // batch 2, 1 channel, 1 x 2 x 2
        float[] idx = {0, 1, 2, 1, /* sample 2 */ 2, 2, 0, 1};
        var oh = e.oneHot(Nd4j.create(idx, new long[]{2, 1, 1, 2, 2}, 'c'));
        assertArrayEquals(new long[]{2, 3, 1, 2, 2}, oh.shape());
        for (int b = 0; b < 2; b++)
            for (int v = 0; v < 4; v++)
                for (int c = 0; c < 3; c++) {
                    float want = idx[b * 4 + v] == c ? 1f : 0f;
                    assertEquals(want, oh.getFloat(b, c, 0, v / 2, v % 2), 0f);
                }
        assertThrows(IllegalArgumentException.class, () -> e.oneHot(Nd4j.create(new float[]{3}, new long[]{1, 1, 1, 1}, 'c')));
    }
}
