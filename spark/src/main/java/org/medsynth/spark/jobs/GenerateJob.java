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
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.skrgan.SkrGanGenerator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MedSynth Generate Images, split over tasks: {@code image_0001.png} ... (and SkrGAN's {@code sketch_0001.png}) in the
 * output folder. Image i depends only on (model, seed, i) (SkrGanGenerator.generate(first, count, seed)), and a task makes
 * whole batches of {@link SkrGanGenerator#BATCH} images aligned as the command's, so the files are the command's, byte for
 * byte, whatever the number of tasks or executors.
 */
public final class GenerateJob extends SparkJob implements JobRunner.Fingerprinted {
    private static final long serialVersionUID = 1L;

    private Inputs.Model model;
    private long seed;
    private boolean sketches;

    @Override public String name() { return "generate"; }

    @Override public String unit() { return "batches"; }

    @Override
    public Map<String, String> keys() {
        return keyList(
                "model", "model .zip written by MedSynth Train SkrGAN",
                "count", "number of images (default 16)",
                "seed", "random seed: the same seed gives the same images (default 1)",
                "output", "folder for image_0001.png ... (and sketch_0001.png ...)");
    }

    @Override
    public List<String> outputKeys() {
        return List.of("seed");
    }

    @Override
    public Map<String, String> fingerprint() {
        return Map.of("model sha256", model.sha256());
    }

    @Override
    public List<Item> plan(Driver d) {
        int count = args.getInt("count", 16);
        if (count < 1 || count > 100_000) throw new UserInputException("count must be between 1 and 100000; got " + count + ".");
        seed = args.getLong("seed", 1);
        model = Inputs.model(d.storage(), args.required("model", "the model written by MedSynth Train SkrGAN"), d.tmp(),
                "the model written by MedSynth Train SkrGAN");
        // one image on the driver: checks the model (kind, grown to full resolution) before any task starts
        SkrGanGenerator.Generated probe = new SkrGanGenerator(model.local(), "the generate job").generate(0, 1, seed, Progress.NONE);
        sketches = probe.sketches() != null;
        List<Item> items = new ArrayList<>();
        int batch = SkrGanGenerator.BATCH;
        for (int first = 0; first < count; first += batch) {
            int n = Math.min(batch, count - first);
            List<String> outs = new ArrayList<>();
            for (int i = first + 1; i <= first + n; i++) outs.add(imageName(i));
            if (sketches) for (int i = first + 1; i <= first + n; i++) outs.add(sketchName(i));
            String id = String.format(Locale.ROOT, "images %04d-%04d", first + 1, first + n);
            items.add(new Item(items.size(), id, List.of(), outs, Map.of("first", String.valueOf(first), "n", String.valueOf(n))));
        }
        return items;
    }

    static String imageName(int i) {
        return String.format("image_%04d.png", i);
    }

    static String sketchName(int i) {
        return String.format("sketch_%04d.png", i);
    }

    @Override
    public Outcome process(Item item, Work work) {
        int first = Integer.parseInt(item.param("first")), n = Integer.parseInt(item.param("n"));
        Path modelFile = Inputs.localModel(work.storage(), model);
        SkrGanGenerator.Generated g = ExecutorCache.withPooled(ExecutorCache.onEngine("skrgan:" + model.sha256()), () -> new SkrGanGenerator(modelFile, "the generate job"),
                gen -> gen.generate(first, n, seed, Progress.NONE));
        for (int i = 1; i <= n; i++) {
            save(g.images(), i, work.output(imageName(first + i)));
            if (g.sketches() != null) save(g.sketches(), i, work.output(sketchName(first + i)));
        }
        return Outcome.written(n + " images");
    }

    /** As GenerateImagesCommand.save. */
    private static void save(ImagePlus stack, int slice, Path target) {
        ImagePlus one = new ImagePlus(target.getFileName().toString(), stack.getStack().getProcessor(slice));
        ImageFiles.savePng(one, target);
    }
}
