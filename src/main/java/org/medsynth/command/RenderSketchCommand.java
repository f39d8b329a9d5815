package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.skrgan.SkrGanGenerator;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/** MedSynth Render Sketch: SkrGAN's colour render mapping G_P on the active sketch image. */
@Plugin(type = Command.class, label = "MedSynth Render Sketch")
public class RenderSketchCommand implements Command {

    @Parameter
    public ImagePlus sketch;

    @Parameter(description = "Trained SkrGAN model (.zip)", style = "open")
    public File model;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus rendered;

    @Override
    public void run() {
        if (model == null) throw new UserInputException("Choose a trained SkrGAN model file (model=...zip).");
        try (Engine.Scope chosen = EngineChoice.use(engine, "Render Sketch")) {
            rendered = new SkrGanGenerator(model.toPath(), "Render Sketch").render(sketch);
        }
    }
}
