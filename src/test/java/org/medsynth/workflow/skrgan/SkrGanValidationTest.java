package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.io.Opener;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.GenerateImagesCommand;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train SkrGAN and Generate Images with bad inputs and faults: checkpoints as models, tiny images, a full disk, a second run. */
class SkrGanValidationTest {

    @TempDir
    static Path shared;

    static Path model, checkpoint;

    @BeforeAll
    static void trainATinyModel() throws Exception {
        SkrGanTraining t = new SkrGanTraining(SkrGanTrainingTest.tiny("skrgan", 2, 1), SkrGanTrainingTest.bars(), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        model = shared.resolve("fundus.zip");
        t.saveModel(model, t.totalSteps());
        checkpoint = shared.resolve("fundus-checkpoint.zip");
        t.saveCheckpoint(checkpoint, t.totalSteps());
    }

    static GenerateImagesCommand generate(Path model, Path out, int count) {
        GenerateImagesCommand c = new GenerateImagesCommand();
        c.model = model.toFile();
        c.count = count;
        c.seed = 3;
        c.output = out == null ? null : out.toFile();
        return c;
    }

    @Test
    void aCheckpointGivenToGenerateImagesIsNamedAsSuch() {
        UserInputException e = assertThrows(UserInputException.class, () -> generate(checkpoint, null, 2).run());
        ErrorMatrix.check("model-is-checkpoint", e);
        assertTrue(e.getMessage().contains("(here probably fundus.zip)"), e.getMessage());
    }

    @Test
    void aSecondRunIntoTheSameFolderOverwritesNothing(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("generated");
        generate(model, out, 2).run();
        byte[] first = Files.readAllBytes(out.resolve("image_0001.png"));
        UserInputException e = assertThrows(UserInputException.class, () -> generate(model, out, 3).run());
        ErrorMatrix.check("output-exists", e);
        assertArrayEquals(first, Files.readAllBytes(out.resolve("image_0001.png")));
        assertEquals(List.of("image_0001.png", "image_0002.png", "sketch_0001.png", "sketch_0002.png"), names(out));
    }

    @Test
    void aFullDiskStopsWithOneLineAndTheImagesWrittenBeforeAreComplete(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("generated");
        Path reference = dir.resolve("reference");
        generate(model, reference, 4).run();
        long twoPairs = 0;
        for (String n : List.of("image_0001.png", "sketch_0001.png", "image_0002.png", "sketch_0002.png")) twoPairs += Files.size(reference.resolve(n));
        UserInputException e;
        try (AutoCloseable full = AtomicFiles.simulateFullDiskAfter(twoPairs + 10)) {
            e = assertThrows(UserInputException.class, () -> generate(model, out, 4).run());
        }
        ErrorMatrix.check("disk-full", e);
        assertTrue(e.getMessage().endsWith("Images written before: 2 of 4."), e.getMessage());
        assertEquals(List.of("image_0001.png", "image_0002.png", "sketch_0001.png", "sketch_0002.png"), names(out),
                "no half-written or temporary file");
        for (String n : names(out)) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(n)), Files.readAllBytes(out.resolve(n)), n + " is complete");
            assertTrue(new Opener().openImage(out.resolve(n).toString()) != null, n + " opens");
        }
    }

    @Test
    void imagesSmallerThanTheFirstStageAreRefused(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        ImageFiles.saveTiff(new ImagePlus("ok", new ByteProcessor(16, 16)), images.resolve("a.tif"));
        ImageFiles.saveTiff(new ImagePlus("dot", new ByteProcessor(1, 1)), images.resolve("dot.tif"));
        SkrGanJob.Request r = new SkrGanJob.Request(images, null, dir.resolve("m.zip"), SkrGanTrainingTest.tiny("skrgan", 2, 1),
                SkrGanTraining.Stage.BOTH, 0, false, 10, SketchParameters.defaults());
        UserInputException e = assertThrows(UserInputException.class, () -> SkrGanJob.run(r, Progress.NONE));
        ErrorMatrix.check("too-small-skrgan", e);
        assertTrue(!Files.exists(dir.resolve("m.zip")));
    }

    @Test
    void nanPixelsInTrainingImagesAreRefused(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        FloatProcessor fp = new FloatProcessor(16, 16);
        fp.setf(4, 5, Float.NaN);
        ImageFiles.saveTiff(new ImagePlus("mr", fp), images.resolve("mr.tif"));
        SkrGanJob.Request r = new SkrGanJob.Request(images, null, dir.resolve("m.zip"), SkrGanTrainingTest.tiny("skrgan", 2, 1),
                SkrGanTraining.Stage.BOTH, 0, false, 10, SketchParameters.defaults());
        UserInputException e = assertThrows(UserInputException.class, () -> SkrGanJob.run(r, Progress.NONE));
        ErrorMatrix.check("nan-pixels-no-option", e);
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
