package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.metrics.KerasFeatureExtractor;
import org.medsynth.workflow.ImageSet;
import org.medsynth.workflow.SynthesisEvaluation;
import org.medsynth.core.UserInputException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Evaluate Synthesis: SWD, MS-SSIM, FID and KID between real and generated images
 * (SkrGAN Table 1).
 */
@Plugin(type = Command.class, label = "MedSynth Evaluate Synthesis")
public class EvaluateSynthesisCommand implements Command {

    @Parameter(description = "Real images: a folder, an image stack file, or the title of an open stack (one image per slice)")
    public String real = "";

    @Parameter(description = "Generated images: a folder, an image stack file, or the title of an open stack")
    public String generated = "";

    @Parameter(description = "all, or a list of SWD, MS-SSIM, FID, KID (all = FID/KID only when an InceptionV3 file is configured)")
    public String metrics = "all";

    @Parameter(description = "Seed of every random choice (SWD neighbourhoods and directions, MS-SSIM pairs, KID subsets)")
    public int seed = 0;

    @Parameter(description = "Number of random image pairs for MS-SSIM", min = "1")
    public int pairs = 100;

    @Parameter(description = "Intensity range L for MS-SSIM and the 0-255 scaling for the feature network "
            + "(0 = automatic: 255 for 8-bit/RGB, else the range of the images)", min = "0")
    public double data_range = 0;

    @Parameter(description = "InceptionV3 Keras .h5 file for FID/KID (empty = system property medsynth.inception "
            + "or environment variable MEDSYNTH_INCEPTION)", required = false, style = "extensions:h5")
    public File inception;

    @Parameter(description = "KID: number of random subsets", min = "1")
    public int kid_subsets = 100;

    @Parameter(description = "KID: images per subset (reduced to the smaller set size)", min = "2")
    public int kid_subset_size = 1000;

    @Parameter(description = "Folder for synthesis-metrics.csv (optional)", required = false, style = "directory")
    public File output;

    @Parameter(type = ItemIO.OUTPUT, label = "Synthesis metrics")
    public ResultsTable table;

    @Override
    public void run() {
        if (output != null) org.medsynth.util.Outputs.folder(output.toPath(), "output"); // before any work
        ImageSet r = set(real, "real"), g = set(generated, "generated");
        SynthesisEvaluation.Options options = new SynthesisEvaluation.Options(SynthesisEvaluation.parseMetrics(metrics),
                seed, pairs, data_range, kid_subsets, kid_subset_size, SynthesisEvaluation.isAll(metrics));
        List<SynthesisEvaluation.Row> rows = new SynthesisEvaluation(options,
                () -> KerasFeatureExtractor.inceptionV3(inception == null ? null : inception.toPath()))
                .run(r, g, new ImageJProgress("Evaluate Synthesis"));
        table = Tables.of(SynthesisEvaluation.table(rows));
        if (output != null) SynthesisEvaluation.save(rows, output.toPath());
    }

    private static ImageSet set(String value, String key) {
        ImageArguments.Resolved res = ImageArguments.resolve(value, key);
        if (res == null) {
            throw new UserInputException("Give the " + key + " images: " + key + "=[folder or stack file] or the title of an open stack.");
        }
        return res.image() != null ? ImageSet.stack(res.image()) : ImageSet.of(res.path());
    }
}
