package org.medsynth.data;

import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

/**
 * A sketch draft as the networks see it: a plane at the model's resolution with values in [-1, 1].
 *
 * <p>The sketch is binary at its own size (pixels above 127 are sketch). Shrinking it keeps, per
 * target pixel, the fraction of it covered by the sketch (ImageJ's averaging resize), so a vessel
 * thinner than one target pixel stays as a fainter line. Picking the nearest source pixel instead
 * keeps only the source columns and rows that happen to be sampled: a 512 px fundus sketch shrunk
 * to 32 px became scattered dots, and the sketch generator learnt to draw dots and blobs. Enlarging
 * keeps the sketch binary (nearest neighbour).
 */
public final class SketchPlane {

    private SketchPlane() { }

    /** How a sketch larger than the model's resolution is shrunk. */
    public enum Shrink {
        /** the fraction of each target pixel the sketch covers (default) */
        COVERAGE,
        /** the nearest source pixel, binary (what models saved before the choice existed were trained on) */
        NEAREST
    }

    /** The sketch {@code ip} (any bit depth, square or not) resized to {@code size} x {@code size}, shrunk by coverage. */
    public static float[] of(ImageProcessor ip, int size) {
        return of(ip, size, Shrink.COVERAGE);
    }

    /** The sketch {@code ip} resized to {@code size} x {@code size}, shrunk as {@code shrink} says. */
    public static float[] of(ImageProcessor ip, int size, Shrink shrink) {
        int w = ip.getWidth(), h = ip.getHeight();
        FloatProcessor covered = new FloatProcessor(w, h);
        for (int i = 0; i < w * h; i++) covered.setf(i, ip.get(i) > 127 ? 1f : 0f);
        ImageProcessor resized = covered;
        if (w != size || h != size) {
            boolean average = (w > size || h > size) && shrink == Shrink.COVERAGE;
            covered.setInterpolationMethod(average ? ImageProcessor.BILINEAR : ImageProcessor.NEAREST_NEIGHBOR);
            resized = covered.resize(size, size, average);
        }
        float[] plane = new float[size * size];
        for (int i = 0; i < plane.length; i++) {
            plane[i] = 2f * Math.max(0f, Math.min(1f, resized.getf(i))) - 1f;
        }
        return plane;
    }
}
