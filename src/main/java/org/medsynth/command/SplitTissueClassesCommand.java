package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.core.UserInputException;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.TissueClassSplit;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * MedSynth Split Labels into Tissue Classes: the active label map (an atlas of regions drawn over grey and white matter)
 * with its voxels split into white matter, CSF and deep grey matter by the intensity of the image it was drawn on
 * ({@link TissueClassSplit}), so that 3D-MedGAN sees where sulci and white matter are.
 */
@Plugin(type = Command.class, label = "MedSynth Split Labels into Tissue Classes")
public class SplitTissueClassesCommand implements Command {

    @Parameter
    public ImagePlus image;

    @Parameter(description = "The image the label map was drawn on (same size; e.g. the T1 MR): title of an open image or a file path")
    public String intensity = "";

    @Parameter(description = "Label of white matter (voxels brighter than the white-matter threshold; 0 = the next free number)", min = "0")
    public int white_label = 0;

    @Parameter(description = "Label of CSF (voxels darker than the CSF threshold: sulci, ventricles; 0 = the next free number)", min = "0")
    public int csf_label = 0;

    @Parameter(description = "Label of deep grey matter (enclosed unlabelled voxels between the thresholds; 0 = the next free number)", min = "0")
    public int deep_label = 0;

    @Parameter(description = "White-matter threshold in image units (empty = automatic: Otsu over the labelled voxels)", required = false)
    public String white_threshold = "";

    @Parameter(description = "CSF threshold in image units (empty = automatic: Otsu over the labelled voxels below the white-matter threshold)", required = false)
    public String csf_threshold = "";

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus split;

    @Parameter(type = ItemIO.OUTPUT, label = "Tissue classes")
    public ResultsTable summary;

    @Override
    public void run() {
        ImageArguments.Resolved r = ImageArguments.resolve(intensity, "intensity");
        if (r == null) throw new UserInputException("Give the image the label map was drawn on: intensity=[title of an open image] or a file path.");
        ImagePlus grey = r.image() != null ? r.image() : ImageFiles.open(r.path());
        TissueClassSplit.Result result = TissueClassSplit.split(image, grey,
                new TissueClassSplit.Classes(white_label, csf_label, deep_label),
                new TissueClassSplit.Thresholds(number(csf_threshold, "csf_threshold"), number(white_threshold, "white_threshold")));
        split = result.image();
        summary = table(result);
    }

    private static double number(String value, String key) {
        if (value == null || value.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException(key + " must be a number in the image's units, or empty for the automatic threshold; got '" + value + "'.");
        }
    }

    /** One row per class (the last: the voxels that kept their region's label), each with both thresholds for macros. */
    private static ResultsTable table(TissueClassSplit.Result r) {
        ResultsTable rt = new ResultsTable();
        Object[][] rows = {{"white matter", r.classes().white(), r.white()}, {"CSF", r.classes().csf(), r.csf()},
                {"deep grey matter", r.classes().deep(), r.deep()}, {"region kept", 0, r.kept()}};
        for (Object[] row : rows) {
            rt.incrementCounter();
            rt.addValue("class", (String) row[0]);
            rt.addValue("label", ((Number) row[1]).doubleValue());
            rt.addValue("voxels", ((Number) row[2]).doubleValue());
            rt.addValue("white threshold", r.thresholds().white());
            rt.addValue("CSF threshold", r.thresholds().csf());
        }
        return rt;
    }
}
