package org.medsynth.metrics;

import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrechetDistanceTest {

    static double[][] square(double[] flat, int d) {
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) System.arraycopy(flat, i * d, m[i], 0, d);
        return m;
    }

    static float[][] rows(List<String> lines, int from, int n) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = ReferenceFiles.floats(lines.get(from + i));
        return out;
    }

    @Test
    void matchesScipySqrtmOnKnownGaussians() {
        List<String> l = ReferenceFiles.lines("frechet_reference.txt");
        int checked = 0;
        for (int i = 0; i < l.size(); i++) {
            if (!l.get(i).startsWith("gaussian")) continue;
            int d = Integer.parseInt(l.get(i).split(" ")[1]);
            double fid = FrechetDistance.between(ReferenceFiles.doubles(l.get(i + 1)), square(ReferenceFiles.doubles(l.get(i + 2)), d),
                    ReferenceFiles.doubles(l.get(i + 3)), square(ReferenceFiles.doubles(l.get(i + 4)), d));
            double expected = Double.parseDouble(l.get(i + 5));
            // 1e-7 relative: the double-precision result varies by ~1e-8 from run to run (ND4J's threaded reductions
            // sum in a varying order; 1.2e-8 seen once), far below any error a wrong square root would make
            assertEquals(expected, fid, 1e-7 * Math.max(1, expected), "d=" + d);
            checked++;
        }
        assertEquals(2, checked);
    }

    @Test
    void fittedFeaturesMatchNumpyCovAndScipy() {
        List<String> l = ReferenceFiles.lines("frechet_reference.txt");
        int at = 0;
        while (!l.get(at).startsWith("features")) at++;
        String[] h = l.get(at).split(" ");
        int n1 = Integer.parseInt(h[1]), n2 = Integer.parseInt(h[2]);
        float[][] x = rows(l, at + 1, n1), y = rows(l, at + 1 + n1, n2);
        double[] expected = ReferenceFiles.doubles(l.get(at + 1 + n1 + n2));
        assertEquals(expected[0], FrechetDistance.of(x, y), 1e-6);
        KernelInceptionDistance.Result kid = KernelInceptionDistance.of(x, y, 1, 1000, 0);
        assertEquals(10, kid.subsetSize());
        // a subset of the smaller set's size from the larger set is a random draw, so compare the full-set MMD
        assertEquals(expected[1], KernelInceptionDistance.mmd2Unbiased(x, y), 1e-9);
    }

    @Test
    void closedFormCases() {
        double[] z = {0, 0, 0}, m = {1, 2, 2};
        double[][] eye = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        assertEquals(9.0, FrechetDistance.between(z, eye, m, eye), 1e-9);
        double[][] a = {{4, 0, 0}, {0, 9, 0}, {0, 0, 1}}, b = {{1, 0, 0}, {0, 4, 0}, {0, 0, 1}};
        // diagonal: sum (sqrt(a) - sqrt(b))^2 = 1 + 1 + 0
        assertEquals(2.0, FrechetDistance.between(z, a, z, b), 1e-9);
        assertEquals(0.0, FrechetDistance.between(m, a, m, a), 1e-9);
    }

    @Test
    void identicalFeatureSetsGiveZeroAndShiftsGrow() {
        Random r = new Random(3);
        float[][] x = new float[40][16];
        for (float[] row : x) for (int j = 0; j < row.length; j++) row[j] = (float) r.nextGaussian();
        assertEquals(0.0, FrechetDistance.of(x, x), 1e-6);
        double previous = 0;
        for (float shift : new float[] {0.5f, 1f, 2f}) {
            float[][] y = new float[x.length][];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i].clone();
                for (int j = 0; j < y[i].length; j++) y[i][j] += shift;
            }
            double f = FrechetDistance.of(x, y);
            assertEquals(16 * shift * shift, f, 1e-4);
            assertTrue(f > previous);
            previous = f;
        }
        // fewer images than dimensions: singular covariances still give a finite, non-negative value
        float[][] few = java.util.Arrays.copyOf(x, 5);
        double f = FrechetDistance.of(few, java.util.Arrays.copyOfRange(x, 5, 10));
        assertTrue(f >= 0 && Double.isFinite(f), "FID " + f);
    }

    @Test
    void kidIsSeededAndNearZeroForTheSameDistribution() {
        Random r = new Random(8);
        float[][] x = new float[60][8], y = new float[60][8], z = new float[60][8];
        for (int i = 0; i < 60; i++) {
            for (int j = 0; j < 8; j++) {
                x[i][j] = (float) r.nextGaussian();
                y[i][j] = (float) r.nextGaussian();
                z[i][j] = (float) r.nextGaussian() + 1.5f;
            }
        }
        KernelInceptionDistance.Result same = KernelInceptionDistance.of(x, y, 20, 30, 1);
        KernelInceptionDistance.Result shifted = KernelInceptionDistance.of(x, z, 20, 30, 1);
        assertEquals(same, KernelInceptionDistance.of(x, y, 20, 30, 1));
        assertTrue(Math.abs(same.mean()) < 3 * same.sd() + 0.05, same.toString());
        assertTrue(shifted.mean() > 10 * Math.abs(same.mean()), shifted + " vs " + same);
        assertThrows(UserInputException.class, () -> KernelInceptionDistance.of(new float[1][8], y, 1, 10, 0));
        assertThrows(UserInputException.class, () -> FrechetDistance.of(new float[1][8], y));
    }
}
