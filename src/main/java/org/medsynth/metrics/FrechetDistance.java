package org.medsynth.metrics;

import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fréchet distance between two Gaussians fitted to feature vectors (with InceptionV3 pool3
 * features: the Fréchet Inception Distance, FID, of Heusel et al. 2017):
 * <pre>  d² = |mu1 - mu2|² + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))</pre>
 * The trace of the matrix square root is computed stably through symmetric matrices only:
 * tr((S1 S2)^(1/2)) = tr((A S2 A)^(1/2)) with A = S1^(1/2), both square roots from symmetric
 * eigendecompositions (LAPACK through ND4J, in double precision) with negative round-off
 * eigenvalues set to 0, and a result below 0 (round-off for identical distributions) is reported
 * as 0. This also works when the covariances are singular (fewer images than
 * feature dimensions), where scipy's {@code sqrtm} needs an offset.
 */
public final class FrechetDistance {

    private FrechetDistance() { }

    /** Mean and covariance (normalised by n - 1, as numpy.cov) of feature vectors [n][d]. */
    public record Gaussian(double[] mean, double[][] covariance, int count) {
        public int dimension() {
            return mean.length;
        }

        public static Gaussian fit(float[][] features) {
            int n = features.length;
            if (n < 2) {
                throw new UserInputException("A Gaussian fit (FID/KID) needs at least 2 images per set, got " + n + ".");
            }
            int d = features[0].length;
            double[] mean = new double[d];
            for (float[] f : features) {
                if (f.length != d) throw new IllegalArgumentException("feature vectors differ in length");
                for (int j = 0; j < d; j++) mean[j] += f[j];
            }
            for (int j = 0; j < d; j++) mean[j] /= n;
            double[] centred = new double[n * d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    double v = features[i][j] - mean[j];
                    if (!Double.isFinite(v)) {
                        throw new UserInputException("The feature network produced NaN or infinite values; check the images "
                                + "and the model file.");
                    }
                    centred[i * d + j] = v;
                }
            }
            INDArray x = Nd4j.create(centred, new long[] {n, d}, DataType.DOUBLE);
            INDArray cov = x.transpose().mmul(x).divi(n - 1);
            return new Gaussian(mean, cov.toDoubleMatrix(), n);
        }
    }

    /** FID-style distance between two sets of feature vectors [n][d]. */
    public static double of(float[][] a, float[][] b) {
        return between(Gaussian.fit(a), Gaussian.fit(b));
    }

    public static double between(Gaussian a, Gaussian b) {
        return between(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /** The squared Fréchet distance between N(mu1, s1) and N(mu2, s2). */
    public static double between(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        int d = mu1.length;
        if (mu2.length != d || s1.length != d || s2.length != d) {
            throw new IllegalArgumentException("dimensions differ: " + d + ", " + mu2.length + ", " + s1.length + ", " + s2.length);
        }
        double diff = 0;
        for (int i = 0; i < d; i++) diff += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        double tr1 = 0, tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr1 += s1[i][i];
            tr2 += s2[i][i];
        }
        INDArray a = Nd4j.create(s1).castTo(DataType.DOUBLE);
        INDArray b = Nd4j.create(s2).castTo(DataType.DOUBLE);
        INDArray sqrtA = sqrtSymmetric(a);
        INDArray m = sqrtA.mmul(b).mmul(sqrtA);
        m = m.add(m.transpose()).muli(0.5);
        INDArray ev = Eigen.symmetricGeneralizedEigenvalues(m.dup('c'), false);
        double trSqrt = 0;
        for (int i = 0; i < d; i++) trSqrt += Math.sqrt(Math.max(ev.getDouble(i), 0));
        // a squared distance: round-off can push identical distributions a hair below 0
        return Math.max(0.0, diff + tr1 + tr2 - 2 * trSqrt);
    }

    /** Trace of the square root of S1 S2 (exposed for tests). */
    static INDArray sqrtSymmetric(INDArray s) {
        INDArray sym = s.add(s.transpose()).muli(0.5).dup('c');
        INDArray vectors = sym.dup('c');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        // vectors now holds the eigenvectors as columns
        int d = (int) values.length();
        INDArray scaled = vectors.dup('c');
        for (int j = 0; j < d; j++) {
            double r = Math.sqrt(Math.max(values.getDouble(j), 0));
            scaled.getColumn(j).muli(r);
        }
        return scaled.mmul(vectors.transpose());
    }
}
