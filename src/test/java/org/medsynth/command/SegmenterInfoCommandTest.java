package org.medsynth.command;

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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MedSynth Segmenter Info on tiny trained models. */
class SegmenterInfoCommandTest {

    @TempDir
    Path tmp;

    private Path train(String network) throws Exception {
        return train(network, null).model.toPath();
    }

    /** Trains a tiny model through the command; {@code options} sets window keys before the run (null = defaults). */
    private TrainSegmenterCommand train(String network, java.util.function.Consumer<TrainSegmenterCommand> options) throws Exception {
        Path img = tmp.resolve("images"), lab = tmp.resolve("labels");
        if (!Files.isDirectory(img)) {
            Files.createDirectories(img);
            Files.createDirectories(lab);
            Random r = new Random(5);
            for (int k = 0; k < 2; k++) {
                Phantoms.Phantom p = Phantoms.phantom2d(16, 0.15, r);
                new FileSaver(Phantoms.image(p, "c" + k)).saveAsTiff(img.resolve("c" + k + ".tif").toString());
                new FileSaver(Phantoms.labels(p, "c" + k)).saveAsTiff(lab.resolve("c" + k + ".tif").toString());
            }
        }
        TrainSegmenterCommand t = new TrainSegmenterCommand();
        t.network = network;
        t.images = img.toFile();
        t.labels = lab.toFile();
        t.classes = 3;
        t.model = tmp.resolve(network + ".zip").toFile();
        t.iterations = 2;
        t.patch = "16";
        t.batch = 2;
        t.width = 2;
        t.depth = 1;
        t.validation = 0;
        t.seed = 7;
        if (options != null) options.accept(t);
        t.run();
        return t;
    }

    private static ResultsTable info(Path model) {
        SegmenterInfoCommand c = new SegmenterInfoCommand();
        c.model = model.toFile();
        c.run();
        return c.info;
    }

    @Test
    void parametersOfTheSegmentationNetworkLeaveOutTheMutualInformationParts() throws Exception {
        ResultsTable unet = info(train("unet"));
        ResultsTable imn = info(train("info-max-net"));
        assertEquals(1, unet.size());
        assertEquals("unet", unet.getStringValue("network", 0));
        assertEquals("info-max-net", imn.getStringValue("network", 0));
        assertEquals("2D", unet.getStringValue("dims", 0));
        assertEquals("16x16", unet.getStringValue("patch", 0));
        assertEquals(2, (int) unet.getValue("width", 0));
        assertEquals(1, (int) unet.getValue("depth", 0));
        assertEquals(3, (int) unet.getValue("classes", 0));
        assertEquals(2, (int) unet.getValue("iterations", 0));
        assertEquals(7, (int) unet.getValue("seed", 0));
        double pu = unet.getValue("parameters", 0);
        assertTrue(pu > 0);
        // a plain U-Net has no training-only parts
        assertEquals(pu, unet.getValue("training parameters", 0));
        // Info-Max-Net segments with exactly the U-Net of the same width and depth; its MI encoder
        // and critic only count among the training parameters
        assertEquals(pu, imn.getValue("parameters", 0));
        assertTrue(imn.getValue("training parameters", 0) > pu, "MI encoder and critic add parameters");
    }

    /** The window given to Train Segmenter is reported by it and by Segmenter Info (read from the model file). */
    @Test
    void theIntensityWindowIsReportedByTrainingAndInfo() throws Exception {
        TrainSegmenterCommand windowed = train("unet", t -> {
            t.window_low = "-160";
            t.window_high = "240";
            t.normalization = "-1to1";
        });
        ResultsTable data = windowed.training_data;
        assertEquals(-160, data.getValue("window low", 0));
        assertEquals(240, data.getValue("window high", 0));
        assertEquals(0, data.getValue("clip low", 0), "the window replaces the percentiles");
        assertEquals(100, data.getValue("clip high", 0));
        assertEquals("-1to1", data.getStringValue("normalization", 0));
        assertEquals("window -160..240 -> -1to1", data.getStringValue("preprocessing", 0));
        ResultsTable info = info(windowed.model.toPath());
        assertEquals(-160, info.getValue("window low", 0));
        assertEquals(240, info.getValue("window high", 0));
        assertEquals("window -160..240 -> -1to1", info.getStringValue("preprocessing", 0));

        // a preset, and the paper's default (no window) for comparison
        TrainSegmenterCommand preset = train("unet", t -> t.window = "liver");
        assertEquals(-45, info(preset.model.toPath()).getValue("window low", 0));
        ResultsTable plain = info(train("mlu-net"));
        assertTrue(Double.isNaN(plain.getValue("window high", 0)));
        assertEquals(0.5, plain.getValue("clip low", 0));
        assertEquals("clip 0.5-99.5 % -> zscore", plain.getStringValue("preprocessing", 0));

        UserInputException e = assertThrows(UserInputException.class, () -> train("unet", t -> t.window_low = "-160"));
        assertTrue(e.getMessage().contains("Give both window_low and window_high"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> train("unet", t -> {
            t.window_low = "240";
            t.window_high = "-160";
        }));
        assertTrue(e.getMessage().contains("must be below window_high"), e.getMessage());
    }

    /** The command's window choices are the library's presets (annotations cannot refer to the list). */
    @Test
    void windowChoicesAreTheLibrarysPresets() throws Exception {
        org.scijava.plugin.Parameter p = TrainSegmenterCommand.class.getField("window").getAnnotation(org.scijava.plugin.Parameter.class);
        assertEquals(org.medsynth.image.preprocess.IntensityWindow.CHOICES, java.util.List.of(p.choices()));
        for (String c : p.choices()) {
            if (!c.equals("none")) assertTrue(p.description().contains(c + " (" + org.medsynth.image.preprocess.IntensityWindow.preset(c).describe() + ")"), c);
        }
    }

    @Test
    void missingAndForeignModelsAreExplained() throws Exception {
        SegmenterInfoCommand c = new SegmenterInfoCommand();
        UserInputException e = assertThrows(UserInputException.class, c::run);
        assertTrue(e.getMessage().contains("model="), e.getMessage());
        Path bogus = tmp.resolve("bogus.zip");
        Files.writeString(bogus, "not a zip");
        c.model = bogus.toFile();
        assertThrows(UserInputException.class, c::run);
    }
}
