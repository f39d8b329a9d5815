package org.medsynth.workflow;

import org.medsynth.core.UserInputException;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

class ImagePoolTest {

    @Test
    void disabledPoolReturnsItsArgument() {
        ImagePool<Object> pool = new ImagePool<>(0, 1, UnaryOperator.identity());
        for (int i = 0; i < 100; i++) {
            Object o = new Object();
            assertSame(o, pool.query(o));
        }
        assertEquals(0, pool.size());
        assertThrows(UserInputException.class, () -> new ImagePool<>(-1, 1, UnaryOperator.identity()));
    }

    @Test
    void fillsFirstThenSwapsHalfTheTimeWithPreviouslyInsertedSamples() {
        int capacity = 50;
        ImagePool<Integer> pool = new ImagePool<>(capacity, 42, UnaryOperator.identity());
        for (int i = 0; i < capacity; i++) {
            assertEquals(i, pool.query(i));
            assertEquals(i + 1, pool.size());
        }
        int draws = 10000, fromPool = 0;
        Set<Integer> returnedOld = new HashSet<>();
        for (int i = capacity; i < capacity + draws; i++) {
            int r = pool.query(i);
            if (r != i) {
                fromPool++;
                assertTrue(r >= 0 && r < i, "a returned stored sample was inserted earlier: " + r);
                assertTrue(returnedOld.add(r), "a stored sample leaves the pool when returned: " + r + " came back twice");
            }
            assertEquals(capacity, pool.size());
        }
        double rate = (double) fromPool / draws;
        assertEquals(0.5, rate, 0.02, "share of stored samples returned");
    }

    @Test
    void theSameSeedGivesTheSameSequence() {
        List<Integer> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        ImagePool<Integer> pa = new ImagePool<>(5, 3, UnaryOperator.identity());
        ImagePool<Integer> pb = new ImagePool<>(5, 3, UnaryOperator.identity());
        ImagePool<Integer> pc = new ImagePool<>(5, 4, UnaryOperator.identity());
        for (int i = 0; i < 200; i++) { a.add(pa.query(i)); b.add(pb.query(i)); c.add(pc.query(i)); }
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void arrayPoolsStoreCopiesAndQueryEachSampleOfABatch() {
        ImagePool<INDArray> pool = ImagePool.ofArrays(4, 7);
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 1, 2, 2);
        assertSame(x, pool.query(x));
        x.assign(5); // the caller reuses its buffer: the stored copy must not change
        INDArray batch = Nd4j.zeros(DataType.FLOAT, 3, 1, 2, 2);
        for (int i = 0; i < 3; i++) batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(10 + i);
        INDArray out = ImagePool.queryEach(pool, batch);
        assertArrayEquals(new long[]{3, 1, 2, 2}, out.shape());
        assertEquals(4, pool.size());
        assertEquals(batch, out, "pool not full yet: the batch comes back");
        boolean sawOne = false;
        for (int k = 0; k < 40; k++) {
            INDArray o = pool.query(Nd4j.zeros(DataType.FLOAT, 1, 1, 2, 2).addi(100 + k));
            if (o.getFloat(0) == 1f) sawOne = true;
            assertNotEquals(5f, o.getFloat(0), "the caller's later change never reaches the pool");
        }
        assertTrue(sawOne, "the first stored sample (ones) comes back at some point");
    }
}
