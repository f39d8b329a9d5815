package org.medsynth.command;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.nn.layers.Norm;
import org.medsynth.workflow.hybrid.SegmenterJob;
import org.medsynth.workflow.hybrid.SyntheticMix;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.medsynth.workflow.segment.SegmenterTraining;
import org.scijava.ItemIO;
import org.medsynth.nn.engine.Engine;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.nio.file.Path;
import java.util.Locale;

/**
 * MedSynth Train Segmenter: trains U-Net, Attention U-Net, U-Net++, MLU-Net, Info-Max-Net or
 * IM-MLU-Net on a folder of images and a folder of label maps (matched by file name) and writes
 * the model .zip; see docs/segmentation.md.
 */
@Plugin(type = Command.class, label = "MedSynth Train Segmenter")
public class TrainSegmenterCommand implements Command {

    // the names of SegmentationNetworkFamily, written out because an annotation holds constants only (TrainSegmenterCommandTest)
    @Parameter(description = "Network: unet (the paper's U-Net), attention-unet (AgNet), unet++, mlu-net, "
            + "info-max-net (U-Net + mutual information), im-mlu-net (MLU-Net + mutual information)",
            choices = {"unet", "attention-unet", "unet++", "mlu-net", "info-max-net", "im-mlu-net"})
    public String network = "mlu-net";

    @Parameter(description = "Folder of training images (2D images or volumes)", style = "directory")
    public File images;

    @Parameter(description = "Folder of label maps with the same file names (values 0 .. classes-1)", style = "directory")
    public File labels;

    @Parameter(description = "Number of classes including the background (liver + tumour: 3)", min = "2")
    public int classes = 3;

    @Parameter(description = "Model file to write (.zip); checkpoint and curves are written beside it", style = "save")
    public File model;

    @Parameter(description = "Training steps (batches); the paper: 3000", min = "1")
    public int iterations = 3000;

    @Parameter(description = "Patch size: one number (square 2D patch), WxH, or WxHxD for a 3D network; "
            + "every side a multiple of 2^depth")
    public String patch = "256";

    @Parameter(description = "Patches per step (0 = 1 as in the paper, 2 for info-max-net and im-mlu-net)", min = "0")
    public int batch = 0;

    @Parameter(description = "Adam learning rate; divided by 10 after half of the iterations (the paper: 1e-4, then 1e-5)")
    public double learning_rate = 1e-4;

    @Parameter(description = "Seed of all random choices (same seed, data and settings = same model)")
    public long seed = 1;

    @Parameter(description = "Continue from the checkpoint beside the model file, if there is one")
    public boolean resume = false;

