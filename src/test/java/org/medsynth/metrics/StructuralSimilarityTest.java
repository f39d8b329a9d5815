package org.medsynth.metrics;

import ij.IJ;
import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructuralSimilarityTest {

    static ImageChannels load(String name) {
        ImagePlus imp = IJ.openImage(ReferenceFiles.path("ssim/" + name));
        assertNotNull(imp, name);
        return ImageChannels.of(imp, name);
    }

    @Test
    void ssimMatchesSkimageAndMsSsimMatchesReference() {
        List<String> lines = ReferenceFiles.lines("ssim/ssim_reference.txt");
        assertEquals(9, lines.size());
        for (String line : lines) {
            String[] p = line.split("\\s+");
            ImageChannels a = load(p[0]), b = load(p[1]);
            double ssim = StructuralSimilarity.ssim(a, b, 255);
            double ms = StructuralSimilarity.msSsim(a, b, 255);
            assertEquals(Double.parseDouble(p[2]), ssim, 1e-7, "SSIM " + line);
            assertEquals(Double.parseDouble(p[3]), ms, 1e-7, "MS-SSIM " + line);
        }
    }

    @Test
    void rgbIsLoadedAsThreeChannels() {
        assertEquals(3, load("astronaut.png").channelCount());
        assertEquals(1, load("camera.png").channelCount());
    }

    @Test
    void identicalImagesScoreOneAndNoiseLowersTheScore() {
        ImageChannels cam = load("camera.png");
        assertEquals(1.0, StructuralSimilarity.msSsim(cam, cam, 255), 1e-12);
        assertEquals(1.0, StructuralSimilarity.ssim(cam, cam, 255), 1e-12);
        double previous = 1.0;
        Random rnd = new Random(5);
        for (double sigma : new double[] {2, 8, 20, 50}) {
            float[] v = cam.channels()[0].clone();
            for (int i = 0; i < v.length; i++) v[i] += (float) (sigma * rnd.nextGaussian());
            double ms = StructuralSimilarity.msSsim(cam, new ImageChannels(cam.width(), cam.height(), new float[][] {v}), 255);
            assertTrue(ms < previous && ms > 0, "MS-SSIM must fall with noise sigma " + sigma + ": " + ms);
            previous = ms;
        }
    }

    @Test
    void symmetric() {
        ImageChannels a = load("camera.png"), b = load("camera_blur2.png");
        assertEquals(StructuralSimilarity.msSsim(a, b, 255), StructuralSimilarity.msSsim(b, a, 255), 1e-12);
    }

    @Test
    void clearMessagesForBadInput() {
        ImageChannels cam = load("camera.png"), odd = load("camera_odd.png"), rgb = load("astronaut.png");
        UserInputException e = assertThrows(UserInputException.class, () -> StructuralSimilarity.msSsim(cam, odd, 255));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> StructuralSimilarity.msSsim(cam, rgb, 255));
        assertTrue(e.getMessage().contains("channel"), e.getMessage());
        ImageChannels small = new ImageChannels(128, 128, new float[][] {new float[128 * 128]});
        e = assertThrows(UserInputException.class, () -> StructuralSimilarity.msSsim(small, small, 255));
        assertTrue(e.getMessage().contains("161"), e.getMessage());
        assertEquals(1.0, StructuralSimilarity.ssim(small, small, 255), 1e-12);
        assertThrows(UserInputException.class, () -> StructuralSimilarity.ssim(cam, cam, 0));
    }
}
