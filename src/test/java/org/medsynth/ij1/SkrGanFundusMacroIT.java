package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** macros/MedSynth_SkrGAN_Fundus.ijm headless with a smoke budget: trains, generates, montages, renders; a rerun reuses the model. */
class SkrGanFundusMacroIT {

    @TempDir
    Path tmp;

    @Test
    void trainsAt64PxThenWritesTheGeneratedImagesTheirMontageAndTheRenderedSketch() throws Exception {
        Path macro = Path.of(System.getProperty("medsynth.basedir", ".")).resolve("macros/MedSynth_SkrGAN_Fundus.ijm");
        Path out = tmp.resolve("out");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, out + " 5 2");
        assertEquals(0, run.exit(), run.out());
        assertTrue(Files.exists(out.resolve("skrgan-fundus-64.zip")), run.out());
        for (int i = 1; i <= 16; i++) {
            String n = String.format("%04d.png", i);
            assertTrue(Files.exists(out.resolve("generated/image_" + n)) && Files.exists(out.resolve("generated/sketch_" + n)), n);
        }
        ImagePlus montage = IJ.openImage(out.resolve("generated-montage.png").toString());
        assertTrue(montage.getWidth() >= 8 * 128 && montage.getHeight() >= 4 * 128, montage.getWidth() + " x " + montage.getHeight());
        assertEquals(64, IJ.openImage(out.resolve("retina-sketch-rendered.png").toString()).getWidth());

        HeadlessMacroIT.Run again = HeadlessMacroIT.headless(macro, out + " 5 2");
        assertEquals(0, again.exit(), again.out());
        assertFalse(again.out().contains("SkrGAN: training"), "the existing model is used again: " + again.out());
    }
}
