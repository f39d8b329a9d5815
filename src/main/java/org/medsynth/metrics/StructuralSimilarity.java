package org.medsynth.metrics;

import org.medsynth.core.UserInputException;

/**
 * SSIM (Wang et al. 2004) and MS-SSIM (Wang, Simoncelli &amp; Bovik 2003) with the standard
 * settings: an 11x11 Gaussian window with sigma 1.5 applied without padding ("valid", so border
 * pixels never see a made-up neighbourhood), K1 = 0.01, K2 = 0.03, and for MS-SSIM five scales
 * with the weights (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), 2x2 average down-sampling between
 * scales, contrast-structure at the four finer scales and luminance x contrast-structure at the
 * coarsest.
 * <p>
 * It follows {@code tf.image.ssim_multiscale} and {@code pytorch_msssim}: each channel is scored
 * separately, negative per-scale values are clipped to 0 before the weighted product, and the
 * result is the mean over channels. An odd size is made even before down-sampling by repeating
 * the last row/column (TensorFlow's symmetric padding). Single-scale SSIM equals scikit-image's
 * {@code structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)}.
 */
public final class StructuralSimilarity {

    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;
    public static final double[] MS_WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** MS-SSIM needs the coarsest of its 5 scales to hold one 11x11 window: sides of at least 161 px. */
    public static final int MS_SSIM_MIN_SIDE = (WINDOW - 1) * 16 + 1;

    private static final double[] KERNEL = gaussian(WINDOW, SIGMA);

    private StructuralSimilarity() { }

    /** Mean SSIM over all channels; {@code dataRange} is L in C1 = (K1 L)^2, e.g. 255 for 8-bit. */
    public static double ssim(ImageChannels a, ImageChannels b, double dataRange) {
        check(a, b, dataRange, WINDOW);
        double sum = 0;
        for (int c = 0; c < a.channelCount(); c++) {
            sum += ssimAndCs(a.channels()[c], b.channels()[c], a.width(), a.height(), dataRange)[0];
        }
        return sum / a.channelCount();
    }

    /** MS-SSIM, 1 for identical images, decreasing towards 0 as they differ. */
    public static double msSsim(ImageChannels a, ImageChannels b, double dataRange) {
        check(a, b, dataRange, MS_SSIM_MIN_SIDE);
        double sum = 0;
        for (int c = 0; c < a.channelCount(); c++) {
            sum += msSsimChannel(a.channels()[c], b.channels()[c], a.width(), a.height(), dataRange);
        }
        return sum / a.channelCount();
    }

    /** MS-SSIM of one channel (row-major planes of equal size). */
    public static double msSsimChannel(float[] x, float[] y, int width, int height, double dataRange) {
        double[] a = toDouble(x), b = toDouble(y);
        int w = width, h = height;
        double result = 1;
        for (int s = 0; s < MS_WEIGHTS.length; s++) {
            double[] sc = ssimAndCs(a, b, w, h, dataRange);
            double v = s == MS_WEIGHTS.length - 1 ? sc[0] : sc[1];
            result *= Math.pow(Math.max(v, 0.0), MS_WEIGHTS[s]);
            if (s < MS_WEIGHTS.length - 1) {
                int nw = (w + 1) / 2, nh = (h + 1) / 2;
                a = downsample(a, w, h);
                b = downsample(b, w, h);
                w = nw;
                h = nh;
            }
        }
        return result;
    }

    /** {mean SSIM, mean contrast-structure} of one channel over the valid window positions. */
    public static double[] ssimAndCs(float[] x, float[] y, int w, int h, double dataRange) {
        return ssimAndCs(toDouble(x), toDouble(y), w, h, dataRange);
    }

