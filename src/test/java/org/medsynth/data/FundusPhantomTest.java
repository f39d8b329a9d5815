package org.medsynth.data;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FundusPhantomTest {

    @Test
    void sameSeedGivesIdenticalPixelsOtherSeedDiffers() {
        FundusPhantom.Sample a = FundusPhantom.generate(128, 42);
        FundusPhantom.Sample b = FundusPhantom.generate(128, 42);
        FundusPhantom.Sample c = FundusPhantom.generate(128, 43);
        assertArrayEquals(rgb(a), rgb(b));
        assertArrayEquals(bytes(a.vessels()), bytes(b.vessels()));
        assertArrayEquals(bytes(a.fov()), bytes(b.fov()));
        assertFalse(Arrays.equals(rgb(a), rgb(c)));
        assertFalse(Arrays.equals(bytes(a.vessels()), bytes(c.vessels())));
    }

    @Test
    void imagesHaveTheRequestedTypesAndSize() {
        FundusPhantom.Sample s = FundusPhantom.generate(200, 7);
        assertEquals(ImagePlus.COLOR_RGB, s.image().getType());
        assertEquals(ImagePlus.GRAY8, s.vessels().getType());
        assertEquals(ImagePlus.GRAY8, s.fov().getType());
        for (ImagePlus imp : new ImagePlus[] {s.image(), s.vessels(), s.fov()}) {
            assertEquals(200, imp.getWidth());
            assertEquals(200, imp.getHeight());
            assertEquals(1, imp.getStackSize());
        }
        for (byte v : bytes(s.vessels())) assertTrue(v == 0 || v == (byte) 255);
        for (byte v : bytes(s.fov())) assertTrue(v == 0 || v == (byte) 255);
    }

    @Test
    void fieldOfViewIsACentredDiscWithBlackOutside() {
        int n = 256;
        FundusPhantom.Sample s = FundusPhantom.generate(n, 3);
        byte[] fov = bytes(s.fov());
        int[] rgb = rgb(s);
        int inside = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int i = y * n + x;
                double r = Math.hypot(x + 0.5 - n / 2.0, y + 0.5 - n / 2.0);
                if (fov[i] != 0) {
                    inside++;
                    assertTrue(r < 0.48 * n, "FOV pixel too far out at r=" + r);
                } else if (r > 0.5 + 0.48 * n) {
                    assertEquals(0, rgb[i] & 0xffffff, "pixel outside the FOV must be black");
                }
                if (r < 0.44 * n) assertTrue(fov[i] != 0, "pixel near the centre must be in the FOV");
            }
        }
        double fraction = inside / (double) (n * n);
        assertTrue(fraction > 0.6 && fraction < 0.72, "FOV fraction " + fraction);
    }

    @Test
    void vesselMaskIsAPlausibleConnectedTreeInsideTheFov() {
        for (int size : new int[] {256, 512}) {
            for (long seed : new long[] {1, 2, 3}) {
                FundusPhantom.Sample s = FundusPhantom.generate(size, seed);
                byte[] v = bytes(s.vessels());
                byte[] fov = bytes(s.fov());
                int vessel = 0, fovCount = 0;
                for (int i = 0; i < v.length; i++) {
                    if (fov[i] != 0) fovCount++;
                    if (v[i] != 0) {
                        vessel++;
                        assertTrue(fov[i] != 0, "vessel pixel outside the FOV");
                    }
                }
                double fraction = vessel / (double) fovCount;
                String where = "size " + size + " seed " + seed + ": ";
                // real photographs (DRIVE, HRF) have about 8-14 % vessel pixels in the FOV
                assertTrue(fraction > 0.04 && fraction < 0.2, where + "vessel fraction " + fraction);
                int largest = largestComponent(v, size);
                assertTrue(largest >= 0.95 * vessel, where + "largest 8-connected component holds only "
                        + largest + " of " + vessel + " vessel pixels");
            }
        }
    }

    @Test
    void vesselsAreDarkerInGreenThanTheirSurroundings() {
        for (int size : new int[] {256, 512}) {
            for (long seed : new long[] {5, 6}) {
                FundusPhantom.Sample s = FundusPhantom.generate(size, seed);
                byte[] v = bytes(s.vessels());
                byte[] fov = bytes(s.fov());
                int[] rgb = rgb(s);
                byte[] near = dilate(v, size, 3);
                double sumV = 0, sumN = 0, sumVr = 0, sumNr = 0;
                int nV = 0, nN = 0;
                for (int i = 0; i < v.length; i++) {
                    int g = (rgb[i] >> 8) & 0xff, r = (rgb[i] >> 16) & 0xff;
                    if (v[i] != 0) {
                        sumV += g;
                        sumVr += r;
                        nV++;
                    } else if (near[i] != 0 && fov[i] != 0) {
                        sumN += g;
                        sumNr += r;
                        nN++;
                    }
                }
                double gV = sumV / nV, gN = sumN / nN;
                String where = "size " + size + " seed " + seed + ": ";
                assertTrue(gV < gN - 10, where + "green in vessels " + gV + " vs around them " + gN);
                // relative contrast is larger in green than in red, as in real photographs
                double relG = 1 - gV / gN, relR = 1 - (sumVr / nV) / (sumNr / nN);
                assertTrue(relG > relR, where + "relative green contrast " + relG + " vs red " + relR);
            }
        }
    }

    @Test
    void opticDiscIsTheBrightestRegion() {
        int n = 256;
        FundusPhantom.Sample s = FundusPhantom.generate(n, 11);
        Map<String, String> info = info(s.image());
        double[] disc = numbers(info.get("optic_disc"));
        double discR = Double.parseDouble(info.get("optic_disc_radius"));
        int[] rgb = rgb(s);
        // centroid of the brightest 0.5 % of green pixels
        int[] g = new int[rgb.length];
        for (int i = 0; i < g.length; i++) g[i] = (rgb[i] >> 8) & 0xff;
        int[] sorted = g.clone();
        Arrays.sort(sorted);
        int threshold = sorted[(int) (0.995 * sorted.length)];
        double cx = 0, cy = 0;
        int k = 0;
        for (int i = 0; i < g.length; i++) {
            if (g[i] >= threshold) {
                cx += i % n + 0.5;
                cy += i / n + 0.5;
                k++;
            }
        }
        double d = Math.hypot(cx / k - disc[0], cy / k - disc[1]);
        assertTrue(d < discR, "bright centroid is " + d + " px from the disc centre (radius " + discR + ")");
    }

    @Test
    void leftAndRightEyesBothOccur() {
        int left = 0, right = 0;
        for (long seed = 0; seed < 20; seed++) {
            FundusPhantom.Sample s = FundusPhantom.generate(64, seed);
            if (numbers(info(s.image()).get("optic_disc"))[0] < 32) left++;
            else right++;
        }
        assertTrue(left >= 3 && right >= 3, left + " discs on the left, " + right + " on the right");
    }

    @Test
    void anatomyDoesNotDependOnSize() {
        FundusPhantom.Sample small = FundusPhantom.generate(256, 21);
        FundusPhantom.Sample large = FundusPhantom.generate(512, 21);
        byte[] vs = bytes(small.vessels()), vl = bytes(large.vessels());
        // downsample the 512 mask by 2 (a pixel is vessel if at least 2 of its 4 children are)
        int both = 0, a = 0, b = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                int c = 0;
                for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) if (vl[(2 * y + dy) * 512 + 2 * x + dx] != 0) c++;
                boolean l = c >= 2, sm = vs[y * 256 + x] != 0;
                if (l) a++;
                if (sm) b++;
                if (l && sm) both++;
            }
        }
        double dice = 2.0 * both / (a + b);
        assertTrue(dice > 0.75, "vessel masks at 256 and 512 differ: Dice " + dice);
        double[] d1 = numbers(info(small.image()).get("optic_disc")), d2 = numbers(info(large.image()).get("optic_disc"));
        assertEquals(d1[0] * 2, d2[0], 0.15);   // Info rounds to 0.1 px
        assertEquals(d1[1] * 2, d2[1], 0.15);
    }

    @Test
    void sizeOutOfRangeIsAUserError() {
        UserInputException e = assertThrows(UserInputException.class, () -> FundusPhantom.generate(10, 1));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        assertThrows(UserInputException.class, () -> FundusPhantom.generate(5000, 1));
    }

    // ------------------------------------------------------------------ helpers

    static int[] rgb(FundusPhantom.Sample s) {
        return (int[]) ((ColorProcessor) s.image().getProcessor()).getPixels();
    }

    static byte[] bytes(ImagePlus imp) {
        return (byte[]) imp.getProcessor().getPixels();
    }

    static Map<String, String> info(ImagePlus imp) {
        Map<String, String> m = new HashMap<>();
        for (String line : ((String) imp.getProperty("Info")).split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return m;
    }

    static double[] numbers(String csv) {
        return Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    /** Size of the largest 8-connected component of non-zero pixels. */
    static int largestComponent(byte[] mask, int width) {
        int height = mask.length / width;
        boolean[] seen = new boolean[mask.length];
        int best = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] == 0 || seen[start]) continue;
            int count = 0;
            seen[start] = true;
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                count++;
                int px = p % width, py = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = px + dx, y = py + dy;
                        if (x < 0 || y < 0 || x >= width || y >= height) continue;
                        int q = y * width + x;
                        if (mask[q] != 0 && !seen[q]) {
                            seen[q] = true;
                            queue.add(q);
                        }
                    }
                }
            }
            best = Math.max(best, count);
        }
        return best;
    }

    /** Non-zero where a non-zero pixel lies within a (2r+1) square. */
    static byte[] dilate(byte[] mask, int width, int r) {
        int height = mask.length / width;
        byte[] out = new byte[mask.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (mask[y * width + x] == 0) continue;
                for (int yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
                    for (int xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) out[yy * width + xx] = 1;
                }
            }
        }
        return out;
    }
}
