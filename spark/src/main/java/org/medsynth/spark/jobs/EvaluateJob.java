package org.medsynth.spark.jobs;

import org.medsynth.image.io.ImageFiles;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.SegmentationClasses;
import org.medsynth.spark.Driver;
import org.medsynth.spark.Inputs;
import org.medsynth.spark.Item;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.Outcome;
import org.medsynth.spark.SparkJob;
import org.medsynth.spark.Storage;
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;
import org.medsynth.workflow.SegmentationEvaluation;
import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MedSynth Evaluate Segmentation over folders of cases, one task per case: Dice, SEN, SPE, ACC, IoU (and AUC per case
 * with probability maps) per case and class, combined on the driver into the command's two tables,
 * {@code segmentation-metrics.csv} (one row per case and class) and {@code segmentation-summary.csv} (mean, sd and
 * pooled per class). Cases pair up by name as in the command. Not computed here: the pooled ROC curve and pooled AUC,
 * which need every pixel's score in one place (per-case AUCs are in the metrics table).
 */
public final class EvaluateJob extends SparkJob {
    private static final long serialVersionUID = 1L;

    private String classes;
    private boolean withProbabilities;
    private String sharedMask;

    @Override public String name() { return "evaluate"; }

    @Override public String unit() { return "cases"; }

    @Override
    public Map<String, String> keys() {
        return keyList(
                "prediction", "folder (or list file) of predicted segmentations",
                "truth", "folder of ground-truth label images (paired with the predictions by name)",
                "probabilities", "optional folder of probability maps for per-case ROC AUC",
                "mask", "optional field-of-view mask: a folder matched by name, or one file for all cases",
                "classes", "binary (default), labels, a list such as 1,2, brats or brats2023",
                "output", "folder for segmentation-metrics.csv and segmentation-summary.csv");
    }

    @Override
    public List<String> outputKeys() {
        return List.of();
    }

    @Override
    public List<Item> plan(Driver d) {
        classes = args.get("classes", "binary");
        SegmentationClasses.parse(classes);
        Storage s = d.storage();
        List<String> preds = images(Inputs.list(s, Storage.absolute(args.required("prediction", "the predicted segmentations")), "prediction"));
        String truthDir = Storage.absolute(args.required("truth", "the ground truth folder"));
        if (!s.isDirectory(truthDir)) throw new UserInputException("truth=" + truthDir + " must be a folder of label images.");
        List<String> truths = images(Inputs.list(s, truthDir, "truth"));
        List<String> probs = null, masks = null;
        if (args.has("probabilities")) {
            withProbabilities = true;
            probs = images(Inputs.list(s, Storage.absolute(args.get("probabilities", null)), "probabilities"));
        }
        if (args.has("mask")) {
            String m = Storage.absolute(args.get("mask", null));
            if (s.isDirectory(m)) masks = images(Inputs.list(s, m, "mask"));
            else if (s.exists(m)) sharedMask = m;
            else throw new UserInputException("mask=" + m + " does not exist.");
        }
        List<Item> items = new ArrayList<>();
        for (String p : preds) {
            String t = match(p, truths), pr = probs == null ? null : match(p, probs), mk = masks == null ? sharedMask : match(p, masks);
            String name = Storage.name(p);
            String problem = t == null ? name + ": no truth file with a matching name in " + Storage.name(truthDir)
                    : probs != null && pr == null ? name + ": no probability map with a matching name"
                    : masks != null && mk == null ? name + ": no mask with a matching name" : null;
            List<String> in = new ArrayList<>(List.of(p, t == null ? "" : t, pr == null ? "" : pr, mk == null ? "" : mk));
            items.add(new Item(items.size(), name, in, List.of(), problem == null ? Map.of() : Map.of("skip", problem)));
        }
        for (String t : truths) {
            if (match(t, preds) == null) {
                items.add(new Item(items.size(), Storage.name(t), List.of(t), List.of(),
                        Map.of("skip", Storage.name(t) + ": truth without a matching prediction")));
            }
        }
        return items;
    }

