package org.medsynth.data;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ShortProcessor;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic abdominal CT volumes with liver and tumour labels, for segmentation tests, demos and
 * benchmarks.
 * <p>
 * Each axial slice shows air outside an elliptic body with a subcutaneous fat layer, soft tissue,
 * the vertebral body and spinous process, ribs, the aorta, both kidneys, the spleen, gas and fat
 * pockets of the bowel, and the liver (a large right lobe on the patient's right, i.e. the image's
 * left, and a thin anterior left lobe reaching across the midline, smoothly deformed). Zero to three tumours (ellipsoids entirely inside the liver) are
 * either hypodense or hyperdense. Slight in-plane partial-volume blur and Gaussian noise finish it.
 * <p>
 * <b>Intensities</b> (Hounsfield units, before noise): air -1000, bowel gas -900, fat -100, soft tissue 40,
 * kidney 30, spleen 45, aorta 45, bone 700, liver 56..64 (one value per volume), tumours 25..35
 * (hypodense) or 85..95 (hyperdense), noise standard deviation 12 HU.
 * <p>
 * <b>Storage</b>: the CT is a 16-bit stack in ImageJ's signed 16-bit convention, as ImageJ
 * opens signed DICOM and TIFF: raw = HU + 32768, with the calibration function
 * {@code HU = raw - 32768} ({@link Calibration#setSigned16BitCalibration()}, value unit "HU").
 * ImageJ shows and measures HU; code reading pixels must use
 * {@code imp.getCalibration().getCValue(raw)} (or subtract 32768). Voxel size 0.8 x 0.8 x 2.5 mm.
 * The display range is the abdominal window (W 400, L 40). Labels are an 8-bit stack with
 * {@link #BACKGROUND} 0, {@link #LIVER} 1 and {@link #TUMOUR} 2 and the same spatial calibration.
 * <p>
 * Anatomy is defined relative to the volume extent, so every size shows the same layout.
 * The same size and seed give identical voxels on every JVM ({@code java.util.Random} and
 * {@code StrictMath} only).
 */
public final class LiverPhantom {

    /** One tumour: centre in voxel index coordinates (x, y, slice index from 0; voxel i has its centre at i), radii in voxels, intensity in HU. */
    public record Tumour(double x, double y, double z, double rx, double ry, double rz, double hu) { }

    /** The CT volume, its label volume and the tumours it contains. */
    public record Sample(ImagePlus ct, ImagePlus labels, List<Tumour> tumours) { }

    public static final int DEFAULT_WIDTH = 128;
    public static final int DEFAULT_HEIGHT = 128;
    public static final int DEFAULT_DEPTH = 48;
    public static final int MIN_SIDE = 32;
    public static final int MAX_SIDE = 1024;
    public static final int MIN_DEPTH = 4;
    public static final int MAX_DEPTH = 512;

    public static final double PIXEL_SIZE_MM = 0.8;
    public static final double SLICE_THICKNESS_MM = 2.5;

    public static final int BACKGROUND = 0;
    public static final int LIVER = 1;
    public static final int TUMOUR = 2;

    public static final double HU_AIR = -1000;
    public static final double HU_FAT = -100;
    public static final double HU_SOFT_TISSUE = 40;
    public static final double HU_KIDNEY = 30;
    public static final double HU_SPLEEN = 45;
    public static final double HU_BLOOD = 45;
    public static final double HU_BONE = 700;
    public static final double HU_BOWEL_GAS = -900;
    public static final double HU_LIVER_MIN = 56;
    public static final double HU_LIVER_MAX = 64;
    public static final double HU_HYPODENSE_MIN = 25;
    public static final double HU_HYPODENSE_MAX = 35;
    public static final double HU_HYPERDENSE_MIN = 85;
    public static final double HU_HYPERDENSE_MAX = 95;
    public static final double NOISE_SIGMA_HU = 12;
    /** In-plane Gaussian blur (pixels) applied before the noise, for partial-volume edges. */
    public static final double PARTIAL_VOLUME_SIGMA = 0.5;
    /** Offset of ImageJ's signed 16-bit convention: raw = HU + 32768. */
    public static final int SIGNED_OFFSET = 32768;

    public static final int MAX_TUMOURS = 3;

    // materials of the internal map
    private static final byte AIR = 0, FAT = 1, SOFT = 2, KIDNEY = 3, SPLEEN = 4, AORTA = 5, BONE = 6, GAS = 7,
            LIVER_TISSUE = 8, FIRST_TUMOUR = 9;

    private LiverPhantom() { }

    /** A phantom of the default size, 128 x 128 x 48. */
    public static Sample generate(long seed) {
        return generate(DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_DEPTH, seed);
    }

    /**
     * Generates one phantom of {@code width} x {@code height} pixels and {@code depth} slices.
     *
     * @throws UserInputException if a dimension is outside 32..1024 (width, height) or 4..512 (depth)
     */
    public static Sample generate(int width, int height, int depth, long seed) {
        checkSize(width, height, depth);
        Random rnd = Seeds.random(seed);
        Anatomy a = new Anatomy(rnd);
        byte[][] mat = new byte[depth][];
        for (int z = 0; z < depth; z++) mat[z] = a.slice(z, width, height, depth);
        double liverHu = Seeds.uniform(rnd, HU_LIVER_MIN, HU_LIVER_MAX);
        List<Tumour> tumours = placeTumours(a, mat, width, height, depth, rnd);

        double[] hu = new double[FIRST_TUMOUR + MAX_TUMOURS];
        hu[AIR] = HU_AIR;
        hu[FAT] = HU_FAT;
        hu[SOFT] = HU_SOFT_TISSUE;
        hu[KIDNEY] = HU_KIDNEY;
        hu[SPLEEN] = HU_SPLEEN;
        hu[AORTA] = HU_BLOOD;
        hu[BONE] = HU_BONE;
        hu[GAS] = HU_BOWEL_GAS;
        hu[LIVER_TISSUE] = liverHu;
        for (int k = 0; k < tumours.size(); k++) hu[FIRST_TUMOUR + k] = tumours.get(k).hu();

        ImageStack ctStack = new ImageStack(width, height);
        ImageStack labelStack = new ImageStack(width, height);
        int n = width * height;
        for (int z = 0; z < depth; z++) {
            float[] v = new float[n];
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) {
                int m = mat[z][i];
                v[i] = (float) hu[m];
                lab[i] = (byte) (m == LIVER_TISSUE ? LIVER : m >= FIRST_TUMOUR ? TUMOUR : BACKGROUND);
            }
            Blur.gaussian(v, width, height, PARTIAL_VOLUME_SIGMA);
            short[] raw = new short[n];
            for (int i = 0; i < n; i++) {
                long r = Math.round(v[i] + NOISE_SIGMA_HU * rnd.nextGaussian()) + SIGNED_OFFSET;
                raw[i] = (short) Math.max(0, Math.min(65535, r));
            }
            ctStack.addSlice("z" + (z + 1), new ShortProcessor(width, height, raw, null));
            labelStack.addSlice("z" + (z + 1), new ByteProcessor(width, height, lab));
        }

        String name = "liver-phantom-" + seed;
        ImagePlus ct = new ImagePlus(name, ctStack);
        Calibration cal = ct.getCalibration();
        cal.setSigned16BitCalibration();
        cal.setValueUnit("HU");
        setSpatial(cal);
        ct.setDisplayRange(40 - 200 + SIGNED_OFFSET, 40 + 200 + SIGNED_OFFSET);
        ImagePlus labels = new ImagePlus(name + "-labels", labelStack);
        setSpatial(labels.getCalibration());
        labels.setDisplayRange(0, TUMOUR);
        String info = describe(seed, width, height, depth, liverHu, tumours);
        ct.setProperty("Info", info);
        labels.setProperty("Info", info);
        return new Sample(ct, labels, Collections.unmodifiableList(tumours));
    }

    private static void setSpatial(Calibration cal) {
        cal.pixelWidth = PIXEL_SIZE_MM;
        cal.pixelHeight = PIXEL_SIZE_MM;
        cal.pixelDepth = SLICE_THICKNESS_MM;
        cal.setUnit("mm");
    }

    /** Throws {@link UserInputException} unless width and height are 32..1024 and depth 4..512. */
    public static void checkSize(int width, int height, int depth) {
        check("width", width, MIN_SIDE, MAX_SIDE);
        check("height", height, MIN_SIDE, MAX_SIDE);
        check("depth", depth, MIN_DEPTH, MAX_DEPTH);
    }

    private static void check(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new UserInputException("Liver phantom " + what + " " + v + " is out of range: choose a " + what
                    + " from " + min + " to " + max + (what.equals("depth") ? " slices." : " pixels."));
        }
    }

    /**
     * Positions and shapes in normalised coordinates (x, y, z in 0..1 across the volume; x to the
     * image's right = patient's left, y down = posterior, z = slice index).
     */
    private static final class Anatomy {
        final double bodyAx, bodyAy, bodyWobble, bodyPhase, fatFraction;
        final double spineY, spineR;
        final double[] ribAngles = {-25, 5, 35, 145, 175, 205};
        final double[] ribPhases = new double[ribAngles.length];
        final double ribBands;
        final double aortaX, aortaY, aortaR;
        final double[][] kidneys = new double[2][];   // cx, cy, cz, ax, ay, az, angle
        final double[] spleen;                      // cx, cy, cz, ax, ay, az
        final double lcx, lcy, lcz, lax, lay, laz;     // right lobe
        final double[] leftLobe;                        // cx, cy, cz, ax, ay, az
        final double[][] deform = new double[3][5];  // fu, fv, ft, phase, amplitude
        final double[][] bowel;                         // cx, cy, cz, r, material

        Anatomy(Random r) {
            bodyAx = Seeds.uniform(r, 0.40, 0.45);
            bodyAy = Seeds.uniform(r, 0.31, 0.35);
            bodyWobble = Seeds.uniform(r, 0.01, 0.03);
            bodyPhase = Seeds.uniform(r, 0, 2 * Math.PI);
            fatFraction = Seeds.uniform(r, 0.05, 0.09);
            spineY = 0.5 + bodyAy * Seeds.uniform(r, 0.6, 0.66);
            spineR = Seeds.uniform(r, 0.045, 0.055);
            for (int k = 0; k < ribPhases.length; k++) ribPhases[k] = Seeds.uniform(r, 0, 2 * Math.PI);
            ribBands = Seeds.uniform(r, 3, 5);
            aortaX = 0.5 + Seeds.uniform(r, 0.02, 0.04);
            aortaY = spineY - spineR - Seeds.uniform(r, 0.035, 0.045);
            aortaR = Seeds.uniform(r, 0.025, 0.032);
            for (int k = 0; k < 2; k++) {
                double sx = k == 0 ? -1 : 1;
                kidneys[k] = new double[] {0.5 + sx * Seeds.uniform(r, 0.15, 0.18), spineY - Seeds.uniform(r, 0.0, 0.03),
                        Seeds.uniform(r, 0.6, 0.7), Seeds.uniform(r, 0.05, 0.06), Seeds.uniform(r, 0.075, 0.09),
                        Seeds.uniform(r, 0.2, 0.28), sx * Math.toRadians(Seeds.uniform(r, 15, 35))};
            }
            spleen = new double[] {Seeds.uniform(r, 0.7, 0.74), Seeds.uniform(r, 0.52, 0.58), Seeds.uniform(r, 0.35, 0.45),
                    Seeds.uniform(r, 0.06, 0.08), Seeds.uniform(r, 0.1, 0.13), Seeds.uniform(r, 0.18, 0.24)};
            lcx = Seeds.uniform(r, 0.31, 0.34);
            lcy = Seeds.uniform(r, 0.46, 0.5);
            lcz = Seeds.uniform(r, 0.4, 0.46);
            lax = Seeds.uniform(r, 0.16, 0.19);
            lay = Seeds.uniform(r, 0.17, 0.2);
            laz = Seeds.uniform(r, 0.3, 0.36);
            leftLobe = new double[] {Seeds.uniform(r, 0.47, 0.51), lcy - lay * Seeds.uniform(r, 0.45, 0.6),
                    lcz - Seeds.uniform(r, 0.02, 0.06), Seeds.uniform(r, 0.13, 0.16), Seeds.uniform(r, 0.07, 0.09),
                    laz * Seeds.uniform(r, 0.6, 0.75)};
            for (double[] d : deform) {
                double theta = Seeds.uniform(r, 0, Math.PI), phi = Seeds.uniform(r, 0, 2 * Math.PI);
                double f = Seeds.uniform(r, 1.5, 3.0);
                d[0] = f * StrictMath.sin(theta) * StrictMath.cos(phi);
                d[1] = f * StrictMath.sin(theta) * StrictMath.sin(phi);
                d[2] = f * StrictMath.cos(theta);
                d[3] = Seeds.uniform(r, 0, 2 * Math.PI);
                d[4] = Seeds.uniform(r, 0.05, 0.09);
            }
            // bowel: gas and fat pockets in the anterior abdomen, left of the liver
            bowel = new double[Seeds.uniform(r, 0, 1) < 0.5 ? 10 : 14][];
            for (int k = 0; k < bowel.length; k++) {
                bowel[k] = new double[] {Seeds.uniform(r, 0.45, 0.75), Seeds.uniform(r, 0.3, 0.62), Seeds.uniform(r, 0.3, 1.0),
                        Seeds.uniform(r, 0.025, 0.05), r.nextInt(3) == 0 ? GAS : FAT};
            }
        }

        byte[] slice(int z, int w, int h, int d) {
            byte[] out = new byte[w * h];
            double zn = (z + 0.5) / d;
            double wob = 1 + bodyWobble * StrictMath.sin(2 * Math.PI * zn + bodyPhase);
            double ax = bodyAx * wob, ay = bodyAy * wob;
            double inner = 1 - fatFraction;
            for (int y = 0; y < h; y++) {
                double yn = (y + 0.5) / h;
                for (int x = 0; x < w; x++) {
                    double xn = (x + 0.5) / w;
                    double e = sq((xn - 0.5) / ax) + sq((yn - 0.5) / ay);
                    byte m;
                    if (e > 1) m = AIR;
                    else if (e > inner * inner) m = FAT;
                    else {
                        m = SOFT;
                        for (double[] b : bowel) {
                            double rz = b[3] * 2.5;
                            if (sq((xn - b[0]) / b[3]) + sq((yn - b[1]) / b[3]) + sq((zn - b[2]) / rz) < 1) m = (byte) b[4];
                        }
                        for (double[] k : kidneys) if (inKidney(k, xn, yn, zn)) m = KIDNEY;
                        if (inEllipsoid(spleen, xn, yn, zn)) m = SPLEEN;
                        if (inLiver(xn, yn, zn)) m = LIVER_TISSUE;
                        if (sq(xn - aortaX) + sq(yn - aortaY) < aortaR * aortaR) m = AORTA;
                        if (isBone(xn, yn, zn, ax * inner, ay * inner)) m = BONE;
                    }
                    out[y * w + x] = m;
                }
            }
            return out;
        }

        /** The liver: a large right lobe and a thin anterior left lobe, smoothly deformed together. */
        boolean inLiver(double xn, double yn, double zn) {
            return inLobe((xn - lcx) / lax, (yn - lcy) / lay, (zn - lcz) / laz)
                    || inLobe((xn - leftLobe[0]) / leftLobe[3], (yn - leftLobe[1]) / leftLobe[4], (zn - leftLobe[2]) / leftLobe[5]);
        }

        private boolean inLobe(double u, double v, double t) {
            if (Math.abs(u) > 1.4 || Math.abs(v) > 1.4 || Math.abs(t) > 1.4) return false;
            double taper = 1 - 0.3 * Math.max(0, t) / 1.4;  // the liver narrows inferiorly
            u /= taper;
            v /= taper;
            double bound = 1;
            for (double[] f : deform) bound += f[4] * StrictMath.cos(f[0] * u + f[1] * v + f[2] * t + f[3]);
            return u * u + v * v + t * t < bound * bound;
        }

        boolean isBone(double xn, double yn, double zn, double innerAx, double innerAy) {
            if (sq(xn - 0.5) + sq(yn - spineY) < spineR * spineR) return true;
            double sx = 0.012, sy = 0.045, spy = spineY + spineR + sy * 0.8;   // spinous process
            if (sq((xn - 0.5) / sx) + sq((yn - spy) / sy) < 1) return true;
            double rr = 0.014;
            for (int k = 0; k < ribAngles.length; k++) {
                if (StrictMath.cos(2 * Math.PI * ribBands * zn + ribPhases[k]) < 0.1) continue;
                double ang = Math.toRadians(ribAngles[k]);
                double rx = 0.5 + 0.9 * innerAx * StrictMath.cos(ang), ry = 0.5 + 0.9 * innerAy * StrictMath.sin(ang);
                if (sq(xn - rx) + sq(yn - ry) < rr * rr) return true;
            }
            return false;
        }

        static boolean inEllipsoid(double[] p, double xn, double yn, double zn) {
            return sq((xn - p[0]) / p[3]) + sq((yn - p[1]) / p[4]) + sq((zn - p[2]) / p[5]) < 1;
        }

        static boolean inKidney(double[] k, double xn, double yn, double zn) {
            double dx = xn - k[0], dy = yn - k[1], c = StrictMath.cos(k[6]), s = StrictMath.sin(k[6]);
            double u = c * dx + s * dy, v = -s * dx + c * dy;
            return sq(u / k[3]) + sq(v / k[4]) + sq((zn - k[2]) / k[5]) < 1;
        }
    }

    /**
     * Places 0..3 tumours: each an ellipsoid shaped like the right lobe at 12-30 % of its size (shrunk
     * when it does not fit), whose 1.25x enlargement and whose voxels' 26-neighbours lie entirely
     * in liver tissue, so that tumours neither touch each other nor the liver surface.
     */
    private static List<Tumour> placeTumours(Anatomy a, byte[][] mat, int w, int h, int d, Random rnd) {
        List<int[]> liver = new ArrayList<>();
        for (int z = 0; z < d; z++) {
            for (int i = 0; i < w * h; i++) if (mat[z][i] == LIVER_TISSUE) liver.add(new int[] {i % w, i / w, z});
        }
        int count = rnd.nextInt(MAX_TUMOURS + 1);
        List<Tumour> tumours = new ArrayList<>();
        for (int k = 0; k < count && !liver.isEmpty(); k++) {
            double f = Seeds.uniform(rnd, 0.12, 0.3);
            boolean hyper = rnd.nextBoolean();
            double hu = hyper ? Seeds.uniform(rnd, HU_HYPERDENSE_MIN, HU_HYPERDENSE_MAX)
                    : Seeds.uniform(rnd, HU_HYPODENSE_MIN, HU_HYPODENSE_MAX);
            Tumour placed = null;
            for (int attempt = 0; attempt < 200 && placed == null; attempt++) {
                if (attempt > 0 && attempt % 40 == 0) f *= 0.8;
                int[] c = liver.get(rnd.nextInt(liver.size()));
                double rx = Math.max(1.5, f * a.lax * w), ry = Math.max(1.5, f * a.lay * h), rz = Math.max(1.0, f * a.laz * d);
                Tumour t = new Tumour(c[0] + 0.5, c[1] + 0.5, c[2] + 0.5, rx, ry, rz, hu);
                if (fits(t, 1.25, mat, w, h, d)) placed = t;
            }
            if (placed == null) continue;
            paint(placed, (byte) (FIRST_TUMOUR + tumours.size()), mat, w, h, d);
            // store the centre as voxel coordinates (voxel i covers i..i+1, centre i+0.5)
            tumours.add(new Tumour(placed.x() - 0.5, placed.y() - 0.5, placed.z() - 0.5,
                    placed.rx(), placed.ry(), placed.rz(), placed.hu()));
        }
        return tumours;
    }

    /**
     * True if every voxel whose centre lies in the tumour enlarged by {@code scale}, and every
     * 26-neighbour of a tumour voxel, is liver tissue (not another tumour).
     */
    private static boolean fits(Tumour t, double scale, byte[][] mat, int w, int h, int d) {
        double rx = t.rx() * scale, ry = t.ry() * scale, rz = t.rz() * scale;
        int x0 = (int) Math.floor(t.x() - rx) - 1, x1 = (int) Math.ceil(t.x() + rx) + 1;
        int y0 = (int) Math.floor(t.y() - ry) - 1, y1 = (int) Math.ceil(t.y() + ry) + 1;
        int z0 = (int) Math.floor(t.z() - rz) - 1, z1 = (int) Math.ceil(t.z() + rz) + 1;
        if (x0 < 0 || y0 < 0 || z0 < 0 || x1 >= w || y1 >= h || z1 >= d) return false;
        for (int z = z0 + 1; z < z1; z++) {
            for (int y = y0 + 1; y < y1; y++) {
                for (int x = x0 + 1; x < x1; x++) {
                    double ex = sq(x + 0.5 - t.x()), ey = sq(y + 0.5 - t.y()), ez = sq(z + 0.5 - t.z());
                    if (ex / (rx * rx) + ey / (ry * ry) + ez / (rz * rz) < 1 && mat[z][y * w + x] != LIVER_TISSUE) return false;
                    if (ex / sq(t.rx()) + ey / sq(t.ry()) + ez / sq(t.rz()) < 1) {
                        for (int dz = -1; dz <= 1; dz++) {
                            for (int dy = -1; dy <= 1; dy++) {
                                for (int dx = -1; dx <= 1; dx++) {
                                    if (mat[z + dz][(y + dy) * w + x + dx] != LIVER_TISSUE) return false;
                                }
                            }
                        }
                    }
                }
            }
        }
        return true;
    }

    private static void paint(Tumour t, byte material, byte[][] mat, int w, int h, int d) {
        for (int z = Math.max(0, (int) Math.floor(t.z() - t.rz())); z <= Math.min(d - 1, (int) Math.ceil(t.z() + t.rz())); z++) {
            for (int y = Math.max(0, (int) Math.floor(t.y() - t.ry())); y <= Math.min(h - 1, (int) Math.ceil(t.y() + t.ry())); y++) {
                for (int x = Math.max(0, (int) Math.floor(t.x() - t.rx())); x <= Math.min(w - 1, (int) Math.ceil(t.x() + t.rx())); x++) {
                    double e = sq((x + 0.5 - t.x()) / t.rx()) + sq((y + 0.5 - t.y()) / t.ry()) + sq((z + 0.5 - t.z()) / t.rz());
                    if (e < 1) mat[z][y * w + x] = material;
                }
            }
        }
    }

    private static String describe(long seed, int w, int h, int d, double liverHu, List<Tumour> tumours) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "MedSynth liver CT phantom%nseed=%d%nsize=%dx%dx%d%n"
                + "voxel_mm=%.2fx%.2fx%.2f%nliver_hu=%.1f%nnoise_sigma_hu=%.1f%ntumours=%d%n",
                seed, w, h, d, PIXEL_SIZE_MM, PIXEL_SIZE_MM, SLICE_THICKNESS_MM, liverHu, NOISE_SIGMA_HU, tumours.size()));
        for (int k = 0; k < tumours.size(); k++) {
            Tumour t = tumours.get(k);
            sb.append(String.format(Locale.ROOT, "tumour%d=centre %.1f,%.1f,%.1f radii %.1f,%.1f,%.1f voxels, %.1f HU%n",
                    k + 1, t.x(), t.y(), t.z(), t.rx(), t.ry(), t.rz(), t.hu()));
        }
        sb.append("labels: 0 background, 1 liver, 2 tumour\n");
        return sb.toString();
    }

    private static double sq(double v) {
        return v * v;
    }
}
