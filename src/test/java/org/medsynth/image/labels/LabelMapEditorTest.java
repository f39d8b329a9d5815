package org.medsynth.image.labels;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.TestImages;
import org.medsynth.core.UserInputException;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LabelMapEditorTest {

    static final int N = 48;

    /**
     * Liver (1) fills a box, a tumour (2) is a ball of radius 7 inside it, and a vessel (3) is a
     * bar next to the tumour, inside the liver.
     */
    private static ImagePlus phantom() {
        ImagePlus imp = TestImages.labelVolume(N, N, N, (x, y, z) -> {
            double r2 = sq(x - 20) + sq(y - 22) + sq(z - 24);
            if (r2 <= 49) return 2;
            if (x >= 29 && x <= 31 && y >= 15 && y <= 30 && z >= 20 && z <= 28) return 3;
            return x >= 5 && x < 43 && y >= 5 && y < 43 && z >= 4 && z < 44 ? 1 : 0;
        });
        imp.setTitle("phantom");
        imp.getCalibration().pixelWidth = 0.8;
        imp.getCalibration().pixelHeight = 0.8;
        imp.getCalibration().pixelDepth = 0.8;
        imp.getCalibration().setUnit("mm");
        return imp;
    }

    private static double sq(double v) { return v * v; }

    private static double[] centroid(LabelVolume lv, int label) {
        double[] c = new double[3];
        long n = 0;
        for (int z = 0; z < lv.depth(); z++)
            for (int y = 0; y < lv.height(); y++)
                for (int x = 0; x < lv.width(); x++)
                    if (lv.get(x, y, z) == label) { c[0] += x; c[1] += y; c[2] += z; n++; }
        for (int a = 0; a < 3; a++) c[a] /= n;
        return c;
    }

    /** Every voxel that changed involves the edited label, and labels other than label/host/0 are untouched. */
    private static void assertOthersPreserved(LabelVolume before, LabelMapEditor.Result r) {
        int[] a = before.values(), b = r.labels().values();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) continue;
            assertTrue(a[i] == r.label() || b[i] == r.label(), "voxel " + i + " changed " + a[i] + " -> " + b[i]);
            if (b[i] == r.label()) assertTrue(a[i] == 0 || a[i] == r.host(), "took a voxel of label " + a[i]);
            else assertEquals(r.host(), b[i], "given-up voxels become the host");
        }
        assertEquals(before.count(3) - (r.label() == 3 ? before.count(3) - r.labels().count(3) : 0), r.labels().count(3));
    }

    @Test
    void scalingASphereScalesItsVolumeByTheCube() {
        // a ball of radius 12 in a liver: volume ratio s^3 within 5 % (nearest-neighbour staircase)
        ImagePlus imp = TestImages.labelVolume(64, 64, 64, (x, y, z) -> sq(x - 31) + sq(y - 32) + sq(z - 30) <= 144 ? 2 : 1);
        LabelVolume ball = LabelVolume.from(imp);
        long v0 = ball.count(2);
        for (double s : new double[]{0.6, 1.4, 2.0}) {
            LabelMapEditor.Result r = new LabelMapEditor(ball, 2, LabelMapEditor.AUTO_HOST).scale(s);
            assertEquals(1, r.host());
            assertEquals(Math.pow(s, 3), (double) r.voxelsAfter() / v0, 0.05 * Math.pow(s, 3), "factor " + s);
            assertEquals(ball.count(1) + v0 - r.voxelsAfter(), r.labels().count(1), "given-up voxels went to the host");
            double[] c0 = centroid(ball, 2), c1 = centroid(r.labels(), 2);
            for (int a = 0; a < 3; a++) assertEquals(c0[a], c1[a], 0.5, "scaled about the centre");
        }
        // in the phantom, growing stops at the vessel: gained + blocked = s^3 V0
        LabelVolume lv = LabelVolume.from(phantom());
        LabelMapEditor.Result r = new LabelMapEditor(lv, 2, 1).scale(1.3);
        assertTrue(r.blocked() > 0);
        assertEquals(Math.pow(1.3, 3), (double) (r.voxelsAfter() + r.blocked()) / lv.count(2), 0.08 * Math.pow(1.3, 3));
        assertOthersPreserved(lv, r);
        assertOthersPreserved(lv, new LabelMapEditor(lv, 2, 1).scale(0.6));
    }

    @Test
    void translationMovesTheCentroidByExactlyTheShift() {
        LabelVolume lv = LabelVolume.from(phantom());
        LabelMapEditor.Result r = new LabelMapEditor(lv, 2, LabelMapEditor.AUTO_HOST).translate(-4, 3, 5);
        assertEquals(1, r.host(), "the tumour's host is the liver");
        assertEquals(0, r.blocked());
        assertEquals(lv.count(2), r.voxelsAfter());
        double[] c0 = centroid(lv, 2), c1 = centroid(r.labels(), 2);
        assertEquals(c0[0] - 4, c1[0], 1e-9);
        assertEquals(c0[1] + 3, c1[1], 1e-9);
        assertEquals(c0[2] + 5, c1[2], 1e-9);
        assertOthersPreserved(lv, r);
        // moving out of the image cuts the region and says so
        LabelMapEditor.Result out = new LabelMapEditor(lv, 2, 1).translate(0, 0, 40);
        assertTrue(out.outside() > 0 && out.voxelsAfter() + out.outside() == lv.count(2), out.summary());
    }

    @Test
    void dilateThenErodeOfABallReturnsTheBall() {
        ImagePlus imp = TestImages.labelVolume(40, 40, 40, (x, y, z) -> sq(x - 19.5) + sq(y - 20) + sq(z - 21) <= 64 ? 5 : 0);
        LabelVolume ball = LabelVolume.from(imp);
        LabelVolume grown = new LabelMapEditor(ball, 5, LabelMapEditor.AUTO_HOST).dilate(3).labels();
        assertTrue(grown.count(5) > ball.count(5) * 2);
        LabelVolume back = new LabelMapEditor(grown, 5, LabelMapEditor.AUTO_HOST).erode(3).labels();
        int diff = 0;
        for (int i = 0; i < ball.size(); i++) if (ball.values()[i] != back.values()[i]) diff++;
        assertTrue(diff <= ball.count(5) / 100, "voxels differing from the ball: " + diff + " of " + ball.count(5));
    }

    @Test
    void dilationAndErosionMatchBruteForceWithAnisotropicVoxels() {
        Random rnd = new Random(4);
        int w = 17, h = 13, d = 9;
        boolean[][][] blob = new boolean[d][h][w];
        ImagePlus imp = TestImages.labelVolume(w, h, d, (x, y, z) -> {
            boolean in = sq(x - 8) / 25 + sq(y - 6) / 16 + sq(z - 4) / 9 <= 1 && rnd.nextDouble() > 0.05; // ellipsoid with holes
            blob[z][y][x] = in;
            return in ? 1 : 0;
        });
        imp.getCalibration().pixelWidth = 0.5;
        imp.getCalibration().pixelHeight = 0.5;
        imp.getCalibration().pixelDepth = 1.0; // z voxels are twice as long
        LabelVolume lv = LabelVolume.from(imp);
        double r = 2.5;
        LabelVolume dil = new LabelMapEditor(lv, 1, 0).dilate(r).labels();
        LabelVolume ero = new LabelMapEditor(lv, 1, 0).erode(r / 2).labels();
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double best = Double.MAX_VALUE, bestOut = Double.MAX_VALUE;
                    for (int zz = -1; zz <= d; zz++)
                        for (int yy = -1; yy <= h; yy++)
                            for (int xx = -1; xx <= w; xx++) {
                                boolean inside = zz >= 0 && yy >= 0 && xx >= 0 && zz < d && yy < h && xx < w;
                                double dist2 = sq(xx - x) + sq(yy - y) + sq(2 * (zz - z));
                                if (inside && blob[zz][yy][xx]) best = Math.min(best, dist2);
                                if (!inside || !blob[zz][yy][xx]) bestOut = Math.min(bestOut, dist2);
                            }
                    assertEquals(best <= r * r, dil.get(x, y, z) == 1, "dilation at " + x + "," + y + "," + z);
                    assertEquals(blob[z][y][x] && bestOut > r * r / 4, ero.get(x, y, z) == 1, "erosion at " + x + "," + y + "," + z);
                }
    }

    @Test
    void growthNeverTakesOtherLabelsAndShrinkingFillsWithTheHost() {
        LabelVolume lv = LabelVolume.from(phantom());
        LabelMapEditor.Result grown = new LabelMapEditor(lv, 2, LabelMapEditor.AUTO_HOST).dilate(4);
        assertTrue(grown.blocked() > 0, "the vessel is within reach");
        assertOthersPreserved(lv, grown);
        LabelMapEditor.Result shrunk = new LabelMapEditor(lv, 2, LabelMapEditor.AUTO_HOST).erode(2);
        assertEquals(lv.count(1) + lv.count(2) - shrunk.voxelsAfter(), shrunk.labels().count(1));
        assertEquals(lv.count(0), shrunk.labels().count(0), "no holes of background in the liver");
        // an explicit fill of 0 makes holes instead
        LabelMapEditor.Result holes = new LabelMapEditor(lv, 2, 0).erode(2);
        assertEquals(lv.count(0) + lv.count(2) - holes.voxelsAfter(), holes.labels().count(0));
        assertEquals(lv.count(1), holes.labels().count(1), "with fill 0 the liver is another label: untouched");
    }

    @Test
    void pasteAddsAnotherMapsRegion() {
        LabelVolume target = LabelVolume.from(phantom());
        ImagePlus other = TestImages.labelVolume(N, N, N, (x, y, z) -> x >= 10 && x < 14 && y >= 30 && y < 36 && z >= 10 && z < 13 ? 2 : 0);
        other.setTitle("other");
        LabelMapEditor.Result r = new LabelMapEditor(target, 2, LabelMapEditor.AUTO_HOST).paste(LabelVolume.from(other), 1, 0, 0);
        assertEquals(1, r.host(), "pasted into the liver");
        assertEquals(target.count(2) + 4 * 6 * 3, r.voxelsAfter());
        assertEquals(2, r.labels().get(14, 30, 10));
        assertEquals(1, r.labels().get(10, 30, 10), "moved by dx = 1");
        assertOthersPreserved(target, r);
        ImagePlus small = TestImages.labelVolume(10, 10, 10, (x, y, z) -> 2);
        UserInputException e = assertThrows(UserInputException.class,
                () -> new LabelMapEditor(target, 2, -1).paste(LabelVolume.from(small), 0, 0, 0));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
    }

    @Test
    void randomEditsAreSeededWithinRangeAndStayInside() {
        LabelVolume lv = LabelVolume.from(phantom());
        LabelMapEditor.RandomRanges ranges = new LabelMapEditor.RandomRanges(0.7, 0.9, 6, 3);
        LabelMapEditor ed = new LabelMapEditor(lv, 2, 1);
        LabelMapEditor.Result a = ed.random(ranges, new Random(7)), b = ed.random(ranges, new Random(7)), c = ed.random(ranges, new Random(8));
        assertArrayEquals(a.labels().values(), b.labels().values());
        assertEquals(a.operation(), b.operation());
        assertNotEquals(a.operation(), c.operation());
        double[] c0 = centroid(lv, 2);
        Random rnd = new Random(1);
        for (int i = 0; i < 20; i++) {
            LabelMapEditor.Result r = ed.random(ranges, rnd);
            double ratio = (double) r.voxelsAfter() / lv.count(2);
            assertTrue(ratio > 0.7 * 0.7 * 0.7 * 0.9 && ratio < 0.9 * 0.9 * 0.9 * 1.1, "volume ratio " + ratio);
            assertEquals(0, r.outside());
            double[] c1 = centroid(r.labels(), 2);
            assertTrue(Math.abs(c1[0] - c0[0]) <= 6.5 && Math.abs(c1[2] - c0[2]) <= 3.5, r.operation());
            assertOthersPreserved(lv, r);
        }
    }

    @Test
    void resultKeepsCalibrationAndBitDepthAndMissingLabelsAreExplained() {
        ImagePlus imp = phantom();
        ImagePlus out = new LabelMapEditor(imp, 2, -1).scale(1.1).image();
        assertEquals(8, out.getBitDepth());
        assertEquals(0.8, out.getCalibration().pixelWidth);
        assertEquals("mm", out.getCalibration().getUnit());
        assertEquals("phantom-edited", out.getTitle());
        assertEquals(N, out.getNSlices());
        UserInputException e = assertThrows(UserInputException.class, () -> new LabelMapEditor(imp, 4, -1).scale(2));
        assertTrue(e.getMessage().contains("Label 4 does not occur") && e.getMessage().contains("[0, 1, 2, 3]"), e.getMessage());
        assertThrows(UserInputException.class, () -> new LabelMapEditor(imp, 0, -1));
        assertThrows(UserInputException.class, () -> new LabelMapEditor(imp, 2, 2));
        assertThrows(UserInputException.class, () -> new LabelMapEditor(imp, 2, -1).scale(0));
    }

    @Test
    void twoDimensionalMapsScaleByTheSquare() {
        ImagePlus disk = TestImages.labelVolume(64, 64, 1, (x, y, z) -> sq(x - 31.5) + sq(y - 30) <= 144 ? 1 : 0);
        LabelVolume lv = LabelVolume.from(disk);
        LabelMapEditor.Result r = new LabelMapEditor(lv, 1, 0).scale(1.5);
        assertEquals(2.25, (double) r.voxelsAfter() / lv.count(1), 0.05 * 2.25);
        assertEquals(1, r.labels().depth());
        LabelMapEditor.Result e = new LabelMapEditor(lv, 1, 0).erode(2);
        assertTrue(e.voxelsAfter() > 0 && e.voxelsAfter() < lv.count(1), "a 2D erosion does not see z as outside");
    }
}
