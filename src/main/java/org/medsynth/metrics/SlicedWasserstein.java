package org.medsynth.metrics;

import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Sliced Wasserstein distance between two sets of images, as in PGGAN (Karras et al. 2018,
 * {@code metrics/sliced_wasserstein.py}) and SkrGAN's Table 1:
 * <ol>
 * <li>each image is decomposed into a Laplacian pyramid (5x5 binomial kernel, mirror borders,
 * like OpenCV's pyrDown/pyrUp) with levels down to 16 px;</li>
 * <li>from every level of every image, 128 random 7x7 neighbourhoods (all channels) are taken
 * as descriptors;</li>
 * <li>per level, the descriptors of a set are normalised per channel to zero mean and unit
 * standard deviation (over the whole set);</li>
 * <li>per level, 4 repeats of 128 random unit directions: both sets' descriptors are projected,
 * sorted, and the 1-D Wasserstein-1 distances are averaged over directions and repeats;</li>
 * <li>the result is one distance per level and their mean.</li>
 * </ol>
 * Units: the distances are in units of the normalised descriptors. PGGAN reports them multiplied
 * by 1000 ("SWDx1e3"); {@link Result#perLevelX1e3()} gives that scale.
 * <p>
 * Differences from PGGAN, all documented in docs/metrics.md: random numbers come from
 * {@link java.util.Random} with the given seed; both sets use the same sequence of neighbourhood
 * positions (so identical sets give exactly 0, and the sampling noise is shared); the two sets may
 * hold different numbers of images (the 1-D distance is then the exact Wasserstein-1 distance
 * between the two empirical distributions, which equals PGGAN's mean absolute difference of
 * sorted projections for equal counts); grey images use one channel instead of three; images are
 * centre-cropped to a multiple of 2^(levels-1) so that the pyramid halves evenly; a channel with
 * zero spread is not scaled. The number of levels follows the shorter side.
 */
public final class SlicedWasserstein {

    public static final int NHOOD_SIZE = 7;
    public static final int NHOODS_PER_IMAGE = 128;
    public static final int DIR_REPEATS = 4;
    public static final int DIRS_PER_REPEAT = 128;
    public static final int MIN_RESOLUTION = 16;

    private static final double[] BINOMIAL = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};

    private final int width, height, channels;
    private final int cropX, cropY, cropW, cropH;
    private final int levels;
    private final int[] resolutions;
    private final long seed;

    /** A metric for images of {@code width x height} with {@code channels} channels. */
    public SlicedWasserstein(int width, int height, int channels, long seed) {
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.seed = seed;
        int minSide = Math.min(width, height);
        int l = 0;
        for (int res = minSide; res >= MIN_RESOLUTION; res /= 2) l++;
        if (l == 0) {
            throw new UserInputException("SWD needs images of at least " + MIN_RESOLUTION + " px on each side; these are "
                    + width + "x" + height + ".");
        }
        levels = l;
        int factor = 1 << (levels - 1);
        cropW = width - width % factor;
        cropH = height - height % factor;
        cropX = (width - cropW) / 2;
        cropY = (height - cropH) / 2;
        resolutions = new int[levels];
        for (int i = 0; i < levels; i++) resolutions[i] = Math.min(cropW, cropH) >> i;
    }

    /** Side (the shorter one) of each pyramid level, finest first, e.g. 256, 128, 64, 32, 16. */
    public int[] resolutions() {
        return resolutions.clone();
    }

    /** Width of the images this metric takes. */
    public int width() {
        return width;
    }

    /** Height of the images this metric takes. */
    public int height() {
        return height;
    }

    /** The region used after cropping: {x, y, width, height}. */
    public int[] cropRegion() {
        return new int[] {cropX, cropY, cropW, cropH};
    }

    /** An empty set of descriptors to which images are added one at a time. */
    public DescriptorSet newSet() {
        return new DescriptorSet();
    }

    /** The distance between two sets (each with at least one image). */
    public Result distance(DescriptorSet a, DescriptorSet b) {
        if (a.images == 0 || b.images == 0) {
            throw new UserInputException("SWD needs at least one image in each set.");
        }
        Random dirs = new Random(seed + 1);
        double[] dist = new double[levels];
        for (int l = 0; l < levels; l++) {
            float[][] da = a.finish(l), db = b.finish(l);
            dist[l] = slicedWasserstein(da, db, DIR_REPEATS, DIRS_PER_REPEAT, dirs);
        }
        return new Result(resolutions(), dist, Arrays.stream(dist).average().orElse(Double.NaN));
    }

    /** Per-level distances (raw units), finest level first, and their mean. */
    public record Result(int[] resolutions, double[] perLevel, double mean) {
        /** PGGAN's "SWDx1e3" scale. */
        public double[] perLevelX1e3() {
            return Arrays.stream(perLevel).map(d -> d * 1e3).toArray();
        }

        public double meanX1e3() {
            return mean * 1e3;
        }
    }

    /** The descriptors of one image set; not thread-safe. */
    public final class DescriptorSet {
        private final Random positions = new Random(seed);
        private final List<List<float[]>> perLevel = new ArrayList<>();
        private int images;

        private DescriptorSet() {
            for (int l = 0; l < levels; l++) perLevel.add(new ArrayList<>());
        }

        public int imageCount() {
            return images;
        }

        /** Adds the 128 descriptors per level of one image. */
        public void add(ImageChannels image) {
            if (image.width() != width || image.height() != height) {
                throw new UserInputException("SWD compares images of one size, " + width + "x" + height + ", but got one of "
                        + image.width() + "x" + image.height() + ". Resize or crop all images to the same size.");
            }
            if (image.channelCount() != channels) {
                throw new UserInputException("SWD compares images of one type, but got " + image.channelCount()
                        + " channel(s) where " + channels + " were expected. Convert all images to RGB or all to grey.");
            }
            float[][][] pyramids = new float[channels][][];
            for (int c = 0; c < channels; c++) {
                pyramids[c] = laplacianPyramid(crop(image.channels()[c]), cropW, cropH, levels);
            }
            for (int l = 0; l < levels; l++) {
                int w = cropW >> l, h = cropH >> l;
                float[][] levelPlanes = new float[channels][];
                for (int c = 0; c < channels; c++) levelPlanes[c] = pyramids[c][l];
                perLevel.get(l).add(descriptors(levelPlanes, w, h, positions));
            }
            images++;
        }

        /** Normalised descriptors of level l: [descriptor][component]. */
        private float[][] finish(int l) {
            List<float[]> blocks = perLevel.get(l);
            int d = channels * NHOOD_SIZE * NHOOD_SIZE;
            float[][] desc = new float[blocks.size() * NHOODS_PER_IMAGE][];
            int k = 0;
            for (float[] block : blocks) {
                for (int n = 0; n < NHOODS_PER_IMAGE; n++) desc[k++] = Arrays.copyOfRange(block, n * d, (n + 1) * d);
            }
            normalise(desc, channels);
            return desc;
        }

        private float[] crop(float[] plane) {
            if (cropW == width && cropH == height) return plane;
            float[] out = new float[cropW * cropH];
            for (int y = 0; y < cropH; y++) System.arraycopy(plane, (y + cropY) * width + cropX, out, y * cropW, cropW);
            return out;
        }
    }

    /**
     * 128 descriptors of one pyramid level: neighbourhood centres x then y drawn as in PGGAN
     * ({@code randint(H, size - H)}), components ordered (channel, x offset, y offset) as PGGAN's
     * index arithmetic does.
     */
    static float[] descriptors(float[][] planes, int w, int h, Random rnd) {
        int r = NHOOD_SIZE / 2;
        int[] xs = new int[NHOODS_PER_IMAGE], ys = new int[NHOODS_PER_IMAGE];
        for (int n = 0; n < NHOODS_PER_IMAGE; n++) xs[n] = r + rnd.nextInt(w - 2 * r);
        for (int n = 0; n < NHOODS_PER_IMAGE; n++) ys[n] = r + rnd.nextInt(h - 2 * r);
        int c = planes.length, per = c * NHOOD_SIZE * NHOOD_SIZE;
        float[] out = new float[NHOODS_PER_IMAGE * per];
        for (int n = 0; n < NHOODS_PER_IMAGE; n++) {
            int o = n * per;
            for (int ch = 0; ch < c; ch++) {
                float[] p = planes[ch];
                for (int i = 0; i < NHOOD_SIZE; i++) {
                    int x = xs[n] + i - r;
                    for (int j = 0; j < NHOOD_SIZE; j++) {
                        out[o++] = p[(ys[n] + j - r) * w + x];
                    }
                }
            }
        }
        return out;
    }

    /** Per channel: subtract the mean and divide by the (population) standard deviation, over all descriptors. */
    static void normalise(float[][] desc, int channels) {
        int per = NHOOD_SIZE * NHOOD_SIZE;
        for (int c = 0; c < channels; c++) {
            double sum = 0, sq = 0;
            long n = 0;
            for (float[] d : desc) {
                for (int i = c * per; i < (c + 1) * per; i++) {
                    sum += d[i];
                    n++;
                }
            }
            double mean = sum / n;
            for (float[] d : desc) {
                for (int i = c * per; i < (c + 1) * per; i++) {
                    double v = d[i] - mean;
                    sq += v * v;
                }
            }
            double sd = Math.sqrt(sq / n);
            double scale = sd > 0 ? 1 / sd : 1;
            for (float[] d : desc) {
                for (int i = c * per; i < (c + 1) * per; i++) d[i] = (float) ((d[i] - mean) * scale);
            }
        }
    }

    /** PGGAN's sliced_wasserstein(A, B, dir_repeats, dirs_per_repeat) with directions from {@code rnd}. */
    static double slicedWasserstein(float[][] a, float[][] b, int repeats, int dirsPerRepeat, Random rnd) {
        int d = a[0].length;
        double total = 0;
        for (int rep = 0; rep < repeats; rep++) {
            double[][] dirs = new double[d][dirsPerRepeat];
            for (int i = 0; i < d; i++) for (int k = 0; k < dirsPerRepeat; k++) dirs[i][k] = rnd.nextGaussian();
            float[][] unit = new float[d][dirsPerRepeat];
            for (int k = 0; k < dirsPerRepeat; k++) {
                double norm = 0;
                for (int i = 0; i < d; i++) norm += dirs[i][k] * dirs[i][k];
                norm = Math.sqrt(norm);
                for (int i = 0; i < d; i++) unit[i][k] = (float) (dirs[i][k] / norm);
            }
            float[][] pa = project(a, unit, dirsPerRepeat), pb = project(b, unit, dirsPerRepeat);
            double sum = 0;
            for (int k = 0; k < dirsPerRepeat; k++) {
                Arrays.sort(pa[k]);
                Arrays.sort(pb[k]);
                sum += wasserstein1Sorted(pa[k], pb[k]);
            }
            total += sum / dirsPerRepeat;
        }
        return total / repeats;
    }

    /** Projections [direction][descriptor]. */
    private static float[][] project(float[][] desc, float[][] unit, int dirs) {
        float[][] out = new float[dirs][desc.length];
        double[] acc = new double[dirs];
        for (int n = 0; n < desc.length; n++) {
            Arrays.fill(acc, 0);
            float[] v = desc[n];
            for (int i = 0; i < v.length; i++) {
                float x = v[i];
                float[] u = unit[i];
                for (int k = 0; k < dirs; k++) acc[k] += x * u[k];
            }
            for (int k = 0; k < dirs; k++) out[k][n] = (float) acc[k];
        }
        return out;
    }

    /**
     * Wasserstein-1 distance between the empirical distributions of two sorted samples: the
     * integral over t in [0,1] of |Q_a(t) - Q_b(t)|; for equal sizes the mean of |a_i - b_i|.
     */
    static double wasserstein1Sorted(float[] a, float[] b) {
        int na = a.length, nb = b.length;
        if (na == nb) {
            double s = 0;
            for (int i = 0; i < na; i++) s += Math.abs((double) a[i] - b[i]);
            return s / na;
        }
        double s = 0, t = 0;
        int i = 0, j = 0;
        while (i < na && j < nb) {
            long ea = (long) (i + 1) * nb, eb = (long) (j + 1) * na; // boundaries scaled by na*nb
            double next = Math.min(ea, eb) / ((double) na * nb);
            s += (next - t) * Math.abs((double) a[i] - b[j]);
            t = next;
            if (ea <= eb) i++;
            if (eb <= ea) j++;
        }
        return s;
    }

    /** Laplacian pyramid of one plane (size divisible by 2^(levels-1)): levels[0] finest, last = Gaussian. */
    static float[][] laplacianPyramid(float[] plane, int w, int h, int levels) {
        float[][] pyr = new float[levels][];
        pyr[0] = plane.clone();
        for (int l = 1; l < levels; l++) {
            int pw = w >> (l - 1), ph = h >> (l - 1);
            pyr[l] = pyrDown(pyr[l - 1], pw, ph);
            float[] up = pyrUp(pyr[l], pw / 2, ph / 2);
            float[] prev = pyr[l - 1];
            for (int i = 0; i < prev.length; i++) prev[i] -= up[i];
        }
        return pyr;
    }

    /** Binomial blur with mirror borders, then every second row and column (cv2.pyrDown). */
    static float[] pyrDown(float[] in, int w, int h) {
        double[] blurred = blur(toDouble(in), w, h, 1.0);
        int nw = w / 2, nh = h / 2;
        float[] out = new float[nw * nh];
        for (int y = 0; y < nh; y++) for (int x = 0; x < nw; x++) out[y * nw + x] = (float) blurred[2 * y * w + 2 * x];
        return out;
    }

    /** Zero-insertion up-sampling, then the binomial kernel x4 with mirror borders (cv2.pyrUp). */
    static float[] pyrUp(float[] in, int w, int h) {
        int uw = 2 * w, uh = 2 * h;
        double[] up = new double[uw * uh];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) up[2 * y * uw + 2 * x] = in[y * w + x];
        double[] blurred = blur(up, uw, uh, 4.0);
        float[] out = new float[uw * uh];
        for (int i = 0; i < out.length; i++) out[i] = (float) blurred[i];
        return out;
    }

    /** Separable 5x5 binomial filter times {@code gain}, scipy.ndimage "mirror" borders. */
    private static double[] blur(double[] in, int w, int h, double gain) {
        double[] rows = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = -2; k <= 2; k++) s += BINOMIAL[k + 2] * in[y * w + mirror(x + k, w)];
                rows[y * w + x] = s;
            }
        }
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int k = -2; k <= 2; k++) s += BINOMIAL[k + 2] * rows[mirror(y + k, h) * w + x];
                out[y * w + x] = s * gain;
            }
        }
        return out;
    }

    /** scipy.ndimage mode "mirror": reflect about the edge pixel (d c b | a b c d | c b a). */
    static int mirror(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
