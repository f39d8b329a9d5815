package org.medsynth.command;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.measure.ResultsTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.Phantoms;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Train Segmenter and Segment commands called as the bridge calls them (fields in, outputs out). */
class SegmentationCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void trainThenSegmentAnImageAndAFolder() throws Exception {
        Path img = Files.createDirectories(tmp.resolve("images")), lab = Files.createDirectories(tmp.resolve("labels"));
        Random r = new Random(4);
        for (int k = 0; k < 3; k++) {
            Phantoms.Phantom p = Phantoms.phantom2d(16, 0.15, r);
            new FileSaver(Phantoms.image(p, "c" + k)).saveAsTiff(img.resolve("c" + k + ".tif").toString());
            new FileSaver(Phantoms.labels(p, "c" + k)).saveAsTiff(lab.resolve("c" + k + ".tif").toString());
        }
        TrainSegmenterCommand train = new TrainSegmenterCommand();
        train.network = "unet++";
        train.images = img.toFile();
        train.labels = lab.toFile();
        train.classes = 3;
        train.model = tmp.resolve("m.zip").toFile();
        train.iterations = 4;
        train.patch = "16";
        train.batch = 2;
        train.learning_rate = 1e-3;
        train.width = 2;
        train.depth = 1;
        train.validation = 0;
        train.engine = "libtorch";
        train.run();
        assertTrue(Files.exists(tmp.resolve("m.zip")));
        assertEquals("libtorch", org.medsynth.workflow.segment.SegmenterModel.load(tmp.resolve("m.zip")).training().get("engine"));
        assertEquals(1, train.validation_dice.size());
        assertEquals(4, (int) train.validation_dice.getValue("step", 0));
        assertNotNull(train.loss_curves);

        SegmentCommand seg = new SegmentCommand();
        seg.model = tmp.resolve("m.zip").toFile();
        seg.image = Phantoms.image(Phantoms.phantom2d(20, 0.15, r), "x.tif");
        seg.tile = "";
        seg.overlap = 0.5;
        seg.engine = "cuda";
        UserInputException badEngine = assertThrows(UserInputException.class, seg::run);
        assertTrue(badEngine.getMessage().contains("engine must be dl4j, libtorch or auto"), badEngine.getMessage());
        seg.engine = "dl4j";   // a libtorch-trained model on the other engine
        seg.run();
        assertEquals("x-labels", seg.labels.getTitle());
        assertEquals(20, seg.labels.getWidth());
        assertNull(seg.probability_maps);

        Files.writeString(img.resolve("readme.txt"), "not an image");
        SegmentCommand batch = new SegmentCommand();
        batch.model = tmp.resolve("m.zip").toFile();
        batch.input = img.toFile();
        batch.output = tmp.resolve("out").toFile();
        batch.probabilities = true;
        batch.tile = "16";
        batch.overlap = 0.25;
        batch.run();
        ResultsTable t = batch.summary;
        assertEquals(4, t.size());
        assertTrue(Files.exists(tmp.resolve("out/c0-labels.tif")) && Files.exists(tmp.resolve("out/c2-probabilities.tif")));
        assertEquals("skipped: not an image file", t.getStringValue("detail", 3));
        ImagePlus back = ij.IJ.openImage(tmp.resolve("out/c1-labels.tif").toString());
        assertEquals(16, back.getWidth());

        batch.output = img.toFile();
        UserInputException e = assertThrows(UserInputException.class, batch::run);
        assertTrue(e.getMessage().contains("must differ from the input folder"), e.getMessage());
        seg.tile = "15";
        e = assertThrows(UserInputException.class, seg::run);
        assertTrue(e.getMessage().contains("multiple of 2"), e.getMessage());
    }

    @Test
    void missingArgumentsAreExplained() {
        TrainSegmenterCommand train = new TrainSegmenterCommand();
        UserInputException e = assertThrows(UserInputException.class, train::run);
        assertTrue(e.getMessage().contains("images=") && e.getMessage().contains("labels="), e.getMessage());
        SegmentCommand seg = new SegmentCommand();
        e = assertThrows(UserInputException.class, seg::run);
        assertTrue(e.getMessage().contains("model="), e.getMessage());
    }
}
