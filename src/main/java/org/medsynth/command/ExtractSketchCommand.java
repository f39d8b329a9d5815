package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.sketch.SketchExtractor;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.workflow.SketchBatch;
import org.medsynth.util.Outputs;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Extract Sketch: the sketch draft of the active image, or of every image in the
 * {@code input} folder when one is given (written to {@code output}).
 */
@Plugin(type = Command.class, label = "MedSynth Extract Sketch")
public class ExtractSketchCommand implements Command {

    @Parameter(required = false)
    public ImagePlus image;

    @Parameter(description = "Gaussian low-pass sigma applied to the Sobel edges, in pixels", min = "0", style = "units:px")
    public double sigma = SketchParameters.defaults().sigma();

    @Parameter(description = "ImageJ auto-threshold method, or Fixed to use 'level'",
            choices = {"Li", "Otsu", "Default", "Huang", "Intermodes", "IsoData", "MaxEntropy", "Mean", "MinError",
                    "Minimum", "Moments", "Percentile", "RenyiEntropy", "Shanbhag", "Triangle", "Yen", "Fixed"})
    public String threshold = SketchParameters.defaults().threshold();

    @Parameter(description = "With threshold=Fixed: fraction (0-1) of the strongest edge")
    public double level = SketchParameters.defaults().level();

    @Parameter(description = "Radius of the opening and closing element, in pixels (0 = none)", min = "0", style = "units:px")
    public double radius = SketchParameters.defaults().radius();

    @Parameter(description = "Channel used for RGB images (green suits fundus photographs)",
            choices = {"green", "luminance", "red", "blue"})
    public String channel = SketchParameters.defaults().channel();

    @Parameter(description = "Folder of images to process in batch (leave empty to use the active image)",
            required = false, style = "directory")
    public File input;

    @Parameter(description = "Folder for the sketches (required with input; optional otherwise)",
            required = false, style = "directory")
    public File output;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus sketch;

    @Parameter(type = ItemIO.OUTPUT, label = "Sketch batch summary")
    public ResultsTable summary;

    @Override
    public void run() {
        SketchParameters params = new SketchParameters(sigma, threshold, level, radius, channel);
        if (input != null) {
            List<SketchBatch.Outcome> outcomes = new SketchBatch(params)
                    .run(input.toPath(), output == null ? null : output.toPath(), new ImageJProgress("Extract Sketch"));
            summary = Tables.batchSummary(outcomes);
            return;
        }
        if (image == null) {
            throw new org.medsynth.core.UserInputException(
                    "Open an image first, or give an input folder for batch processing.");
        }
        java.nio.file.Path target = null;
        if (output != null) {
            Outputs.folder(output.toPath(), "output"); // before any work
            target = output.toPath().resolve(SketchExtractor.sketchTitle(image.getTitle()) + ".tif");
            if (java.nio.file.Files.exists(target)) throw Outputs.writeFailed(target, new java.nio.file.FileAlreadyExistsException(target.toString()));
        }
        sketch = new SketchExtractor(params).extract(image, new ImageJProgress("Extract Sketch"));
        if (target != null) ImageFiles.createTiff(sketch, target);
    }
}
