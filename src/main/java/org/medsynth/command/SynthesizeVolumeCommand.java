package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/**
 * MedSynth Synthesize Volume: the active label map through a trained 3D-MedGAN generator gives a
 * synthetic volume with the label map's size and calibration.
 */
@Plugin(type = Command.class, label = "MedSynth Synthesize Volume")
public class SynthesizeVolumeCommand implements Command {

    @Parameter
    public ImagePlus image;

    @Parameter(description = "3D-MedGAN model (.zip) written by MedSynth Train 3D-MedGAN", style = "extensions:zip")
    public File model;

    @Parameter(description = "Seed of the generator's noise (same seed = same volume)")
    public long seed = 1;

    @Parameter(description = "Tile edge in voxels (0 = the model's training patch size)", min = "0", style = "units:px")
    public int tile = 0;

    @Parameter(description = "Share of a tile overlapping its neighbour (0-0.9)", min = "0", max = "0.9")
    public double overlap = 0.5;

    @Parameter(description = "Generate the whole volume in one pass instead of tiles (needs much memory)")
    public boolean whole_volume = false;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus synthetic;

    @Override
    public void run() {
        if (image == null) throw new UserInputException("Open a label map first (or select its window).");
        if (model == null) throw new UserInputException("Choose the 3D-MedGAN model file (.zip).");
        int t = whole_volume ? 0 : tile == 0 ? -1 : tile;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Synthesize Volume")) {
            MedGanModel m = MedGanModel.load(model.toPath());
            synthetic = m.synthesize(image, new MedGanModel.Options(seed, t, overlap, SlidingWindow.Blend.GAUSSIAN),
                    new ImageJProgress("Synthesize Volume"));
        }
    }
}
