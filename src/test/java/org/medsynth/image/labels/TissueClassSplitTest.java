package org.medsynth.image.labels;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;
import org.medsynth.image.nifti.NiftiImages;
import org.medsynth.testutil.TestImages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A phantom "head" of 3 slices: an atlas ring (labels 1 left, 2 right) over white matter (200, inner part) and grey
 * matter (100, outer part) with a dark sulcus (20); inside the ring a ventricle (20), deep grey matter (100) and white
 * matter (200), all unlabelled; outside a bright unlabelled skull. Every voxel's class is known.
 */
public class TissueClassSplitTest {

    public static final int N = 40, D = 3;

    static double r(int x, int y) {
        return Math.hypot(x + 0.5 - N / 2.0, y + 0.5 - N / 2.0);
    }

    static boolean sulcus(int x, int y) {
        return y == N / 2 && r(x, y) >= 13 && r(x, y) < 16;
    }

    public static ImagePlus atlas() {
        return TestImages.labelVolume(N, N, D, (x, y, z) -> r(x, y) >= 10 && r(x, y) < 16 ? (x < N / 2 ? 1 : 2) : 0);
    }

    static float intensity(int x, int y) {
        double r = r(x, y);
        if (r < 3) return 20;                       // ventricle
        if (r < 6) return 100;                      // deep grey matter
        if (r < 13) return 200;                     // white matter (inside and under the atlas ring)
        if (r < 16) return sulcus(x, y) ? 20 : 100; // cortex, one sulcus
        if (r >= 17 && r < 19) return 200;          // skull: bright, but outside the atlas
        return 0;
    }

    public static ImagePlus t1() {
        return TestImages.floatVolume(N, N, D, (x, y, z) -> intensity(x, y));
    }

    /** 3 = white matter, 4 = CSF, 5 = deep grey matter (the next free numbers above 2). */
    static int expected(int x, int y) {
        double r = r(x, y);
        if (r >= 16) return 0;
        if (r < 3 || sulcus(x, y)) return 4;
        if (r < 6) return 5;
        if (r < 13) return 3;
        return x < N / 2 ? 1 : 2;
    }

    static void assertClasses(ImagePlus split) {
        LabelVolume v = LabelVolume.from(split);
        for (int z = 0; z < D; z++) {
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) assertEquals(expected(x, y), v.get(x, y, z), "voxel " + x + "," + y + "," + z);
            }
        }
    }

    @Test
    void everyVoxelGetsItsTissueClassWithOtsusThresholds() {
        ImagePlus atlas = atlas();
        atlas.setProp(NiftiImages.PROPERTY, "header of the atlas");
        TissueClassSplit.Result r = TissueClassSplit.split(atlas, t1(), new TissueClassSplit.Classes(0, 0, 0),
                TissueClassSplit.Thresholds.AUTOMATIC);
        assertEquals(new TissueClassSplit.Classes(3, 4, 5), r.classes());
        assertTrue(r.thresholds().white() >= 100 && r.thresholds().white() < 200, "white-matter threshold " + r.thresholds());
        assertTrue(r.thresholds().csf() >= 20 && r.thresholds().csf() < 100, "CSF threshold " + r.thresholds());
        assertClasses(r.image());
        assertEquals(8, r.image().getBitDepth());
        assertEquals("header of the atlas", r.image().getProp(NiftiImages.PROPERTY), "saved as NIfTI in the atlas's space");
        long sulci = 0, ventricles = 0;
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                if (sulcus(x, y)) sulci++;
                else if (r(x, y) < 3) ventricles++;
            }
        }
        assertEquals(D * (sulci + ventricles), r.csf());
    }

    @Test
    void givenThresholdsAndNumbersAreUsedAndCalibratedValuesAreRead() {
        // 16-bit with a calibration (value = raw - 1000), as NIfTI's scaled integers open
        ImageStack st = new ImageStack(N, N);
        for (int z = 0; z < D; z++) {
            ShortProcessor sp = new ShortProcessor(N, N);
            for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) sp.set(x, y, (int) intensity(x, y) + 1000);
            st.addSlice(sp);
        }
        ImagePlus t1 = new ImagePlus("t1", st);
        Calibration cal = new Calibration();
        cal.setFunction(Calibration.STRAIGHT_LINE, new double[]{-1000, 1}, "value");
        t1.setCalibration(cal);
        TissueClassSplit.Result auto = TissueClassSplit.split(atlas(), t1, new TissueClassSplit.Classes(0, 0, 0),
                TissueClassSplit.Thresholds.AUTOMATIC);
        assertTrue(auto.thresholds().white() >= 100 && auto.thresholds().white() < 200, "in calibrated units: " + auto.thresholds());
        assertClasses(auto.image());

        TissueClassSplit.Result given = TissueClassSplit.split(atlas(), t1(), new TissueClassSplit.Classes(300, 301, 302),
                new TissueClassSplit.Thresholds(50, 250));
        assertEquals(16, given.image().getBitDepth(), "label 302 needs 16 bits");
        assertEquals(0, given.white(), "nothing is brighter than 250");
        LabelVolume v = LabelVolume.from(given.image());
        assertEquals(302, v.get(N / 2 + 4, N / 2, 0), "deep grey matter");
        assertEquals(302, v.get(N / 2 + 8, N / 2 + 1, 0), "enclosed white matter is between the thresholds now");
        assertEquals(301, v.get(N / 2, N / 2, 0), "ventricle");
    }

    @Test
    void badInputIsRefusedWithWhatToDo() {
        TissueClassSplit.Classes auto = new TissueClassSplit.Classes(0, 0, 0);
        ImagePlus small = TestImages.floatVolume(N, N, D - 1, (x, y, z) -> 1);
        assertTrue(assertThrows(UserInputException.class, () -> TissueClassSplit.split(atlas(), small, auto,
                TissueClassSplit.Thresholds.AUTOMATIC)).getMessage().contains("drawn on"));
        assertTrue(assertThrows(UserInputException.class, () -> TissueClassSplit.split(atlas(), t1(), new TissueClassSplit.Classes(2, 0, 0),
                TissueClassSplit.Thresholds.AUTOMATIC)).getMessage().contains("already a region"));
        ImagePlus empty = TestImages.labelVolume(N, N, D, (x, y, z) -> 0);
        assertTrue(assertThrows(UserInputException.class, () -> TissueClassSplit.split(empty, t1(), auto,
                TissueClassSplit.Thresholds.AUTOMATIC)).getMessage().contains("no labelled voxels"));
        ImagePlus flat = TestImages.floatVolume(N, N, D, (x, y, z) -> 7);
        assertTrue(assertThrows(UserInputException.class, () -> TissueClassSplit.split(atlas(), flat, auto,
                TissueClassSplit.Thresholds.AUTOMATIC)).getMessage().contains("no tissue contrast"));
        ImagePlus rgb = new ImagePlus("rgb", new ColorProcessor(N, N));
        assertThrows(UserInputException.class, () -> TissueClassSplit.split(atlas(), rgb, auto, TissueClassSplit.Thresholds.AUTOMATIC));
        assertThrows(UserInputException.class, () -> TissueClassSplit.split(atlas(), t1(), auto, new TissueClassSplit.Thresholds(150, 100)));
    }
}
