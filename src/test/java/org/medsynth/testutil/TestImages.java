package org.medsynth.testutil;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;

/** Small synthetic images and label maps for unit tests. */
public final class TestImages {

    private TestImages() { }

    /** A single-channel 32-bit volume whose voxel (x, y, z) holds f(x, y, z). */
    public static ImagePlus floatVolume(int w, int h, int d, Voxel f) {
        ImageStack st = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            float[] p = new float[w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[x + w * y] = (float) f.value(x, y, z);
            st.addSlice(new FloatProcessor(w, h, p));
        }
        ImagePlus imp = new ImagePlus("volume", st);
        imp.setDimensions(1, d, 1);
        return imp;
    }

    /** An 8-bit label map whose voxel (x, y, z) holds f(x, y, z). */
    public static ImagePlus labelVolume(int w, int h, int d, Voxel f) {
        ImageStack st = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            byte[] p = new byte[w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[x + w * y] = (byte) f.value(x, y, z);
            st.addSlice(new ByteProcessor(w, h, p));
        }
        ImagePlus imp = new ImagePlus("labels", st);
        imp.setDimensions(1, d, 1);
        return imp;
    }

    @FunctionalInterface
    public interface Voxel {
        double value(int x, int y, int z);
    }
}
