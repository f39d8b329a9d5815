package org.medsynth.command;

import ij.ImagePlus;
import org.medsynth.image.nifti.NiftiDataType;
import org.medsynth.image.nifti.NiftiWriter;
import org.medsynth.core.UserInputException;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;

/**
 * MedSynth Save NIfTI: saves the active image as NIfTI; the extension of {@code path} chooses
 * .nii, .nii.gz or a .hdr/.img pair. Macro:
 * {@code run("MedSynth Save NIfTI", "path=/data/out.nii.gz");} (optional: {@code version=NIfTI-2 datatype=int16}).
 */
@Plugin(type = Command.class, label = "MedSynth Save NIfTI")
public class SaveNiftiCommand implements Command {

    @Parameter
    public ImagePlus image;

    @Parameter(description = "Target file ending in .nii, .nii.gz, or .hdr (writes .hdr + .img)", style = "save")
    public File path;

    @Parameter(description = "auto: the version the image was read with, else NIfTI-1 (NIfTI-2 if a size exceeds 32767)",
            choices = {"auto", "NIfTI-1", "NIfTI-2"}, required = false)
    public String version = "auto";

    @Parameter(description = "auto: the image's own type (or the type it was read with, when its values still fit);"
            + " otherwise values are rounded to the type and refused if out of range",
            choices = {"auto", "uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "float32", "float64",
                    "RGB24"}, required = false)
    public String datatype = "auto";

    @Override
    public void run() {
        if (image == null) throw new UserInputException("Open or select the image to save first.");
        if (path == null) {
            throw new UserInputException("Choose the file to save to, e.g. path=/data/out.nii.gz");
        }
        NiftiWriter.Options options = NiftiWriter.Options.defaults();
        if ("NIfTI-1".equals(version)) options = options.version(1);
        else if ("NIfTI-2".equals(version)) options = options.version(2);
        else if (version != null && !version.equals("auto")) {
            throw new UserInputException("Unknown NIfTI version '" + version + "': use auto, NIfTI-1 or NIfTI-2.");
        }
        if (datatype != null && !datatype.equals("auto")) {
            NiftiDataType t = NiftiDataType.fromLabel(datatype);
            if (t == null) {
                throw new UserInputException("Unknown NIfTI datatype '" + datatype
                        + "': use auto, uint8, int8, int16, uint16, int32, uint32, int64, float32, float64 or RGB24.");
            }
            options = options.dataType(t);
        }
        NiftiWriter.write(image, path.toPath(), options);
    }
}
