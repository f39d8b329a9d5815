package org.medsynth.image.io;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The static NIfTI API the rest of MedSynth calls, directly and through ImageFiles. */
class NiftiFilesTest {

    @TempDir
    Path dir;

    private static ImagePlus volume() {
        ImageStack stack = new ImageStack(6, 5);
        for (int z = 0; z < 4; z++) {
            FloatProcessor fp = new FloatProcessor(6, 5);
            for (int i = 0; i < 30; i++) fp.setf(i, z * 100 + i * 0.5f - 3);
            stack.addSlice(fp);
        }
        ImagePlus imp = new ImagePlus("vol", stack);
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.9;
        cal.pixelHeight = 0.9;
        cal.pixelDepth = 3;
        cal.setUnit("mm");
        return imp;
    }

    @Test
    void writeThenReadThroughTheStaticApi() {
        ImagePlus imp = volume();
        Path file = dir.resolve("vol.nii.gz");
        NiftiFiles.write(imp, file);
        ImagePlus back = NiftiFiles.read(file);
        assertEquals(4, back.getNSlices());
        assertEquals(0.9, back.getCalibration().pixelWidth, 1e-6);
        assertEquals(3, back.getCalibration().pixelDepth, 1e-6);
        for (int z = 1; z <= 4; z++) {
            float[] a = (float[]) imp.getStack().getPixels(z);
            float[] b = (float[]) back.getStack().getPixels(z);
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 6; x++) assertEquals(a[y * 6 + x], b[y * 6 + x], "slice " + z);
            }
        }
    }

    @Test
    void imageFilesDispatchesNiftiByExtension() {
        ImagePlus imp = volume();
        Path nii = dir.resolve("a.nii");
        ImageFiles.save(imp, nii);
        assertTrue(Files.exists(nii));
        ImagePlus back = ImageFiles.open(nii);
        assertEquals("a.nii", back.getTitle());
        assertEquals(32, back.getBitDepth());
        Path hdr = dir.resolve("b.hdr");
        ImageFiles.save(imp, hdr);
        assertTrue(Files.exists(dir.resolve("b.img")));
        assertEquals(4, ImageFiles.open(hdr).getNSlices());
        assertEquals(1, ImageFiles.listFiles(dir).stream().filter(p -> p.getFileName().toString().startsWith("b.")).count(),
                "a pair is listed once, by its .hdr");
        ImagePlus brain = ImageFiles.open(Path.of("sample-data", "brain", "ch2.nii.gz"));
        assertEquals(181, brain.getNSlices());
    }

    @Test
    void errorsNameTheFile() {
        UserInputException e = assertThrows(UserInputException.class, () -> NiftiFiles.read(dir.resolve("none.nii.gz")));
        assertTrue(e.getMessage().contains("none.nii.gz"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> ImageFiles.open(dir.resolve("none.nii")));
        assertTrue(e.getMessage().contains("none.nii"), e.getMessage());
    }
}
