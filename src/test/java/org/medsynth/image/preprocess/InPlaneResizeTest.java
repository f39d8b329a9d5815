package org.medsynth.image.preprocess;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.TestImages;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class InPlaneResizeTest {

    private static Set<Integer> values(ImagePlus imp) {
        Set<Integer> s = new HashSet<>();
        for (int i = 1; i <= imp.getStackSize(); i++) {
            var ip = imp.getStack().getProcessor(i);
            for (int k = 0; k < ip.getPixelCount(); k++) s.add((int) ip.getf(k));
        }
        return s;
    }

    @Test
    void labelMapsGetNoNewValuesAndIntegerUpscaleRoundTripsExactly() {
        // labels 0, 3, 7 in blobs: bilinear interpolation would create 1, 2, 4, 5 ... at their borders
        ImagePlus lab = TestImages.labelVolume(20, 14, 3, (x, y, z) -> x < 7 ? 0 : (y < 6 ? 3 : 7));
        ImagePlus small = InPlaneResize.labels(lab, 13, 9);
        ImagePlus big = InPlaneResize.labels(lab, 33, 31);
        assertEquals(Set.of(0, 3, 7), values(small));
        assertEquals(Set.of(0, 3, 7), values(big));
        assertEquals(8, big.getBitDepth());
        ImagePlus up = InPlaneResize.labels(lab, 40, 28);
        ImagePlus back = InPlaneResize.labels(up, 20, 14);
        for (int i = 1; i <= 3; i++) {
            assertArrayEquals((byte[]) lab.getStack().getPixels(i), (byte[]) back.getStack().getPixels(i));
        }
        // the same resize of the image is interpolated: values between labels appear
        ImagePlus asImage = InPlaneResize.image(lab, 33, 31);
        assertTrue(values(asImage).size() > 3);
    }

    @Test
    void imagesAreBilinearAndCalibrationKeepsThePhysicalExtent() {
        // a linear ramp stays a linear ramp under bilinear resizing (away from the edge pixels)
        ImagePlus ramp = TestImages.floatVolume(16, 16, 2, (x, y, z) -> 10 * x + z);
        ramp.getCalibration().pixelWidth = 0.5;
        ramp.getCalibration().pixelHeight = 0.5;
        ramp.getCalibration().pixelDepth = 4;
        ImagePlus big = InPlaneResize.image(ramp, 64, 32);
        assertEquals(64, big.getWidth());
        assertEquals(32, big.getHeight());
        assertEquals(2, big.getNSlices());
        float[] row = (float[]) big.getStack().getPixels(1);
        double step = row[11] - row[10];
        assertEquals(10.0 * 16 / 64, step, 1e-3);
        for (int x = 4; x < 58; x++) assertEquals(step, row[x + 1] - row[x], 1e-3, "constant slope at x=" + x);
        assertEquals(16 * 0.5, big.getWidth() * big.getCalibration().pixelWidth, 1e-9);
        assertEquals(16 * 0.5, big.getHeight() * big.getCalibration().pixelHeight, 1e-9);
        assertEquals(4, big.getCalibration().pixelDepth);
        // shrinking averages: a checkerboard halves to its mean
        ImagePlus checker = TestImages.floatVolume(32, 32, 1, (x, y, z) -> (x + y) % 2 == 0 ? 0 : 100);
        float[] half = (float[]) InPlaneResize.image(checker, 16, 16).getProcessor().getPixels();
        for (int i = 17; i < 200; i++) if (i % 16 != 0 && i % 16 != 15) assertEquals(50, half[i], 1e-3);
    }
}
