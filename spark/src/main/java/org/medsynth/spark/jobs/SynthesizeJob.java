package org.medsynth.spark.jobs;

import ij.ImagePlus;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.spark.Driver;
import org.medsynth.spark.ExecutorCache;
import org.medsynth.spark.Inputs;
import org.medsynth.spark.Item;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.Outcome;
import org.medsynth.spark.SparkJob;
import org.medsynth.spark.Storage;
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;
import org.medsynth.workflow.medgan.MedGanModel;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 3D-MedGAN synthesis over many label maps, one task per (case, copy): copy k of a case is its label map randomly
 * edited (the region of {@code edit_label} scaled and moved) and put through the generator, exactly as MedSynth Augment
 * Training Set makes it (AugmentTrainingSet.makeCopy; it depends only on the seed, the case and k). The output folder
 * has the command's layout, {@code images/<case>_synKK}, {@code labels/<case>_synKK} and {@code augmentation.json}, and
 * is used by Train Segmenter ({@code augment_with=} the folder, {@code fake_ratio=}) as the command's.
 */
public final class SynthesizeJob extends SparkJob implements JobRunner.Fingerprinted {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per pair, what the manifest records (hidden folder; the manifest is written from it at the end). */
    static final String PAIRS = ".pairs";

    private Inputs.Model model;
    private int copies;
    private int editLabel;
    private int fill;
    private double minFactor, maxFactor;
    private int maxShift, maxShiftZ;
    private long seed;
    private int tile;
    private double overlap;

    @Override public String name() { return "synthesize"; }

    @Override public String unit() { return "volumes"; }

    @Override
    public Map<String, String> keys() {
        return keyList(
                "model", "3D-MedGAN model .zip written by MedSynth Train 3D-MedGAN",
                "labels", "folder (or list file) of label maps",
                "images", "optional folder of the real images (recorded in augmentation.json; the synthetic image takes the "
                        + "real image's format)",
                "output", "empty or new folder for images/, labels/ and augmentation.json",
                "copies", "synthetic pairs per label map (default 1)",
                "edit_label", "label whose region is randomly scaled and moved (0 = a random label of each map; default 0)",
                "fill", "host label that takes over removed voxels (-1 = automatic)",
                "min_factor", "smallest random scale factor (default 0.8)",
                "max_factor", "largest random scale factor (default 1.2)",
                "max_shift", "largest random shift along x and y, pixels (default 5)",
                "max_shift_z", "largest random shift along z, slices (default 2)",
                "seed", "seed of the edits and the generator's noise (default 1)",
                "tile", "tile edge for synthesis (0 = the model's default: one pass over the whole volume where memory allows for current models, the training patch for older ones)",
                "overlap", "share of a tile overlapping its neighbour, 0-0.9 (default 0.5)");
    }

    @Override
    public List<String> outputKeys() {
        return List.of("edit_label", "fill", "min_factor", "max_factor", "max_shift", "max_shift_z", "seed", "tile", "overlap");
    }

    @Override
    public Map<String, String> fingerprint() {
        return Map.of("model sha256", model.sha256());
    }

    private AugmentTrainingSet.Options options() {
        return new AugmentTrainingSet.Options(copies, editLabel, fill, new LabelMapEditor.RandomRanges(minFactor, maxFactor, maxShift, maxShiftZ),
                seed, new MedGanModel.Options(seed, tile == 0 ? -1 : tile, overlap, SlidingWindow.Blend.GAUSSIAN));
    }

    @Override
    public List<Item> plan(Driver d) {
        copies = args.getInt("copies", 1);
        editLabel = args.getInt("edit_label", 0);
        fill = args.getInt("fill", LabelMapEditor.AUTO_HOST);
        minFactor = args.getDouble("min_factor", 0.8);
        maxFactor = args.getDouble("max_factor", 1.2);
        maxShift = args.getInt("max_shift", 5);
        maxShiftZ = args.getInt("max_shift_z", 2);
        seed = args.getLong("seed", 1);
        tile = args.getInt("tile", 0);
        overlap = args.getDouble("overlap", 0.5);
        options(); // checks the values
        String labels = Storage.absolute(args.required("labels", "the folder of label maps"));
        String out = output();
        for (String in : new String[]{labels, args.has("images") ? Storage.absolute(args.get("images", null)) : null}) {
            if (in == null) continue;
            String a = in.replaceAll("/+$", ""), o = out.replaceAll("/+$", "");
            if (a.equals(o) || a.startsWith(o + "/") || o.startsWith(a + "/")) {
                throw new UserInputException("The output folder " + out + " must be outside the input folder " + in
                        + " (and not contain it): synthetic pairs must not mix with the real ones. Choose another folder.");
            }
        }
        model = Inputs.model(d.storage(), args.required("model", "the 3D-MedGAN model"), d.tmp(), "the model written by MedSynth Train 3D-MedGAN");
        MedGanModel.load(model.local(), "the synthesize job"); // checks the model before any task starts
        Map<String, String> imageExt = new HashMap<>();
        if (args.has("images")) {
            for (String f : Inputs.list(d.storage(), Storage.absolute(args.get("images", null)), "images")) {
                Path p = Path.of(Storage.name(f));
                if (ImageFiles.looksLikeImage(p)) imageExt.put(ImageFiles.baseName(p), AugmentTrainingSet.extension(p));
            }
        }
        int digits = Math.max(2, String.valueOf(copies).length());
        List<Item> items = new ArrayList<>();
        for (String f : Inputs.list(d.storage(), labels, "labels")) {
            Path p = Path.of(Storage.name(f));
            if (!ImageFiles.looksLikeImage(p)) continue;
            String c = ImageFiles.baseName(p);
            if (args.has("images") && !imageExt.containsKey(c)) {
                d.log("synthesize: label map " + p + " has no image named " + c + ".* in images=; it is left out.");
                continue;
            }
            for (int k = 1; k <= copies; k++) {
                String name = AugmentTrainingSet.syntheticName(c, k, digits);
                String img = "images/" + name + imageExt.getOrDefault(c, AugmentTrainingSet.extension(p));
                String lab = "labels/" + name + AugmentTrainingSet.extension(p);
                items.add(new Item(items.size(), name, List.of(f), List.of(img, lab, PAIRS + "/" + name + ".json"),
                        Map.of("case", c, "copy", String.valueOf(k), "name", name)));
            }
        }
        if (items.isEmpty()) throw new UserInputException("No label map found in " + labels + ".");
        return items;
    }

