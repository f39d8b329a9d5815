package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.medsynth.data.FundusPhantom;
import org.medsynth.data.LiverPhantom;
import org.medsynth.workflow.PhantomDataset;
import org.medsynth.core.UserInputException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.List;

/**
 * MedSynth Make Phantoms: synthetic fundus photographs with vessel masks, or liver CT volumes
 * with liver/tumour labels. With an output folder, writes {@code count} cases as a training set
 * (images/, labels/, masks/); without one, shows the first case.
 */
@Plugin(type = Command.class, label = "MedSynth Make Phantoms")
public class MakePhantomsCommand implements Command {

    @Parameter(description = "fundus: RGB fundus photographs with vessel and field-of-view masks; "
            + "liver: CT volumes (HU) with labels 0 background, 1 liver, 2 tumour",
            choices = {"fundus", "liver"})
    public String kind = "fundus";

    @Parameter(description = "Number of cases to write (only the first is shown when no output folder is given)", min = "1")
    public int count = 10;

    @Parameter(description = "Fundus: width and height of the square image, in pixels (64-4096)", min = "64", max = "4096",
            style = "units:px")
    public int size = FundusPhantom.DEFAULT_SIZE;

    @Parameter(description = "Liver: width of the volume, in pixels (32-1024)", min = "32", max = "1024", style = "units:px")
    public int width = LiverPhantom.DEFAULT_WIDTH;

    @Parameter(description = "Liver: height of the volume, in pixels (32-1024)", min = "32", max = "1024", style = "units:px")
    public int height = LiverPhantom.DEFAULT_HEIGHT;

    @Parameter(description = "Liver: number of slices (4-512)", min = "4", max = "512", style = "units:slices")
    public int depth = LiverPhantom.DEFAULT_DEPTH;

    @Parameter(description = "Random seed of the first case; case i uses seed + i - 1. The same seed gives the same phantoms.")
    public long seed = 1;

    @Parameter(description = "Fundus: file format of the written images and masks (liver volumes are always TIFF)",
            choices = {"tif", "png"})
    public String format = "tif";

    @Parameter(description = "Folder for the data set (leave empty to show the first case instead)",
            required = false, style = "directory")
    public File output;

    @Parameter(type = ItemIO.OUTPUT, label = "Phantom image")
    public ImagePlus image;

    @Parameter(type = ItemIO.OUTPUT, label = "Phantom labels")
    public ImagePlus labels;

    @Parameter(type = ItemIO.OUTPUT, label = "Phantom field of view")
    public ImagePlus mask;

    @Parameter(type = ItemIO.OUTPUT, label = "Phantom data set")
    public ResultsTable summary;

    @Override
    public void run() {
        if (!"fundus".equals(kind) && !"liver".equals(kind)) {
            throw new UserInputException("Unknown phantom kind '" + kind + "': choose fundus or liver.");
        }
        boolean fundus = "fundus".equals(kind);
        if (output == null) {
            if (fundus) {
                FundusPhantom.Sample s = FundusPhantom.generate(size, seed);
                image = s.image();
                labels = s.vessels();
                mask = s.fov();
            } else {
                LiverPhantom.Sample s = LiverPhantom.generate(width, height, depth, seed);
                image = s.ct();
                labels = s.labels();
            }
            return;
        }
        ImageJProgress progress = new ImageJProgress("Make Phantoms");
        List<PhantomDataset.Case> cases = fundus
                ? PhantomDataset.writeFundus(output.toPath(), count, size, seed, format, progress)
                : PhantomDataset.writeLiver(output.toPath(), count, width, height, depth, seed, progress);
        ResultsTable rt = new ResultsTable();
        for (PhantomDataset.Case c : cases) {
            rt.incrementCounter();
            rt.addValue("case", c.name());
            rt.addValue("seed", String.valueOf(c.seed()));
            rt.addValue("image", c.image().toString());
            rt.addValue("label", c.label().toString());
            if (c.mask() != null) rt.addValue("mask", c.mask().toString());
        }
        summary = rt;
    }
}
