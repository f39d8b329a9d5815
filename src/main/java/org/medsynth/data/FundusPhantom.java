package org.medsynth.data;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import org.medsynth.core.UserInputException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic colour fundus photographs with a known vessel mask, for tests, demos and benchmarks
 * of vessel segmentation and fundus synthesis.
 * <p>
 * An image shows a dark red/orange circular field of view (FOV) on black, a bright optic disc with
 * a brighter cup, a darker macula with a vessel-free fovea, and a vessel tree: arteries and veins
 * grow from the disc as smooth random curves (the temporal arcades bend round the macula), branch
 * recursively and taper from about 8 px to 1.5 px (at 512 x 512). Vessels darken the background
 * most in green, less in blue and least in red, as in real photographs; wide arteries have a faint
 * central light reflex, edges are anti-aliased. A smooth illumination field (vignetting, a tilt and
 * a few low-frequency waves), a fine choroid-like texture and mild Gaussian noise complete it.
 * <p>
 * The geometry and the texture are generated in a 512 x 512 reference frame and scaled, so the
 * same seed gives the same anatomy at every size (only the pixel noise differs). The same size
 * and seed give identical pixels on every JVM: random numbers come from {@code java.util.Random}
 * and transcendental functions from {@code StrictMath}, both fully specified.
 */
public final class FundusPhantom {

    /**
     * One phantom: the RGB photograph, the vessel mask and the FOV mask (both 8-bit, 0 or 255).
     * A vessel pixel is one whose centre lies within half the vessel width of a vessel's centre
     * line; vessel pixels always lie inside the FOV.
     */
    public record Sample(ImagePlus image, ImagePlus vessels, ImagePlus fov) { }

    public static final int MIN_SIZE = 64;
    public static final int MAX_SIZE = 4096;
    public static final int DEFAULT_SIZE = 512;

    /** Side of the reference frame in which the anatomy is generated. */
    static final double REF = 512.0;
    /** Vessels end when they get thinner than this (reference pixels). */
    static final double MIN_WIDTH_REF = 1.5;
    /** Drawn vessels are never thinner than this many image pixels, so small images keep a connected tree. */
    static final double MIN_WIDTH_PX = 1.0;
    private static final double STEP = 1.5;
    private static final double TAPER = 0.009;
    private static final int MAX_DEPTH = 6;
    private static final int MAX_SEGMENTS = 40_000;

    private static final double NOISE_SIGMA = 2.0;
    private static final double TEXTURE_AMPLITUDE = 0.03;

    private enum Kind {
        ARTERY(new double[] {0.14, 0.40, 0.34}, true),
        VEIN(new double[] {0.28, 0.55, 0.50}, false);

        /** Fraction of the background removed in R, G, B at full coverage of a wide vessel. */
        final double[] darkening;
        final boolean reflex;

        Kind(double[] darkening, boolean reflex) {
            this.darkening = darkening;
            this.reflex = reflex;
        }
    }

    private FundusPhantom() { }

