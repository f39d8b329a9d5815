package org.medsynth.image.io;

import ij.ImagePlus;
import org.medsynth.workflow.UserInputException;

import java.nio.file.Path;

/** NIfTI-1/2 reading and writing (temporary: replaced by the NIfTI reader/writer branch). */
public final class NiftiFiles {
    private NiftiFiles() { }

    public static ImagePlus read(Path path) {
        throw new UserInputException("NIfTI support is not in this build yet: " + path);
    }

    public static void write(ImagePlus imp, Path path) {
        throw new UserInputException("NIfTI support is not in this build yet: " + path);
    }
}
