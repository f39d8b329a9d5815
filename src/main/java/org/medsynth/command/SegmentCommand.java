package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.segment.Segmenter;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.scijava.ItemIO;
import org.medsynth.nn.engine.Engine;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Segment: applies a model written by MedSynth Train Segmenter to the active image, or
 * to every image of an input folder; see docs/segmentation.md.
 */
@Plugin(type = Command.class, label = "MedSynth Segment")
public class SegmentCommand implements Command {

    @Parameter(required = false)
    public ImagePlus image;

    @Parameter(description = "Model .zip written by MedSynth Train Segmenter", style = "open")
    public File model;

    @Parameter(description = "Also output the class probabilities (one channel per class)")
    public boolean probabilities = false;

    @Parameter(description = "Tile size: empty = the training patch size; one number, WxH or WxHxD "
            + "(multiples of 2^depth)", required = false)
    public String tile = "";

    @Parameter(description = "Share of a tile overlapping its neighbour (0 .. 0.9); overlaps are blended", min = "0", max = "0.9")
    public double overlap = 0.5;

    @Parameter(description = "Replace NaN and infinite pixel values by the image's lowest value (default: refuse such images)")
    public boolean replace_nan = false;

    @Parameter(description = "Folder of images to segment (empty = the active image)", required = false, style = "directory")
    public File input;

    @Parameter(description = "Folder for the label images (required with input; optional otherwise)", required = false,
            style = "directory")
    public File output;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus labels;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus probability_maps;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmentation batch summary")
    public ResultsTable summary;

    @Override
    public void run() {
        if (model == null) throw new UserInputException("Give the model file (model=/path/to/model.zip) written by MedSynth Train Segmenter.");
        if (input != null) InputChecks.inputFolder(input.toPath(), "input");
        if (input == null && image == null) {
            throw new UserInputException("Open an image to segment first, or give an input folder (input=...).");
        }
        if (output != null && (input == null || !input.toPath().toAbsolutePath().normalize().equals(output.toPath().toAbsolutePath().normalize()))) {
            Outputs.folder(output.toPath(), "output"); // before any work: a folder that cannot be written is found now
        }
        Segmenter segmenter;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Segment")) {
            segmenter = Segmenter.load(model.toPath()).replacingNonFinite(replace_nan);
        }
        int[] t = tile == null || tile.isBlank() ? null : tileSize(tile, segmenter.model().network().spatialDims());
        if (input != null) {
            List<Segmenter.Outcome> outcomes = segmenter.segmentFolder(input.toPath(), output == null ? null : output.toPath(), t,
                    overlap, probabilities, new ImageJProgress("Segment"));
            summary = SegmentationTables.folder(outcomes);
            return;
        }
        if (image == null) throw new UserInputException("Open an image to segment first, or give an input folder (input=...).");
        if (output != null) {
            // refuse before segmenting if an output exists; the create-or-fail below guards against a run writing meanwhile
            String base = Segmenter.stripExtension(image.getTitle());
            for (String suffix : probabilities ? List.of("-labels.tif", "-probabilities.tif") : List.of("-labels.tif")) {
                java.nio.file.Path target = output.toPath().resolve(base + suffix);
                if (java.nio.file.Files.exists(target)) {
                    throw Outputs.writeFailed(target, new java.nio.file.FileAlreadyExistsException(target.toString()));
                }
            }
        }
        Segmenter.Result r = segmenter.segment(image, t, overlap, probabilities, new ImageJProgress("Segment"));
        String warning = segmenter.windowWarning(image);
        if (warning != null) ij.IJ.log("Segment: warning: " + warning + ".");
        if (r.note() != null) ij.IJ.log("Segment: " + r.note());
        labels = r.labels();
        probability_maps = r.probabilities();
        if (output != null) {
            ImageFiles.createTiff(labels, output.toPath().resolve(labels.getTitle() + ".tif"));
            if (probability_maps != null) ImageFiles.createTiff(probability_maps, output.toPath().resolve(probability_maps.getTitle() + ".tif"));
        }
    }

    static int[] tileSize(String s, int dims) {
        int[] p = SegmenterSettings.parsePatch(s);
        if (dims == 3 && p.length == 2) return new int[]{p[0], p[1], p[0]};
        return p;
    }
}
