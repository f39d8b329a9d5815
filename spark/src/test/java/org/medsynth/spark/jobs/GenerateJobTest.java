package org.medsynth.spark.jobs;

import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.GenerateImagesCommand;
import org.medsynth.data.SketchImageDataset;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;
import org.medsynth.workflow.skrgan.SkrGanSettings;
import org.medsynth.workflow.skrgan.SkrGanTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generate job makes the images of Generate Images with the same model and seed, byte for byte. */
class GenerateJobTest {

    @TempDir
    static Path dir;
    static Path model;

    /** A tiny SkrGAN (8 px, both stages) trained for a few steps on bars (as SkrGanTrainingTest). */
    @BeforeAll
    static void tinySkrGan() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        model = tinySkrGanIn(dir);
    }

    /** A tiny SkrGAN model, dir/skrgan.zip. */
    static Path tinySkrGanIn(Path dir) throws Exception {
        List<ImageProcessor> images = new ArrayList<>(), sketches = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            ByteProcessor img = new ByteProcessor(8, 8), sk = new ByteProcessor(8, 8);
            img.setValue(60);
            img.fill();
            img.setValue(220);
            sk.setValue(255);
            img.setRoi(1 + 2 * k, 1, 2, 6);
            img.fill();
            sk.setRoi(1 + 2 * k, 1, 2, 6);
            sk.fill();
            images.add(img);
            sketches.add(sk);
        }
        SkrGanSettings s = new SkrGanSettings("skrgan", 8, false, 2, 1, 2, 0.004, 4, 7);
        SkrGanTraining t = new SkrGanTraining(s, SketchImageDataset.of(8, false, images, sketches), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("skrgan.zip");
        t.saveModel(model, t.totalSteps());
        return model;
    }

    @Test
    void theCommandsImagesByteForByteWhateverTheSplit() throws Exception {
        GenerateImagesCommand cmd = new GenerateImagesCommand();
        cmd.model = model.toFile();
        cmd.count = 21;
        cmd.seed = 42;
        cmd.output = dir.resolve("reference").toFile();
        cmd.run();

        Path out = dir.resolve("spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "generate", SparkTests.keys("model", model, "count", 21, "seed", 42, "output", out));
        assertEquals(3, s.results().size(), "batches of 8: 1-8, 9-16, 17-21");
        assertEquals(3, s.count(ItemResult.WRITTEN));
        SparkTests.assertSameFiles(dir.resolve("reference"), out, List.of("medsynth-"));
        assertTrue(Files.exists(out.resolve("sketch_0021.png")));
        assertEquals("images 0017-0021", s.results().get(2).item());

        // more images later: the first 21 are complete, only the new batches run, and images 1-21 stay the command's
        JobRunner.Summary more = MedSynthSpark.run(SparkTests.sc(), "generate", SparkTests.keys("model", model, "count", 30, "seed", 42, "output", out));
        assertEquals(2, more.count(ItemResult.COMPLETE));
        assertEquals(2, more.count(ItemResult.WRITTEN), "the batch 17-24 (was 17-21) and 25-30");
        GenerateImagesCommand cmd30 = new GenerateImagesCommand();
        cmd30.model = model.toFile();
        cmd30.count = 30;
        cmd30.seed = 42;
        cmd30.output = dir.resolve("reference30").toFile();
        cmd30.run();
        SparkTests.assertSameFiles(dir.resolve("reference30"), out, List.of("medsynth-"));
    }
}
