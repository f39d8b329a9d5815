package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train 3D-MedGAN with volumes too small for the generator and with NaN voxels (before: mapped to -1 without a word). */
class MedGanValidationTest {

    @TempDir
    Path dir;

    private void pair(String name, int w, int h, int d, float nanAt) {
        ImageStack img = new ImageStack(w, h), lab = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            FloatProcessor fp = new FloatProcessor(w, h);
            for (int i = 0; i < w * h; i++) fp.setf(i, (i * 7 + z * 3) % 23);
            if (z == 1 && nanAt >= 0) fp.setf((int) nanAt, Float.NaN);
            img.addSlice(fp);
            ByteProcessor bp = new ByteProcessor(w, h);
            for (int i = 0; i < w * h; i++) bp.set(i, i % 3 == 0 ? 1 : 0);
            lab.addSlice(bp);
        }
        ImageFiles.saveTiff(new ImagePlus(name, img), dir.resolve("images/" + name + ".tif"));
        ImageFiles.saveTiff(new ImagePlus(name, lab), dir.resolve("labels/" + name + ".tif"));
    }

    private UserInputException refusal() {
        try {
            Files.createDirectories(dir.resolve("out"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return assertThrows(UserInputException.class, () -> MedGanTraining.run(dir.resolve("images"), dir.resolve("labels"),
                dir.resolve("out/medgan.zip"), MedGanTrainerTest.tiny().withIterations(1), false, Progress.NONE));
    }

    @Test
    void volumesSmallerThanTheGeneratorsMinimumAreRefused() {
        pair("tiny", 2, 2, 2, -1);
        UserInputException e = refusal();
        ErrorMatrix.check("too-small-train-3d-medgan", e);
        assertFalse(Files.exists(dir.resolve("out/medgan.zip")));
    }

    @Test
    void nanVoxelsAreRefusedWithTheFileAndPosition() {
        pair("brain", 16, 16, 16, 37);
        UserInputException e = refusal();
        ErrorMatrix.check("nan-pixels", e);
        assertTrue(e.getMessage().startsWith("brain.tif has 1 NaN pixel value (first at x=5, y=2, slice 2)"), e.getMessage());
    }
}
