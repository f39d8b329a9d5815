package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.skrgan.SkrGanGenerator;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** MedSynth Generate Images: images (and SkrGAN's sketches) from random noise with a trained model. */
@Plugin(type = Command.class, label = "MedSynth Generate Images")
public class GenerateImagesCommand implements Command {

    @Parameter(description = "Trained model (.zip) from Train SkrGAN", style = "open")
    public File model;

    @Parameter(description = "Number of images", min = "1")
    public int count = 16;

    @Parameter(description = "Random seed: the same seed gives the same images")
    public long seed = 1;

    @Parameter(description = "Optional folder: write image_0001.png (and sketch_0001.png) there instead of showing stacks",
            required = false, style = "directory")
    public File output;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus images;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus sketches;

    @Override
    public void run() {
        if (model == null) throw new UserInputException("Choose a trained model file (model=...zip).");
        SkrGanGenerator.Generated g = new SkrGanGenerator(model.toPath()).generate(count, seed, new ImageJProgress("Generate Images"));
        if (output == null) {
            images = g.images();
            sketches = g.sketches();
            return;
        }
        Path dir = output.toPath();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new UserInputException("Cannot create the output folder " + dir + ": " + e.getMessage());
        }
        for (int i = 1; i <= count; i++) {
            save(g.images(), i, dir.resolve(String.format("image_%04d.png", i)));
            if (g.sketches() != null) save(g.sketches(), i, dir.resolve(String.format("sketch_%04d.png", i)));
        }
    }

    private static void save(ImagePlus stack, int slice, Path target) {
        if (Files.exists(target)) {
            throw new UserInputException(target + " exists already: choose an empty output folder so nothing is overwritten.");
        }
        ImagePlus one = new ImagePlus(target.getFileName().toString(), stack.getStack().getProcessor(slice));
        ImageFiles.savePng(one, target);
    }
}
