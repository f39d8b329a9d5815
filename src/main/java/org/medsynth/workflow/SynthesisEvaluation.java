package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import org.medsynth.metrics.FeatureExtractor;
import org.medsynth.metrics.FrechetDistance;
import org.medsynth.metrics.ImageChannels;
import org.medsynth.metrics.KernelInceptionDistance;
import org.medsynth.metrics.SlicedWasserstein;
import org.medsynth.metrics.StructuralSimilarity;
import org.medsynth.util.CsvFiles;
import org.medsynth.util.Outputs;
import org.medsynth.util.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The synthesis metrics of SkrGAN's Table 1 between a set of real and a set of generated images:
 * SWD (PGGAN's sliced Wasserstein distance, per pyramid level and mean, x1e3), MS-SSIM (real vs
 * generated pairs, and the diversity among generated and among real pairs), FID and KID
 * (with a feature network, normally InceptionV3).
 * <p>
 * Real vs generated pairs: when every generated image has a real image of the same name, those
 * pairs; otherwise {@code pairs} random pairs. Diversity: {@code pairs} random pairs of two
 * different images of one set (lower = more diverse). All random choices follow {@code seed}.
 */
public final class SynthesisEvaluation {

    public enum Metric { SWD, MS_SSIM, FID, KID }

    /**
     * @param dataRange the L of SSIM's constants and the 0-255 scaling of non-8-bit images for the
     *                  feature network; 0 = automatic (255 for 8-bit and RGB images, else the
     *                  value range of each pair / image)
     * @param featuresOptional when the feature network cannot be opened (e.g. no InceptionV3
     *                  file configured), report FID/KID as skipped instead of failing (used for
     *                  metrics=all)
     */
    public record Options(Set<Metric> metrics, long seed, int pairs, double dataRange, int kidSubsets, int kidSubsetSize,
                          boolean featuresOptional) {
        public static Options defaults(Set<Metric> metrics) {
            return new Options(metrics, 0, 100, 0, KernelInceptionDistance.DEFAULT_SUBSETS,
                    KernelInceptionDistance.DEFAULT_SUBSET_SIZE, false);
        }
    }

    /**
     * One line of the result table. {@code n}: the number of values averaged (pairs for MS-SSIM,
     * subsets for KID) or, for SWD and FID, the number of generated images; {@code sd} is NaN
     * where it does not apply.
     */
    public record Row(String metric, double value, double sd, int n, String note) { }

    /** True for metrics=all (or empty): every metric, FID/KID only when a feature network is configured. */
    public static boolean isAll(String spec) {
        return spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("all");
    }

