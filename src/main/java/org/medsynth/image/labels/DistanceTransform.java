package org.medsynth.image.labels;

/**
 * Exact squared Euclidean distance transform (Felzenszwalb and Huttenlocher, "Distance
 * Transforms of Sampled Functions", 2012) on a 3D grid with per-axis voxel spacing, one
 * separable pass per axis.
 */
final class DistanceTransform {

    static final double INF = 1e20;

    private DistanceTransform() { }

    /**
     * For every voxel, the squared distance to the nearest voxel where {@code seed} is true,
     * in units of the given spacings; {@link #INF} or more where there is no seed.
     */
    static double[] squared(boolean[] seed, int w, int h, int d, double sx, double sy, double sz) {
        double[] f = new double[seed.length];
        for (int i = 0; i < f.length; i++) f[i] = seed[i] ? 0 : INF;
        int max = Math.max(w, Math.max(h, d));
        double[] line = new double[max], out = new double[max];
        int[] v = new int[max];
        double[] z = new double[max + 1];
        // x
        for (int k = 0; k < d; k++)
            for (int j = 0; j < h; j++) {
                int base = w * (j + h * k);
                for (int i = 0; i < w; i++) line[i] = f[base + i];
                transform1d(line, w, sx, out, v, z);
                for (int i = 0; i < w; i++) f[base + i] = out[i];
            }
        // y
        for (int k = 0; k < d; k++)
            for (int i = 0; i < w; i++) {
                for (int j = 0; j < h; j++) line[j] = f[i + w * (j + h * k)];
                transform1d(line, h, sy, out, v, z);
                for (int j = 0; j < h; j++) f[i + w * (j + h * k)] = out[j];
            }
        // z
        if (d > 1) {
            for (int j = 0; j < h; j++)
                for (int i = 0; i < w; i++) {
                    for (int k = 0; k < d; k++) line[k] = f[i + w * (j + h * k)];
                    transform1d(line, d, sz, out, v, z);
                    for (int k = 0; k < d; k++) f[i + w * (j + h * k)] = out[k];
                }
        }
        return f;
    }

    /** out[p] = min_q f[q] + (s (p - q))^2: lower envelope of parabolas. */
    private static void transform1d(double[] f, int n, double s, double[] out, int[] v, double[] z) {
        double s2 = s * s;
        int k = 0;
        v[0] = 0;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        for (int q = 1; q < n; q++) {
            double inter = intersection(f, s2, q, v[k]);
            while (inter <= z[k]) { // z[0] is -infinity, so k stays >= 0
                k--;
                inter = intersection(f, s2, q, v[k]);
            }
            k++;
            v[k] = q;
            z[k] = inter;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        k = 0;
        for (int q = 0; q < n; q++) {
            while (z[k + 1] < q) k++;
            double dq = q - v[k];
            out[q] = s2 * dq * dq + f[v[k]];
        }
    }

    private static double intersection(double[] f, double s2, int q, int p) {
        return ((f[q] + s2 * q * q) - (f[p] + s2 * p * p)) / (2 * s2 * (q - p));
    }
}
