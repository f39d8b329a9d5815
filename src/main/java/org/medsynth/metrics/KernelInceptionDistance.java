package org.medsynth.metrics;

import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared maximum
 * mean discrepancy between two sets of feature vectors with the polynomial kernel
 * k(x, y) = (x·y / d + 1)^3, averaged over random subsets (as torch-fidelity and the paper's
 * code do: {@code subsets} draws of {@code subsetSize} vectors from each set without replacement).
 * The standard deviation over subsets is the population one (numpy's default).
 */
public final class KernelInceptionDistance {

    public static final int DEFAULT_SUBSETS = 100;
    public static final int DEFAULT_SUBSET_SIZE = 1000;

    private KernelInceptionDistance() { }

    public record Result(double mean, double sd, int subsets, int subsetSize) { }

    /** KID with subsets; the subset size is reduced to the smaller set size when needed. */
    public static Result of(float[][] a, float[][] b, int subsets, int subsetSize, long seed) {
        int m = Math.min(subsetSize, Math.min(a.length, b.length));
        if (m < 2) throw new UserInputException("KID needs at least 2 images in each set.");
        if (subsets < 1) throw new UserInputException("KID needs at least one subset.");
        Random rnd = new Random(seed);
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            values[s] = mmd2Unbiased(rows(a, sample(a.length, m, rnd)), rows(b, sample(b.length, m, rnd)));
        }
        double mean = 0;
        for (double v : values) mean += v;
        mean /= subsets;
        double var = 0;
        for (double v : values) var += (v - mean) * (v - mean);
        return new Result(mean, Math.sqrt(var / subsets), subsets, m);
    }

    /** Unbiased MMD² with the cubic polynomial kernel between all of x [m][d] and all of y [n][d]. */
    public static double mmd2Unbiased(float[][] x, float[][] y) {
        int m = x.length, n = y.length, d = x[0].length;
        INDArray xa = matrix(x), ya = matrix(y);
        INDArray kxx = kernel(xa, xa, d), kyy = kernel(ya, ya, d), kxy = kernel(xa, ya, d);
        double sxx = kxx.sumNumber().doubleValue() - trace(kxx);
        double syy = kyy.sumNumber().doubleValue() - trace(kyy);
        double sxy = kxy.sumNumber().doubleValue();
        return sxx / ((double) m * (m - 1)) + syy / ((double) n * (n - 1)) - 2 * sxy / ((double) m * n);
    }

    private static INDArray kernel(INDArray a, INDArray b, int d) {
        INDArray k = a.mmul(b.transpose()).divi(d).addi(1.0);
        return k.mul(k).muli(k);
    }

    private static double trace(INDArray k) {
        double t = 0;
        for (int i = 0; i < k.rows(); i++) t += k.getDouble(i, i);
        return t;
    }

    private static INDArray matrix(float[][] f) {
        int n = f.length, d = f[0].length;
        double[] flat = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) flat[i * d + j] = f[i][j];
        return Nd4j.create(flat, new long[] {n, d}, DataType.DOUBLE);
    }

    private static int[] sample(int n, int m, Random rnd) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int i = 0; i < m; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return java.util.Arrays.copyOf(idx, m);
    }

    private static float[][] rows(float[][] f, int[] idx) {
        float[][] out = new float[idx.length][];
        for (int i = 0; i < idx.length; i++) out[i] = f[idx[i]];
        return out;
    }
}
