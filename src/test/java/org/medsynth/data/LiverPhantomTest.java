package org.medsynth.data;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiverPhantomTest {

    @Test
    void sameSeedGivesIdenticalVoxelsOtherSeedDiffers() {
        LiverPhantom.Sample a = LiverPhantom.generate(64, 64, 12, 5);
        LiverPhantom.Sample b = LiverPhantom.generate(64, 64, 12, 5);
        LiverPhantom.Sample c = LiverPhantom.generate(64, 64, 12, 6);
        for (int z = 1; z <= 12; z++) {
            assertArrayEquals((short[]) a.ct().getStack().getPixels(z), (short[]) b.ct().getStack().getPixels(z));
            assertArrayEquals((byte[]) a.labels().getStack().getPixels(z), (byte[]) b.labels().getStack().getPixels(z));
        }
        assertEquals(a.tumours(), b.tumours());
        boolean differs = false;
        for (int z = 1; z <= 12 && !differs; z++) {
            differs = !Arrays.equals((byte[]) a.labels().getStack().getPixels(z), (byte[]) c.labels().getStack().getPixels(z));
        }
        assertTrue(differs, "seeds 5 and 6 gave the same labels");
    }

    @Test
    void volumesHaveTheDocumentedTypesAndCalibration() {
        LiverPhantom.Sample s = LiverPhantom.generate(80, 72, 10, 1);
        ImagePlus ct = s.ct(), labels = s.labels();
        assertEquals(ImagePlus.GRAY16, ct.getType());
        assertEquals(ImagePlus.GRAY8, labels.getType());
        for (ImagePlus imp : new ImagePlus[] {ct, labels}) {
            assertEquals(80, imp.getWidth());
            assertEquals(72, imp.getHeight());
            assertEquals(10, imp.getStackSize());
            Calibration cal = imp.getCalibration();
            assertEquals(0.8, cal.pixelWidth, 1e-12);
            assertEquals(0.8, cal.pixelHeight, 1e-12);
            assertEquals(2.5, cal.pixelDepth, 1e-12);
            assertEquals("mm", cal.getUnit());
        }
        Calibration cal = ct.getCalibration();
        assertTrue(cal.isSigned16Bit());
        assertEquals("HU", cal.getValueUnit());
        assertEquals(-1000.0, cal.getCValue(32768 - 1000), 1e-9);
        assertEquals(60.0, cal.getCValue(32768 + 60), 1e-9);
        // the default window shows soft tissue: -160..240 HU
        assertEquals(-160.0, cal.getCValue((int) ct.getDisplayRangeMin()), 1e-9);
        assertEquals(240.0, cal.getCValue((int) ct.getDisplayRangeMax()), 1e-9);
    }

    @Test
    void labelsAreLiverAndTumoursWithTumoursInsideTheLiver() {
        int w = 96, h = 96, d = 24;
        int withTumours = 0;
        for (long seed = 0; seed < 6; seed++) {
            LiverPhantom.Sample s = LiverPhantom.generate(w, h, d, seed);
            byte[][] lab = labels(s.labels());
            int liver = 0, tumour = 0;
            for (int z = 0; z < d; z++) {
                for (int i = 0; i < w * h; i++) {
                    int v = lab[z][i];
                    assertTrue(v == 0 || v == 1 || v == 2, "label " + v);
                    if (v == 1) liver++;
                    if (v == 2) {
                        tumour++;
                        // every neighbour of a tumour voxel (26-neighbourhood) is liver or tumour
                        int x = i % w, y = i / w;
                        for (int dz = -1; dz <= 1; dz++) for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
                            int n = lab[z + dz][(y + dy) * w + x + dx];
                            assertTrue(n == 1 || n == 2, "seed " + seed + ": tumour voxel touches label " + n);
                        }
                    }
                }
            }
            double liverFraction = (liver + tumour) / (double) (w * h * d);
            assertTrue(liverFraction > 0.03 && liverFraction < 0.2, "seed " + seed + ": liver fraction " + liverFraction);
            assertTrue(s.tumours().size() <= LiverPhantom.MAX_TUMOURS);
            assertEquals(s.tumours().isEmpty(), tumour == 0, "seed " + seed + ": tumour list and labels disagree");
            for (LiverPhantom.Tumour t : s.tumours()) {
                int x = (int) Math.round(t.x()), y = (int) Math.round(t.y()), z = (int) Math.round(t.z());
                assertEquals(2, lab[z][y * w + x], "seed " + seed + ": no tumour label at the centre of " + t);
            }
            if (!s.tumours().isEmpty()) withTumours++;
            // slices at the top and bottom of the volume contain no liver
            assertEquals(0, count(lab[0], 1) + count(lab[d - 1], 1), "seed " + seed + ": liver reaches the volume's end");
        }
        assertTrue(withTumours >= 2, "only " + withTumours + " of 6 volumes have tumours");
    }

    @Test
    void tumourCountVariesFromZeroToThree() {
        int[] histogram = new int[LiverPhantom.MAX_TUMOURS + 1];
        for (long seed = 0; seed < 24; seed++) histogram[LiverPhantom.generate(48, 48, 8, seed).tumours().size()]++;
        assertTrue(histogram[0] > 0, Arrays.toString(histogram));
        assertTrue(histogram[2] + histogram[3] > 0, Arrays.toString(histogram));
    }

    @Test
    void meanHounsfieldUnitsPerLabelAreInTheDocumentedRanges() {
        int w = 128, h = 128, d = 48;
        for (long seed : new long[] {2, 4}) {
            LiverPhantom.Sample s = LiverPhantom.generate(w, h, d, seed);
            Calibration cal = s.ct().getCalibration();
            byte[][] lab = labels(s.labels());
            ImageStack ct = s.ct().getStack();
            double sumLiver = 0, sumLiver2 = 0;
            int nLiver = 0, nBone = 0;
            for (int z = 0; z < d; z++) {
                short[] raw = (short[]) ct.getPixels(z + 1);
                for (int i = 0; i < w * h; i++) {
                    double hu = cal.getCValue(raw[i] & 0xffff);
                    if (lab[z][i] == 1 && interior(lab, z, i, w, h, d, 1)) {
                        sumLiver += hu;
                        sumLiver2 += hu * hu;
                        nLiver++;
                    }
                    if (hu > 500) nBone++;
                }
            }
            double mean = sumLiver / nLiver, sd = Math.sqrt(sumLiver2 / nLiver - mean * mean);
            assertTrue(mean > LiverPhantom.HU_LIVER_MIN - 1 && mean < LiverPhantom.HU_LIVER_MAX + 1, "liver mean " + mean);
            assertEquals(LiverPhantom.NOISE_SIGMA_HU, sd, 1.5, "noise in the liver");
            assertTrue(nBone > 0, "no bone");
            // each tumour: voxels within half its radii have the tumour's intensity
            for (LiverPhantom.Tumour t : s.tumours()) {
                boolean hypo = t.hu() < 60;
                assertTrue(hypo ? t.hu() >= LiverPhantom.HU_HYPODENSE_MIN && t.hu() <= LiverPhantom.HU_HYPODENSE_MAX
                        : t.hu() >= LiverPhantom.HU_HYPERDENSE_MIN && t.hu() <= LiverPhantom.HU_HYPERDENSE_MAX, "tumour HU " + t.hu());
                double sum = 0;
                int n = 0;
                for (int z = 0; z < d; z++) {
                    short[] raw = (short[]) ct.getPixels(z + 1);
                    for (int i = 0; i < w * h; i++) {
                        double e = sq((i % w - t.x()) / t.rx()) + sq((i / w - t.y()) / t.ry()) + sq((z - t.z()) / t.rz());
                        if (e < 0.5 * 0.5) {
                            assertEquals(2, lab[z][i]);
                            sum += cal.getCValue(raw[i] & 0xffff);
                            n++;
                        }
                    }
                }
                assertTrue(n > 0);
                double m = sum / n;
                assertEquals(t.hu(), m, 4 * LiverPhantom.NOISE_SIGMA_HU / Math.sqrt(n) + 1, "tumour mean over " + n + " voxels");
            }
        }
    }

    @Test
    void airSurroundsTheBody() {
        LiverPhantom.Sample s = LiverPhantom.generate(64, 64, 8, 9);
        Calibration cal = s.ct().getCalibration();
        short[] raw = (short[]) s.ct().getStack().getPixels(4);
        double corner = (cal.getCValue(raw[0] & 0xffff) + cal.getCValue(raw[63] & 0xffff)
                + cal.getCValue(raw[64 * 63] & 0xffff) + cal.getCValue(raw[64 * 64 - 1] & 0xffff)) / 4;
        assertEquals(-1000, corner, 4 * LiverPhantom.NOISE_SIGMA_HU);
    }

    @Test
    void sizesOutOfRangeAreUserErrors() {
        assertThrows(UserInputException.class, () -> LiverPhantom.generate(16, 64, 8, 1));
        assertThrows(UserInputException.class, () -> LiverPhantom.generate(64, 2000, 8, 1));
        UserInputException e = assertThrows(UserInputException.class, () -> LiverPhantom.generate(64, 64, 2, 1));
        assertTrue(e.getMessage().contains("depth"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    // ------------------------------------------------------------------ helpers

    static byte[][] labels(ImagePlus imp) {
        byte[][] out = new byte[imp.getStackSize()][];
        for (int z = 0; z < out.length; z++) out[z] = (byte[]) imp.getStack().getPixels(z + 1);
        return out;
    }

    /** True if the voxel and its 6 neighbours (in-plane 2 px away, so partial-volume edges are excluded) have label v. */
    private static boolean interior(byte[][] lab, int z, int i, int w, int h, int d, int v) {
        int x = i % w, y = i / w;
        if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2 || z < 1 || z >= d - 1) return false;
        return lab[z][i - 2] == v && lab[z][i + 2] == v && lab[z][i - 2 * w] == v && lab[z][i + 2 * w] == v
                && lab[z - 1][i] == v && lab[z + 1][i] == v;
    }

    private static int count(byte[] a, int v) {
        int n = 0;
        for (byte b : a) if (b == v) n++;
        return n;
    }

    private static double sq(double v) {
        return v * v;
    }
}
