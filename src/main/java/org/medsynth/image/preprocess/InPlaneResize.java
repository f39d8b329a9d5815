package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;

/**
 * Resizes every plane of an image in x and y (slices, channels and frames are kept), with
 * ImageJ's own resampling:
 * <ul>
 * <li>images: bilinear interpolation, averaging when shrinking ({@code ImageProcessor.resize(w, h, true)});</li>
 * <li>label maps: nearest neighbour, so every output value is a value of the input (no new labels).</li>
 * </ul>
 * The pixel size is scaled so that the physical extent stays the same. The input is not modified.
 */
public final class InPlaneResize {

    private InPlaneResize() { }

    public static ImagePlus image(ImagePlus imp, int width, int height) {
        return resize(imp, width, height, false);
    }

    public static ImagePlus labels(ImagePlus imp, int width, int height) {
        return resize(imp, width, height, true);
    }

    /** Resizes an image ({@code labelMap} false) or a label map ({@code labelMap} true). */
    public static ImagePlus resize(ImagePlus imp, int width, int height, boolean labelMap) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        int w0 = imp.getWidth(), h0 = imp.getHeight();
        ImageStack src = imp.getStack();
        ImageStack dst = new ImageStack(width, height);
        for (int i = 1; i <= src.getSize(); i++) {
            ImageProcessor ip = src.getProcessor(i).duplicate();
            ImageProcessor out;
            if (w0 == width && h0 == height) {
                out = ip;
            } else if (labelMap) {
                ip.setInterpolationMethod(ImageProcessor.NONE);
                out = ip.resize(width, height);
            } else {
                ip.setInterpolationMethod(ImageProcessor.BILINEAR);
                out = ip.resize(width, height, true);
            }
            dst.addSlice(src.getSliceLabel(i), out);
        }
        ImagePlus result = new ImagePlus(imp.getTitle(), dst);
        result.setDimensions(imp.getNChannels(), imp.getNSlices(), imp.getNFrames());
        if (imp.isHyperStack()) result.setOpenAsHyperStack(true);
        Calibration cal = imp.getCalibration().copy();
        cal.pixelWidth *= (double) w0 / width;
        cal.pixelHeight *= (double) h0 / height;
        cal.xOrigin *= (double) width / w0;
        cal.yOrigin *= (double) height / h0;
        result.setCalibration(cal);
        return result;
    }
}
