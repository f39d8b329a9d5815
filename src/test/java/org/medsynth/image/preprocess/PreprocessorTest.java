package org.medsynth.image.preprocess;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.TestImages;
import org.medsynth.core.UserInputException;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessorTest {

    private static ImagePlus ct(int w, int h, int d) {
        Random r = new Random(11);
        ImagePlus img = TestImages.floatVolume(w, h, d, (x, y, z) -> -1000 + 40 * x + r.nextGaussian() * 30);
        img.setTitle("case01");
        img.getCalibration().pixelWidth = 0.8;
        img.getCalibration().pixelHeight = 0.8;
        img.getCalibration().pixelDepth = 2.5;
        return img;
    }

    private static ImagePlus liver(int w, int h, int d, int lo, int hi) {
        return TestImages.labelVolume(w, h, d, (x, y, z) -> z < lo || z > hi ? 0 : x > w / 2 ? (y < 3 ? 2 : 1) : 0);
    }

    @Test
    void trainingAndInferenceTreatTheImageIdentically() {
        PreprocessingSpec spec = PreprocessingSpec.paperLiver().withSize(32, 24).withCrop(10, 0, CropPlacement.RANDOM);
        Preprocessor pre = new Preprocessor(spec);
        ImagePlus img = ct(50, 40, 30);
        SliceCrop.Outcome t = pre.prepareTraining(img, liver(50, 40, 30, 5, 20), new Random(3));
        assertFalse(t.skipped(), t.message());
        ImagePlus whole = pre.prepare(img).image();
        assertEquals(32, t.image().getWidth());
        assertEquals(24, t.labels().getHeight());
        assertEquals(10, t.image().getNSlices());
        for (int k = 0; k < 10; k++) {
            assertArrayEquals((float[]) whole.getStack().getPixels(t.firstSlice() + k + 1),
                    (float[]) t.image().getStack().getPixels(k + 1), 0f, "slice " + k);
        }
        for (int k = 1; k <= 10; k++) {
            for (byte b : (byte[]) t.labels().getStack().getPixels(k)) assertTrue(b >= 0 && b <= 2, "no new label values");
        }
    }

    @Test
    void predictionsGoBackToTheOriginalSizeAndCalibration() {
        Preprocessor pre = new Preprocessor(PreprocessingSpec.none().withSize(16, 16).withNormalization(Normalization.UNIT));
        ImagePlus img = ct(37, 23, 4);
        Preprocessor.Prepared p = pre.prepare(img);
        assertEquals(16, p.image().getWidth());
        ImagePlus labelsPredicted = TestImages.labelVolume(16, 16, 4, (x, y, z) -> x < 8 ? 1 : 3);
        ImagePlus back = Preprocessor.restore(labelsPredicted, p, true);
        assertEquals(37, back.getWidth());
        assertEquals(23, back.getHeight());
        assertEquals(4, back.getNSlices());
        assertEquals(0.8, back.getCalibration().pixelWidth, 1e-12);
        assertEquals(2.5, back.getCalibration().pixelDepth, 1e-12);
        for (byte b : (byte[]) back.getStack().getPixels(2)) assertTrue(b == 1 || b == 3);
    }

    @Test
    void noStepsGivesACopyAndSkippedCropsAndMismatchesAreReported() {
        ImagePlus img = ct(10, 10, 6);
        ImagePlus same = new Preprocessor(PreprocessingSpec.none()).prepare(img).image();
        assertNotSame(img, same);
        assertArrayEquals((float[]) img.getStack().getPixels(3), (float[]) same.getStack().getPixels(3), 0f);
        Preprocessor pre = new Preprocessor(PreprocessingSpec.none().withCrop(48, 0, CropPlacement.RANDOM));
        assertTrue(pre.prepareTraining(img, liver(10, 10, 6, 0, 5), new Random(1)).skipped());
        UserInputException e = assertThrows(UserInputException.class, () -> pre.prepareTraining(img, liver(10, 9, 6, 0, 5), new Random(1)));
        assertTrue(e.getMessage().contains("case01") && e.getMessage().contains("10 x 9"), e.getMessage());
    }
}