    private static List<String> images(List<String> files) {
        List<String> out = new ArrayList<>();
        for (String f : files) if (ImageFiles.looksLikeImage(Path.of(Storage.name(f)))) out.add(f);
        return out;
    }

    /** The command's pairing (SegmentationEvaluation.match) on the file names. */
    private static String match(String file, List<String> candidates) {
        Map<Path, String> byName = new LinkedHashMap<>();
        for (String c : candidates) byName.put(Path.of(Storage.name(c)), c);
        Path m = SegmentationEvaluation.match(Path.of(Storage.name(file)), new ArrayList<>(byName.keySet()));
        return m == null ? null : byName.get(m);
    }

    @Override
    public Outcome process(Item item, Work work) {
        if (item.param("skip") != null) return Outcome.skipped(item.param("skip"));
        SegmentationEvaluation.Source pred = SegmentationEvaluation.Source.of(work.local(item.input(0)));
        SegmentationEvaluation.Source truth = SegmentationEvaluation.Source.of(work.local(item.input(1)));
        SegmentationEvaluation.Source prob = item.input(2).isEmpty() ? null : SegmentationEvaluation.Source.of(work.local(item.input(2)));
        SegmentationEvaluation.Source mask = item.input(3).isEmpty() ? null : SegmentationEvaluation.Source.of(work.local(item.input(3)));
        SegmentationEvaluation.Report r = new SegmentationEvaluation(SegmentationClasses.parse(classes)).run(pred, truth, prob, mask, Progress.NONE);
        Map<String, String> values = new HashMap<>();
        int i = 0;
        for (SegmentationEvaluation.ImageRow row : r.rows()) {
            ConfusionCounts k = row.counts();
            values.put("row." + i++, String.join("\t", row.className(), Long.toString(k.tp()), Long.toString(k.fp()), Long.toString(k.tn()),
                    Long.toString(k.fn()), Double.toString(row.auc())));
        }
        return new Outcome(ItemResult.WRITTEN, r.rows().size() + " rows", values);
    }

    @Override
    public void finish(Driver d, List<ItemResult> results) {
        List<SegmentationEvaluation.ImageRow> rows = new ArrayList<>();
        Map<String, ConfusionCounts> pooled = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (ItemResult r : results) {
            if (!r.ok()) {
                skipped.add(r.status().equals(ItemResult.SKIPPED) ? r.detail() : r.item() + ": " + r.detail());
                continue;
            }
            // the name the command gives a case of a folder: the prediction's base name
            String image = ImageFiles.baseName(Path.of(r.item()));
            for (int i = 0; r.values().containsKey("row." + i); i++) {
                String[] f = r.values().get("row." + i).split("\t");
                ConfusionCounts k = new ConfusionCounts(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]));
                rows.add(new SegmentationEvaluation.ImageRow(image, f[0], k, Double.parseDouble(f[5])));
                pooled.merge(f[0], k, ConfusionCounts::add);
            }
        }
        if (rows.isEmpty()) {
            throw new UserInputException("No prediction could be evaluated against a truth file. " + String.join("; ", skipped));
        }
        if (withProbabilities) skipped.add("pooled AUC and ROC curve not computed by the Spark job (per-case AUC is in segmentation-metrics.csv)");
        SegmentationEvaluation.Report report = new SegmentationEvaluation.Report(rows, new ArrayList<>(pooled.keySet()), pooled, Map.of(), skipped,
                withProbabilities);
        Path local = d.tmp().resolve("evaluation");
        report.save(local);
        try (var files = Files.list(local)) {
            for (Path f : files.toList()) d.storage().commit(f, Storage.resolve(output(), f.getFileName().toString()), true);
        } catch (IOException e) {
            throw new UserInputException("Cannot write the tables: " + e.getMessage());
        }
        for (String s : skipped) d.log("evaluate: " + s);
        d.log("evaluate: " + rows.size() + " rows -> " + Storage.resolve(output(), "segmentation-metrics.csv") + ", segmentation-summary.csv");
    }
}