    @Parameter(description = EngineChoice.DESCRIPTION, choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Parameter(description = "Share of the image pairs held out for validation (0 = none); the model with the best "
            + "validation Dice is kept", min = "0", max = "0.9")
    public double validation = 0.2;

    @Parameter(description = "Model .zip to start from (fine-tuning; same network, width and depth), empty = random start",
            required = false, style = "open")
    public File init;

    @Parameter(description = "Feature maps of the first level (the paper: 64; doubles at every level)", min = "1")
    public int width = 64;

    @Parameter(description = "Number of 2x down-samplings (the paper: 3)", min = "1", max = "6")
    public int depth = 3;

    @Parameter(description = "Normalisation inside the network", choices = {"batch", "instance", "none"})
    public String norm = "batch";

    @Parameter(description = "Intensity normalisation after clipping: zscore (mean 0, sd 1 per image), 0to1 / -1to1 (the "
            + "clipping range, or the window, mapped linearly onto that range), none", choices = {"zscore", "0to1", "-1to1", "none"})
    public String normalization = "zscore";

    @Parameter(description = "CT window preset instead of percentile clipping (calibrated units, HU): none, abdomen (-160..240), "
            + "liver (-45..105), brain (0..80), lung (-1350..150), bone (-500..1300); window_low/window_high give any other window",
            choices = {"none", "abdomen", "liver", "brain", "lung", "bone"})
    public String window = "none";

    @Parameter(description = "Lower end of the intensity window in calibrated units (HU for CT), e.g. -160; with window_high it "
            + "replaces the percentile clipping; empty = no window", required = false)
    public String window_low = "";

    @Parameter(description = "Upper end of the intensity window in calibrated units (HU for CT), e.g. 240; empty = no window",
            required = false)
    public String window_high = "";

    @Parameter(description = "Lower clipping percentile (the paper: 0.5; 0 = no clipping)", min = "0", max = "100")
    public double clip_low = 0.5;

    @Parameter(description = "Upper clipping percentile (the paper: 99.5; 100 = no clipping)", min = "0", max = "100")
    public double clip_high = 99.5;

    @Parameter(description = "Resize every slice to this width and height first (the paper: 256; 0 = keep the size)", min = "0")
    public int resize = 0;

    @Parameter(description = "Share of patches that contain the rarest label of their image (foreground oversampling)",
            min = "0", max = "1")
    public double rare_share = 1.0 / 3;

    @Parameter(description = "Data augmentation of the patches", choices = {"flips+rotations", "none"})
    public String augment = "flips+rotations";

    @Parameter(description = "Steps between validations (0 = once per epoch)", min = "0")
    public int validate_every = 0;

    @Parameter(description = "Steps between checkpoints", min = "1")
    public int checkpoint_every = 100;

    @Parameter(description = "Replace NaN and infinite pixel values by each image's lowest value (default: refuse such images)")
    public boolean replace_nan = false;

    @Parameter(description = "Synthetic training data (IM-MedGAN, MLU-MedGAN, IM-MLU-MedGAN): a folder written by MedSynth Augment "
            + "Training Set, or a 3D-MedGAN model (.zip) that writes fake_ratio pairs per real training pair into "
            + "<model name>-synthetic/ beside the model; empty = real data only", required = false, style = "open")
    public File augment_with;

    @Parameter(description = "Synthetic pairs per real training pair (0 = real only; the paper's Table 1: 1, 3, 5)", min = "0", max = "1000")
    public int fake_ratio = 0;

    @Parameter(description = "Train on the synthetic pairs alone (the paper's \"100% F\" with fake_ratio=1)")
    public boolean synthetic_only = false;

    @Parameter(description = "When augment_with is a 3D-MedGAN model: label whose region is randomly scaled and moved before "
            + "synthesis (0 = a random label of each map; 2 = tumour for liver data)", min = "0")
    public int edit_label = 0;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmenter validation")
    public ResultsTable validation_dice;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmenter training data")
    public ResultsTable training_data;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmenter losses")
    public ImagePlus loss_curves;

    @Override
    public void run() {
        SegmenterJob.Request request = new SegmenterJob.Request(settings(), path(images), path(labels), path(model), resume, replace_nan,
                augment_with == null || augment_with.getPath().isEmpty() ? null : augment_with.toPath(), new SyntheticMix(fake_ratio, synthetic_only), edit_label);
        SegmenterJob.Outcome outcome;
        try (Engine.Scope chosen = EngineChoice.use(engine, "Train Segmenter");
             ImageJProgress progress = ImageJProgress.training("Train Segmenter")) {
            outcome = SegmenterJob.run(request, progress);
            SegmenterTraining.Result r = outcome.result();
            progress.trainingEnded(r.completedSteps(), request.settings().iterations(), r.cancelled(), r.model(),
                    SegmenterTraining.checkpointOf(r.model()));
        }
        for (String n : outcome.notes()) IJ.log("Train Segmenter: " + n);
        PreprocessingSpec pre = request.settings().preprocessing();
        validation_dice = SegmentationTables.validation(outcome.result(), classes);
        training_data = SegmentationTables.trainingData(outcome.result(), outcome.synthetic(), pre);
        loss_curves = outcome.result().losses().plot("Segmenter losses (" + network.toLowerCase(Locale.ROOT) + ")");
        loss_curves.setTitle(model.getName() + " losses");
    }

    private SegmenterSettings settings() {
        int[] p = SegmenterSettings.parsePatch(patch);
        IntensityWindow w = IntensityWindow.fromOptions(window, window_low, window_high);
        PreprocessingSpec pre = SegmenterSettings.trainingPreprocessing(w, clip_low, clip_high, Normalization.fromKey(normalization), resize);
        if (w != null && (clip_low > 0 || clip_high < 100)) {
            IJ.log("Train Segmenter: the intensity window " + w.describe() + " replaces the percentile clipping (clip_low/clip_high are not used).");
        }
        IJ.log("Train Segmenter: intensity preprocessing " + pre.describeIntensity() + ".");
        // the defaults must not be built from the patch: they have depth 3, and the patch is checked against the depth given here
        return new SegmenterSettings(network, width, depth, Norm.parse(norm), classes, p,
                SegmenterSettings.batchOrDefault(batch, network), iterations, learning_rate,
                SegmenterSettings.DEFAULT_DECAY_AT, SegmenterSettings.DEFAULT_DECAY_FACTOR, seed, validation,
                validate_every, rare_share, !"none".equalsIgnoreCase(augment), pre, checkpoint_every, path(init));
    }

    private static Path path(File f) {
        return f == null ? null : f.toPath();
    }
}
