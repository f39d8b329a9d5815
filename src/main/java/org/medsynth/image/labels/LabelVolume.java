package org.medsynth.image.labels;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import org.medsynth.core.UserInputException;
import org.medsynth.image.nifti.NiftiImages;

import java.util.Arrays;

/**
 * A 2D or 3D label map as one int per voxel, index {@code x + width * (y + height * z)}.
 * Built from a single-channel, single-frame ImagePlus (8, 16 or 32 bit) whose values are whole
 * numbers; the raw pixel values are used (a label map's value calibration is ignored).
 */
public final class LabelVolume {

    private final int width, height, depth;
    private final int[] values;
    private final Calibration calibration;
    private final int bitDepth;
    private final String title;
    /** The NIfTI header of the map it was read from (orientation, origin), or null: images made from it save in its space. */
    private final String niftiHeader;

    public LabelVolume(int width, int height, int depth, int[] values, Calibration calibration, int bitDepth, String title) {
        this(width, height, depth, values, calibration, bitDepth, title, null);
    }

    private LabelVolume(int width, int height, int depth, int[] values, Calibration calibration, int bitDepth, String title,
                        String niftiHeader) {
        if ((long) width * height * depth != values.length) {
            throw new IllegalArgumentException("size " + width + "x" + height + "x" + depth + " does not match " + values.length + " values");
        }
        this.width = width;
        this.height = height;
        this.depth = depth;
        this.values = values;
        this.calibration = calibration == null ? new Calibration() : calibration;
        this.bitDepth = bitDepth;
        this.title = title == null ? "labels" : title;
        this.niftiHeader = niftiHeader;
    }

    /** Reads a label map; throws {@link UserInputException} naming the image when it is not one. */
    public static LabelVolume from(ImagePlus imp) {
        if (imp == null) throw new UserInputException("No label map given.");
        String name = "'" + imp.getTitle() + "'";
        if (imp.getBitDepth() == 24) {
            throw new UserInputException("Label map " + name + " is an RGB image. A label map must be an 8-, 16- or 32-bit"
                    + " image whose values are class numbers (0 = background); convert it with Image > Type.");
        }
        if (imp.getNChannels() > 1 || imp.getNFrames() > 1) {
            throw new UserInputException("Label map " + name + " has " + imp.getNChannels() + " channels and "
                    + imp.getNFrames() + " frames. A label map must have one channel and one frame (a 2D image or a"
                    + " z stack); split it with Image > Hyperstacks > Reduce Dimensionality.");
        }
        int w = imp.getWidth(), h = imp.getHeight(), d = imp.getStackSize();
        int[] values = new int[w * h * d];
        ImageStack stack = imp.getStack();
        for (int z = 0; z < d; z++) {
            ImageProcessor ip = stack.getProcessor(z + 1);
            int off = z * w * h;
            if (ip instanceof FloatProcessor) {
                float[] px = (float[]) ip.getPixels();
                for (int i = 0; i < px.length; i++) {
                    float v = px[i];
                    if (v != Math.rint(v) || Math.abs(v) > 1 << 24) {
                        throw new UserInputException("Label map " + name + " has the value " + v + " at x=" + (i % w)
                                + ", y=" + (i / w) + ", z=" + z + ". A label map must hold whole numbers (class numbers);"
                                + " was it resized or filtered with interpolation?");
                    }
                    values[off + i] = (int) v;
                }
            } else {
                for (int i = 0; i < w * h; i++) values[off + i] = ip.get(i);
            }
        }
        return new LabelVolume(w, h, d, values, imp.getCalibration().copy(), imp.getBitDepth(), imp.getTitle(), imp.getProp(NiftiImages.PROPERTY));
    }

    public int width() { return width; }
    public int height() { return height; }
    public int depth() { return depth; }
    public int size() { return values.length; }
    public Calibration calibration() { return calibration; }
    public int bitDepth() { return bitDepth; }
    public String title() { return title; }

    /** The live values (not a copy). */
    public int[] values() { return values; }

    public int get(int x, int y, int z) { return values[x + width * (y + height * z)]; }

    public int index(int x, int y, int z) { return x + width * (y + height * z); }

    /** A copy with other values and the same size, calibration and bit depth. */
    public LabelVolume withValues(int[] newValues, String newTitle) {
        return new LabelVolume(width, height, depth, newValues, calibration.copy(), bitDepth, newTitle, niftiHeader);
    }

    public long count(int label) {
        long n = 0;
        for (int v : values) if (v == label) n++;
        return n;
    }

    public int max() {
        return Arrays.stream(values).max().orElse(0);
    }

    public int min() {
        return Arrays.stream(values).min().orElse(0);
    }

    /** Back to an ImagePlus of the source bit depth where the values fit, else 32-bit; calibration copied. */
    public ImagePlus toImagePlus(String newTitle) {
        int min = min(), max = max();
        int depthOut = bitDepth;
        if (depthOut == 8 && (min < 0 || max > 255)) depthOut = 16;
        if (depthOut == 16 && (min < 0 || max > 65535)) depthOut = 32;
        if (depthOut != 8 && depthOut != 16) depthOut = 32;
        ImageStack stack = new ImageStack(width, height);
        int plane = width * height;
        for (int z = 0; z < depth; z++) {
            int off = z * plane;
            ImageProcessor ip;
            if (depthOut == 8) {
                byte[] p = new byte[plane];
                for (int i = 0; i < plane; i++) p[i] = (byte) values[off + i];
                ip = new ByteProcessor(width, height, p);
            } else if (depthOut == 16) {
                short[] p = new short[plane];
                for (int i = 0; i < plane; i++) p[i] = (short) values[off + i];
                ip = new ShortProcessor(width, height, p, null);
            } else {
                float[] p = new float[plane];
                for (int i = 0; i < plane; i++) p[i] = values[off + i];
                ip = new FloatProcessor(width, height, p);
            }
            stack.addSlice(ip);
        }
        ImagePlus imp = new ImagePlus(newTitle, stack);
        imp.setDimensions(1, depth, 1);
        Calibration cal = calibration.copy();
        cal.disableDensityCalibration();
        imp.setCalibration(cal);
        if (niftiHeader != null) imp.setProp(NiftiImages.PROPERTY, niftiHeader);
        imp.setDisplayRange(0, Math.max(1, max));
        return imp;
    }
}
