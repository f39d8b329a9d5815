package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import ij.gui.Plot;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.RocCurve;
import org.medsynth.metrics.SegmentationClasses;
import org.medsynth.metrics.SegmentationMetrics;
import org.medsynth.util.AtomicFiles;
import org.medsynth.util.CsvFiles;
import org.medsynth.util.Outputs;
import org.medsynth.util.Table;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores segmentations against ground truth: one image pair, or folders of pairs matched by
 * name. Per image and class: Dice, SEN, specificity, ACC, IoU, AUC (with a probability map) and
 * the counts; per class: mean and sd over images and the pooled values over all pixels of all
 * images (the pooled ROC curve is the one plotted). 2D images and 3D volumes alike; an optional
 * field-of-view mask restricts every metric to the pixels inside it.
 * <p>
 * Folder pairing: a prediction file and a truth file belong together when their base names are
 * equal, or else when the part before the first '_', '-', '.' or space is equal and unique on
 * both sides (DRIVE: 01_test.png, 01_manual1.gif, 01_test_mask.gif). Unpaired files are listed
 * in the report and skipped.
 */
public final class SegmentationEvaluation {

    /** Most probability values kept for the pooled ROC curve (about 200 MB); beyond it pooled AUC is NaN. */
    public static final long POOLED_SCORE_LIMIT = 50_000_000L;

    /** An input: an open image, or a file or folder. */
    public record Source(ImagePlus image, Path path) {
        public static Source of(ImagePlus imp) {
            return new Source(imp, null);
        }

        public static Source of(Path p) {
            return new Source(null, p);
        }

        public boolean isFolder() {
            return path != null && Files.isDirectory(path);
        }

        ImagePlus open() {
            return image != null ? image : ImageFiles.open(path);
        }

        String label() {
            return image != null ? image.getTitle() : path.getFileName().toString();
        }
    }

    /** Metrics of one class in one image. */
    public record ImageRow(String image, String className, ConfusionCounts counts, double auc) { }

