package org.medsynth.command;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-level checks: parameters checked as given, tiny and NaN images, existing outputs. */
class ValidationCommandsTest {

    @TempDir
    Path dir;

    static TrainSegmenterCommand trainSegmenter(Path images, String patch, int depth) {
        TrainSegmenterCommand c = new TrainSegmenterCommand();
        c.images = images.toFile();
        c.labels = images.resolveSibling("labels").toFile();
        c.model = images.resolveSibling("m.zip").toFile();
        c.patch = patch;
        c.depth = depth;
        c.network = "unet";
        return c;
    }

    @Test
    void thePatchIsCheckedAgainstTheDepthGivenNotTheDefault() {
        // patch=12x12x4 depth=2 is valid (multiples of 4): the command gets past the settings to the missing folder
        UserInputException e = assertThrows(UserInputException.class, () -> trainSegmenter(dir.resolve("images"), "12x12x4", 2).run());
        assertFalse(e.getMessage().contains("multiple of"), e.getMessage());
        ErrorMatrix.check("input-folder-missing", e);
        // with depth 3 it is not, and the message names depth 3 because the user gave it
        UserInputException d3 = assertThrows(UserInputException.class, () -> trainSegmenter(dir.resolve("images"), "12x12x4", 3).run());
        ErrorMatrix.check("patch-depth", d3);
    }

    @Test
    void extractSketchRefusesTinyAndNanImagesAndNeverOverwrites() throws Exception {
        ExtractSketchCommand tiny = new ExtractSketchCommand();
        tiny.image = new ImagePlus("dot.png", new ByteProcessor(1, 1));
        ErrorMatrix.check("too-small-sketch", assertThrows(UserInputException.class, tiny::run));

        FloatProcessor fp = new FloatProcessor(8, 8);
        fp.setf(6, 1, Float.NaN);
        ExtractSketchCommand nan = new ExtractSketchCommand();
        nan.image = new ImagePlus("mr.tif", fp);
        ErrorMatrix.check("nan-pixels-no-option", assertThrows(UserInputException.class, nan::run));

        ByteProcessor bp = new ByteProcessor(16, 16);
        bp.setRoi(4, 0, 3, 16);
        bp.setValue(200);
        bp.fill();
        Path out = dir.resolve("sketches");
        ExtractSketchCommand first = new ExtractSketchCommand();
        first.image = new ImagePlus("bar.png", bp);
        first.output = out.toFile();
        first.run();
        byte[] written = Files.readAllBytes(out.resolve("bar-sketch.tif"));
        ExtractSketchCommand second = new ExtractSketchCommand();
        second.image = new ImagePlus("bar.png", bp);
        second.output = out.toFile();
        ErrorMatrix.check("output-exists", assertThrows(UserInputException.class, second::run));
        assertArrayEquals(written, Files.readAllBytes(out.resolve("bar-sketch.tif")));
    }

    @Test
    void anOutputFolderThatCannotBeWrittenIsReportedBeforeTheModelIsRead() throws Exception {
        Path blocker = Files.writeString(dir.resolve("out"), "x");
        SegmentCommand c = new SegmentCommand();
        c.model = dir.resolve("missing-model.zip").toFile(); // would fail later: the output check comes first
        c.image = new ImagePlus("ct", new FloatProcessor(8, 8));
        c.output = blocker.resolve("labels").toFile();
        ErrorMatrix.check("output-folder-cannot-create", assertThrows(UserInputException.class, c::run));
        assertTrue(Files.isRegularFile(blocker));
    }
}
