package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.util.OutputWriteException;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.skrgan.SkrGanGenerator;
import org.medsynth.nn.engine.Engine;
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

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus images;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus sketches;

    @Override
    public void run() {
        if (model == null) throw new UserInputException("Choose a trained model file (model=...zip).");
        Path dir = output == null ? null : Outputs.folder(output.toPath(), "output"); // before any work
        if (dir != null) {
            // refuse at once rather than after generating; the create-or-fail below guards against a run writing meanwhile
            for (int i = 1; i <= count; i++) {
                for (String kind : new String[]{"image", "sketch"}) {
                    Path t = dir.resolve(name(kind, i));
                    if (Files.exists(t)) throw Outputs.writeFailed(t, new java.nio.file.FileAlreadyExistsException(t.toString()));
                }
            }
        }
        SkrGanGenerator.Generated g;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Generate Images")) {
            g = new SkrGanGenerator(model.toPath(), "Generate Images").generate(count, seed, new ImageJProgress("Generate Images"));
        }
        if (dir == null) {
            images = g.images();
            sketches = g.sketches();
            return;
        }
        for (int i = 1; i <= count; i++) {
            try {
                save(g.images(), i, dir.resolve(name("image", i)));
                if (g.sketches() != null) save(g.sketches(), i, dir.resolve(name("sketch", i)));
            } catch (OutputWriteException e) {
                throw new OutputWriteException(e.getMessage() + " Images written before: " + (i - 1) + " of " + count + ".", e.stopsRun(), e);
            }
        }
    }

    static String name(String kind, int i) {
        return String.format(java.util.Locale.ROOT, "%s_%04d.png", kind, i);
    }

    private static void save(ImagePlus stack, int slice, Path target) {
        ImagePlus one = new ImagePlus(target.getFileName().toString(), stack.getStack().getProcessor(slice));
        ImageFiles.createPng(one, target);
    }
}