    static double[] ssimAndCs(double[] x, double[] y, int w, int h, double dataRange) {
        if (w < WINDOW || h < WINDOW) {
            throw new IllegalArgumentException("plane " + w + "x" + h + " is smaller than the SSIM window");
        }
        double c1 = (K1 * dataRange) * (K1 * dataRange);
        double c2 = (K2 * dataRange) * (K2 * dataRange);
        int n = w * h;
        double[] xx = new double[n], yy = new double[n], xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        int ow = w - WINDOW + 1, oh = h - WINDOW + 1;
        double[] mx = filterValid(x, w, h), my = filterValid(y, w, h);
        double[] sxx = filterValid(xx, w, h), syy = filterValid(yy, w, h), sxy = filterValid(xy, w, h);
        double ssimSum = 0, csSum = 0;
        for (int i = 0; i < ow * oh; i++) {
            double mux = mx[i], muy = my[i];
            double vx = sxx[i] - mux * mux, vy = syy[i] - muy * muy, cxy = sxy[i] - mux * muy;
            double cs = (2 * cxy + c2) / (vx + vy + c2);
            csSum += cs;
            ssimSum += (2 * mux * muy + c1) / (mux * mux + muy * muy + c1) * cs;
        }
        return new double[] {ssimSum / (ow * oh), csSum / (ow * oh)};
    }

    /** Separable Gaussian filter without padding: output (w-10) x (h-10). */
    static double[] filterValid(double[] in, int w, int h) {
        int ow = w - WINDOW + 1, oh = h - WINDOW + 1;
        double[] rows = new double[ow * h];
        for (int y = 0; y < h; y++) {
            int base = y * w;
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) s += KERNEL[k] * in[base + x + k];
                rows[y * ow + x] = s;
            }
        }
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int k = 0; k < WINDOW; k++) {
                double g = KERNEL[k];
                int base = (y + k) * ow;
                int o = y * ow;
                for (int x = 0; x < ow; x++) out[o + x] += g * rows[base + x];
            }
        }
        return out;
    }

    /** 2x2 average; an odd last row/column is first repeated (symmetric padding). */
    static double[] downsample(double[] in, int w, int h) {
        int nw = (w + 1) / 2, nh = (h + 1) / 2;
        double[] out = new double[nw * nh];
        for (int y = 0; y < nh; y++) {
            int y0 = 2 * y, y1 = Math.min(2 * y + 1, h - 1);
            for (int x = 0; x < nw; x++) {
                int x0 = 2 * x, x1 = Math.min(2 * x + 1, w - 1);
                out[y * nw + x] = 0.25 * (in[y0 * w + x0] + in[y0 * w + x1] + in[y1 * w + x0] + in[y1 * w + x1]);
            }
        }
        return out;
    }

    static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        double sum = 0;
        int r = size / 2;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-((i - r) * (i - r)) / (2 * sigma * sigma));
            sum += g[i];
        }
        for (int i = 0; i < size; i++) g[i] /= sum;
        return g;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static void check(ImageChannels a, ImageChannels b, double dataRange, int minSide) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new UserInputException("SSIM compares images of the same size, but got " + a.width() + "x"
                    + a.height() + " and " + b.width() + "x" + b.height() + ". Resize or crop them to one size.");
        }
        if (a.channelCount() != b.channelCount()) {
            throw new UserInputException("SSIM compares images of the same type, but one has " + a.channelCount()
                    + " channel(s) and the other " + b.channelCount() + ". Convert both to RGB or both to grey.");
        }
        if (!(dataRange > 0) || !Double.isFinite(dataRange)) {
            throw new UserInputException("The data range for SSIM must be a positive number, not " + dataRange
                    + " (the images may be constant: give data_range explicitly, e.g. 255 for 8-bit).");
        }
        if (Math.min(a.width(), a.height()) < minSide) {
            throw new UserInputException((minSide == WINDOW ? "SSIM" : "MS-SSIM (5 scales, 11 px window)")
                    + " needs images of at least " + minSide + " px on each side; these are " + a.width() + "x"
                    + a.height() + ". Use larger images" + (minSide == WINDOW ? "." : ", or compare them with SSIM."));
        }
    }
}
