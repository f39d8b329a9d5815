package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.metrics.SegmentationClasses;
import org.medsynth.workflow.SegmentationEvaluation;
import org.medsynth.core.UserInputException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/**
 * MedSynth Evaluate Segmentation: Dice, SEN, specificity, ACC, IoU and (with a probability map)
 * ROC AUC per class, per image and summarised, for one image pair or folders of pairs.
 */
@Plugin(type = Command.class, label = "MedSynth Evaluate Segmentation")
public class EvaluateSegmentationCommand implements Command {

    @Parameter(required = false)
    public ImagePlus image;

    @Parameter(description = "Predicted segmentation: title of an open image, or a file or folder "
            + "(empty = the active image)", required = false)
    public String prediction = "";

    @Parameter(description = "Ground truth: title of an open image, or a file or folder (folders pair files by name)")
    public String truth = "";

    @Parameter(description = "Optional probability map for ROC AUC: open image title, file or folder "
            + "(one channel, or one channel per label value)", required = false)
    public String probabilities = "";

    @Parameter(description = "binary (0 = background), labels, a list such as 1,2, brats (WT/TC/ET from labels 1,2,4) "
            + "or brats2023 (labels 1,2,3)")
    public String classes = "binary";

    @Parameter(description = "Optional field-of-view mask (non-zero = evaluated): open image title, file, or folder "
            + "matched by name", required = false)
    public String mask = "";

    @Parameter(description = "Folder for segmentation-metrics.csv, segmentation-summary.csv and roc-curve.png/.csv "
            + "(optional)", required = false, style = "directory")
    public File output;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmentation metrics")
    public ResultsTable metrics;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmentation summary")
    public ResultsTable summary;

    @Parameter(type = ItemIO.OUTPUT, label = "ROC curve")
    public ImagePlus roc;

    @Override
    public void run() {
        if (output != null) org.medsynth.util.Outputs.folder(output.toPath(), "output"); // before any work
        SegmentationEvaluation.Source pred = source(prediction, "prediction");
        if (pred == null) {
            if (image == null) {
                throw new UserInputException("Give the prediction (prediction=title or path), or make the predicted "
                        + "segmentation the active image.");
            }
            pred = SegmentationEvaluation.Source.of(image);
        }
        SegmentationEvaluation.Source gt = source(truth, "truth");
        if (gt == null) throw new UserInputException("Give the ground truth: truth=[title of an open image] or a file or folder path.");
        SegmentationEvaluation.Report report = new SegmentationEvaluation(SegmentationClasses.parse(classes))
                .run(pred, gt, source(probabilities, "probabilities"), source(mask, "mask"),
                        new ImageJProgress("Evaluate Segmentation"));
        metrics = Tables.of(report.perImageTable());
        summary = Tables.of(report.summaryTable());
        roc = report.rocCurve();
        for (String s : report.skipped()) ij.IJ.log("Evaluate Segmentation: " + s);
        if (output != null) report.save(output.toPath());
    }

    private static SegmentationEvaluation.Source source(String value, String key) {
        ImageArguments.Resolved r = ImageArguments.resolve(value, key);
        if (r == null) return null;
        return r.image() != null ? SegmentationEvaluation.Source.of(r.image()) : SegmentationEvaluation.Source.of(r.path());
    }
}
