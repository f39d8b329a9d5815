package org.medsynth.image.bridge;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Fraction;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;

/**
 * ImagePlus &lt;-&gt; ImgLib2 {@code PlanarImg<FloatType>} with axes X, Y, C, Z, T.
 * <p>
 * 32-bit images are wrapped without copying (the Img's planes are the ImagePlus' pixel arrays).
 * 8- and 16-bit images are copied to float; values are the calibrated ones, so a signed 16-bit
 * image (CT in Hounsfield units) gives HU. Converting back to the source bit depth rounds and
 * clamps, which makes the round trip exact for unmodified images.
 */
public final class ImgBridge {

    private ImgBridge() { }

    public static FloatImage toFloatImage(ImagePlus imp) {
        if (imp == null) throw new UserInputException("No image given.");
        int w = imp.getWidth(), h = imp.getHeight();
        int c = imp.getNChannels(), z = imp.getNSlices(), t = imp.getNFrames();
        ImageStack stack = imp.getStack();
        Calibration cal = imp.getCalibration();
        boolean rgb = imp.getBitDepth() == 24;
        int outC = rgb ? 3 * c : c;
        List<FloatArray> planes = new ArrayList<>(outC * z * t);
        for (int i = 1; i <= stack.getSize(); i++) {
            ImageProcessor ip = stack.getProcessor(i);
            if (rgb) {
                ColorProcessor cp = (ColorProcessor) ip;
                for (int ch = 1; ch <= 3; ch++) planes.add(new FloatArray(toFloats(cp.getChannel(ch, null), null)));
            } else if (ip instanceof FloatProcessor) {
                planes.add(new FloatArray((float[]) ip.getPixels()));
            } else {
                planes.add(new FloatArray(toFloats(ip, cal)));
            }
        }
        PlanarImg<FloatType, FloatArray> img = new PlanarImg<>(planes, new long[]{w, h, outC, z, t}, new Fraction());
        img.setLinkedType(new FloatType(img));
        return new FloatImage(img, cal.copy(), imp.getBitDepth(), imp.getTitle());
    }

    /** Back to an ImagePlus of the source bit depth (or {@code bitDepth} 8/16/24/32 when given). */
    public static ImagePlus toImagePlus(FloatImage image, int bitDepth, String title) {
        int w = image.width(), h = image.height();
        int c = image.channels(), z = image.depth(), t = image.frames();
        if (bitDepth == 24 && c % 3 != 0) {
            throw new UserInputException("An RGB image needs 3 channels per colour image; this one has " + c + ".");
        }
        Calibration cal = image.calibration();
        ImageStack stack = new ImageStack(w, h);
        int outC = bitDepth == 24 ? c / 3 : c;
        for (int ti = 0; ti < t; ti++) {
            for (int zi = 0; zi < z; zi++) {
                for (int ci = 0; ci < outC; ci++) {
                    if (bitDepth == 24) {
                        ColorProcessor cp = new ColorProcessor(w, h);
                        for (int k = 0; k < 3; k++) {
                            cp.setChannel(k + 1, (ByteProcessor) fromFloats(image.plane(3 * ci + k, zi, ti), w, h, 8, null));
                        }
                        stack.addSlice(cp);
                    } else {
                        stack.addSlice(fromFloats(image.plane(ci, zi, ti), w, h, bitDepth, cal));
                    }
                }
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(outC, z, t);
        if (outC > 1 || t > 1) imp.setOpenAsHyperStack(true);
        Calibration copy = cal.copy();
        if (bitDepth == 32 || bitDepth == 24) copy.disableDensityCalibration();
        imp.setCalibration(copy);
        return imp;
    }

    public static ImagePlus toImagePlus(FloatImage image) {
        return toImagePlus(image, image.bitDepth(), image.title());
    }

    static float[] toFloats(ImageProcessor ip, Calibration cal) {
        int n = ip.getPixelCount();
        float[] out = new float[n];
        float[] table = cal != null && cal.calibrated() ? cal.getCTable() : null;
        for (int i = 0; i < n; i++) {
            int raw = ip.get(i);
            out[i] = table != null && raw < table.length ? table[raw] : raw;
        }
        return out;
    }

    static ImageProcessor fromFloats(float[] values, int w, int h, int bitDepth, Calibration cal) {
        switch (bitDepth) {
            case 32:
                return new FloatProcessor(w, h, values.clone());
            case 16: {
                short[] p = new short[values.length];
                for (int i = 0; i < values.length; i++) p[i] = (short) clamp(raw(values[i], cal), 65535);
                return new ShortProcessor(w, h, p, null);
            }
            case 8: {
                byte[] p = new byte[values.length];
                for (int i = 0; i < values.length; i++) p[i] = (byte) clamp(raw(values[i], cal), 255);
                return new ByteProcessor(w, h, p);
            }
            default:
                throw new IllegalArgumentException("bit depth must be 8, 16, 24 or 32: " + bitDepth);
        }
    }

    /** The raw pixel value that a calibrated value came from (inverse of the calibration function). */
    private static double raw(float value, Calibration cal) {
        if (Float.isNaN(value)) return 0;
        return cal != null && cal.calibrated() ? cal.getRawValue(value) : value;
    }

    private static int clamp(double v, int max) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(max, r));
    }
}