    @Override
    public Outcome process(Item item, Work work) throws IOException {
        Path modelFile = Inputs.localModel(work.storage(), model);
        Path labelFile = work.local(item.input(0));
        String name = item.param("name");
        AugmentTrainingSet.Copy c = ExecutorCache.withPooled(ExecutorCache.onEngine("medgan:" + model.sha256()), () -> MedGanModel.load(modelFile, "the synthesize job"), m -> {
            ImagePlus labelImp = ImageFiles.open(labelFile);
            LabelVolume lv = AugmentTrainingSet.labelVolume(m, labelImp, labelFile.getFileName().toString());
            return AugmentTrainingSet.makeCopy(m, labelImp, lv, item.param("case"), Integer.parseInt(item.param("copy")), name, options(),
                    Progress.NONE);
        });
        ImageFiles.save(c.labels(), work.output(item.outputs().get(1)));
        ImageFiles.save(c.image(), work.output(item.outputs().get(0)));
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("name", name);
        pair.put("source", item.param("case"));
        pair.put("copy", Integer.parseInt(item.param("copy")));
        pair.put("image", item.outputs().get(0));
        pair.put("labels", item.outputs().get(1));
        pair.put("editedLabel", c.editedLabel());
        pair.put("edit", c.edit());
        pair.put("seed", c.seed());
        Files.write(work.output(item.outputs().get(2)), JSON.writeValueAsBytes(pair));
        return Outcome.written(c.edit());
    }

    /** Writes augmentation.json (the command's format) listing every pair there is. */
    @Override
    public void finish(Driver d, List<ItemResult> results) {
        String out = output();
        Path local = d.tmp().resolve("synthetic");
        List<AugmentTrainingSet.Written> written = new ArrayList<>();
        for (ItemResult r : results) {
            if (!r.ok()) continue;
            Map<?, ?> p;
            try {
                p = JSON.readValue(d.storage().readString(Storage.resolve(out, PAIRS + "/" + r.item() + ".json")), Map.class);
            } catch (IOException e) {
                throw new UserInputException("Cannot read the record of " + r.item() + ": " + e.getMessage());
            }
            written.add(new AugmentTrainingSet.Written(String.valueOf(p.get("name")), String.valueOf(p.get("source")),
                    ((Number) p.get("copy")).intValue(), local.resolve(String.valueOf(p.get("image"))), local.resolve(String.valueOf(p.get("labels"))),
                    String.valueOf(p.get("edit")), ((Number) p.get("editedLabel")).intValue(), ((Number) p.get("seed")).longValue()));
        }
        if (written.isEmpty()) return;
        Path modelPath = Storage.isLocal(model.location()) ? Storage.localPath(model.location()) : model.local();
        String labels = Storage.absolute(args.get("labels", null));
        Path labelPath = Storage.isLocal(labels) ? Storage.localPath(labels) : Path.of(labels.replace(':', '_'));
        String images = args.has("images") ? Storage.absolute(args.get("images", null)) : null;
        Path imagePath = images == null ? null : Storage.isLocal(images) ? Storage.localPath(images) : Path.of(images.replace(':', '_'));
        try {
            Files.createDirectories(local);
        } catch (IOException e) {
            throw new UserInputException("Cannot create " + local + ": " + e.getMessage());
        }
        AugmentTrainingSet.writeManifest(local, modelPath, model.sha256(), imagePath, labelPath, options(), written);
        d.storage().commit(local.resolve(AugmentedPairs.MANIFEST), Storage.resolve(out, AugmentedPairs.MANIFEST), true);
        d.log("synthesize: " + written.size() + " synthetic pairs listed in " + Storage.resolve(out, AugmentedPairs.MANIFEST));
    }
}
