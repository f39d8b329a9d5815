package org.medsynth.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class AugmenterTest {

    /** A patch with distinct values; label = value mod 5, in two channels. */
    private static Patch patch(int w, int h, int d) {
        int n = w * h * d;
        float[] a = new float[n], b = new float[n];
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) { a[i] = i; b[i] = 1000 + i; lab[i] = i % 5; }
        return new Patch(new float[][]{a, b}, lab, w, h, d, 0, 0, 0, false);
    }

    private static void assertSame(Patch a, Patch b) {
        assertEquals(a.width(), b.width());
        assertEquals(a.height(), b.height());
        for (int c = 0; c < a.channels(); c++) assertArrayEquals(a.image()[c], b.image()[c], 0f);
        assertArrayEquals(a.labels(), b.labels());
    }

    @Test
    void rotationMovesTheTopRightCornerToTheTopLeftAndFourRotationsAreIdentity() {
        // 3 wide, 2 high:  0 1 2 / 3 4 5  -> rotated CCW (2 wide, 3 high): 2 5 / 1 4 / 0 3
        Patch p = patch(3, 2, 1);
        Patch r = Augmenter.rotate90(p, 1);
        assertEquals(2, r.width());
        assertEquals(3, r.height());
        assertArrayEquals(new float[]{2, 5, 1, 4, 0, 3}, r.image()[0], 0f);
        assertSame(p, Augmenter.rotate90(p, 4));
        assertSame(Augmenter.rotate90(p, 2), Augmenter.rotate90(Augmenter.rotate90(p, 1), 1));
        assertSame(Augmenter.rotate90(p, 3), Augmenter.rotate90(p, -1));
        Patch v = patch(4, 4, 3);
        for (int axis = 0; axis < 3; axis++) assertSame(v, Augmenter.flip(Augmenter.flip(v, axis), axis));
        assertArrayEquals(new float[]{2, 1, 0, 5, 4, 3}, Augmenter.flip(p, 0).image()[0], 0f);
        assertArrayEquals(new float[]{3, 4, 5, 0, 1, 2}, Augmenter.flip(p, 1).image()[0], 0f);
        // rotating by 180 degrees is flipping both in-plane axes
        assertSame(Augmenter.rotate90(v, 2), Augmenter.flip(Augmenter.flip(v, 0), 1));
    }

    @Test
    void randomAugmentationKeepsImageAndLabelsAlignedAndReachesAllEightTransforms() {
        Patch p = patch(4, 4, 2);
        Augmenter aug = Augmenter.inPlane();
        Random r = new Random(1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Patch q = aug.apply(p, r);
            for (int k = 0; k < q.voxels(); k++) {
                assertEquals((int) q.image()[0][k] % 5, q.labels()[k], "label follows its voxel");
                assertEquals(q.image()[0][k] + 1000, q.image()[1][k], 0f, "channels move together");
                assertEquals((int) q.image()[0][k] / 16, k / 16, "in-plane only: voxels stay in their slice");
            }
            seen.add(Arrays.toString(q.image()[0]));
        }
        assertEquals(8, seen.size(), "the 8 flips/rotations of a square");
        // non-square patches keep their shape
        Patch rect = patch(5, 3, 1);
        for (int i = 0; i < 50; i++) {
            Patch q = aug.apply(rect, r);
            assertEquals(5, q.width());
            assertEquals(3, q.height());
        }
    }
}
