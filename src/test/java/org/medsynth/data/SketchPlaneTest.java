package org.medsynth.data;

import ij.process.ByteProcessor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SketchPlaneTest {

    /** A vertical line one pixel wide at column {@code x} of a 512 x 512 sketch. */
    private static ByteProcessor line(int x) {
        ByteProcessor ip = new ByteProcessor(512, 512);
        for (int y = 0; y < 512; y++) ip.set(x, y, 255);
        return ip;
    }

    @Test
    void aThinVesselSurvivesShrinkingAsAFainterLine() {
        // column 301 lies between the columns a nearest-neighbour shrink 512 -> 32 samples (multiples of 16):
        // the earlier resize lost this line completely
        float[] plane = SketchPlane.of(line(301), 32);
        for (int y = 0; y < 32; y++) {
            float onLine = plane[y * 32 + 301 / 16];
            assertTrue(onLine > -1f + 0.05f && onLine < 0f, "row " + y + " keeps a faint line: " + onLine);
            assertEquals(-1f, plane[y * 32 + 5], 1e-6f, "far from the line stays background");
        }
        // the sketch's area is kept: one column of 512 is 1/16 of one column of 32
        double covered = 0;
        for (float v : plane) covered += (v + 1) / 2;
        assertEquals(512.0 / 16 / 16, covered, 0.05 * 2, "covered area in target pixels");
    }

    @Test
    void atItsOwnSizeASketchStaysBinary() {
        ByteProcessor ip = new ByteProcessor(8, 8);
        ip.set(3, 4, 200);
        ip.set(5, 5, 100);
        float[] plane = SketchPlane.of(ip, 8);
        for (int i = 0; i < 64; i++) assertEquals(i == 4 * 8 + 3 ? 1f : -1f, plane[i], "pixel " + i);
    }

    @Test
    void enlargingKeepsTheSketchBinary() {
        ByteProcessor ip = new ByteProcessor(2, 2);
        ip.set(0, 0, 255);
        float[] plane = SketchPlane.of(ip, 4);
        assertArrayEquals(new float[]{1, 1, -1, -1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, plane);
    }
}