    /** Everything one run produced. */
    public record Report(List<ImageRow> rows, List<String> classNames, Map<String, ConfusionCounts> pooled,
                         Map<String, RocCurve> pooledRoc, List<String> skipped, boolean hasProbabilities) {

        /** One row per image and class (segmentation-metrics.csv): image, class, the metrics, TP, FP, TN, FN. */
        public Table perImageTable() {
            Table t = new Table(6, "image", "class", "Dice", "SEN", "SPE", "ACC", "IoU", "AUC", "TP", "FP", "TN", "FN");
            for (ImageRow r : rows) {
                ConfusionCounts k = r.counts();
                double[] m = metricValues(k, r.auc());
                t.add(r.image(), r.className(), m[0], m[1], m[2], m[3], m[4], m[5], k.tp(), k.fp(), k.tn(), k.fn());
            }
            return t;
        }

        /**
         * Per class (segmentation-summary.csv): the metrics' mean and sd over images (NaN values skipped), and their
         * values pooled over all pixels.
         */
        public Table summaryTable() {
            Table t = new Table(6, "class", "statistic", "images", "Dice", "SEN", "SPE", "ACC", "IoU", "AUC");
            for (String cls : classNames) {
                List<ImageRow> mine = rows.stream().filter(r -> r.className().equals(cls)).toList();
                double[][] values = new double[METRIC_COUNT][mine.size()];
                for (int i = 0; i < mine.size(); i++) {
                    double[] v = metricValues(mine.get(i).counts(), mine.get(i).auc());
                    for (int m = 0; m < METRIC_COUNT; m++) values[m][i] = v[m];
                }
                double[] means = new double[METRIC_COUNT], sds = new double[METRIC_COUNT];
                for (int m = 0; m < METRIC_COUNT; m++) {
                    means[m] = mean(values[m]);
                    sds[m] = sd(values[m]);
                }
                RocCurve roc = pooledRoc.get(cls);
                addSummaryRow(t, cls, "mean", mine.size(), means);
                addSummaryRow(t, cls, "sd", mine.size(), sds);
                addSummaryRow(t, cls, "pooled", mine.size(), metricValues(pooled.get(cls), roc == null ? Double.NaN : roc.auc()));
            }
            return t;
        }

        private static void addSummaryRow(Table t, String cls, String statistic, int images, double[] m) {
            t.add(cls, statistic, images, m[0], m[1], m[2], m[3], m[4], m[5]);
        }

        /** The points of the pooled ROC curves (roc-curve.csv): class, FPR, TPR. */
        public Table rocPoints() {
            Table t = new Table(9, "class", "FPR", "TPR");
            for (Map.Entry<String, RocCurve> e : pooledRoc.entrySet()) {
                double[][] xy = e.getValue().thinned(5000);
                for (int i = 0; i < xy[0].length; i++) t.add(e.getKey(), xy[0][i], xy[1][i]);
            }
            return t;
        }

        /**
         * The pooled ROC curve of every class with scores drawn as an image (roc-curve.png, and what the command
         * shows), or null without probabilities.
         */
        public ImagePlus rocCurve() {
            if (!hasProbabilities || pooledRoc.isEmpty()) return null;
            Plot plot = new Plot("ROC curve", "False positive rate (1 - specificity)", "True positive rate (sensitivity)");
            plot.setLimits(0, 1, 0, 1);
            plot.setFrameSize(400, 400);
            Color[] colors = {Color.BLUE, Color.RED, new Color(0, 140, 0), Color.MAGENTA, Color.ORANGE, Color.CYAN, Color.BLACK};
            StringBuilder legend = new StringBuilder();
            int k = 0;
            for (Map.Entry<String, RocCurve> e : pooledRoc.entrySet()) {
                double[][] xy = e.getValue().thinned(2000);
                plot.setColor(colors[k++ % colors.length]);
                plot.setLineWidth(2);
                plot.addPoints(xy[0], xy[1], Plot.LINE);
                legend.append(e.getKey()).append(String.format(Locale.ROOT, " (AUC %.4f)", e.getValue().auc())).append('\n');
            }
            plot.setColor(Color.LIGHT_GRAY);
            plot.setLineWidth(1);
            plot.drawDottedLine(0, 0, 1, 1, 2);
            plot.setColor(Color.BLACK);
            plot.addLegend(legend.toString().trim(), "bottom-right");
            ImagePlus image = plot.getImagePlus();
            image.setTitle("ROC curve");
            return image;
        }

        /** Writes segmentation-metrics.csv, segmentation-summary.csv and (with scores) roc-curve.png and roc-curve.csv. */
        public List<Path> save(Path dir) {
            Outputs.folder(dir, "output");
            List<Path> written = new ArrayList<>();
            Path a = dir.resolve("segmentation-metrics.csv"), b = dir.resolve("segmentation-summary.csv");
            CsvFiles.write(perImageTable(), a);
            CsvFiles.write(summaryTable(), b);
            written.add(a);
            written.add(b);
            ImagePlus roc = rocCurve();
            if (roc != null) {
                Path png = dir.resolve("roc-curve.png");
                try {
                    AtomicFiles.write(png, out -> ImageIO.write(roc.getBufferedImage(), "png", out));
                } catch (IOException e) {
                    throw new UserInputException("Could not save " + png + ": " + e.getMessage(), e);
                }
                written.add(png);
                Path csv = dir.resolve("roc-curve.csv");
                CsvFiles.write(rocPoints(), csv);
                written.add(csv);
            }
            return written;
        }
    }

    /** Dice, SEN, SPE, ACC, IoU, AUC. */
    private static final int METRIC_COUNT = 6;

    private static double[] metricValues(ConfusionCounts k, double auc) {
        return new double[] {k.dice(), k.sensitivity(), k.specificity(), k.accuracy(), k.iou(), auc};
    }

