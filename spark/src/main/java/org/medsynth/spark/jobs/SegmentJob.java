package org.medsynth.spark.jobs;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.spark.Driver;
import org.medsynth.spark.ExecutorCache;
import org.medsynth.spark.Inputs;
import org.medsynth.spark.Item;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.Outcome;
import org.medsynth.spark.SparkJob;
import org.medsynth.spark.Storage;
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;
import org.medsynth.workflow.segment.Segmenter;
import org.medsynth.workflow.segment.SegmenterModel;
import org.medsynth.workflow.segment.SegmenterSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MedSynth Segment on every image or volume of a folder or list: {@code <name>-labels.tif} (and with
 * {@code probabilities}, {@code <name>-probabilities.tif}) in the output folder, made by the calls the command's folder
 * mode makes (ImageFiles.open, Segmenter.segment, ImageFiles.saveTiff), so the files are byte for byte the command's.
 * The model is loaded once per executor; concurrent tasks of an executor share its weights, each with its own graph.
 */
public final class SegmentJob extends SparkJob implements JobRunner.Fingerprinted {
    private static final long serialVersionUID = 1L;

    private Inputs.Model model;
    private int[] tile;
    private double overlap;
    private boolean probabilities;
    private boolean replaceNan;

    @Override public String name() { return "segment"; }

    @Override public String unit() { return "files"; }

    @Override
    public Map<String, String> keys() {
        return keyList(
                "model", "model .zip written by MedSynth Train Segmenter",
                "input", "folder of images/volumes, or a text file listing one path or URI per line",
                "output", "folder for <name>-labels.tif (and <name>-probabilities.tif)",
                "probabilities", "also write the class probabilities (default false)",
                "tile", "tile size: empty = the training patch size; one number, WxH or WxHxD (multiples of 2^depth)",
                "overlap", "share of a tile overlapping its neighbour, 0 .. 0.9 (default 0.5)",
                "replace_nan", "replace NaN and infinite pixel values by the image's lowest value (default false: such images fail)");
    }

    @Override
    public List<String> outputKeys() {
        return List.of("probabilities", "tile", "overlap", "replace_nan");
    }

    @Override
    public Map<String, String> fingerprint() {
        return Map.of("model sha256", model.sha256());
    }

    @Override
    public List<Item> plan(Driver d) {
        String input = Storage.absolute(args.required("input", "the folder of images to segment, or a list file"));
        Inputs.checkOutput(d.storage(), input, output());
        model = Inputs.model(d.storage(), args.required("model", "the model written by MedSynth Train Segmenter"), d.tmp(),
                "the model written by MedSynth Train Segmenter");
        SegmenterModel m = SegmenterModel.load(model.local(), "the segment job");
        String t = args.get("tile", "");
        tile = t.isBlank() ? null : tileSize(t, m.network().spatialDims());
        overlap = args.getDouble("overlap", 0.5);
        if (!(overlap >= 0 && overlap <= 0.9)) throw new org.medsynth.core.UserInputException("overlap must be between 0 and 0.9, not " + overlap + ".");
        probabilities = args.getBoolean("probabilities", false);
        replaceNan = args.getBoolean("replace_nan", false);
        return items(Inputs.list(d.storage(), input, "input"), probabilities ? new String[]{"-labels.tif", "-probabilities.tif"}
                : new String[]{"-labels.tif"});
    }

    /** One item per input file; outputs {@code <base><suffix>}; non-images and repeated names get no outputs. */
    static List<Item> items(List<String> files, String... suffixes) {
        List<Item> items = new ArrayList<>();
        Set<String> bases = new HashSet<>();
        for (String f : files) {
            String name = Storage.name(f);
            Path p = Path.of(name);
            String base = ImageFiles.baseName(p);
            if (!ImageFiles.looksLikeImage(p)) {
                items.add(new Item(items.size(), name, List.of(f), List.of(), Map.of("skip", "not an image file")));
            } else if (!bases.add(base)) {
                items.add(new Item(items.size(), f, List.of(f), List.of(), Map.of("fail", "another input has the base name " + base
                        + "; its outputs would overwrite each other. Rename one of them.")));
            } else {
                List<String> outs = new ArrayList<>();
                for (String s : suffixes) outs.add(base + s);
                items.add(new Item(items.size(), name, List.of(f), outs, Map.of()));
            }
        }
        return items;
    }

    /** An item the driver already decided on (not an image, a repeated name), or null. */
    static Outcome decided(Item item) {
        if (item.param("skip") != null) return Outcome.skipped("skipped: " + item.param("skip"));
        if (item.param("fail") != null) return Outcome.failed(item.param("fail"));
        return null;
    }

    /** As SegmentCommand.tileSize. */
    static int[] tileSize(String s, int dims) {
        int[] p = SegmenterSettings.parsePatch(s);
        if (dims == 3 && p.length == 2) return new int[]{p[0], p[1], p[0]};
        return p;
    }

    @Override
    public Outcome process(Item item, Work work) {
        Outcome decided = decided(item);
        if (decided != null) return decided;
        Path modelFile = Inputs.localModel(work.storage(), model);
        SegmenterModel m = ExecutorCache.get("segmenter-model:" + model.sha256(), () -> SegmenterModel.load(modelFile, "the segment job"));
        ImagePlus image = ImageFiles.open(work.local(item.input(0)));
        return ExecutorCache.withPooled(ExecutorCache.onEngine("segmenter:" + model.sha256() + ":" + replaceNan), () -> new Segmenter(m).replacingNonFinite(replaceNan),
                segmenter -> {
            Segmenter.Result r = segmenter.segment(image, tile, overlap, probabilities, Progress.NONE);
            String labels = item.outputs().get(0);
            ImageFiles.saveTiff(r.labels(), work.output(labels));
            String detail = labels;
            if (r.probabilities() != null) {
                String pt = item.outputs().get(1);
                ImageFiles.saveTiff(r.probabilities(), work.output(pt));
                detail += ", " + pt;
            }
            String warning = segmenter.windowWarning(image);
            if (warning != null) detail += " (warning: " + warning + ")";
            if (r.note() != null) detail += " (" + r.note() + ")";
            return Outcome.written(detail);
        });
    }
}
