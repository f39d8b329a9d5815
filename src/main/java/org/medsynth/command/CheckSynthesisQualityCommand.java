package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.hybrid.SynthesisQualityCheck;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Check Synthesis Quality: the paper's 3D-MedGAN quality check (Fig. 3): synthesise a volume
 * from every label map of a folder, segment it with a segmenter trained on real data, Dice per label
 * map and class (+ mean rows); see docs/medgan.md.
 */
@Plugin(type = Command.class, label = "MedSynth Check Synthesis Quality")
public class CheckSynthesisQualityCommand implements Command {

    @Parameter(description = "3D-MedGAN model (.zip) written by MedSynth Train 3D-MedGAN", style = "extensions:zip")
    public File model;

    @Parameter(description = "Segmentation model (.zip) written by MedSynth Train Segmenter, trained on real data", style = "extensions:zip")
    public File segmenter;

    @Parameter(description = "Folder of label maps to synthesise from (values = the labels both models know)", style = "directory")
    public File labels;

    @Parameter(description = "Optional folder of the real images of these label maps (same file names): their Dice is reported "
            + "next to the synthetic one", required = false, style = "directory")
    public File images;

    @Parameter(description = "Seed of the generator's noise; the i-th label map (name order) uses seed + i")
    public long seed = 1;

    @Parameter(description = "Tile edge for synthesis (0 = the 3D-MedGAN's training patch size)", min = "0", style = "units:px")
    public int tile = 0;

    @Parameter(description = "Share of a synthesis tile overlapping its neighbour (0-0.9)", min = "0", max = "0.9")
    public double overlap = 0.5;

    @Parameter(description = "Tile size of the segmenter (empty = its training patch size): one number, WxH or WxHxD", required = false)
    public String segmenter_tile = "";

    @Parameter(description = "Share of a segmenter tile overlapping its neighbour (0-0.9)", min = "0", max = "0.9")
    public double segmenter_overlap = 0.5;

    @Parameter(description = "Optional folder for <name>-synthetic.tif and <name>-synthetic-labels.tif", required = false, style = "directory")
    public File output;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT, label = "Synthesis quality")
    public ResultsTable quality;

    @Override
    public void run() {
        if (model == null || segmenter == null || labels == null) {
            throw new UserInputException("Choose the 3D-MedGAN model, the segmenter model and the folder of label maps.");
        }
        int[] segTile = segmenter_tile == null || segmenter_tile.isBlank() ? null : SegmenterSettings.parsePatch(segmenter_tile);
        SynthesisQualityCheck.Options o = new SynthesisQualityCheck.Options(
                new MedGanModel.Options(seed, tile == 0 ? -1 : tile, overlap, SlidingWindow.Blend.GAUSSIAN), segTile, segmenter_overlap,
                output == null || output.getPath().isEmpty() ? null : output.toPath());
        List<SynthesisQualityCheck.Row> rows;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Check Synthesis Quality")) {
            rows = SynthesisQualityCheck.run(model.toPath(), segmenter.toPath(), labels.toPath(),
                    images == null || images.getPath().isEmpty() ? null : images.toPath(), o, new ImageJProgress("Check Synthesis Quality"));
        }
        quality = Tables.synthesisQuality(rows);
    }
}
