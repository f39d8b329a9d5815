package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.TestImages;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IntensityNormalizerTest {

    private static ImagePlus noisyWithOutliers(long seed) {
        Random r = new Random(seed);
        ImagePlus imp = TestImages.floatVolume(40, 30, 5, (x, y, z) -> 100 + 20 * r.nextGaussian());
        float[] p = (float[]) imp.getStack().getPixels(3);
        p[0] = 1e6f;   // outliers that clipping must remove
        p[1] = -1e6f;
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.7; cal.pixelDepth = 3; cal.setUnit("mm");
        return imp;
    }

    private static float[] all(ImagePlus imp) {
        int n = imp.getWidth() * imp.getHeight();
        float[] out = new float[n * imp.getStackSize()];
        for (int i = 0; i < imp.getStackSize(); i++) {
            System.arraycopy(imp.getStack().getProcessor(i + 1).convertToFloatProcessor().getPixels(), 0, out, i * n, n);
        }
        return out;
    }

    @Test
    void clipsAtThePercentilesAndLeavesTheInputAlone() {
        ImagePlus imp = noisyWithOutliers(1);
        float[] before = all(imp);
        double[] bounds = Percentiles.of(new float[][]{before}, 0.5, 99.5);
        ImagePlus out = new IntensityNormalizer(0.5, 99.5, Normalization.NONE).apply(imp);
        float[] v = all(out);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int i = 0; i < v.length; i++) {
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
            if (before[i] > bounds[0] && before[i] < bounds[1]) assertEquals(before[i], v[i], 0f);
        }
        assertEquals(bounds[0], min, 1e-3);
        assertEquals(bounds[1], max, 1e-3);
        assertTrue(max < 300 && min > -100, "outliers are gone");
        assertArrayEquals(before, all(imp), 0f, "input unchanged");
        assertEquals(0.7, out.getCalibration().pixelWidth);
        assertEquals(3.0, out.getCalibration().pixelDepth);
        assertEquals(32, out.getBitDepth());
    }

    @Test
    void rangesAndZScoreHaveTheirDefiningProperties() {
        ImagePlus imp = noisyWithOutliers(2);
        float[] unit = all(new IntensityNormalizer(0.5, 99.5, Normalization.UNIT).apply(imp));
        float[] sym = all(new IntensityNormalizer(0.5, 99.5, Normalization.SYMMETRIC).apply(imp));
        float[] z = all(new IntensityNormalizer(0.5, 99.5, Normalization.ZSCORE).apply(imp));
        double uMin = 1, uMax = 0, sMin = 1, sMax = -1, sum = 0, sumSq = 0;
        for (int i = 0; i < unit.length; i++) {
            uMin = Math.min(uMin, unit[i]); uMax = Math.max(uMax, unit[i]);
            sMin = Math.min(sMin, sym[i]); sMax = Math.max(sMax, sym[i]);
            assertEquals(2 * unit[i] - 1, sym[i], 1e-5, "[-1,1] is the affine image of [0,1]");
            sum += z[i];
            sumSq += z[i] * (double) z[i];
        }
        assertEquals(0, uMin, 1e-6); assertEquals(1, uMax, 1e-6);
        assertEquals(-1, sMin, 1e-6); assertEquals(1, sMax, 1e-6);
        double mean = sum / z.length;
        assertEquals(0, mean, 1e-4);
        assertEquals(1, Math.sqrt(sumSq / z.length - mean * mean), 1e-4);
    }

    @Test
    void channelsAreNormalisedSeparately() {
        Random r = new Random(3);
        ImageStack st = new ImageStack(8, 8);
        float[] a = new float[64], b = new float[64];
        for (int i = 0; i < 64; i++) { a[i] = (float) r.nextGaussian(); b[i] = 1000 + 50 * a[i]; }
        st.addSlice(new FloatProcessor(8, 8, a));
        st.addSlice(new FloatProcessor(8, 8, b));
        ImagePlus imp = new ImagePlus("two channels", st);
        imp.setDimensions(2, 1, 1);
        ImagePlus out = new IntensityNormalizer(1, 99, Normalization.ZSCORE).apply(imp);
        assertEquals(2, out.getNChannels());
        float[] oa = (float[]) out.getStack().getPixels(1), ob = (float[]) out.getStack().getPixels(2);
        for (int i = 0; i < 64; i++) assertEquals(oa[i], ob[i], 1e-3, "an affine copy of a channel normalises to the same values");
    }

    @Test
    void usesCalibratedValuesOfSigned16Bit() {
        short[] raw = new short[16];
        for (int i = 0; i < 16; i++) raw[i] = (short) (32768 + i * 10); // -> 0, 10, ..., 150 after the signed calibration
        ImagePlus imp = new ImagePlus("ct", new ShortProcessor(4, 4, raw, null));
        imp.getCalibration().setSigned16BitCalibration();
        float[] v = all(new IntensityNormalizer(0, 100, Normalization.NONE).apply(imp));
        assertEquals(0, v[0], 1e-4);
        assertEquals(150, v[15], 1e-4);
    }

    @Test
    void rejectsBadPercentiles() {
        assertThrows(IllegalArgumentException.class, () -> new IntensityNormalizer(60, 40, Normalization.NONE));
        assertThrows(IllegalArgumentException.class, () -> new IntensityNormalizer(-1, 99, Normalization.NONE));
    }
}
