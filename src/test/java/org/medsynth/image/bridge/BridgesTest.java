package org.medsynth.image.bridge;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class BridgesTest {

    private static ImagePlus hyperstack(int bitDepth, int w, int h, int c, int z, int t, long seed) {
        Random r = new Random(seed);
        ImageStack st = new ImageStack(w, h);
        for (int i = 0; i < c * z * t; i++) {
            switch (bitDepth) {
                case 8: { byte[] p = new byte[w * h]; r.nextBytes(p); st.addSlice(new ByteProcessor(w, h, p)); break; }
                case 16: { short[] p = new short[w * h]; for (int k = 0; k < p.length; k++) p[k] = (short) r.nextInt(65536); st.addSlice(new ShortProcessor(w, h, p, null)); break; }
                case 24: { int[] p = new int[w * h]; for (int k = 0; k < p.length; k++) p[k] = r.nextInt(1 << 24); st.addSlice(new ColorProcessor(w, h, p)); break; }
                default: { float[] p = new float[w * h]; for (int k = 0; k < p.length; k++) p[k] = (float) r.nextGaussian(); st.addSlice(new FloatProcessor(w, h, p)); }
            }
        }
        ImagePlus imp = new ImagePlus("test", st);
        imp.setDimensions(c, z, t);
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.5; cal.pixelHeight = 0.25; cal.pixelDepth = 2.5; cal.setUnit("mm");
        return imp;
    }

    private static void assertSamePixels(ImagePlus a, ImagePlus b) {
        assertEquals(a.getBitDepth(), b.getBitDepth());
        assertArrayEquals(a.getDimensions(), b.getDimensions());
        for (int i = 1; i <= a.getStackSize(); i++) {
            ij.process.ImageProcessor pa = a.getStack().getProcessor(i), pb = b.getStack().getProcessor(i);
            for (int k = 0; k < pa.getPixelCount(); k++) {
                assertEquals(pa.getf(k), pb.getf(k), 0.0, "plane " + i + " pixel " + k);
            }
        }
        assertEquals(a.getCalibration().pixelWidth, b.getCalibration().pixelWidth);
        assertEquals(a.getCalibration().pixelDepth, b.getCalibration().pixelDepth);
        assertEquals(a.getCalibration().getUnit(), b.getCalibration().getUnit());
    }

    @Test
    void imgRoundTripIsExactForEveryBitDepth() {
        for (int depth : new int[]{8, 16, 24, 32}) {
            ImagePlus imp = hyperstack(depth, 7, 5, depth == 24 ? 1 : 2, 3, 2, depth);
            ImagePlus back = ImgBridge.toImagePlus(ImgBridge.toFloatImage(imp));
            assertSamePixels(imp, back);
        }
    }

    @Test
    void floatImagesAreWrappedWithoutCopying() {
        ImagePlus imp = hyperstack(32, 4, 3, 1, 2, 1, 1);
        FloatImage fi = ImgBridge.toFloatImage(imp);
        assertSame(imp.getStack().getPixels(2), fi.plane(0, 1, 0));
    }

    @Test
    void rgbBecomesThreeChannelsInOrder() {
        ColorProcessor cp = new ColorProcessor(2, 1, new int[]{0x102030, 0xA0B0C0});
        FloatImage fi = ImgBridge.toFloatImage(new ImagePlus("rgb", cp));
        assertEquals(3, fi.channels());
        assertArrayEquals(new float[]{0x10, 0xA0}, fi.plane(0, 0, 0));
        assertArrayEquals(new float[]{0x20, 0xB0}, fi.plane(1, 0, 0));
        assertArrayEquals(new float[]{0x30, 0xC0}, fi.plane(2, 0, 0));
    }

    @Test
    void signed16BitGivesCalibratedValuesAndRoundTrips() {
        ShortProcessor sp = new ShortProcessor(2, 1, new short[]{(short) (32768 - 1000), (short) (32768 + 40)}, null);
        ImagePlus imp = new ImagePlus("ct", sp);
        Calibration cal = imp.getCalibration();
        cal.setSigned16BitCalibration();
        FloatImage fi = ImgBridge.toFloatImage(imp);
        assertArrayEquals(new float[]{-1000, 40}, fi.plane(0, 0, 0));
        assertSamePixels(imp, ImgBridge.toImagePlus(fi));
    }

    @Test
    void nchwLayoutMatchesImageJPlanes() {
        ImagePlus imp = hyperstack(16, 6, 4, 2, 3, 1, 7);
        INDArray a = TensorBridge.toNCHW(imp);
        assertArrayEquals(new long[]{3, 2, 4, 6}, a.shape());
        // sample n = z, channel c, pixel (y=2, x=5) equals ImageJ's plane (c, z)
        for (int z = 0; z < 3; z++)
            for (int c = 0; c < 2; c++) {
                int idx = imp.getStackIndex(c + 1, z + 1, 1);
                assertEquals(imp.getStack().getProcessor(idx).getf(5, 2), a.getFloat(z, c, 2, 5), 0.0);
            }
        ImagePlus back = TensorBridge.fromNCHW(a, "back", imp.getCalibration());
        assertArrayEquals(new int[]{6, 4, 2, 3, 1}, back.getDimensions());
        for (int i = 1; i <= back.getStackSize(); i++)
            assertEquals(imp.getStack().getProcessor(i).getf(3), back.getStack().getProcessor(i).getf(3), 0.0);
        assertEquals(2.5, back.getCalibration().pixelDepth);
    }

    @Test
    void ncdhwLayoutMatchesImageJPlanes() {
        ImagePlus imp = hyperstack(32, 5, 4, 2, 3, 2, 9);
        INDArray a = TensorBridge.toNCDHW(imp);
        assertArrayEquals(new long[]{2, 2, 3, 4, 5}, a.shape());
        for (int t = 0; t < 2; t++)
            for (int c = 0; c < 2; c++)
                for (int z = 0; z < 3; z++) {
                    int idx = imp.getStackIndex(c + 1, z + 1, t + 1);
                    assertEquals(imp.getStack().getProcessor(idx).getf(1, 3), a.getFloat(t, c, z, 3, 1), 0.0);
                }
        assertSamePixels(imp, TensorBridge.fromNCDHW(a, "back", imp.getCalibration()));
    }
}
