package org.medsynth.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlurTest {

    @Test
    void impulseBecomesANormalisedSymmetricGaussian() {
        int w = 31, h = 25;
        float[] a = new float[w * h];
        a[12 * w + 15] = 1;
        Blur.gaussian(a, w, h, 2.0);
        double sum = 0;
        for (float v : a) sum += v;
        assertEquals(1.0, sum, 1e-5);
        assertEquals(a[12 * w + 13], a[12 * w + 17], 1e-7);
        assertEquals(a[10 * w + 15], a[14 * w + 15], 1e-7);
        assertEquals(a[12 * w + 13], a[10 * w + 15], 1e-7);
        // separable Gaussian: value at (dx, 0) / value at (0, 0) = exp(-dx^2 / (2 sigma^2))
        assertEquals(Math.exp(-4 / 8.0), a[12 * w + 17] / a[12 * w + 15], 1e-3);
    }

    @Test
    void constantStaysConstantUpToTheEdges() {
        float[] a = new float[20 * 10];
        java.util.Arrays.fill(a, 3.5f);
        Blur.gaussian(a, 20, 10, 1.5);
        for (float v : a) assertEquals(3.5, v, 1e-5);
        float[] b = {1, 2, 3};
        Blur.gaussian(b, 3, 1, 0);
        assertTrue(b[0] == 1 && b[1] == 2 && b[2] == 3, "sigma 0 leaves the data alone");
    }
}