    /**
     * Parses the 'metrics' key: "all" or a comma list of SWD, MS-SSIM, FID, KID (case and
     * separators are free).
     */
    public static Set<Metric> parseMetrics(String spec) {
        String s = spec == null ? "" : spec.trim().toUpperCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("ALL")) return EnumSet.allOf(Metric.class);
        Set<Metric> out = EnumSet.noneOf(Metric.class);
        for (String part : s.split("[,;\\s]+")) {
            switch (part.replace("-", "").replace("_", "")) {
                case "SWD": out.add(Metric.SWD); break;
                case "MSSSIM": out.add(Metric.MS_SSIM); break;
                case "FID": out.add(Metric.FID); break;
                case "KID": out.add(Metric.KID); break;
                case "": break;
                default:
                    throw new UserInputException("Unknown metric '" + part + "' in metrics=" + spec
                            + ". Use all, or a list of SWD, MS-SSIM, FID, KID (e.g. metrics=SWD,MS-SSIM).");
            }
        }
        if (out.isEmpty()) throw new UserInputException("metrics=" + spec + " names no metric. Use e.g. metrics=all.");
        return out;
    }

    private final Options options;
    private final Supplier<FeatureExtractor> features;

    /**
     * @param features opens the feature network for FID/KID (called only when they are asked
     *                 for); its failure (e.g. no InceptionV3 file) stops the run with its message
     */
    public SynthesisEvaluation(Options options, Supplier<FeatureExtractor> features) {
        this.options = options;
        this.features = features;
    }

    public List<Row> run(ImageSet real, ImageSet generated, Progress progress) {
        if (real.size() == 0 || generated.size() == 0) throw new UserInputException("Both image sets must hold images.");
        Set<Metric> m = options.metrics();
        List<Row> rows = new ArrayList<>();
        boolean needFeatures = m.contains(Metric.FID) || m.contains(Metric.KID);
        FeatureExtractor fx = null;
        if (needFeatures) {
            try {
                fx = features.get();
            } catch (UserInputException e) {
                if (!options.featuresOptional()) throw e;
                String why = "skipped: " + e.getMessage().split("\n")[0] + " (see docs/metrics.md)";
                if (m.contains(Metric.FID)) rows.add(new Row("FID", Double.NaN, Double.NaN, 0, why));
                if (m.contains(Metric.KID)) rows.add(new Row("KID", Double.NaN, Double.NaN, 0, why));
            }
        }
        try {
            SlicedWasserstein swd = null;
            SlicedWasserstein.DescriptorSet swdReal = null, swdGen = null;
            List<float[]> fReal = new ArrayList<>(), fGen = new ArrayList<>();
            int total = real.size() + generated.size();
            boolean msssim = m.contains(Metric.MS_SSIM);
            double passShare = msssim ? 0.7 : 1.0;
            if (m.contains(Metric.SWD) || fx != null) {
                int done = 0;
                for (int s = 0; s < 2; s++) {
                    ImageSet set = s == 0 ? real : generated;
                    List<ImageChannels> batch = new ArrayList<>();
                    for (int i = 0; i < set.size(); i++) {
                        progress.checkCancelled();
                        progress.report(passShare * done++ / total, (s == 0 ? "real " : "generated ") + (i + 1) + "/" + set.size());
                        ImageSet.Item item = set.get(i);
                        if (m.contains(Metric.SWD)) {
                            if (swd == null) {
                                ImageChannels im = item.image();
                                swd = new SlicedWasserstein(im.width(), im.height(), im.channelCount(), options.seed());
                                swdReal = swd.newSet();
                                swdGen = swd.newSet();
                            }
                            (s == 0 ? swdReal : swdGen).add(item.image());
                        }
                        if (fx != null) {
                            batch.add(to255(item));
                            if (batch.size() >= fx.preferredBatchSize() || i == set.size() - 1) {
                                for (float[] f : fx.features(batch)) (s == 0 ? fReal : fGen).add(f);
                                batch.clear();
                            }
                        }
                    }
                }
            }
            if (swd != null) {
                progress.report(passShare, "sliced Wasserstein distance");
                SlicedWasserstein.Result r = swd.distance(swdReal, swdGen);
                int[] crop = swd.cropRegion();
                String note = "PGGAN units (raw x 1000); " + real.size() + " real vs " + generated.size() + " generated images"
                        + (swdCropped(swd) ? "; centre-cropped to " + crop[2] + "x" + crop[3] : "");
                for (int l = 0; l < r.perLevel().length; l++) {
                    rows.add(new Row("SWDx1e3_" + r.resolutions()[l], r.perLevelX1e3()[l], Double.NaN, generated.size(), note));
                }
                rows.add(new Row("SWDx1e3_avg", r.meanX1e3(), Double.NaN, generated.size(), note));
            }
            if (fx != null) {
                float[][] a = fReal.toArray(new float[0][]), b = fGen.toArray(new float[0][]);
                if (m.contains(Metric.FID)) {
                    progress.report(passShare, "Frechet distance");
                    rows.add(new Row("FID", FrechetDistance.of(a, b), Double.NaN, b.length,
                            fx.name() + "; " + a.length + " real vs " + b.length + " generated images"));
                }
                if (m.contains(Metric.KID)) {
                    KernelInceptionDistance.Result k = KernelInceptionDistance.of(a, b, options.kidSubsets(),
                            options.kidSubsetSize(), options.seed());
                    rows.add(new Row("KID", k.mean(), k.sd(), k.subsets(), fx.name() + "; " + k.subsets()
                            + " subsets of " + k.subsetSize() + " (sd over subsets)"));
                }
            }
            if (msssim) {
                rows.addAll(msSsim(real, generated, progress, passShare));
            }
        } finally {
            if (fx != null) fx.close();
        }
        progress.report(1.0, "done");
        return rows;
    }

    private static boolean swdCropped(SlicedWasserstein swd) {
        int[] c = swd.cropRegion();
        return c[2] != swd.width() || c[3] != swd.height();
    }

    private List<Row> msSsim(ImageSet real, ImageSet generated, Progress progress, double start) {
        List<Row> rows = new ArrayList<>();
        Random rnd = new Random(options.seed());
        // real vs generated: pairs by name when every generated image has a namesake
        Map<String, Integer> realByName = new HashMap<>();
        for (int i = 0; i < real.size(); i++) realByName.put(real.name(i), i);
        List<int[]> pairs = new ArrayList<>();
        boolean byName = true;
        for (int j = 0; j < generated.size() && byName; j++) {
            Integer i = realByName.get(generated.name(j));
            if (i == null) byName = false;
            else pairs.add(new int[] {i, j});
        }
        if (!byName) {
            pairs.clear();
            for (int k = 0; k < options.pairs(); k++) pairs.add(new int[] {rnd.nextInt(real.size()), rnd.nextInt(generated.size())});
        }
        double span = (1 - start) / 3;
        rows.add(msRow("MS-SSIM_real_vs_generated", real, generated, pairs, progress, start,
                span, byName ? "pairs matched by name" : "random pairs"));
        for (int s = 0; s < 2; s++) {
            ImageSet set = s == 0 ? generated : real;
            String name = s == 0 ? "MS-SSIM_generated_diversity" : "MS-SSIM_real_diversity";
            if (set.size() < 2) {
                rows.add(new Row(name, Double.NaN, Double.NaN, 0, "needs at least 2 images"));
                continue;
            }
            List<int[]> within = new ArrayList<>();
            for (int k = 0; k < options.pairs(); k++) {
                int i = rnd.nextInt(set.size()), j = rnd.nextInt(set.size() - 1);
                if (j >= i) j++;
                within.add(new int[] {i, j});
            }
            rows.add(msRow(name, set, set, within, progress, start + span * (s + 1), span, "random pairs of different images; lower = more diverse"));
        }
        return rows;
    }

    private Row msRow(String name, ImageSet a, ImageSet b, List<int[]> pairs, Progress progress, double start, double span, String note) {
        double[] v = new double[pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            progress.checkCancelled();
            progress.report(start + span * k / pairs.size(), name + " pair " + (k + 1) + "/" + pairs.size());
            ImageSet.Item x = a.get(pairs.get(k)[0]), y = b.get(pairs.get(k)[1]);
            v[k] = StructuralSimilarity.msSsim(x.image(), y.image(), dataRange(x, y));
        }
        return new Row(name, SegmentationEvaluation.mean(v), SegmentationEvaluation.sd(v), v.length, note);
    }

    private double dataRange(ImageSet.Item x, ImageSet.Item y) {
        if (options.dataRange() > 0) return options.dataRange();
        if (eightBit(x) && eightBit(y)) return 255;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (ImageSet.Item it : new ImageSet.Item[] {x, y}) {
            for (float[] c : it.image().channels()) {
                for (float f : c) {
                    lo = Math.min(lo, f);
                    hi = Math.max(hi, f);
                }
            }
        }
        return hi > lo ? hi - lo : 1;
    }

    private static boolean eightBit(ImageSet.Item it) {
        return it.bitDepth() == 8 || it.bitDepth() == 24;
    }

    /** The image on a 0-255 scale for the feature network. */
    private ImageChannels to255(ImageSet.Item it) {
        if (eightBit(it)) return it.image();
        double lo, scale;
        if (options.dataRange() > 0) {
            lo = 0;
            scale = 255 / options.dataRange();
        } else {
            double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
            for (float[] c : it.image().channels()) {
                for (float f : c) {
                    mn = Math.min(mn, f);
                    mx = Math.max(mx, f);
                }
            }
            lo = mn;
            scale = mx > mn ? 255 / (mx - mn) : 1;
        }
        float[][] out = new float[it.image().channelCount()][];
        for (int c = 0; c < out.length; c++) {
            float[] src = it.image().channels()[c];
            out[c] = new float[src.length];
            for (int i = 0; i < src.length; i++) out[c][i] = (float) ((src[i] - lo) * scale);
        }
        return new ImageChannels(it.image().width(), it.image().height(), out);
    }

    /** The rows as a table: metric, value, sd, n, note (the file synthesis-metrics.csv, and what the command shows). */
    public static Table table(List<Row> rows) {
        Table t = new Table(6, "metric", "value", "sd", "n", "note");
        for (Row r : rows) t.add(r.metric(), r.value(), r.sd(), r.n(), r.note());
        return t;
    }

    /** Writes synthesis-metrics.csv into {@code dir}. */
    public static Path save(List<Row> rows, Path dir) {
        Outputs.folder(dir, "output");
        Path target = dir.resolve("synthesis-metrics.csv");
        CsvFiles.write(table(rows), target);
        return target;
    }
}
