package org.medsynth.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PatchSamplerTest {

    /** Image value encodes the position; label 1 in the left half, label 2 a 3x3x3 cube at (30..32, 40..42, 5..7). */
    static LabeledImage volume(int w, int h, int d) {
        float[] img = new float[w * h * d];
        float[] second = new float[w * h * d];
        int[] lab = new int[w * h * d];
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int i = x + w * (y + h * z);
                    img[i] = x + 100 * y + 10000 * z;
                    second[i] = -img[i];
                    boolean cube = x >= 30 && x <= 32 && y >= 40 && y <= 42 && z >= 5 && z <= 7;
                    lab[i] = cube ? 2 : x < w / 2 ? 1 : 0;
                }
        return new LabeledImage(new float[][]{img, second}, lab, w, h, d);
    }

    private static boolean hasLabel(Patch p, int label) {
        for (int v : p.labels()) if (v == label) return true;
        return false;
    }

    @Test
    void patchesCopyTheRightVoxelsOfEveryChannelAndTheLabels() {
        LabeledImage v = volume(64, 64, 16);
        PatchSampler s = new PatchSampler(new int[]{12, 10, 6}, 0.5, -7f, 1);
        for (Patch p : s.sample(v, 30)) {
            assertTrue(p.x0() >= 0 && p.x0() + 12 <= 64 && p.z0() >= 0 && p.z0() + 6 <= 16);
            for (int z = 0; z < 6; z++)
                for (int y = 0; y < 10; y++)
                    for (int x = 0; x < 12; x++) {
                        int t = x + 12 * (y + 10 * z);
                        int sx = p.x0() + x, sy = p.y0() + y, sz = p.z0() + z;
                        assertEquals(sx + 100 * sy + 10000 * sz, p.image()[0][t], 0f);
                        assertEquals(-p.image()[0][t], p.image()[1][t], 0f);
                        assertEquals(v.labels()[sx + 64 * (sy + 64 * sz)], p.labels()[t]);
                    }
            assertEquals(hasLabel(p, 2), p.containsRarest());
        }
    }

    @Test
    void theConfiguredShareOfPatchesContainsTheRarestLabel() {
        LabeledImage v = volume(64, 64, 16);
        assertEquals(2, v.rarestLabel());
        for (double share : new double[]{0, 0.4, 1}) {
            List<Patch> ps = new PatchSampler(new int[]{16, 16, 16}, share, 0, 3).sample(v, 200);
            long rare = ps.stream().filter(p -> hasLabel(p, 2)).count();
            assertTrue(rare >= Math.round(share * 200), "share " + share + ": " + rare);
            if (share == 0) assertTrue(rare < 50, "uniform sampling rarely hits a 27-voxel cube: " + rare);
        }
        // single draws: the share is a probability
        PatchSampler s = new PatchSampler(new int[]{16, 16}, 0.5, 0, 4);
        int rare = 0;
        for (int i = 0; i < 400; i++) if (s.sample(v).containsRarest()) rare++;
        assertTrue(rare >= 170 && rare <= 260, "about half plus chance hits: " + rare);
    }

    @Test
    void sameSeedSamePatches() {
        LabeledImage v = volume(64, 64, 16);
        List<Patch> a = new PatchSampler(new int[]{8, 8, 4}, 0.3, 0, 42).sample(v, 10);
        List<Patch> b = new PatchSampler(new int[]{8, 8, 4}, 0.3, 0, 42).sample(v, 10);
        List<Patch> c = new PatchSampler(new int[]{8, 8, 4}, 0.3, 0, 43).sample(v, 10);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(a.get(i).image()[0], b.get(i).image()[0], 0f);
            assertArrayEquals(a.get(i).labels(), b.get(i).labels());
        }
        assertFalse(a.stream().map(p -> List.of(p.x0(), p.y0(), p.z0())).toList()
                .equals(c.stream().map(p -> List.of(p.x0(), p.y0(), p.z0())).toList()));
    }

    @Test
    void patchesLargerThanTheImageArePaddedAndHoldTheWholeImage() {
        float[] img = new float[10 * 8];
        int[] lab = new int[10 * 8];
        for (int i = 0; i < img.length; i++) { img[i] = 1 + i; lab[i] = i == 35 ? 1 : 0; }
        LabeledImage small = new LabeledImage(new float[][]{img}, lab, 10, 8, 1);
        PatchSampler s = new PatchSampler(new int[]{16, 16}, 1, -1f, 5);
        for (int k = 0; k < 20; k++) {
            Patch p = s.sample(small);
            assertEquals(16 * 16, p.voxels());
            assertTrue(p.x0() <= 0 && p.x0() >= -6 && p.y0() <= 0 && p.y0() >= -8);
            double sum = 0;
            int pad = 0;
            for (float f : p.image()[0]) if (f == -1f) pad++; else sum += f;
            assertEquals(256 - 80, pad);
            assertEquals(80 * 81 / 2.0, sum, 1e-6, "every image pixel exactly once");
            assertTrue(p.containsRarest());
        }
    }

    @Test
    void twoDimensionalPatchesFromAVolumeAndTensorLayouts() {
        LabeledImage v = volume(64, 64, 16);
        List<Patch> ps = new PatchSampler(new int[]{8, 6}, 1, 0, 9).sample(v, 4);
        for (Patch p : ps) {
            assertEquals(1, p.depth());
            assertTrue(p.containsRarest());
            assertTrue(p.z0() >= 5 && p.z0() <= 7);
        }
        INDArray x = Patches.images(ps, false);
        assertArrayEquals(new long[]{4, 2, 6, 8}, x.shape());
        Patch p1 = ps.get(1);
        assertEquals(p1.image()[1][3 + 8 * 2], x.getFloat(1, 1, 2, 3), 0f);
        INDArray y = Patches.labels(ps, false);
        assertArrayEquals(new long[]{4, 1, 6, 8}, y.shape());
        INDArray oh = Patches.oneHot(ps, 3, false);
        assertArrayEquals(new long[]{4, 3, 6, 8}, oh.shape());
        for (int i = 0; i < 4; i++)
            for (int r = 0; r < 6; r++)
                for (int c = 0; c < 8; c++) {
                    int label = ps.get(i).labels()[c + 8 * r];
                    assertEquals(label, y.getFloat(i, 0, r, c), 0f);
                    for (int k = 0; k < 3; k++) assertEquals(k == label ? 1f : 0f, oh.getFloat(i, k, r, c), 0f);
                }
        List<Patch> vol = new PatchSampler(new int[]{8, 6, 4}, 0, 0, 9).sample(v, 2);
        assertArrayEquals(new long[]{2, 2, 4, 6, 8}, Patches.images(vol, true).shape());
        assertArrayEquals(new long[]{2, 3, 4, 6, 8}, Patches.oneHot(vol, 3, true).shape());
        assertThrows(IllegalArgumentException.class, () -> Patches.images(vol, false));
        assertThrows(IllegalArgumentException.class, () -> Patches.oneHot(ps, 2, false));
    }
}
