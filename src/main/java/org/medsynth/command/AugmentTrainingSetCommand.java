package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Augment Training Set: writes synthetic image/label pairs (random label-map edits
 * through a trained 3D-MedGAN) for every real pair, to be mixed into segmentation training.
 */
@Plugin(type = Command.class, label = "MedSynth Augment Training Set")
public class AugmentTrainingSetCommand implements Command {

    @Parameter(description = "Folder of real images", style = "directory")
    public File images;

    @Parameter(description = "Folder of their label maps (same file names)", style = "directory")
    public File labels;

    @Parameter(description = "3D-MedGAN model (.zip)", style = "extensions:zip")
    public File model;

    @Parameter(description = "Output folder (empty or new) for images/, labels/ and augmentation.json", style = "directory")
    public File output;

    @Parameter(description = "Synthetic pairs per real pair (Table 1 of the paper: 1, 3, 5)", min = "1", max = "1000")
    public int copies = 1;

    @Parameter(description = "Label whose region is randomly scaled and moved (0 = a random label of each map)", min = "0")
    public int edit_label = 0;

    @Parameter(description = "Host label that takes over removed voxels (-1 = automatic)", min = "-1")
    public int fill = LabelMapEditor.AUTO_HOST;

    @Parameter(description = "Smallest random scale factor of the edited region", min = "0")
    public double min_factor = LabelMapEditor.RandomRanges.DEFAULT.minScale();

    @Parameter(description = "Largest random scale factor", min = "0")
    public double max_factor = LabelMapEditor.RandomRanges.DEFAULT.maxScale();

    @Parameter(description = "Largest random shift along x and y, in pixels", min = "0")
    public int max_shift = LabelMapEditor.RandomRanges.DEFAULT.maxShiftXY();

    @Parameter(description = "Largest random shift along z, in slices", min = "0")
    public int max_shift_z = LabelMapEditor.RandomRanges.DEFAULT.maxShiftZ();

    @Parameter(description = "Seed of the edits and the generator's noise")
    public long seed = 1;

    @Parameter(description = "Tile edge for synthesis (0 = the model's training patch size)", min = "0", style = "units:px")
    public int tile = 0;

    @Parameter(description = "Share of a tile overlapping its neighbour (0-0.9)", min = "0", max = "0.9")
    public double overlap = 0.5;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT, label = "Augmented training set")
    public ResultsTable summary;

    @Override
    public void run() {
        if (images == null || labels == null || model == null || output == null) {
            throw new UserInputException("Choose the real image and label folders, the 3D-MedGAN model and an output folder.");
        }
        AugmentTrainingSet.Options o = new AugmentTrainingSet.Options(copies, edit_label, fill,
                new LabelMapEditor.RandomRanges(min_factor, max_factor, max_shift, max_shift_z), seed,
                new MedGanModel.Options(seed, tile == 0 ? -1 : tile, overlap, SlidingWindow.Blend.GAUSSIAN));
        List<AugmentTrainingSet.Written> w;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Augment Training Set")) {
            w = AugmentTrainingSet.run(images.toPath(), labels.toPath(), model.toPath(), output.toPath(), o,
                    new ImageJProgress("Augment Training Set"));
        }
        summary = new ResultsTable();
        for (AugmentTrainingSet.Written x : w) {
            summary.incrementCounter();
            summary.addValue("pair", x.name());
            summary.addValue("source", x.source());
            summary.addValue("copy", x.copy());
            summary.addValue("edited label", x.editedLabel());
            summary.addValue("edit", x.edit());
            summary.addValue("image", x.image().toString());
        }
    }
}
