package org.medsynth.image.io;

import ij.ImagePlus;
import org.medsynth.image.nifti.NiftiReader;
import org.medsynth.image.nifti.NiftiWriter;

import java.nio.file.Path;

/**
 * NIfTI-1/2 reading and writing for the rest of MedSynth (.nii, .nii.gz, .hdr/.img). The work is
 * done by {@link NiftiReader} and {@link NiftiWriter} in {@code org.medsynth.image.nifti}, whose
 * class comments describe the conventions (orientation, calibration, datatypes, what is kept).
 * Failures are {@link org.medsynth.core.UserInputException}s naming the file.
 */
public final class NiftiFiles {
    private NiftiFiles() { }

    /** Reads a NIfTI volume into a calibrated ImagePlus (stack or hyperstack). */
    public static ImagePlus read(Path path) {
        return NiftiReader.read(path);
    }

    /** Writes an ImagePlus as NIfTI, the format chosen by the extension (.nii, .nii.gz, .hdr/.img). */
    public static void write(ImagePlus imp, Path path) {
        NiftiWriter.write(imp, path);
    }

    /** As {@link #write}, but only if the file (or the .hdr/.img pair) does not exist: atomic create-or-fail. */
    public static void create(ImagePlus imp, Path path) {
        NiftiWriter.create(imp, path);
    }
}
