package org.medsynth.metrics;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.medsynth.core.UserInputException;

/**
 * A 2D image as float planes, one per channel, each row-major of {@code width * height} values:
 * the input of the synthesis metrics (SSIM, MS-SSIM, SWD, feature networks).
 * Grey images have one channel, RGB images three (red, green, blue, 0-255).
 */
public record ImageChannels(int width, int height, float[][] channels) {

    public ImageChannels {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("empty image " + width + "x" + height);
        if (channels.length == 0) throw new IllegalArgumentException("no channels");
        for (float[] c : channels) {
            if (c.length != width * height) {
                throw new IllegalArgumentException("channel has " + c.length + " values, expected " + width * height);
            }
        }
    }

    public int channelCount() {
        return channels.length;
    }

    /** True for 8-bit grey or RGB sources (values 0-255). */
    public static boolean is8Bit(ImagePlus imp) {
        return imp.getBitDepth() == 8 || imp.getBitDepth() == 24;
    }

    /**
     * Converts one plane of an image: an RGB plane becomes 3 channels, a grey plane 1; a
     * multi-channel hyperstack with one slice and one frame gives one channel per ImageJ channel.
     * @param what how to name the image in error messages
     */
    public static ImageChannels of(ImagePlus imp, String what) {
        int n = imp.getStackSize();
        if (n > 1 && !(imp.getNChannels() == n && imp.getBitDepth() != 24)) {
            throw new UserInputException(what + " has " + n + " slices; a synthesis metric compares 2D images. "
                    + "Give a folder of 2D images, or a stack where each slice is one image.");
        }
        if (imp.getNChannels() > 1) {
            ImageStack s = imp.getStack();
            float[][] ch = new float[n][];
            for (int c = 0; c < n; c++) ch[c] = floatPixels(s.getProcessor(c + 1), what);
            return new ImageChannels(imp.getWidth(), imp.getHeight(), ch);
        }
        return of(imp.getProcessor(), what);
    }

    /** One plane: RGB gives 3 channels, anything else 1 channel of its grey values. */
    public static ImageChannels of(ImageProcessor ip, String what) {
        int w = ip.getWidth(), h = ip.getHeight();
        if (ip instanceof ColorProcessor cp) {
            float[][] ch = new float[3][w * h];
            int[] px = (int[]) cp.getPixels();
            for (int i = 0; i < px.length; i++) {
                ch[0][i] = (px[i] >> 16) & 0xff;
                ch[1][i] = (px[i] >> 8) & 0xff;
                ch[2][i] = px[i] & 0xff;
            }
            return new ImageChannels(w, h, ch);
        }
        return new ImageChannels(w, h, new float[][] {floatPixels(ip, what)});
    }

    private static float[] floatPixels(ImageProcessor ip, String what) {
        float[] v = new float[ip.getPixelCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ip.getf(i);
            if (!Float.isFinite(v[i])) {
                throw new UserInputException(what + " contains NaN or infinite values. Replace them first "
                        + "(Process>Math>Remove NaNs...) or exclude the image.");
            }
        }
        return v;
    }
}
