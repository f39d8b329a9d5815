package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.image.io.NiftiFiles;
import org.medsynth.core.UserInputException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/**
 * MedSynth Open NIfTI: opens a NIfTI-1/2 volume (.nii, .nii.gz, .hdr/.img) as a calibrated
 * stack or hyperstack. Macro: {@code run("MedSynth Open NIfTI", "path=/data/brain.nii.gz");}
 */
@Plugin(type = Command.class, label = "MedSynth Open NIfTI")
public class OpenNiftiCommand implements Command {

    @Parameter(description = "The NIfTI file: .nii, .nii.gz, or the .hdr (or .img) of a header/image pair",
            style = "open")
    public File path;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus image;

    @Override
    public void run() {
        if (path == null) {
            throw new UserInputException("Choose the NIfTI file to open, e.g. path=/data/brain.nii.gz");
        }
        image = NiftiFiles.read(path.toPath());
    }
}