    static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Sample standard deviation (n - 1) of the non-NaN values; NaN for fewer than two. */
    static double sd(double[] v) {
        double m = mean(v), s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += (x - m) * (x - m);
                n++;
            }
        }
        return n < 2 ? Double.NaN : Math.sqrt(s / (n - 1));
    }

    private final SegmentationClasses classes;

    public SegmentationEvaluation(SegmentationClasses classes) {
        this.classes = classes;
    }

    /** One image pair (prediction, truth), or folders of pairs; probabilities and mask may be null. */
    public Report run(Source prediction, Source truth, Source probabilities, Source mask, Progress progress) {
        if (prediction == null || truth == null) throw new UserInputException("Give both a prediction and a truth.");
        Accumulator acc = new Accumulator(probabilities != null);
        if (prediction.isFolder() || truth.isFolder()) {
            if (!prediction.isFolder() || !truth.isFolder()) {
                throw new UserInputException("Give prediction and truth both as folders (pairs matched by name) or both as "
                        + "images; got " + (prediction.isFolder() ? "a folder and an image." : "an image and a folder."));
            }
            runFolders(prediction.path(), truth.path(), probabilities, mask, acc, progress);
        } else {
            progress.report(0, "scoring " + prediction.label());
            ImagePlus pred = prediction.open();
            evaluatePair(pred.getTitle(), pred, truth.open(), probabilities == null ? null : probabilities.open(),
                    mask == null ? null : mask.open(), acc);
        }
        progress.report(1.0, acc.rows.size() + " rows");
        return acc.report();
    }

    private void runFolders(Path predDir, Path truthDir, Source probabilities, Source mask, Accumulator acc, Progress progress) {
        List<Path> preds = images(predDir), truths = images(truthDir);
        List<Path> probs = probabilities != null && probabilities.isFolder() ? images(probabilities.path()) : null;
        List<Path> masks = mask != null && mask.isFolder() ? images(mask.path()) : null;
        if (probabilities != null && probs == null) {
            throw new UserInputException("With prediction and truth folders, give the probabilities as a folder too.");
        }
        ImagePlus sharedMask = mask != null && masks == null ? mask.open() : null;
        for (int i = 0; i < preds.size(); i++) {
            progress.checkCancelled();
            Path p = preds.get(i);
            progress.report((double) i / preds.size(), p.getFileName().toString());
            Path t = match(p, truths);
            if (t == null) {
                acc.skipped.add(p.getFileName() + ": no truth file with a matching name in " + truthDir.getFileName());
                continue;
            }
            Path pr = probs == null ? null : match(p, probs);
            if (probs != null && pr == null) {
                acc.skipped.add(p.getFileName() + ": no probability map with a matching name");
                continue;
            }
            Path m = masks == null ? null : match(p, masks);
            if (masks != null && m == null) {
                acc.skipped.add(p.getFileName() + ": no mask with a matching name");
                continue;
            }
            evaluatePair(ImageFiles.baseName(p), ImageFiles.open(p), ImageFiles.open(t), pr == null ? null : ImageFiles.open(pr),
                    m == null ? sharedMask : ImageFiles.open(m), acc);
        }
        for (Path t : truths) {
            if (match(t, preds) == null) acc.skipped.add(t.getFileName() + ": truth without a matching prediction");
        }
        if (acc.rows.isEmpty()) {
            throw new UserInputException("No prediction in " + predDir + " could be paired with a truth file in " + truthDir
                    + ". Files pair up when their names are equal (without extension) or start with the same ID before "
                    + "the first '_' or '-' (e.g. 01_test.tif and 01_manual1.gif). " + String.join("; ", acc.skipped));
        }
    }

    private static List<Path> images(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : ImageFiles.listFiles(dir)) if (ImageFiles.looksLikeImage(p)) out.add(p);
        return out;
    }

    /** The candidate paired with {@code file}: same base name, else same unique ID prefix; null if none. */
    public static Path match(Path file, List<Path> candidates) {
        String base = ImageFiles.baseName(file);
        for (Path c : candidates) if (ImageFiles.baseName(c).equals(base)) return c;
        String id = id(base);
        Path found = null;
        for (Path c : candidates) {
            if (id(ImageFiles.baseName(c)).equals(id)) {
                if (found != null) return null; // ambiguous
                found = c;
            }
        }
        return found;
    }

    static String id(String base) {
        for (int i = 0; i < base.length(); i++) {
            char ch = base.charAt(i);
            if (ch == '_' || ch == '-' || ch == '.' || ch == ' ') return base.substring(0, i);
        }
        return base;
    }

    private void evaluatePair(String name, ImagePlus pred, ImagePlus truth, ImagePlus prob, ImagePlus mask, Accumulator acc) {
        checkSize(pred, truth, name, "prediction", "truth", 1);
        float[] p = SegmentationMetrics.voxels(pred, "The prediction " + name);
        float[] t = SegmentationMetrics.voxels(truth, "The truth of " + name);
        List<SegmentationClasses.ClassDef> defs = classes.resolve(t, p, name);
        boolean[] fov = null;
        if (mask != null) {
            checkSize(mask, truth, name, "mask", "truth", 1);
            fov = SegmentationMetrics.fieldOfView(mask);
        }
        List<float[]> scores = null;
        if (prob != null) {
            checkSize(prob, truth, name, "probability map", "truth", prob.getNChannels());
            scores = new ArrayList<>();
            int nc = prob.getNChannels();
            for (SegmentationClasses.ClassDef d : defs) {
                int channel = -1;
                if (nc == 1 && defs.size() == 1) channel = 1;
                else if (d.label() >= 0 && d.label() < nc) channel = d.label() + 1;
                else if (d.anyNonZero() && nc == 2) channel = 2;
                if (channel < 0) {
                    scores.add(null);
                    continue;
                }
                float[] s = SegmentationMetrics.channelVoxels(prob, channel, "The probability map of " + name);
                for (int i = 0; i < s.length; i++) {
                    if ((fov == null || fov[i]) && !Float.isFinite(s[i])) {
                        throw new UserInputException("The probability map of " + name + " contains NaN or infinite values "
                                + "(channel " + channel + "). Replace them (Process>Math>Remove NaNs...) or regenerate the map.");
                    }
                }
                scores.add(s);
            }
        }
        List<SegmentationMetrics.ClassResult> results = SegmentationMetrics.evaluate(t, p, defs, scores, fov);
        for (int c = 0; c < results.size(); c++) {
            acc.add(name, results.get(c), scores == null ? null : scores.get(c), defs.get(c).members(t), fov);
        }
    }

    private static void checkSize(ImagePlus a, ImagePlus b, String name, String what, String other, int channelsOfA) {
        int za = a.getNSlices() * a.getNFrames(), zb = b.getNSlices() * b.getNFrames();
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight() || za != zb) {
            throw new UserInputException("For " + name + " the " + what + " (" + a.getWidth() + "x" + a.getHeight() + "x" + za
                    + ") and the " + other + " (" + b.getWidth() + "x" + b.getHeight() + "x" + zb + ") differ in size. "
                    + "They must cover the same pixels: resize or crop one of them, or check the pairing of the files.");
        }
        if (a.getNChannels() != channelsOfA) {
            throw new UserInputException("The " + what + " of " + name + " has " + a.getNChannels() + " channels.");
        }
    }

    /** Collects rows, pooled counts and pooled scores. */
    private static final class Accumulator {
        final List<ImageRow> rows = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final Map<String, ConfusionCounts> pooled = new LinkedHashMap<>();
        final Map<String, FloatList[]> scores = new LinkedHashMap<>();
        final boolean withScores;
        long scoreCount;
        boolean scoresTooMany;

        Accumulator(boolean withScores) {
            this.withScores = withScores;
        }

        void add(String image, SegmentationMetrics.ClassResult r, float[] s, boolean[] truth, boolean[] fov) {
            rows.add(new ImageRow(image, r.className(), r.counts(), r.auc()));
            pooled.merge(r.className(), r.counts(), ConfusionCounts::add);
            if (s == null || scoresTooMany) return;
            if (scoreCount + s.length > POOLED_SCORE_LIMIT) {
                scoresTooMany = true;
                scores.clear();
                return;
            }
            FloatList[] pn = scores.computeIfAbsent(r.className(), k -> new FloatList[] {new FloatList(), new FloatList()});
            for (int i = 0; i < s.length; i++) {
                if (fov != null && !fov[i]) continue;
                pn[truth[i] ? 0 : 1].add(s[i]);
                scoreCount++;
            }
        }

        Report report() {
            Map<String, RocCurve> rocs = new LinkedHashMap<>();
            for (Map.Entry<String, FloatList[]> e : scores.entrySet()) {
                float[] pos = e.getValue()[0].sorted(), neg = e.getValue()[1].sorted();
                rocs.put(e.getKey(), RocCurve.fromSorted(pos, neg));
            }
            List<String> names = new ArrayList<>(pooled.keySet());
            if (scoresTooMany) skipped.add("pooled AUC not computed: more than " + POOLED_SCORE_LIMIT + " scored pixels");
            return new Report(rows, names, pooled, rocs, skipped, withScores);
        }
    }

    /** A growable float array. */
    private static final class FloatList {
        float[] a = new float[1024];
        int n;

        void add(float v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        float[] sorted() {
            float[] r = Arrays.copyOf(a, n);
            Arrays.sort(r);
            return r;
        }
    }
}
