package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.image.labels.LabelEdit;
import org.medsynth.image.labels.LabelMapEditor;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/**
 * MedSynth Edit Label Map: a new label map in which one label's region is scaled, moved, grown,
 * shrunk, pasted from another label map, or randomly scaled and moved (for 3D-MedGAN).
 */
@Plugin(type = Command.class, label = "MedSynth Edit Label Map")
public class EditLabelMapCommand implements Command {

    @Parameter
    public ImagePlus image;

    @Parameter(description = "The label whose region is changed (> 0)", min = "1")
    public int label = 1;

    @Parameter(description = "What to do with the label's region",
            choices = {"scale", "translate", "dilate", "erode", "paste", "random"})
    public String operation = "scale";

    @Parameter(description = "scale: factor about the region's centre of mass (2 = twice as long, 8x the volume)", min = "0")
    public double factor = 1.5;

    @Parameter(description = "translate/paste: shift along x, in pixels")
    public int dx = 0;

    @Parameter(description = "translate/paste: shift along y, in pixels")
    public int dy = 0;

    @Parameter(description = "translate/paste: shift along z, in slices")
    public int dz = 0;

    @Parameter(description = "dilate/erode: radius in pixels (a sphere in physical units)", min = "0", style = "units:px")
    public double radius = 2;

    @Parameter(description = "paste: label map (same size) whose region of 'label' is pasted", required = false)
    public File source;

    @Parameter(description = "Host label: takes over removed voxels and may be overwritten when growing (-1 = automatic)", min = "-1")
    public int fill = LabelMapEditor.AUTO_HOST;

    @Parameter(description = "random: seed of the random edit (same seed = same edit)")
    public long seed = 1;

    @Parameter(description = "random: smallest scale factor", min = "0")
    public double min_factor = LabelMapEditor.RandomRanges.DEFAULT.minScale();

    @Parameter(description = "random: largest scale factor", min = "0")
    public double max_factor = LabelMapEditor.RandomRanges.DEFAULT.maxScale();

    @Parameter(description = "random: largest shift along x and y, in pixels", min = "0")
    public int max_shift = LabelMapEditor.RandomRanges.DEFAULT.maxShiftXY();

    @Parameter(description = "random: largest shift along z, in slices", min = "0")
    public int max_shift_z = LabelMapEditor.RandomRanges.DEFAULT.maxShiftZ();

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus edited;

    @Parameter(type = ItemIO.OUTPUT, label = "Label edit summary")
    public ResultsTable summary;

    @Override
    public void run() {
        LabelMapEditor.RandomRanges ranges = "random".equalsIgnoreCase(operation == null ? "" : operation.trim())
                ? new LabelMapEditor.RandomRanges(min_factor, max_factor, max_shift, max_shift_z) : null;
        LabelMapEditor.Result r = new LabelEdit(operation, label, fill, factor, dx, dy, dz, radius,
                source == null ? null : source.toPath(), seed, ranges).apply(image);
        edited = r.image();
        summary = Tables.labelEdit(r);
    }
}
