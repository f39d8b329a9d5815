package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanTraining;
import org.medsynth.nn.engine.Engine;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Train 3D-MedGAN: trains the label-map-to-volume GAN on the image/label-map pairs of two
 * folders and writes the model (.zip), a checkpoint and the loss curves.
 */
@Plugin(type = Command.class, label = "MedSynth Train 3D-MedGAN")
public class Train3DMedGanCommand implements Command {

    @Parameter(description = "Folder of training images (one volume per file; TIFF, NIfTI, ...)", style = "directory")
    public File images;

    @Parameter(description = "Folder of label maps with the same file names as the images", style = "directory")
    public File labels;

    @Parameter(description = "Model file to write (.zip); the checkpoint and loss curves are written beside it", style = "save")
    public File model;

    @Parameter(description = "3D: volumetric patches (the paper); 2D: slice-wise, cheaper", choices = {"3D", "2D"})
    public String mode = "3D";

    @Parameter(description = "Patch edge in voxels (a multiple of 2^depth)", min = "8", style = "units:px")
    public int patch = MedGanConfig.defaults().patch();

    @Parameter(description = "Training iterations (one G and one D update on one patch each)", min = "1")
    public int iterations = MedGanConfig.defaults().iterations();

    @Parameter(description = "Image-pool size for D's updates (0 = no pool)", min = "0")
    public int pool = MedGanConfig.defaults().pool();

    @Parameter(description = "Seed of all random choices (same seed = same training)")
    public long seed = MedGanConfig.defaults().seed();

    @Parameter(description = "Continue from the checkpoint of an earlier run with the same model file and settings")
    public boolean resume = false;

    @Parameter(description = "Feature maps of the generator's first level", min = "1")
    public int width = MedGanConfig.defaults().width();

    @Parameter(description = "Down-sampling levels of the generator", min = "2", max = "8")
    public int depth = MedGanConfig.defaults().depth();

    @Parameter(description = "Feature maps of the discriminator's first layer", min = "1")
    public int d_width = MedGanConfig.defaults().discriminatorWidth();

    @Parameter(description = "Stride-2 layers of the patch discriminator (3: 70-voxel receptive field, 1: 16)", min = "1", max = "5")
    public int d_layers = MedGanConfig.defaults().discriminatorLayers();

    @Parameter(description = "Weight of an extra L1 term in G's loss (0 = the paper's pure least-squares loss)", min = "0")
    public double l1_weight = MedGanConfig.defaults().l1Weight();

    @Parameter(description = "Noise channel for the generator (gaussian: different volumes per seed)", choices = {"gaussian", "none"})
    public String noise = "gaussian";

    @Parameter(description = "Adam learning rate (betas 0.5, 0.999)", min = "0")
    public double learning_rate = MedGanConfig.defaults().learningRate();

    @Parameter(description = "Lower intensity clipping percentile", min = "0", max = "100")
    public double clip_low = MedGanConfig.defaults().clipLow();

    @Parameter(description = "Upper intensity clipping percentile", min = "0", max = "100")
    public double clip_high = MedGanConfig.defaults().clipHigh();

    @Parameter(description = "Iterations between checkpoints", min = "1")
    public int checkpoint_every = MedGanConfig.defaults().checkpointEvery();

    @Parameter(description = "Replace NaN and infinite pixel values by each image's lowest value (default: refuse such images)")
    public boolean replace_nan = false;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(type = ItemIO.OUTPUT, label = "3D-MedGAN training")
    public ResultsTable summary;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus losses;

    @Override
    public void run() {
        if (images == null || labels == null) throw new UserInputException("Choose the folders of training images and label maps.");
        MedGanConfig d = MedGanConfig.defaults();
        int dims = "2D".equalsIgnoreCase(mode == null ? "" : mode.trim()) ? 2 : 3;
        boolean withNoise = !"none".equalsIgnoreCase(noise == null ? "" : noise.trim());
        MedGanConfig cfg = new MedGanConfig(dims, patch, width, depth, d_width, d_layers, pool, iterations, learning_rate, l1_weight,
                withNoise, clip_low, clip_high, d.rareShare(), seed, checkpoint_every);
        MedGanTraining.Result r;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Train 3D-MedGAN");
             ImageJProgress progress = ImageJProgress.training("Train 3D-MedGAN")) {
            r = MedGanTraining.run(images.toPath(), labels.toPath(), model == null ? null : model.toPath(), cfg, resume,
                    replace_nan, progress);
            progress.trainingEnded(r.completedIterations(), cfg.iterations(), r.cancelled(), r.model(), r.checkpoint());
        }
        summary = new ResultsTable();
        summary.incrementCounter();
        summary.addValue("model", r.model().toString());
        summary.addValue("iterations", r.completedIterations());
        summary.addValue("cancelled", r.cancelled() ? "yes" : "no");
        summary.addValue("labels", r.encoding().describe());
        summary.addValue("intensity low", r.mapping().sourceLow());
        summary.addValue("intensity high", r.mapping().sourceHigh());
        int window = Math.max(1, Math.min(50, r.history().size()));
        for (String key : List.of("D", "G", "G_L1")) {
            if (!r.history().values(key).isEmpty()) summary.addValue("loss " + key, r.history().recentMean(key, window));
        }
        summary.addValue("loss curves", r.lossPlot().toString());
        losses = r.history().size() > 0 ? r.history().plot("3D-MedGAN losses") : null;
    }
}
