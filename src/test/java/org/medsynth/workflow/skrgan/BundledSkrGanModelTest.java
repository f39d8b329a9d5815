package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.Progress;
import org.medsynth.data.SketchImageDataset;
import org.medsynth.data.SketchPlane;
import org.medsynth.image.sketch.SketchParameters;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The model the demo generates from (sample-data/models/skrgan-fundus-64.zip) loads in this build and draws what a
 * trained SkrGAN draws: sketches that cover about as much of the image as the photograph's own sketch draft (an
 * untrained or collapsed G_S draws nothing, noise or blobs of another extent), different sketches for different noise,
 * and fundus-coloured images (red over green over blue).
 */
class BundledSkrGanModelTest {

    @TempDir
    Path tmp;

    static Path bundled() {
        return Path.of(System.getProperty("medsynth.basedir", ".")).resolve("sample-data/models/skrgan-fundus-64.zip");
    }

    @Test
    void theBundledModelDrawsVesselSketchesOfTheRealExtentAndFundusColouredImages() throws Exception {
        SkrGanGenerator generator = new SkrGanGenerator(bundled());
        assertEquals(64, generator.settings().resolution());
        assertEquals(ProgressiveSchedule.Growth.PGGAN, generator.settings().growth());
        SkrGanGenerator.Generated g = generator.generate(16, 1, Progress.NONE);
        SkrGanGenerator.Generated again = new SkrGanGenerator(bundled()).generate(16, 1, Progress.NONE);
        for (int i = 1; i <= 16; i++) {
            assertArrayEquals((int[]) g.images().getStack().getPixels(i), (int[]) again.images().getStack().getPixels(i), "same seed, same image " + i);
        }

        Path photo = Files.createDirectories(tmp.resolve("photo"));
        Files.copy(Path.of(System.getProperty("medsynth.basedir", ".")).resolve("sample-data/fundus/retina-512.png"), photo.resolve("retina.png"));
        SketchImageDataset real = SketchImageDataset.load(photo, null, 64, true, SketchParameters.defaults(), 0, 1,
                SketchPlane.Shrink.COVERAGE, Progress.NONE);
        double realCoverage = (real.sketches(new int[]{0}, 64).meanNumber().doubleValue() + 1) / 2;

        double[] coverage = new double[16];
        for (int i = 0; i < 16; i++) coverage[i] = mean((byte[]) g.sketches().getStack().getPixels(i + 1)) / 255;
        double meanCoverage = java.util.Arrays.stream(coverage).average().orElseThrow();
        assertTrue(meanCoverage > 0.5 * realCoverage && meanCoverage < 2 * realCoverage,
                "generated sketches cover " + meanCoverage + " of the image, the photograph's draft " + realCoverage);
        int differentPairs = 0;
        for (int i = 1; i < 16; i++) {
            if (!java.util.Arrays.equals((byte[]) g.sketches().getStack().getPixels(i), (byte[]) g.sketches().getStack().getPixels(i + 1))) differentPairs++;
        }
        assertEquals(15, differentPairs, "each noise vector draws its own sketch");

        double[] rgb = meanRgbOfTheCentre(g.images());
        assertTrue(rgb[0] > rgb[1] + 30 && rgb[1] > rgb[2], "fundus colour (R > G > B): " + java.util.Arrays.toString(rgb));
    }

    private static double mean(byte[] p) {
        double s = 0;
        for (byte b : p) s += b & 0xff;
        return s / p.length;
    }

    /** Mean R, G, B over the central 32 x 32 pixels of every image. */
    private static double[] meanRgbOfTheCentre(ImagePlus images) {
        double[] sum = new double[3];
        int n = 0;
        for (int i = 1; i <= images.getStackSize(); i++) {
            ColorProcessor cp = (ColorProcessor) images.getStack().getProcessor(i);
            for (int y = 16; y < 48; y++) {
                for (int x = 16; x < 48; x++) {
                    int c = cp.get(x, y);
                    sum[0] += (c >> 16) & 0xff;
                    sum[1] += (c >> 8) & 0xff;
                    sum[2] += c & 0xff;
                    n++;
                }
            }
        }
        return new double[]{sum[0] / n, sum[1] / n, sum[2] / n};
    }
}
