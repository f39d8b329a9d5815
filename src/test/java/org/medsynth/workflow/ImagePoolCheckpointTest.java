package org.medsynth.workflow;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/** What 3D-MedGAN's exact resume relies on: the pool with the caller's generator, and rebuilding it from its contents. */
class ImagePoolCheckpointTest {

    @Test
    void theCallersGeneratorGivesTheSameAnswersAsThePoolsOwn() {
        ImagePool<Integer> own = new ImagePool<>(3, 42, UnaryOperator.identity());
        ImagePool<Integer> given = new ImagePool<>(3, 7, UnaryOperator.identity());
        Random r = new Random(42);
        for (int i = 0; i < 50; i++) assertEquals(own.query(i), given.query(i, r), "query " + i);
        assertEquals(own.contents(), given.contents());
    }

    @Test
    void aPoolRebuiltFromItsContentsContinuesExactly() {
        ImagePool<Integer> a = new ImagePool<>(4, 1, UnaryOperator.identity());
        for (int i = 0; i < 10; i++) a.query(i, new Random(100 + i));
        List<Integer> saved = new ArrayList<>(a.contents());
        assertEquals(4, saved.size());
        ImagePool<Integer> b = new ImagePool<>(4, 99, UnaryOperator.identity());
        for (Integer x : saved) assertSame(x, b.query(x, null), "filling draws no random number");
        assertEquals(saved, b.contents());
        for (int i = 10; i < 40; i++) assertEquals(a.query(i, new Random(100 + i)), b.query(i, new Random(100 + i)), "query " + i);
        assertThrows(UnsupportedOperationException.class, () -> a.contents().clear(), "read-only view");
    }
}
