package org.medsynth.spark.jobs;

import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.SegmentationClasses;
import org.medsynth.nn.layers.Norm;
import org.medsynth.spark.ConsoleProgress;
import org.medsynth.spark.Csv;
import org.medsynth.spark.Driver;
import org.medsynth.spark.Item;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.Outcome;
import org.medsynth.spark.SparkJob;
import org.medsynth.spark.Storage;
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;
import org.medsynth.workflow.SegmentationEvaluation;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.hybrid.SyntheticMix;
import org.medsynth.workflow.hybrid.SyntheticTrainingData;
import org.medsynth.workflow.segment.Segmenter;
import org.medsynth.workflow.segment.SegmenterModel;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.medsynth.workflow.segment.SegmenterTraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Training runs over a grid of Train Segmenter settings, one run per task: every key given as a comma-separated list
 * ({@code network=unet,mlu-net seed=1,2,3 fake_ratio=0,1}) is an axis of the grid. A run trains with the trainer the
 * Train Segmenter command uses (the same settings from the same keys), then, with a test set, segments it (Segmenter,
 * as the Segment command) and scores it (SegmentationEvaluation, as Evaluate Segmentation). Each run writes
 * {@code runs/<name>/} (model.zip with its curves and validation table, predictions/, evaluation/, result.csv), which
 * appears only when the run is complete; the driver writes {@code sweep-results.csv} (one row per run) and
 * {@code sweep-summary.csv} (per setting without the seed: mean, sd, min and max over the seeds).
 */
public final class SweepJob extends SparkJob {
    private static final long serialVersionUID = 1L;

    /** Train Segmenter's keys and defaults (TrainSegmenterCommand), in its order. */
    static final Map<String, String> TRAIN_DEFAULTS = new LinkedHashMap<>();

    static {
        String[] kv = {"network", "mlu-net", "classes", "3", "iterations", "3000", "patch", "256", "batch", "0", "learning_rate", "1e-4",
                "seed", "1", "validation", "0.2", "init", "", "width", "64", "depth", "3", "norm", "batch", "normalization", "zscore",
                "window", "none", "window_low", "", "window_high", "", "clip_low", "0.5", "clip_high", "99.5", "resize", "0",
                "rare_share", String.valueOf(1.0 / 3), "augment", "flips+rotations", "validate_every", "0", "checkpoint_every", "100",
                "replace_nan", "false", "augment_with", "", "fake_ratio", "0", "synthetic_only", "false", "edit_label", "0"};
        for (int i = 0; i < kv.length; i += 2) TRAIN_DEFAULTS.put(kv[i], kv[i + 1]);
    }

    /** Keys that are paths and never axes. */
    private static final List<String> NOT_AXES = List.of("images", "labels", "init", "augment_with", "test_images", "test_labels", "output");

    private List<String> axes;

    @Override public String name() { return "sweep"; }

    @Override public String unit() { return "runs"; }

    @Override
    public Map<String, String> keys() {
        Map<String, String> k = keyList(
                "images", "folder of training images (as Train Segmenter)",
                "labels", "folder of their label maps (same names)",
                "test_images", "optional folder of test images: each run segments them and is scored on test_labels",
                "test_labels", "label maps of the test images (same names)",
                "tile", "tile size for segmenting the test images (empty = the training patch)",
                "overlap", "tile overlap for the test images (default 0.5)",
                "output", "folder for runs/<run>/ and the tables");
        for (Map.Entry<String, String> e : TRAIN_DEFAULTS.entrySet()) {
            k.put(e.getKey(), "Train Segmenter's " + e.getKey() + (e.getValue().isEmpty() ? "" : " (default " + e.getValue() + ")")
                    + "; a comma-separated list makes it an axis of the grid");
        }
        return k;
    }

    @Override
    public List<String> outputKeys() {
        List<String> k = new ArrayList<>(List.of("images", "labels", "test_images", "test_labels", "tile", "overlap"));
        for (String key : TRAIN_DEFAULTS.keySet()) if (!key.equals("seed") && !key.equals("network")) k.add(key);
        // network and seed are usually axes: a run's folder name says which; other grids give other folder names
        k.removeIf(key -> args.get(key, "").contains(","));
        return k;
    }

