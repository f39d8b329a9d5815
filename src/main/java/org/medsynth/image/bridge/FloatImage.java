package org.medsynth.image.bridge;

import ij.measure.Calibration;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.real.FloatType;

/**
 * An image as float planes in ImgLib2 form, with what is needed to turn it back into the
 * ImagePlus it came from.
 *
 * @param img         axes always X, Y, C, Z, T (singletons kept, so code need not guess axes);
 *                    an RGB image has C = 3 (red, green, blue)
 * @param calibration voxel size, units and value calibration of the source
 * @param bitDepth    the source's bit depth (8, 16, 24 = RGB, 32), used to convert back exactly
 * @param title       the source's title
 */
public record FloatImage(PlanarImg<FloatType, FloatArray> img, Calibration calibration, int bitDepth, String title) {

    public int width() { return (int) img.dimension(0); }
    public int height() { return (int) img.dimension(1); }
    public int channels() { return (int) img.dimension(2); }
    public int depth() { return (int) img.dimension(3); }
    public int frames() { return (int) img.dimension(4); }

    /** The pixels of plane (c, z, t), row-major; the live array, not a copy. */
    public float[] plane(int c, int z, int t) {
        return img.getPlane(c + channels() * (z + depth() * t)).getCurrentStorageArray();
    }
}
