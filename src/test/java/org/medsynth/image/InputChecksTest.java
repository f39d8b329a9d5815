package org.medsynth.image;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputChecksTest {

    @TempDir
    Path dir;

    /** 6 x 4 pixels, values 10..33, with NaN at (3, 1) and (5, 2). */
    static ImagePlus withTwoNaN() {
        FloatProcessor fp = new FloatProcessor(6, 4);
        for (int i = 0; i < 24; i++) fp.setf(i, 10 + i);
        fp.setf(3, 1, Float.NaN);
        fp.setf(5, 2, Float.NaN);
        return new ImagePlus("ct.tif", fp);
    }

    @Test
    void nanPixelsAreRefusedWithCountPositionAndTheOption() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> InputChecks.finiteValues(withTwoNaN(), "ct.tif", "replace_nan", false));
        ErrorMatrix.check("nan-pixels", e);
        assertTrue(e.getMessage().contains("2 NaN pixel values (first at x=3, y=1)"), e.getMessage());
        assertTrue(e.getMessage().contains("tick 'replace_nan'") && e.getMessage().contains("lowest value, 10"), e.getMessage());
    }

    @Test
    void withoutAnOptionTheMessageOnlyNamesImageJsRemedy() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> InputChecks.finiteValues(withTwoNaN(), "ct.tif", null, false));
        ErrorMatrix.check("nan-pixels-no-option", e);
    }

    @Test
    void infiniteValuesInAStackAreCountedAndTheFirstSliceIsNamed() {
        ImageStack st = new ImageStack(3, 3);
        st.addSlice(new FloatProcessor(3, 3));
        FloatProcessor p2 = new FloatProcessor(3, 3);
        p2.setf(2, 0, Float.POSITIVE_INFINITY);
        p2.setf(0, 1, Float.NaN);
        st.addSlice(p2);
        ImagePlus imp = new ImagePlus("vol", st);
        UserInputException e = assertThrows(UserInputException.class, () -> InputChecks.finiteValues(imp, "vol.nii", "replace_nan", false));
        assertTrue(e.getMessage().startsWith("vol.nii has 1 NaN and 1 infinite pixel values (first at x=2, y=0, slice 2)"), e.getMessage());
    }

    @Test
    void theExplicitOptionReplacesByTheLowestValueInACopy() {
        ImagePlus imp = withTwoNaN();
        InputChecks.Checked c = InputChecks.finiteValues(imp, "ct.tif", "replace_nan", true);
        assertNotSame(imp, c.image());
        assertTrue(Float.isNaN(imp.getProcessor().getf(3, 1)), "the user's image is not changed");
        assertEquals(10f, c.image().getProcessor().getf(3, 1));
        assertEquals(10f, c.image().getProcessor().getf(5, 2));
        assertEquals(11f, c.image().getProcessor().getf(1, 0));
        ErrorMatrix.check("nan-pixels-replaced", c.note());
    }

    @Test
    void anImageWithoutFiniteValuesIsRefusedEvenWithTheOption() {
        FloatProcessor fp = new FloatProcessor(2, 2, new float[]{Float.NaN, Float.NaN, Float.NaN, Float.NaN});
        UserInputException e = assertThrows(UserInputException.class,
                () -> InputChecks.finiteValues(new ImagePlus("x", fp), "empty.tif", "replace_nan", true));
        ErrorMatrix.check("no-finite-pixels", e);
    }

    @Test
    void integerImagesAndFiniteImagesPassUnchanged() {
        ImagePlus b = new ImagePlus("b", new ByteProcessor(3, 3));
        assertSame(b, InputChecks.finiteValues(b, "b", null, false).image());
        ImagePlus f = new ImagePlus("f", new FloatProcessor(3, 3));
        InputChecks.Checked c = InputChecks.finiteValues(f, "f", null, false);
        assertSame(f, c.image());
        assertNull(c.note());
    }

    @Test
    void sizesBelowTheNetworksMinimumAreRefused() {
        ImagePlus one = new ImagePlus("dot", new FloatProcessor(1, 1));
        UserInputException e = assertThrows(UserInputException.class,
                () -> InputChecks.minimumSize(one, "dot.tif", 8, 1, InputChecks.networkMinimum("Segment", 3, false)));
        assertEquals("dot.tif is 1 x 1 pixels; Segment needs at least 8 x 8 pixels (the network halves the image 3 times: 2^3 = 8). "
                + "Give a larger image.", e.getMessage());
        InputChecks.minimumSize(new ImagePlus("ok", new FloatProcessor(8, 8)), "ok", 8, 1, "x");
        ImageStack st = new ImageStack(16, 16);
        for (int i = 0; i < 3; i++) st.addSlice(new FloatProcessor(16, 16));
        UserInputException v = assertThrows(UserInputException.class, () -> InputChecks.minimumSize(new ImagePlus("v", st), "v.nii", 4, 4,
                InputChecks.networkMinimum("Train Segmenter", 2, true)));
        assertTrue(v.getMessage().startsWith("v.nii is 16 x 16 pixels x 3 slices; Train Segmenter needs at least 4 x 4 pixels x 4 slices"),
                v.getMessage());
    }

    @Test
    void inputFoldersMustExistAndBeFolders() throws Exception {
        UserInputException missing = assertThrows(UserInputException.class, () -> InputChecks.inputFolder(dir.resolve("nope"), "images"));
        ErrorMatrix.check("input-folder-missing", missing);
        Path file = Files.writeString(dir.resolve("list.txt"), "x");
        UserInputException notFolder = assertThrows(UserInputException.class, () -> InputChecks.inputFolder(file, "labels"));
        ErrorMatrix.check("input-folder-is-file", notFolder);
        assertSame(dir, InputChecks.inputFolder(dir, "images"));
    }

    @Test
    void foregroundIsCounted() {
        assertEquals(0, InputChecks.foregroundCount(new int[]{0, 0, 0}));
        assertEquals(2, InputChecks.foregroundCount(new int[]{0, 2, 1}));
    }
}
