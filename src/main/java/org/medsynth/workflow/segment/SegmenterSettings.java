package org.medsynth.workflow.segment;

import org.medsynth.image.preprocess.CropPlacement;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.core.UserInputException;
import org.medsynth.util.RecordMaps;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a segmenter training ({@link SegmenterTraining}); immutable, checked when built.
 * Defaults follow the paper where it says something:
 * <ul>
 *   <li>Adam, learning rate 1e-4 (betas 0.9, 0.999), divided by 10 after half of the iterations
 *       (the paper: 1e-4, reduced to 1e-5 after 1500 of 3000 batches);</li>
 *   <li>three down-samplings, 64 feature maps at the first level;</li>
 *   <li>batch size 1 (the paper's), 2 for the mutual-information networks by default so that every
 *       batch holds a negative pair without an extra image (batch 1 works too);</li>
 *   <li>preprocessing: clipping at the 0.5/99.5 percentiles, z-score.</li>
 * </ul>
 * Not from the paper: 1/3 of the patches contain the rarest label (nnU-Net's foreground
 * oversampling), flips and 90-degree rotations, validation on 20% of the cases.
 */
public record SegmenterSettings(String network, int width, int depth, Norm norm, int classes, int[] patch, int batch,
                                int iterations, double learningRate, double decayAt, double decayFactor, long seed,
                                double validation, int validateEvery, double rareShare, boolean augment,
                                PreprocessingSpec preprocessing, int checkpointEvery, Path init) {

    public SegmenterSettings {
        String n = network == null ? "" : network.trim().toLowerCase(Locale.ROOT);
        if (SegmentationNetworkFamily.find(n).isEmpty()) {
            throw new UserInputException("Unknown network '" + network + "'. Use one of " + SegmentationNetworkFamily.names() + ".");
        }
        network = n;
        if (width < 1 || width > 1024) throw new UserInputException("The width (feature maps of the first level) must be 1..1024, not " + width + ".");
        if (depth < 1 || depth > 6) throw new UserInputException("The depth (number of down-samplings) must be 1..6, not " + depth + ".");
        if (norm == null) norm = Norm.BATCH;
        if (classes < 2 || classes > 65535) {
            throw new UserInputException("The number of classes (background included) must be at least 2, not " + classes + ".");
        }
        if (patch == null || (patch.length != 2 && patch.length != 3)) {
            throw new UserInputException("The patch size must be one number (square 2D patch), WxH (2D) or WxHxD (3D), e.g. 128 or 96x96x32.");
        }
        int multiple = 1 << depth;
        for (int p : patch) {
            if (p < multiple || p % multiple != 0) {
                throw new UserInputException("Patch size " + format(patch) + ": every side must be a multiple of " + multiple
                        + " (2^depth, depth " + depth + "). Try " + suggest(patch, multiple) + ".");
            }
        }
        patch = patch.clone();
        if (batch < 1 || batch > 1024) throw new UserInputException("The batch size must be 1..1024, not " + batch + ".");
        if (iterations < 1) throw new UserInputException("The number of iterations must be at least 1, not " + iterations + ".");
        if (!(learningRate > 0 && learningRate < 1)) throw new UserInputException("The learning rate must be between 0 and 1, not " + learningRate + ".");
        if (!(decayAt >= 0 && decayAt <= 1)) throw new UserInputException("The decay point must be a fraction of the iterations in 0..1, not " + decayAt + ".");
        if (!(decayFactor > 0 && decayFactor <= 1)) throw new UserInputException("The decay factor must be in (0, 1], not " + decayFactor + ".");
        if (!(validation >= 0 && validation <= 0.9)) {
            throw new UserInputException("The validation share must be between 0 (no validation) and 0.9, not " + validation + ".");
        }
        if (validateEvery < 0) throw new UserInputException("validate_every must be >= 0 (0 = once per epoch).");
        if (!(rareShare >= 0 && rareShare <= 1)) throw new UserInputException("The rare-class share must be in 0..1, not " + rareShare + ".");
        if (preprocessing == null) preprocessing = paperPreprocessing();
        if (checkpointEvery < 1) throw new UserInputException("checkpoint_every must be at least 1, not " + checkpointEvery + ".");
    }

    /** Clipping at 0.5 / 99.5 percent and z-score, no resize, no crop. */
    public static PreprocessingSpec paperPreprocessing() {
        return new PreprocessingSpec(0.5, 99.5, Normalization.ZSCORE, 0, 0, 0, 0, CropPlacement.CENTER_OF_MASS);
    }

    /** The paper's defaults for a network, number of classes and patch size. */
    public static SegmenterSettings defaults(String network, int classes, int[] patch) {
        return new SegmenterSettings(network, 64, 3, Norm.BATCH, classes, patch, defaultBatch(network), 3000, 1e-4, DEFAULT_DECAY_AT,
                DEFAULT_DECAY_FACTOR, 1, 0.2, 0, 1.0 / 3, true, null, 100, null);
    }

    /**
     * Train Segmenter's intensity preprocessing: a window (calibrated values, HU for CT) replaces the percentile
     * clipping; every slice resized to {@code resize} x {@code resize} (0 = kept); no crop.
     */
    public static PreprocessingSpec trainingPreprocessing(IntensityWindow window, double clipLow, double clipHigh,
                                                          Normalization normalization, int resize) {
        return window == null
                ? new PreprocessingSpec(clipLow, clipHigh, normalization, resize, resize, 0, 0, CropPlacement.CENTER_OF_MASS)
                : new PreprocessingSpec(0, 100, normalization, resize, resize, 0, 0, CropPlacement.CENTER_OF_MASS, window);
    }

    /** The learning-rate step: at half of the iterations, divided by 10 (the paper: 1e-4, then 1e-5). */
    public static final double DEFAULT_DECAY_AT = 0.5, DEFAULT_DECAY_FACTOR = 0.1;

    /** {@code requested} patches per step, or for 0 the network's {@link #defaultBatch}. */
    public static int batchOrDefault(int requested, String network) {
        return requested == 0 ? defaultBatch(network) : requested;
    }

    /** The default batch: 1 (the paper's), 2 for the mutual-information networks (a negative pair in every batch). */
    public static int defaultBatch(String network) {
        return SegmentationNetworkFamily.find(network).filter(SegmentationNetworkFamily::mutualInformation).isPresent() ? 2 : 1;
    }

    /** Parses "128" (square 2D), "128x96" (2D) or "96x96x32" (3D); also accepts commas or spaces. */
    public static int[] parsePatch(String s) {
        String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        String[] parts = t.split("[x,;\\s]+");
        try {
            int[] p = Arrays.stream(parts).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
            if (p.length == 1) return new int[]{p[0], p[0]};
            if (p.length == 2 || p.length == 3) return p;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UserInputException("The patch size '" + s + "' is not understood. Give one number (square 2D patch, e.g. 128), "
                + "WxH (e.g. 128x96) or WxHxD for 3D (e.g. 96x96x32).");
    }

    public static String format(int[] p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.length; i++) sb.append(i == 0 ? "" : "x").append(p[i]);
        return sb.toString();
    }

    private static String suggest(int[] p, int m) {
        int[] q = new int[p.length];
        for (int i = 0; i < p.length; i++) q[i] = Math.max(m, Math.round((float) p[i] / m) * m);
        return format(q);
    }

    public boolean volumetric() {
        return patch.length == 3;
    }

    /** The learning rate of (0-based) step {@code step}: step decay by {@code decayFactor} at {@code decayAt * iterations}. */
    public double learningRateAt(int step) {
        return step >= Math.round(decayAt * iterations) ? learningRate * decayFactor : learningRate;
    }

    public SegmenterSettings withWidth(int w) { return with("width", w); }
    public SegmenterSettings withDepth(int d) { return with("depth", d); }
    public SegmenterSettings withNorm(Norm n) { return new SegmenterSettings(network, width, depth, n, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, validation, validateEvery, rareShare, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withBatch(int b) { return with("batch", b); }
    public SegmenterSettings withIterations(int i) { return with("iterations", i); }
    public SegmenterSettings withLearningRate(double lr) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, lr, decayAt, decayFactor, seed, validation, validateEvery, rareShare, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withDecay(double at, double factor) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, at, factor, seed, validation, validateEvery, rareShare, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withSeed(long s) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, s, validation, validateEvery, rareShare, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withValidation(double v, int every) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, v, every, rareShare, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withRareShare(double r) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, validation, validateEvery, r, augment, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withAugment(boolean a) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, validation, validateEvery, rareShare, a, preprocessing, checkpointEvery, init); }
    public SegmenterSettings withPreprocessing(PreprocessingSpec p) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, validation, validateEvery, rareShare, augment, p, checkpointEvery, init); }
    public SegmenterSettings withCheckpointEvery(int c) { return with("checkpointEvery", c); }
    public SegmenterSettings withInit(Path p) { return new SegmenterSettings(network, width, depth, norm, classes, patch, batch, iterations, learningRate, decayAt, decayFactor, seed, validation, validateEvery, rareShare, augment, preprocessing, checkpointEvery, p); }

    private SegmenterSettings with(String key, int v) {
        return new SegmenterSettings(network, key.equals("width") ? v : width, key.equals("depth") ? v : depth, norm, classes, patch,
                key.equals("batch") ? v : batch, key.equals("iterations") ? v : iterations, learningRate, decayAt, decayFactor, seed,
                validation, validateEvery, rareShare, augment, preprocessing, key.equals("checkpointEvery") ? v : checkpointEvery, init);
    }

    /**
     * As a JSON-friendly map (stored in the model's training information): the components but the preprocessing
     * (stored as the model's normalisation) and the checkpoint interval, the patch as written by the user
     * ({@code 96x96x32}) and no initial model as "".
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = RecordMaps.toMap(this);
        m.remove("preprocessing");
        m.remove("checkpointEvery");
        m.put("patch", format(patch));
        m.put("init", init == null ? "" : init.toString());
        return m;
    }
}
