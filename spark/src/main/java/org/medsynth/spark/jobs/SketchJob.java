package org.medsynth.spark.jobs;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.sketch.SketchExtractor;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.spark.Driver;
import org.medsynth.spark.Inputs;
import org.medsynth.spark.Item;
import org.medsynth.spark.Outcome;
import org.medsynth.spark.SparkJob;
import org.medsynth.spark.Storage;
import org.medsynth.spark.Work;
import org.medsynth.core.Progress;

import java.util.List;
import java.util.Map;

/**
 * MedSynth Extract Sketch on every image of a folder or list: {@code <name>-sketch.tif}, made as the command's folder
 * mode (SketchBatch) makes it.
 */
public final class SketchJob extends SparkJob {
    private static final long serialVersionUID = 1L;

    private double sigma, level, radius;
    private String threshold, channel;

    private SketchParameters params() {
        return new SketchParameters(sigma, threshold, level, radius, channel);
    }

    @Override public String name() { return "sketch"; }

    @Override public String unit() { return "files"; }

    @Override
    public Map<String, String> keys() {
        SketchParameters d = SketchParameters.defaults();
        return keyList(
                "input", "folder of images, or a text file listing one path or URI per line",
                "output", "folder for <name>-sketch.tif",
                "sigma", "Gaussian sigma in pixels (default " + d.sigma() + ")",
                "threshold", "ImageJ auto-threshold method or Fixed (default " + d.threshold() + ")",
                "level", "with threshold=Fixed: fraction of the strongest edge (default " + d.level() + ")",
                "radius", "radius of the opening/closing element (default " + d.radius() + ")",
                "channel", "for RGB images: green, luminance, red or blue (default " + d.channel() + ")");
    }

    @Override
    public List<String> outputKeys() {
        return List.of("sigma", "threshold", "level", "radius", "channel");
    }

    @Override
    public List<Item> plan(Driver d) {
        String input = Storage.absolute(args.required("input", "the folder of images, or a list file"));
        Inputs.checkOutput(d.storage(), input, output());
        SketchParameters def = SketchParameters.defaults();
        sigma = args.getDouble("sigma", def.sigma());
        threshold = args.get("threshold", def.threshold());
        level = args.getDouble("level", def.level());
        radius = args.getDouble("radius", def.radius());
        channel = args.get("channel", def.channel());
        params(); // checks the values
        return SegmentJob.items(Inputs.list(d.storage(), input, "input"), "-sketch.tif");
    }

    @Override
    public Outcome process(Item item, Work work) {
        Outcome decided = SegmentJob.decided(item);
        if (decided != null) return decided;
        ImagePlus imp = ImageFiles.open(work.local(item.input(0)));
        ImagePlus sketch = new SketchExtractor(params()).extract(imp, Progress.NONE);
        String target = item.outputs().get(0);
        ImageFiles.saveTiff(sketch, work.output(target));
        return Outcome.written(target);
    }
}
