package org.medsynth.data;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SketchImageDatasetTest {

    @TempDir
    Path dir;

    private static ColorProcessor lineImage(int w, int h) {
        ColorProcessor cp = new ColorProcessor(w, h);
        cp.setColor(new java.awt.Color(200, 150, 90));
        cp.fill();
        cp.setColor(new java.awt.Color(120, 40, 30));
        cp.setLineWidth(3);
        cp.drawLine(w / 8, h / 6, 7 * w / 8, 5 * h / 6);
        return cp;
    }

    @Test
    void loadsImagesWithExtractedSketchesScaledToMinusOneOne() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        new FileSaver(new ImagePlus("a", lineImage(64, 64))).saveAsPng(images.resolve("a.png").toString());
        new FileSaver(new ImagePlus("b", lineImage(80, 64))).saveAsPng(images.resolve("b.png").toString());
        Files.writeString(images.resolve("readme.txt"), "not an image");
        SketchImageDataset ds = SketchImageDataset.load(images, null, 32, true, SketchParameters.defaults(), Progress.NONE);
        assertEquals(2, ds.size());
        INDArray x = ds.images(new int[]{0, 1}, 32);
        assertArrayEquals(new long[]{2, 3, 32, 32}, x.shape());
        assertTrue(x.minNumber().doubleValue() >= -1 && x.maxNumber().doubleValue() <= 1);
        // background red 200 -> 200/127.5 - 1
        assertEquals(200 / 127.5 - 1, x.getDouble(0, 0, 1, 30), 0.02);
        INDArray s = ds.sketches(new int[]{0}, 32);
        // shrunk 64 -> 32: each pixel holds the fraction of it the sketch covers (SketchPlane), mapped to [-1, 1]
        double covered = 0;
        for (int i = 0; i < 32 * 32; i++) {
            double v = s.getDouble(i);
            assertTrue(v >= -1 && v <= 1, "pixel " + i + ": " + v);
            covered += (v + 1) / 2;
        }
        assertTrue(covered > 10, "the line is in the sketch: " + covered + " pixels covered");
    }

    @Test
    void rgbImagesBecomeGreyByTheMeanOfTheirChannels() {
        ColorProcessor cp = new ColorProcessor(4, 4);
        cp.setColor(new java.awt.Color(30, 60, 90));
        cp.fill();
        SketchImageDataset ds = SketchImageDataset.of(4, false, List.of(cp), List.of(new ByteProcessor(4, 4)));
        assertEquals(60 / 127.5 - 1, ds.images(new int[]{0}, 4).getDouble(0, 0, 1, 1), 1e-6);
    }

    @Test
    void lowerResolutionsAreAveragePooled() {
        ByteProcessor img = new ByteProcessor(8, 8);
        for (int i = 0; i < 64; i++) img.set(i, i * 4);
        SketchImageDataset ds = SketchImageDataset.of(8, false, List.of(img), List.of(new ByteProcessor(8, 8)));
        INDArray full = ds.images(new int[]{0}, 8), half = ds.images(new int[]{0}, 4);
        double expected = (full.getDouble(0, 0, 2, 4) + full.getDouble(0, 0, 2, 5) + full.getDouble(0, 0, 3, 4) + full.getDouble(0, 0, 3, 5)) / 4;
        assertEquals(expected, half.getDouble(0, 0, 1, 2), 1e-6);
        assertEquals(-1, full.getDouble(0, 0, 0, 0), 1e-6, "8-bit 0..255 maps to [-1, 1]");
        assertEquals(252 / 127.5 - 1, full.getDouble(0, 0, 7, 7), 1e-6);
    }

    @Test
    void pairedSketchesMustMatchInNameAndSize() throws Exception {
        Path images = Files.createDirectories(dir.resolve("i"));
        Path sketches = Files.createDirectories(dir.resolve("s"));
        new FileSaver(new ImagePlus("a", lineImage(64, 64))).saveAsPng(images.resolve("a.png").toString());
        new FileSaver(new ImagePlus("a", new ByteProcessor(32, 32))).saveAsPng(sketches.resolve("a.png").toString());
        UserInputException e = assertThrows(UserInputException.class,
                () -> SketchImageDataset.load(images, sketches, 32, true, SketchParameters.defaults(), Progress.NONE));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
        Files.delete(sketches.resolve("a.png"));
        e = assertThrows(UserInputException.class,
                () -> SketchImageDataset.load(images, sketches, 32, true, SketchParameters.defaults(), Progress.NONE));
        assertTrue(e.getMessage().contains("No sketch for a.png"), e.getMessage());
        assertThrows(UserInputException.class,
                () -> SketchImageDataset.load(images, null, 48, true, SketchParameters.defaults(), Progress.NONE));
    }

    @Test
    void augmentedCopiesTransformImageAndSketchIdentically() {
        ByteProcessor pattern = new ByteProcessor(40, 40);
        pattern.setValue(255);
        pattern.setRoi(5, 8, 12, 20);
        pattern.fill();
        pattern.resetRoi();
        List<ImageProcessor[]> a = SketchImageDataset.augmentedCopies(pattern, pattern, 6, 7);
        List<ImageProcessor[]> b = SketchImageDataset.augmentedCopies(pattern, pattern, 6, 7);
        for (int k = 0; k < 6; k++) {
            ImageProcessor img = a.get(k)[0].duplicate();
            img.threshold(127);
            int both = 0, either = 0;
            for (int i = 0; i < img.getPixelCount(); i++) {
                boolean p = img.get(i) > 0, q = a.get(k)[1].get(i) > 0;
                if (p && q) both++;
                if (p || q) either++;
            }
            assertTrue(either > 0 && both > 0.85 * either,
                    "copy " + k + ": image and sketch overlap (IoU " + (double) both / either + ")");
            assertArrayEquals((byte[]) a.get(k)[1].getPixels(), (byte[]) b.get(k)[1].getPixels(), "seeded");
        }
    }
}
