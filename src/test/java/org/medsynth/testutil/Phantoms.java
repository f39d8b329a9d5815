package org.medsynth.testutil;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Segmentation phantoms for tests and benchmarks: on Gaussian noise, an "organ" ellipse (label 1,
 * intensity about 0.5) holding a smaller, brighter "tumour" disc (label 2, intensity about 1).
 * Seeded: the same seed gives the same phantoms.
 */
public final class Phantoms {

    /** One phantom: image values and labels (0, 1, 2), index x + size * y (+ size^2 * z). */
    public record Phantom(float[] image, int[] labels, int size, int depth) { }

    private Phantoms() { }

    /** A 2D phantom of size x size pixels. */
    public static Phantom phantom2d(int size, double noise, Random r) {
        return phantom(size, 1, noise, r);
    }

    /** A 2D (depth 1) or 3D (ellipsoid + ball) phantom. */
    public static Phantom phantom(int size, int depth, double noise, Random r) {
        double cx = size * (0.4 + 0.2 * r.nextDouble()), cy = size * (0.4 + 0.2 * r.nextDouble());
        double cz = depth * (0.4 + 0.2 * r.nextDouble());
        double ax = size * (0.2 + 0.12 * r.nextDouble()), ay = size * (0.2 + 0.12 * r.nextDouble());
        double az = depth == 1 ? 1e9 : depth * (0.25 + 0.1 * r.nextDouble());
        double organ = 0.45 + 0.1 * r.nextDouble(), tumour = 0.95 + 0.1 * r.nextDouble();
        double tr = Math.min(ax, ay) * (0.3 + 0.2 * r.nextDouble());
        double tzr = depth == 1 ? 1e9 : Math.min(tr, az * 0.5);
        // tumour centre inside the organ, away from its border
        double ang = 2 * Math.PI * r.nextDouble(), rad = 0.3 * r.nextDouble();
        double tx = cx + rad * ax * Math.cos(ang), ty = cy + rad * ay * Math.sin(ang), tz = cz;
        int n = size * size * depth;
        float[] img = new float[n];
        int[] lab = new int[n];
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++) {
                    int i = x + size * (y + size * z);
                    double ex = (x + 0.5 - cx) / ax, ey = (y + 0.5 - cy) / ay, ez = depth == 1 ? 0 : (z + 0.5 - cz) / az;
                    double v = 0;
                    if (ex * ex + ey * ey + ez * ez <= 1) {
                        lab[i] = 1;
                        v = organ;
                        double dx = x + 0.5 - tx, dy = y + 0.5 - ty, dz = depth == 1 ? 0 : (z + 0.5 - tz) * tr / tzr;
                        if (dx * dx + dy * dy + dz * dz <= tr * tr) {
                            lab[i] = 2;
                            v = tumour;
                        }
                    }
                    img[i] = (float) (v + noise * r.nextGaussian());
                }
        return new Phantom(img, lab, size, depth);
    }

    /** n 2D phantoms as an image batch [n, 1, size, size] and one-hot targets [n, 3, size, size]. */
    public static INDArray[] batch2d(int n, int size, double noise, Random r) {
        float[] img = new float[n * size * size];
        float[] hot = new float[n * 3 * size * size];
        int plane = size * size;
        for (int k = 0; k < n; k++) {
            Phantom p = phantom2d(size, noise, r);
            System.arraycopy(p.image(), 0, img, k * plane, plane);
            for (int i = 0; i < plane; i++) hot[(k * 3 + p.labels()[i]) * plane + i] = 1f;
        }
        return new INDArray[]{Nd4j.create(img, new long[]{n, 1, size, size}, 'c'),
                Nd4j.create(hot, new long[]{n, 3, size, size}, 'c').castTo(DataType.FLOAT)};
    }

    /** The phantom as a 32-bit image (a stack for 3D). */
    public static ImagePlus image(Phantom p, String title) {
        ImageStack st = new ImageStack(p.size(), p.size());
        int plane = p.size() * p.size();
        for (int z = 0; z < p.depth(); z++) {
            float[] px = new float[plane];
            System.arraycopy(p.image(), z * plane, px, 0, plane);
            st.addSlice(new FloatProcessor(p.size(), p.size(), px));
        }
        ImagePlus imp = new ImagePlus(title, st);
        imp.setDimensions(1, p.depth(), 1);
        return imp;
    }

    /** The phantom's labels as an 8-bit image. */
    public static ImagePlus labels(Phantom p, String title) {
        ImageStack st = new ImageStack(p.size(), p.size());
        int plane = p.size() * p.size();
        for (int z = 0; z < p.depth(); z++) {
            byte[] px = new byte[plane];
            for (int i = 0; i < plane; i++) px[i] = (byte) p.labels()[z * plane + i];
            st.addSlice(new ByteProcessor(p.size(), p.size(), px));
        }
        ImagePlus imp = new ImagePlus(title, st);
        imp.setDimensions(1, p.depth(), 1);
        return imp;
    }
}