    @Override
    public List<Item> plan(Driver d) {
        for (String k : List.of("images", "labels")) args.required(k, k.equals("images") ? "the folder of training images" : "the folder of label maps");
        if (args.has("test_images") != args.has("test_labels")) throw new UserInputException("Give both test_images and test_labels, or neither.");
        for (String k : List.of("images", "labels", "test_images", "test_labels", "augment_with", "init")) {
            if (args.has(k) && !Storage.isLocal(args.get(k, null)) && (k.equals("augment_with") || k.equals("init"))) {
                throw new UserInputException(k + " must be a path every executor can read (a shared file system), not " + args.get(k, null) + ".");
            }
            if (args.has(k) && !d.storage().exists(Storage.absolute(args.get(k, null)))) {
                throw new UserInputException(k + "=" + args.get(k, null) + " does not exist.");
            }
        }
        axes = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        for (String k : args.asMap().keySet()) {
            if (TRAIN_DEFAULTS.containsKey(k) && !NOT_AXES.contains(k) && args.get(k, "").contains(",")) {
                axes.add(k);
                List<String> v = new ArrayList<>();
                for (String s : args.get(k, "").split(",")) if (!s.isBlank()) v.add(s.strip());
                values.add(v);
            }
        }
        List<Map<String, String>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        for (int a = 0; a < axes.size(); a++) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> g : grid) {
                for (String v : values.get(a)) {
                    Map<String, String> m = new LinkedHashMap<>(g);
                    m.put(axes.get(a), v);
                    next.add(m);
                }
            }
            grid = next;
        }
        List<Item> items = new ArrayList<>();
        for (Map<String, String> point : grid) {
            String name = runName(point);
            // check every run's settings now, not after an hour of other runs
            settings(resolved(point), Path.of("model.zip"));
            items.add(new Item(items.size(), name, List.of(), List.of("runs/" + name), point));
        }
        d.log("sweep: " + items.size() + " runs" + (axes.isEmpty() ? "" : " over " + String.join(" x ", axes)));
        return items;
    }

    static String runName(Map<String, String> point) {
        if (point.isEmpty()) return "run";
        List<String> parts = new ArrayList<>();
        point.forEach((k, v) -> parts.add(k + "-" + v.replaceAll("[^A-Za-z0-9.+-]", "-")));
        return String.join("_", parts);
    }

    /** Every Train Segmenter key of a run: the grid point's values over the job's keys over the defaults. */
    private Map<String, String> resolved(Map<String, String> point) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : TRAIN_DEFAULTS.entrySet()) m.put(e.getKey(), args.get(e.getKey(), e.getValue()));
        m.putAll(point);
        return m;
    }

    private static double num(Map<String, String> m, String k) {
        try {
            return Double.parseDouble(m.get(k).strip());
        } catch (NumberFormatException e) {
            throw new UserInputException(k + " must be a number, not '" + m.get(k) + "'.");
        }
    }

    private static int integer(Map<String, String> m, String k) {
        double v = num(m, k);
        if (v != Math.rint(v)) throw new UserInputException(k + " must be a whole number, not '" + m.get(k) + "'.");
        return (int) v;
    }

    /** The settings TrainSegmenterCommand builds from the same keys. */
    static SegmenterSettings settings(Map<String, String> m, Path model) {
        String network = m.get("network");
        int classes = integer(m, "classes");
        int[] p = SegmenterSettings.parsePatch(m.get("patch"));
        IntensityWindow w = IntensityWindow.fromOptions(m.get("window"), m.get("window_low"), m.get("window_high"));
        Normalization norm = Normalization.fromKey(m.get("normalization"));
        int resize = integer(m, "resize");
        PreprocessingSpec pre = SegmenterSettings.trainingPreprocessing(w, num(m, "clip_low"), num(m, "clip_high"), norm, resize);
        int batch = integer(m, "batch");
        String init = m.get("init");
        return new SegmenterSettings(network, integer(m, "width"), integer(m, "depth"), Norm.parse(m.get("norm")), classes, p,
                SegmenterSettings.batchOrDefault(batch, network), integer(m, "iterations"), num(m, "learning_rate"),
                SegmenterSettings.DEFAULT_DECAY_AT, SegmenterSettings.DEFAULT_DECAY_FACTOR,
                Long.parseLong(m.get("seed").strip()), num(m, "validation"), integer(m, "validate_every"), num(m, "rare_share"),
                !"none".equalsIgnoreCase(m.get("augment")), pre, integer(m, "checkpoint_every"),
                init == null || init.isBlank() ? null : Storage.localPath(Storage.absolute(init)));
    }

    @Override
    public Outcome process(Item item, Work work) throws IOException {
        Map<String, String> m = resolved(item.params());
        String name = item.id();
        Path runDir = work.output("runs/" + name + "/model.zip").getParent();
        Path model = runDir.resolve("model.zip");
        SegmenterSettings s = settings(m, model);
        Path images = work.localFolder(Storage.absolute(args.get("images", null)));
        Path labels = work.localFolder(Storage.absolute(args.get("labels", null)));
        SyntheticMix mix = new SyntheticMix(integer(m, "fake_ratio"), Boolean.parseBoolean(m.get("synthetic_only")));
        List<String> notes = new ArrayList<>();
        String augmentWith = m.get("augment_with");
        SyntheticTrainingData aug = SyntheticTrainingData.of(augmentWith == null || augmentWith.isBlank() ? null
                        : Storage.localPath(Storage.absolute(augmentWith)), mix, model, s.classes(),
                SyntheticTrainingData.generation(integer(m, "edit_label"), s.seed()), notes);
        Progress progress = new ConsoleProgress("sweep " + name, 30);
        long t0 = System.nanoTime();
        boolean replaceNan = Boolean.parseBoolean(m.get("replace_nan"));
        SegmenterTraining.Result r = SegmenterTraining.run(s, images, labels, aug, model, false, replaceNan, progress);
        double trainSec = (System.nanoTime() - t0) / 1e9;
        notes.addAll(r.notes());
        if (aug != null) notes.addAll(aug.notes());

        Map<String, String> v = new LinkedHashMap<>();
        v.put("run", name);
        for (String a : axes) v.put(a, m.get(a));
        if (!axes.contains("seed")) v.put("seed", m.get("seed"));
        v.put("steps", String.valueOf(r.completedSteps()));
        v.put("validation Dice", plain(r.validation().size() == 0 ? Double.NaN : r.bestDice()));
        v.put("best step", String.valueOf(r.validation().size() == 0 ? r.completedSteps() : r.bestStep()));
        v.put("final loss", plain(r.losses().values("loss").isEmpty() ? Double.NaN : r.losses().recentMean("loss", 10)));
        SegmenterModel sm = SegmenterModel.load(model, "the sweep job");
        v.put("parameters", String.valueOf(sm.segmentationParameters()));
        v.put("training parameters", String.valueOf(sm.parameterCount()));
        v.put("training s", String.format(Locale.ROOT, "%.1f", trainSec));
        if (args.has("test_images")) test(sm, work, runDir, s.classes(), v);
        v.put("model", Storage.resolve(output(), "runs/" + name + "/model.zip"));
        Csv one = new Csv(new ArrayList<>(v.keySet()));
        one.row(new ArrayList<>(v.values()));
        Files.writeString(runDir.resolve("result.csv"), one.text());
        if (!notes.isEmpty()) Files.write(runDir.resolve("notes.txt"), notes);
        return Outcome.written(String.format(Locale.ROOT, "%d steps in %.0f s%s", r.completedSteps(), trainSec,
                v.containsKey("Dice mean") ? ", test Dice mean " + v.get("Dice mean") : ""), v);
    }

    /** Segments the test images (Segment's folder mode) and scores them (Evaluate Segmentation), as the comparison macro. */
    private void test(SegmenterModel sm, Work work, Path runDir, int classes, Map<String, String> v) {
        Path testImages = work.localFolder(Storage.absolute(args.get("test_images", null)));
        Path testLabels = work.localFolder(Storage.absolute(args.get("test_labels", null)));
        String t = args.get("tile", "");
        int[] tile = t.isBlank() ? null : SegmentJob.tileSize(t, sm.network().spatialDims());
        Path predictions = runDir.resolve("predictions");
        long t0 = System.nanoTime();
        List<Segmenter.Outcome> outcomes = new Segmenter(sm).replacingNonFinite(Boolean.parseBoolean(resolved(Map.of()).get("replace_nan"))).segmentFolder(testImages, predictions, tile, args.getDouble("overlap", 0.5), false,
                Progress.NONE);
        v.put("segmentation s", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        for (Segmenter.Outcome o : outcomes) {
            if (!o.written() && !o.detail().equals("skipped: not an image file")) {
                throw new UserInputException("Segmenting the test image " + o.file() + " failed: " + o.detail());
            }
        }
        StringBuilder spec = new StringBuilder();
        for (int c = 1; c < classes; c++) spec.append(c == 1 ? "" : ",").append(c);
        SegmentationEvaluation.Report report = new SegmentationEvaluation(SegmentationClasses.parse(spec.toString()))
                .run(SegmentationEvaluation.Source.of(predictions), SegmentationEvaluation.Source.of(testLabels), null, null, Progress.NONE);
        report.save(runDir.resolve("evaluation"));
        // per class: mean Dice over the test cases that contain the class (a class absent from truth and prediction
        // has Dice 1 by convention and would inflate the mean), and Dice pooled over all voxels
        double sumOfMeans = 0;
        int n = 0;
        int cases = 0;
        for (int c = 1; c < classes; c++) {
            String cls = "label " + c;
            double s = 0;
            int k = 0;
            ConfusionCounts pooled = new ConfusionCounts(0, 0, 0, 0);
            for (SegmentationEvaluation.ImageRow row : report.rows()) {
                if (!row.className().equals(cls)) continue;
                pooled = pooled.add(row.counts());
                if (row.counts().tp() + row.counts().fn() > 0) {
                    s += row.counts().dice();
                    k++;
                }
            }
            double mean = k == 0 ? Double.NaN : s / k;
            v.put("Dice " + c, plain(mean));
            v.put("Dice " + c + " pooled", plain(pooled.dice()));
            v.put("cases with " + c, String.valueOf(k));
            if (!Double.isNaN(mean)) {
                sumOfMeans += mean;
                n++;
            }
        }
        for (SegmentationEvaluation.ImageRow row : report.rows()) if (row.className().equals("label 1")) cases++;
        v.put("Dice mean", plain(n == 0 ? Double.NaN : sumOfMeans / n));
        v.put("test cases", String.valueOf(cases));
    }


    @Override
    public void finish(Driver d, List<ItemResult> results) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (ItemResult r : results) {
            Map<String, String> v;
            if (r.status().equals(ItemResult.WRITTEN)) {
                v = new LinkedHashMap<>(r.values());
            } else if (r.status().equals(ItemResult.COMPLETE)) {
                List<List<String>> csv = Csv.parse(d.storage().readString(Storage.resolve(output(), "runs/" + r.item() + "/result.csv")));
                v = new LinkedHashMap<>();
                for (int i = 0; i < csv.get(0).size(); i++) v.put(csv.get(0).get(i), csv.get(1).get(i));
            } else {
                v = new LinkedHashMap<>();
                v.put("run", r.item());
            }
            v.put("status", r.status().equals(ItemResult.FAILED) ? "failed: " + r.detail() : r.status());
            rows.add(v);
        }
        List<String> columns = new ArrayList<>();
        for (Map<String, String> v : rows) for (String k : v.keySet()) if (!columns.contains(k)) columns.add(k);
        // status after the axes
        columns.remove("status");
        columns.add(1 + axes.size(), "status");
        Csv table = new Csv(columns);
        for (Map<String, String> v : rows) {
            List<String> r = new ArrayList<>();
            for (String c : columns) r.add(v.getOrDefault(c, ""));
            table.row(r);
        }
        d.storage().writeString(Storage.resolve(output(), "sweep-results.csv"), table.text(), d.tmp());
        Csv summary = summary(rows, axes, columns);
        d.storage().writeString(Storage.resolve(output(), "sweep-summary.csv"), summary.text(), d.tmp());
        d.log("sweep: " + rows.size() + " runs -> " + Storage.resolve(output(), "sweep-results.csv") + ", sweep-summary.csv");
        for (String line : markdown(summary).split("\n")) d.log(line);
    }

    /** Per setting without the seed: runs, seeds, and mean, sd (n - 1), min, max of every metric over the seeds. */
    static Csv summary(List<Map<String, String>> rows, List<String> axes, List<String> columns) {
        List<String> group = new ArrayList<>(axes);
        group.remove("seed");
        List<String> metrics = new ArrayList<>();
        for (String c : columns) {
            if (c.startsWith("Dice") || c.equals("validation Dice") || c.equals("training s") || c.equals("segmentation s")) metrics.add(c);
        }
        List<String> header = new ArrayList<>(group);
        header.add("runs");
        header.add("seeds");
        for (String mtr : metrics) for (String st : new String[]{"mean", "sd", "min", "max"}) header.add(mtr + " " + st);
        Map<String, List<Map<String, String>>> groups = new TreeMap<>();
        Map<String, Map<String, String>> keys = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            if (!r.getOrDefault("status", "").equals(ItemResult.WRITTEN) && !r.getOrDefault("status", "").equals(ItemResult.COMPLETE)) continue;
            StringBuilder k = new StringBuilder();
            Map<String, String> gv = new LinkedHashMap<>();
            for (String g : group) {
                k.append(g).append('=').append(r.get(g)).append(';');
                gv.put(g, r.get(g));
            }
            groups.computeIfAbsent(k.toString(), x -> new ArrayList<>()).add(r);
            keys.putIfAbsent(k.toString(), gv);
        }
        Csv csv = new Csv(header);
        for (String k : keys.keySet()) {
            List<Map<String, String>> g = groups.get(k);
            List<Object> row = new ArrayList<>(keys.get(k).values());
            row.add(g.size());
            List<String> seeds = new ArrayList<>();
            for (Map<String, String> r : g) seeds.add(r.getOrDefault("seed", ""));
            row.add(String.join(" ", seeds));
            for (String mtr : metrics) {
                double[] x = g.stream().mapToDouble(r -> parse(r.get(mtr))).filter(dd -> !Double.isNaN(dd)).toArray();
                double mean = java.util.Arrays.stream(x).average().orElse(Double.NaN);
                double sd = Double.NaN;
                if (x.length > 1) {
                    double ss = 0;
                    for (double xi : x) ss += (xi - mean) * (xi - mean);
                    sd = Math.sqrt(ss / (x.length - 1));
                }
                row.add(round(mean));
                row.add(round(sd));
                row.add(round(java.util.Arrays.stream(x).min().orElse(Double.NaN)));
                row.add(round(java.util.Arrays.stream(x).max().orElse(Double.NaN)));
            }
            csv.row(row);
        }
        return csv;
    }

    private static double parse(String s) {
        if (s == null || s.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String round(double v) {
        return plain(v, 4);
    }

    /** A number with at most {@code decimals} decimals, without exponent and trailing zeros ("NaN" for NaN). */
    static String plain(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return String.valueOf(v);
        return new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static String plain(double v) {
        return plain(v, 6);
    }

    /** The summary as a markdown table: the setting, the seeds, and "mean ± sd" of the Dice values and times. */
    static String markdown(Csv csv) {
        List<List<String>> rows = Csv.parse(csv.text());
        List<String> head = rows.get(0);
        List<Integer> plain = new ArrayList<>();
        List<Integer> means = new ArrayList<>();
        for (int i = 0; i < head.size(); i++) {
            String h = head.get(i);
            final int col = i;
            boolean allNaN = rows.size() > 1 && rows.subList(1, rows.size()).stream().allMatch(r -> r.get(col).equals("NaN"));
            if (allNaN) continue; // e.g. validation Dice without validation
            if (h.endsWith(" mean") && !h.contains("pooled") && !h.startsWith("segmentation")) means.add(i);
            else if (!h.endsWith(" sd") && !h.endsWith(" min") && !h.endsWith(" max") && !h.endsWith(" mean")) plain.add(i);
        }
        StringBuilder sb = new StringBuilder("|");
        for (int i : plain) sb.append(' ').append(head.get(i)).append(" |");
        for (int i : means) sb.append(' ').append(head.get(i), 0, head.get(i).length() - 5).append(" (mean ± sd) |");
        sb.append("\n|").append("---|".repeat(plain.size() + means.size())).append('\n');
        for (List<String> r : rows.subList(1, rows.size())) {
            sb.append('|');
            for (int i : plain) sb.append(' ').append(r.get(i)).append(" |");
            for (int i : means) sb.append(' ').append(r.get(i)).append(" ± ").append(r.get(i + 1)).append(" |");
            sb.append('\n');
        }
        return sb.toString();
    }
}