    /**
     * Generates one phantom of {@code size} x {@code size} pixels.
     *
     * @throws UserInputException if size is outside {@link #MIN_SIZE}..{@link #MAX_SIZE}
     */
    public static Sample generate(int size, long seed) {
        checkSize(size);
        Random rnd = Seeds.random(seed);
        Layout lay = new Layout(rnd);
        List<Segment> segments = growTree(lay, rnd);
        double s = size / REF;

        VesselRaster raster = new VesselRaster(size);
        for (Segment g : segments) raster.draw(g, s);

        float[] texture = texture(size, s, rnd);
        int n = size * size;
        int[] rgb = new int[n];
        java.util.Arrays.fill(rgb, 0xff000000);   // opaque black, as ImageJ reads RGB files
        byte[] vessels = new byte[n];
        byte[] fov = new byte[n];
        double rFovPx = lay.rFov * s;
        double cPx = lay.cx * s;
        double[] col = new double[3];
        for (int y = 0; y < size; y++) {
            double yr = (y + 0.5) / s;
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                double dPx = dist(x + 0.5 - cPx, y + 0.5 - cPx);
                double alpha = clamp(rFovPx + 0.5 - dPx, 0, 1);
                if (alpha <= 0) continue;
                double xr = (x + 0.5) / s;
                lay.background(xr, yr, col);
                double tex = 1 + TEXTURE_AMPLITUDE * texture[i];
                int packed = 0xff;
                for (int c = 0; c < 3; c++) {
                    double v = col[c] * tex * (1 - raster.dark[c][i]) + NOISE_SIGMA * rnd.nextGaussian();
                    int b = (int) Math.round(clamp(v * alpha, 0, 255));
                    packed = (packed << 8) | b;
                }
                rgb[i] = packed;
                if (dPx <= rFovPx) {
                    fov[i] = (byte) 255;
                    if (raster.cover[i] >= 0.5f) vessels[i] = (byte) 255;
                }
            }
        }
        String name = "fundus-phantom-" + seed;
        ImagePlus image = new ImagePlus(name, new ColorProcessor(size, size, rgb));
        ImagePlus vesselImp = new ImagePlus(name + "-vessels", new ByteProcessor(size, size, vessels));
        ImagePlus fovImp = new ImagePlus(name + "-fov", new ByteProcessor(size, size, fov));
        String info = lay.describe(seed, size, s);
        for (ImagePlus imp : new ImagePlus[] {image, vesselImp, fovImp}) imp.setProperty("Info", info);
        return new Sample(image, vesselImp, fovImp);
    }

    /** Throws {@link UserInputException} unless {@link #MIN_SIZE} <= size <= {@link #MAX_SIZE}. */
    public static void checkSize(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new UserInputException("Fundus phantom size " + size + " is out of range: choose a size from "
                    + MIN_SIZE + " to " + MAX_SIZE + " pixels (512 is typical).");
        }
    }

    // ---------------------------------------------------------------- anatomy

    /** Positions, sizes and colours of one eye, in reference coordinates (0..512). */
    private static final class Layout {
        final double cx = REF / 2;
        final double rFov;
        final int side;                 // +1: optic disc right of centre, -1: left
        final double discX, discY, discR, cupR;
        final double macX, macY, macSigma, fazR;
        final double[] base = new double[3];
        final double[] disc = new double[3];
        final double[] cup = new double[3];
        final double vignette, tilt, tiltAngle;
        final double[][] waves = new double[4][4];  // fx, fy, phase, amplitude

        Layout(Random rnd) {
            rFov = REF * Seeds.uniform(rnd, 0.455, 0.47);
            side = rnd.nextBoolean() ? 1 : -1;
            discX = cx + side * REF * Seeds.uniform(rnd, 0.19, 0.23);
            discY = cx + REF * Seeds.uniform(rnd, -0.03, 0.03);
            discR = REF * Seeds.uniform(rnd, 0.060, 0.072);
            cupR = discR * Seeds.uniform(rnd, 0.35, 0.5);
            macX = cx - side * REF * Seeds.uniform(rnd, 0.03, 0.07);
            macY = discY + REF * Seeds.uniform(rnd, 0.0, 0.04);
            macSigma = REF * Seeds.uniform(rnd, 0.05, 0.07);
            fazR = REF * Seeds.uniform(rnd, 0.025, 0.035);
            base[0] = Seeds.uniform(rnd, 185, 215);
            base[1] = Seeds.uniform(rnd, 80, 105);
            base[2] = Seeds.uniform(rnd, 28, 60);
            disc[0] = Seeds.uniform(rnd, 235, 250);
            disc[1] = Seeds.uniform(rnd, 170, 200);
            disc[2] = Seeds.uniform(rnd, 95, 125);
            cup[0] = 252;
            cup[1] = Math.min(250, disc[1] + 35);
            cup[2] = Math.min(230, disc[2] + 50);
            vignette = Seeds.uniform(rnd, 0.3, 0.45);
            tilt = Seeds.uniform(rnd, 0.04, 0.12);
            tiltAngle = Seeds.uniform(rnd, 0, 2 * Math.PI);
            for (double[] w : waves) {
                double f = Seeds.uniform(rnd, 0.4, 1.6);
                double a = Seeds.uniform(rnd, 0, 2 * Math.PI);
                w[0] = f * StrictMath.cos(a);
                w[1] = f * StrictMath.sin(a);
                w[2] = Seeds.uniform(rnd, 0, 2 * Math.PI);
                w[3] = Seeds.uniform(rnd, 0.015, 0.04);
            }
        }

        /** Vessel-free background colour at a reference position (before texture and noise). */
        void background(double xr, double yr, double[] out) {
            double dx = xr - cx, dy = yr - cx;
            double r = dist(dx, dy) / rFov;
            double illum = 1 - vignette * r * r * r
                    + tilt * (StrictMath.cos(tiltAngle) * dx + StrictMath.sin(tiltAngle) * dy) / rFov;
            for (double[] w : waves) illum += w[3] * StrictMath.cos(2 * Math.PI * (w[0] * xr + w[1] * yr) / REF + w[2]);
            illum = Math.max(0.15, illum);
            double dm2 = sq(xr - macX) + sq(yr - macY);
            double m = StrictMath.exp(-dm2 / (2 * macSigma * macSigma));
            double mf = StrictMath.exp(-dm2 / (2 * sq(0.35 * macSigma)));
            out[0] = base[0] * (1 - 0.10 * m - 0.05 * mf);
            out[1] = base[1] * (1 - 0.30 * m - 0.10 * mf);
            out[2] = base[2] * (1 - 0.25 * m - 0.10 * mf);
            double dd = dist(xr - discX, yr - discY);
            double tDisc = smoothstep(discR + 4, discR - 4, dd);
            double tCup = smoothstep(cupR + 6, cupR - 6, dd);
            for (int c = 0; c < 3; c++) {
                double v = out[c] + (disc[c] - out[c]) * tDisc;
                v += (cup[c] - v) * tCup;
                out[c] = v * illum;
            }
        }

        String describe(long seed, int size, double s) {
            return String.format(Locale.ROOT, "MedSynth fundus phantom%nseed=%d%nsize=%d%n"
                            + "fov_centre=%.1f,%.1f%nfov_radius=%.1f%noptic_disc=%.1f,%.1f%noptic_disc_radius=%.1f%n"
                            + "macula=%.1f,%.1f%n(positions in pixels)%n",
                    seed, size, cx * s, cx * s, rFov * s, discX * s, discY * s, discR * s, macX * s, macY * s);
        }
    }

    /** A straight piece of vessel between two centre-line points, with the widths there (reference units). */
    private record Segment(double x0, double y0, double w0, double x1, double y1, double w1, Kind kind) { }

    /** A vessel still to be grown: start point, direction, width and how its direction wanders. */
    private record Branch(double x, double y, double angle, double width, double target, double pull,
                          double wander, int depth, Kind kind) { }

    private static List<Segment> growTree(Layout lay, Random rnd) {
        Deque<Branch> queue = new ArrayDeque<>();
        double temporal = StrictMath.atan2(lay.macY - lay.discY, lay.macX - lay.discX);
        double nasal = temporal + Math.PI;
        for (boolean up : new boolean[] {true, false}) {
            // temporal arcades: leave the disc steeply, then bend towards the temporal side round the macula
            for (Kind kind : Kind.values()) {
                double start = vertical(temporal, Math.toRadians(Seeds.uniform(rnd, 62, 85)), up);
                double target = vertical(temporal, Math.toRadians(Seeds.uniform(rnd, 5, 20)), up);
                double w = kind == Kind.VEIN ? Seeds.uniform(rnd, 7.5, 8.5) : Seeds.uniform(rnd, 6, 7);
                queue.add(new Branch(lay.discX, lay.discY, start, w, target, 0.013, 0.008, 0, kind));
            }
            // nasal vessels: straighter, towards the nasal periphery
            for (Kind kind : Kind.values()) {
                double start = vertical(nasal, Math.toRadians(Seeds.uniform(rnd, 20, 65)), up);
                double w = kind == Kind.VEIN ? Seeds.uniform(rnd, 5.5, 6.5) : Seeds.uniform(rnd, 4.5, 5.5);
                queue.add(new Branch(lay.discX, lay.discY, start, w, start, 0.004, 0.01, 0, kind));
            }
        }
        // small direct macular vessels
        int macular = 1 + rnd.nextInt(3);
        for (int k = 0; k < macular; k++) {
            double a = temporal + Math.toRadians(Seeds.uniform(rnd, -25, 25));
            Kind kind = rnd.nextBoolean() ? Kind.ARTERY : Kind.VEIN;
            queue.add(new Branch(lay.discX, lay.discY, a, Seeds.uniform(rnd, 2.5, 3.5), a, 0.004, 0.012, 2, kind));
        }

        List<Segment> segments = new ArrayList<>();
        while (!queue.isEmpty() && segments.size() < MAX_SEGMENTS) {
            grow(queue.poll(), lay, rnd, queue, segments);
        }
        return segments;
    }

    private static void grow(Branch b, Layout lay, Random rnd, Deque<Branch> queue, List<Segment> out) {
        double x = b.x(), y = b.y(), a = b.angle(), w = b.width(), omega = 0;
        double untilBranch = Seeds.uniform(rnd, 15, 45);
        while (w >= MIN_WIDTH_REF && out.size() < MAX_SEGMENTS) {
            omega = 0.8 * omega + b.wander() * rnd.nextGaussian();
            a += omega + b.pull() * wrap(b.target() - a);
            double nx = x + STEP * StrictMath.cos(a), ny = y + STEP * StrictMath.sin(a);
            double nw = w - TAPER * STEP;
            if (dist(nx - lay.cx, ny - lay.cx) > lay.rFov - 3 - nw / 2) break;
            if (dist(nx - lay.macX, ny - lay.macY) < lay.fazR + nw / 2) break;
            out.add(new Segment(x, y, w, nx, ny, nw, b.kind()));
            x = nx;
            y = ny;
            w = nw;
            untilBranch -= STEP;
            if (untilBranch <= 0) {
                untilBranch = Seeds.uniform(rnd, 30, 80);
                double cw = w * Seeds.uniform(rnd, 0.5, 0.8);
                double ca = a + (rnd.nextBoolean() ? 1 : -1) * Math.toRadians(Seeds.uniform(rnd, 35, 75));
                if (b.depth() < MAX_DEPTH && cw >= MIN_WIDTH_REF) {
                    // children keep leaving the disc: they are pulled towards the mean of their first
                    // direction and the direction away from the disc centre
                    double away = StrictMath.atan2(y - lay.discY, x - lay.discX);
                    double target = ca + 0.5 * wrap(away - ca);
                    queue.add(new Branch(x, y, ca, cw, target, 0.006, 0.014, b.depth() + 1, b.kind()));
                    w = StrictMath.cbrt(w * w * w - cw * cw * cw);   // Murray's law: w^3 = w1^3 + w2^3
                }
            }
        }
    }

    /** The direction {@code base +- delta} that points up (towards -y) or down. */
    private static double vertical(double base, double delta, boolean up) {
        double a = base + delta;
        return (StrictMath.sin(a) < 0) == up ? a : base - delta;
    }

    // ---------------------------------------------------------------- rasterisation

    /** Vessel coverage (0..1, anti-aliased) and per-channel darkening, combined by maximum. */
    private static final class VesselRaster {
        final int size;
        final float[] cover;
        final float[][] dark;

        VesselRaster(int size) {
            this.size = size;
            cover = new float[size * size];
            dark = new float[3][size * size];
        }

        void draw(Segment g, double s) {
            double x0 = g.x0() * s, y0 = g.y0() * s, x1 = g.x1() * s, y1 = g.y1() * s;
            double r0 = Math.max(g.w0() * s, MIN_WIDTH_PX) / 2, r1 = Math.max(g.w1() * s, MIN_WIDTH_PX) / 2;
            double contrast = 0.55 + 0.45 * Math.min(1, g.w0() / 5);
            double[] k = g.kind().darkening;
            boolean reflex = g.kind().reflex && g.w0() > 4.5;
            double rMax = Math.max(r0, r1) + 1;
            int xa = Math.max(0, (int) Math.floor(Math.min(x0, x1) - rMax));
            int xb = Math.min(size - 1, (int) Math.ceil(Math.max(x0, x1) + rMax));
            int ya = Math.max(0, (int) Math.floor(Math.min(y0, y1) - rMax));
            int yb = Math.min(size - 1, (int) Math.ceil(Math.max(y0, y1) + rMax));
            double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
            for (int py = ya; py <= yb; py++) {
                double cy = py + 0.5;
                for (int px = xa; px <= xb; px++) {
                    double cx = px + 0.5;
                    double t = len2 > 0 ? clamp(((cx - x0) * dx + (cy - y0) * dy) / len2, 0, 1) : 0;
                    double d = dist(cx - (x0 + t * dx), cy - (y0 + t * dy));
                    double r = r0 + t * (r1 - r0);
                    double c = clamp(r + 0.5 - d, 0, 1);
                    if (c <= 0) continue;
                    int i = py * size + px;
                    if (c > cover[i]) cover[i] = (float) c;
                    double strength = c * contrast;
                    if (reflex) strength *= 1 - 0.3 * StrictMath.exp(-sq(d / (0.3 * r)));
                    for (int ch = 0; ch < 3; ch++) {
                        float v = (float) (strength * k[ch]);
                        if (v > dark[ch][i]) dark[ch][i] = v;
                    }
                }
            }
        }
    }

    /** Side of the grid on which the texture is generated (reference resolution). */
    private static final int TEXTURE_GRID = 512;

    /**
     * Fine choroid-like texture with unit variance: Gaussian noise on a 512 x 512 grid blurred
     * over 2 grid cells, sampled bilinearly, so that it does not depend on the image size.
     */
    private static float[] texture(int size, double s, Random rnd) {
        int g = TEXTURE_GRID;
        float[] grid = new float[g * g];
        for (int i = 0; i < grid.length; i++) grid[i] = (float) rnd.nextGaussian();
        Blur.gaussian(grid, g, g, 2.0);
        double sum2 = 0;
        for (float v : grid) sum2 += v * v;
        float norm = (float) (1 / Math.sqrt(sum2 / grid.length + 1e-12));
        float[] t = new float[size * size];
        for (int y = 0; y < size; y++) {
            double gy = Math.min(g - 1.0, Math.max(0, (y + 0.5) / s - 0.5));
            int y0 = Math.min(g - 2, (int) gy);
            double fy = gy - y0;
            for (int x = 0; x < size; x++) {
                double gx = Math.min(g - 1.0, Math.max(0, (x + 0.5) / s - 0.5));
                int x0 = Math.min(g - 2, (int) gx);
                double fx = gx - x0;
                int i = y0 * g + x0;
                double v = (1 - fy) * ((1 - fx) * grid[i] + fx * grid[i + 1]) + fy * ((1 - fx) * grid[i + g] + fx * grid[i + g + 1]);
                t[y * size + x] = (float) (v * norm);
            }
        }
        return t;
    }

    private static double dist(double dx, double dy) {
        return Math.sqrt(dx * dx + dy * dy);
    }

    private static double wrap(double a) {
        return StrictMath.atan2(Math.sin(a), StrictMath.cos(a));
    }

    private static double smoothstep(double e0, double e1, double x) {
        double t = clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : Math.min(v, hi);
    }

    private static double sq(double v) {
        return v * v;
    }
}
