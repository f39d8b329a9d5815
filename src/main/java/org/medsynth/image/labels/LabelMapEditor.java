package org.medsynth.image.labels;

import ij.ImagePlus;
import org.medsynth.core.UserInputException;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

/**
 * Changes the region of one label in a 2D or 3D label map, to make new label maps for
 * 3D-MedGAN ("modify the dimension, shape and position of the real data, and then input the
 * modified annotation into the trained model"). The input is never modified; every result is a
 * new label map of the same size, bit depth and calibration.
 * <p>
 * <b>The rule for the other labels.</b> Every edit has a <em>host</em> label: the label the edited
 * region sits in (a tumour's host is the liver). Voxels the edited label gives up become the host;
 * voxels it gains may only be taken from the background (0) or from the host. All other labels
 * are preserved voxel for voxel: growth stops at them (those voxels are counted as "blocked").
 * The host is given explicitly ({@code fill} >= 0) or found automatically ({@link #AUTO_HOST}):
 * the label that most often touches the region from outside (6-neighbourhood; for paste, the
 * label most often found under the pasted region), ties to the smaller label, 0 if none.
 * Regions moved beyond the image edge are cut off (counted as "outside").
 */
public final class LabelMapEditor {

    /** Find the host label automatically. */
    public static final int AUTO_HOST = -1;

    /** Ranges for {@link #random}: scale factor in [minScale, maxScale], shifts up to +/- maxShift voxels. */
    public record RandomRanges(double minScale, double maxScale, int maxShiftXY, int maxShiftZ) {
        /**
         * Edits that keep a region plausible (+/- 20% in size, a few voxels away), so that the synthetic images
         * still look like the real data: the edit commands' defaults and Train Segmenter's own edits.
         */
        public static final RandomRanges DEFAULT = new RandomRanges(0.8, 1.2, 5, 2);

        public RandomRanges {
            if (!(minScale > 0 && maxScale >= minScale)) {
                throw new UserInputException("The random scale range must satisfy 0 < min_factor <= max_factor (got "
                        + minScale + " and " + maxScale + ").");
            }
            if (maxShiftXY < 0 || maxShiftZ < 0) throw new UserInputException("Maximum shifts must be >= 0.");
        }
    }

    /**
     * What an edit did.
     *
     * @param blocked voxels the label would have gained but that belong to another label
     * @param outside voxels of the edited region that fell outside the image
     */
    public record Result(LabelVolume labels, int label, int host, String operation,
                         long voxelsBefore, long voxelsAfter, long blocked, long outside) {

        /** The edited label map as an ImagePlus titled "&lt;input&gt;-edited", with the input's calibration. */
        public ImagePlus image() {
            return labels.toImagePlus(labels.title());
        }

        public String summary() {
            return "label " + label + " " + operation + ": " + voxelsBefore + " -> " + voxelsAfter + " voxels (host label "
                    + host + (blocked > 0 ? "; " + blocked + " voxels kept by other labels" : "")
                    + (outside > 0 ? "; " + outside + " voxels beyond the image edge cut off" : "") + ")";
        }
    }

    private final LabelVolume map;
    private final int label;
    private final int fill;

    /**
     * @param fill the host label, or {@link #AUTO_HOST}
     */
    public LabelMapEditor(LabelVolume map, int label, int fill) {
        if (label <= 0) throw new UserInputException("Choose a label > 0 to edit; 0 is the background.");
        if (fill == label) throw new UserInputException("The fill (host) label must differ from the edited label " + label + ".");
        if (fill < AUTO_HOST) throw new UserInputException("The fill label must be >= 0, or -1 for automatic: " + fill);
        this.map = map;
        this.label = label;
        this.fill = fill;
    }

    public LabelMapEditor(ImagePlus map, int label, int fill) {
        this(LabelVolume.from(map), label, fill);
    }

