package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.workflow.skrgan.SkrGanJob;
import org.medsynth.workflow.skrgan.SkrGanSettings;
import org.medsynth.workflow.skrgan.SkrGanTraining;
import org.medsynth.core.UserInputException;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.Locale;
import java.util.Map;

/** MedSynth Train SkrGAN: trains SkrGAN (or a baseline) on a folder of images. */
@Plugin(type = Command.class, label = "MedSynth Train SkrGAN")
public class TrainSkrGanCommand implements Command {

    @Parameter(description = "Folder of training images (any format ImageJ opens)", style = "directory")
    public File images;

    @Parameter(description = "Optional folder of sketch drafts named like the images (empty: extract them)", required = false, style = "directory")
    public File sketches;

    @Parameter(description = "Model file to write (.zip)", style = "save")
    public File model;

    @Parameter(description = "skrgan, or a baseline of the paper: pggan, wgan-gp, dcgan", choices = {"skrgan", "pggan", "wgan-gp", "dcgan"})
    public String architecture = "skrgan";

    @Parameter(description = "Which stages to train (SkrGAN): both, sketch (G_S/D_S) or render (G_P/D_P)", choices = {"both", "sketch", "render"})
    public String stage = "both";

    @Parameter(description = "Image size of the model: 4, 8, ..., 512", choices = {"4", "8", "16", "32", "64", "128", "256", "512"})
    public String resolution = "64";

    @Parameter(description = "Train colour images (3 channels); off: grey")
    public boolean rgb = true;

    @Parameter(description = "Iterations of the sketch GAN (baselines: of the image GAN)", min = "0")
    public int iterations = 600;

    @Parameter(description = "Iterations of the colour render mapping (SkrGAN)", min = "0")
    public int render_iterations = 300;

    @Parameter(description = "Batch size (PGGAN lowers it at 256 and 512 px)", min = "1")
    public int batch = 16;

    @Parameter(description = "Feature-map width of the GAN as a fraction of PGGAN's (1 = full size, slow on a CPU)")
    public double width = 0.125;

    @Parameter(description = "U-Net / PatchGAN base width of the render mapping (pix2pix: 64)", min = "1")
    public int render_width = 16;

    @Parameter(description = "Augmented copies per training image (flips, rotations, crops) for very small sets", min = "0")
    public int augment = 0;

    @Parameter(description = "Random seed: the same seed gives the same model")
    public long seed = 1;

    @Parameter(description = "Continue from the checkpoint next to the model")
    public boolean resume = false;

    @Parameter(description = "Iterations between checkpoints", min = "1")
    public int checkpoint_every = 100;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT, label = "SkrGAN training")
    public ResultsTable summary;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus losses;

    @Override
    public void run() {
        int res;
        try {
            res = Integer.parseInt(resolution.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException("resolution must be a number such as 64 or 256; got '" + resolution + "'.");
        }
        SkrGanSettings settings = new SkrGanSettings(architecture, res, rgb, iterations, render_iterations, batch, width,
                render_width, seed);
        SkrGanTraining.Stage st = SkrGanTraining.Stage.valueOf(stage.toUpperCase(Locale.ROOT));
        if (images == null) throw new UserInputException("Choose the folder of training images (images=...).");
        SkrGanJob.Outcome o;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Train SkrGAN");
             ImageJProgress progress = ImageJProgress.training("Train SkrGAN")) {
            o = SkrGanJob.run(new SkrGanJob.Request(images.toPath(), sketches == null ? null : sketches.toPath(),
                    model == null ? null : model.toPath(), settings, st, augment, resume, checkpoint_every,
                    SketchParameters.defaults()), progress);
            // a stopped SkrGAN run writes no model yet, only its checkpoint
            progress.trainingEnded(o.completedSteps(), o.totalSteps(), o.cancelled(), o.cancelled() ? null : o.model(),
                    SkrGanJob.checkpointOf(o.model()));
        }
        summary = new ResultsTable();
        summary.incrementCounter();
        summary.addValue("model", o.model().toString());
        summary.addValue("architecture", settings.architecture());
        summary.addValue("iterations done", o.completedSteps());
        summary.addValue("iterations", o.totalSteps());
        summary.addValue("status", o.cancelled() ? "stopped (continue with resume ticked; macro: resume)" : "complete");
        summary.addValue("seconds", o.seconds());
        for (Map.Entry<String, Double> e : Map.of("D", 0.0, "G", 0.0, "D_P", 0.0, "L1", 0.0).entrySet()) {
            double v = o.history().recentMean(e.getKey(), 20);
            if (!Double.isNaN(v)) summary.addValue(e.getKey() + " (last 20)", v);
        }
        if (o.history().size() > 0) losses = o.history().plot("SkrGAN losses");
    }
}