    /** Scales the region about its centre of mass by {@code factor} (nearest neighbour, all axes). */
    public Result scale(double factor) {
        if (!(factor > 0)) throw new UserInputException("The scale factor must be > 0, not " + factor + ".");
        return transform(factor, 0, 0, 0, "scaled by " + factor);
    }

    /** Moves the region by whole voxels. */
    public Result translate(int dx, int dy, int dz) {
        return transform(1, dx, dy, dz, "moved by (" + dx + ", " + dy + ", " + dz + ")");
    }

    /**
     * Grows the region by {@code radius} (in pixels along x; the structuring element is a sphere
     * in physical space, so along y and z it spans radius * pixelWidth / pixelHeight and
     * radius * pixelWidth / pixelDepth voxels).
     */
    public Result dilate(double radius) {
        checkRadius(radius);
        boolean[] old = region(map, label, "dilate");
        double[] d2 = DistanceTransform.squared(old, map.width(), map.height(), map.depth(), 1, sy(), sz());
        boolean[] grown = new boolean[old.length];
        for (int i = 0; i < grown.length; i++) grown[i] = d2[i] <= radius * radius + 1e-9;
        return commit(old, grown, 0, hostAround(old), "dilated by " + radius);
    }

    /** Shrinks the region by {@code radius} (same element as {@link #dilate}); outside the image counts as not the label. */
    public Result erode(double radius) {
        checkRadius(radius);
        boolean[] old = region(map, label, "erode");
        int w = map.width(), h = map.height(), d = map.depth();
        int pz = d > 1 ? 1 : 0; // pad by one voxel of "not the label" (not along z of a 2D image)
        int W = w + 2, H = h + 2, D = d + 2 * pz;
        boolean[] outside = new boolean[W * H * D];
        Arrays.fill(outside, true);
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) outside[(x + 1) + W * ((y + 1) + H * (z + pz))] = !old[x + w * (y + h * z)];
        double[] d2 = DistanceTransform.squared(outside, W, H, D, 1, sy(), sz());
        boolean[] kept = new boolean[old.length];
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int i = x + w * (y + h * z);
                    kept[i] = old[i] && d2[(x + 1) + W * ((y + 1) + H * (z + pz))] > radius * radius + 1e-9;
                }
        return commit(old, kept, 0, hostAround(old), "eroded by " + radius);
    }

    /**
     * Adds the region of the label in {@code source} (a label map of the same size), moved by
     * (dx, dy, dz), to this map's region of the label.
     */
    public Result paste(LabelVolume source, int dx, int dy, int dz) {
        if (source.width() != map.width() || source.height() != map.height() || source.depth() != map.depth()) {
            throw new UserInputException("The source label map '" + source.title() + "' is " + source.width() + " x "
                    + source.height() + " x " + source.depth() + " but '" + map.title() + "' is " + map.width() + " x "
                    + map.height() + " x " + map.depth() + "; paste needs label maps of the same size.");
        }
        boolean[] src = region(source, label, "paste");
        boolean[] old = mask(map, label);
        boolean[] moved = new boolean[old.length];
        long outside = shift(src, dx, dy, dz, moved);
        boolean[] result = old.clone();
        for (int i = 0; i < result.length; i++) result[i] |= moved[i];
        return commit(old, result, outside, hostUnder(moved), "pasted from '" + source.title() + "'"
                + (dx != 0 || dy != 0 || dz != 0 ? " moved by (" + dx + ", " + dy + ", " + dz + ")" : ""));
    }

    /**
     * A random scale (uniform in the range) about the centre, then a random shift (uniform whole
     * voxels in +/- the maximum, limited so that the scaled region stays inside the image where
     * it fits). The same {@code random} state gives the same edit.
     */
    public Result random(RandomRanges ranges, Random random) {
        boolean[] old = region(map, label, "edit");
        double s = ranges.minScale() + (ranges.maxScale() - ranges.minScale()) * random.nextDouble();
        double[] c = centroid(old);
        int[] lo = new int[3], hi = new int[3];
        bounds(old, lo, hi);
        int[] size = {map.width(), map.height(), map.depth()};
        int[] max = {ranges.maxShiftXY(), ranges.maxShiftXY(), ranges.maxShiftZ()};
        int[] shift = new int[3];
        for (int a = 0; a < 3; a++) {
            // extent of the scaled region, and the shifts that keep it inside
            int sLo = (int) Math.floor(c[a] + (lo[a] - 0.5 - c[a]) * s), sHi = (int) Math.ceil(c[a] + (hi[a] + 0.5 - c[a]) * s) - 1;
            int minShift = Math.max(-max[a], -sLo), maxShift = Math.min(max[a], size[a] - 1 - sHi);
            if (minShift > maxShift) { minShift = -max[a]; maxShift = max[a]; } // does not fit: shift freely
            if (size[a] == 1) { minShift = 0; maxShift = 0; }
            shift[a] = minShift + random.nextInt(maxShift - minShift + 1);
        }
        return transform(s, shift[0], shift[1], shift[2], String.format(java.util.Locale.ROOT,
                "scaled by %.3f and moved by (%d, %d, %d)", s, shift[0], shift[1], shift[2]));
    }

    // ---------------------------------------------------------------------------------------

    /** New region: voxel p belongs if round(c + (p - t - c) / s) is in the old region. */
    private Result transform(double s, int dx, int dy, int dz, String what) {
        boolean[] old = region(map, label, "edit");
        double[] c = centroid(old);
        int[] lo = new int[3], hi = new int[3];
        bounds(old, lo, hi);
        int w = map.width(), h = map.height(), d = map.depth();
        int[] t = {dx, dy, dz};
        int[] from = new int[3], to = new int[3];
        for (int a = 0; a < 3; a++) {
            from[a] = (int) Math.floor(c[a] + (lo[a] - c[a]) * s - s - 1) + t[a];
            to[a] = (int) Math.ceil(c[a] + (hi[a] - c[a]) * s + s + 1) + t[a];
            if (a == 2 && d == 1) { from[a] = 0; to[a] = 0; }
        }
        boolean[] result = new boolean[old.length];
        long outside = 0;
        for (int z = from[2]; z <= to[2]; z++)
            for (int y = from[1]; y <= to[1]; y++)
                for (int x = from[0]; x <= to[0]; x++) {
                    int qx = (int) Math.round(c[0] + (x - dx - c[0]) / s);
                    int qy = (int) Math.round(c[1] + (y - dy - c[1]) / s);
                    int qz = d == 1 ? 0 : (int) Math.round(c[2] + (z - dz - c[2]) / s);
                    if (qx < 0 || qy < 0 || qz < 0 || qx >= w || qy >= h || qz >= d || !old[qx + w * (qy + h * qz)]) continue;
                    if (x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d) outside++;
                    else result[x + w * (y + h * z)] = true;
                }
        return commit(old, result, outside, hostAround(old), what);
    }

    /** Applies the host rule: removed voxels become the host; gained voxels only from 0 or the host. */
    private Result commit(boolean[] old, boolean[] wanted, long outside, int autoHost, String what) {
        int host = fill >= 0 ? fill : autoHost;
        int[] src = map.values();
        int[] out = src.clone();
        long blocked = 0, after = 0, before = 0;
        for (int i = 0; i < out.length; i++) {
            if (old[i]) before++;
            if (old[i] && !wanted[i]) out[i] = host;
            if (wanted[i] && !old[i]) {
                if (src[i] == 0 || src[i] == host) out[i] = label;
                else blocked++;
            }
            if (out[i] == label) after++;
        }
        return new Result(map.withValues(out, map.title() + "-edited"), label, host, what, before, after, blocked, outside);
    }

    private void checkRadius(double radius) {
        if (!(radius >= 0)) throw new UserInputException("The radius must be >= 0, not " + radius + ".");
    }

    private double sy() {
        double pw = map.calibration().pixelWidth, ph = map.calibration().pixelHeight;
        return pw > 0 && ph > 0 ? ph / pw : 1;
    }

    private double sz() {
        double pw = map.calibration().pixelWidth, pd = map.calibration().pixelDepth;
        return pw > 0 && pd > 0 ? pd / pw : 1;
    }

    private static boolean[] mask(LabelVolume lv, int label) {
        int[] v = lv.values();
        boolean[] m = new boolean[v.length];
        for (int i = 0; i < v.length; i++) m[i] = v[i] == label;
        return m;
    }

    /** The label's voxels; a clear error when there are none. */
    private static boolean[] region(LabelVolume lv, int label, String op) {
        boolean[] m = mask(lv, label);
        for (boolean b : m) if (b) return m;
        TreeSet<Integer> present = new TreeSet<>();
        for (int v : lv.values()) present.add(v);
        throw new UserInputException("Label " + label + " does not occur in '" + lv.title() + "', so there is nothing to "
                + op + ". Labels present: " + present + ". Choose one of them.");
    }

    private double[] centroid(boolean[] m) {
        int w = map.width(), h = map.height();
        double sx = 0, sy = 0, sz = 0;
        long n = 0;
        for (int i = 0; i < m.length; i++) {
            if (!m[i]) continue;
            sx += i % w;
            sy += (i / w) % h;
            sz += i / (w * h);
            n++;
        }
        return new double[]{sx / n, sy / n, sz / n};
    }

    private void bounds(boolean[] m, int[] lo, int[] hi) {
        int w = map.width(), h = map.height();
        Arrays.fill(lo, Integer.MAX_VALUE);
        Arrays.fill(hi, Integer.MIN_VALUE);
        for (int i = 0; i < m.length; i++) {
            if (!m[i]) continue;
            int[] p = {i % w, (i / w) % h, i / (w * h)};
            for (int a = 0; a < 3; a++) {
                lo[a] = Math.min(lo[a], p[a]);
                hi[a] = Math.max(hi[a], p[a]);
            }
        }
    }

    /** Moves a mask by whole voxels; returns how many voxels fell outside. */
    private long shift(boolean[] src, int dx, int dy, int dz, boolean[] dst) {
        int w = map.width(), h = map.height(), d = map.depth();
        long outside = 0;
        for (int i = 0; i < src.length; i++) {
            if (!src[i]) continue;
            int x = i % w + dx, y = (i / w) % h + dy, z = i / (w * h) + dz;
            if (x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d) outside++;
            else dst[x + w * (y + h * z)] = true;
        }
        return outside;
    }

    /** The most frequent label among the 6-neighbours of the region that are outside it. */
    private int hostAround(boolean[] m) {
        int w = map.width(), h = map.height(), d = map.depth();
        int[] v = map.values();
        java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
        int[][] nb = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        for (int i = 0; i < m.length; i++) {
            if (!m[i]) continue;
            int x = i % w, y = (i / w) % h, z = i / (w * h);
            for (int[] o : nb) {
                int nx = x + o[0], ny = y + o[1], nz = z + o[2];
                if (nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d) continue;
                int j = nx + w * (ny + h * nz);
                if (!m[j]) counts.merge(v[j], 1L, Long::sum);
            }
        }
        return mostFrequent(counts);
    }

    /** The most frequent label (other than the edited one) under a mask. */
    private int hostUnder(boolean[] m) {
        int[] v = map.values();
        java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
        for (int i = 0; i < m.length; i++) if (m[i] && v[i] != label) counts.merge(v[i], 1L, Long::sum);
        return mostFrequent(counts);
    }

    private static int mostFrequent(java.util.Map<Integer, Long> counts) {
        int best = 0;
        long bestN = -1;
        for (var e : counts.entrySet()) if (e.getValue() > bestN) { best = e.getKey(); bestN = e.getValue(); }
        return best;
    }
}
