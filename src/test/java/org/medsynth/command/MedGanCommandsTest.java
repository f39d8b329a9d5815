package org.medsynth.command;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.LiverPhantom;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The three 3D-MedGAN commands, called as ImageJ calls them (public fields = macro keys). */
class MedGanCommandsTest {

    @TempDir
    Path dir;

    @Test
    void trainSynthesizeAndAugmentOnALiverPhantom() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images")), labels = Files.createDirectories(dir.resolve("labels"));
        LiverPhantom.Sample s = LiverPhantom.generate(32, 32, 6, 4);
        ImageFiles.saveTiff(s.ct(), images.resolve("liver.tif"));
        ImageFiles.saveTiff(s.labels(), labels.resolve("liver.tif"));
        Path model = dir.resolve("out/medgan.zip");
        Files.createDirectories(model.getParent());

        Train3DMedGanCommand train = new Train3DMedGanCommand();
        train.images = images.toFile();
        train.labels = labels.toFile();
        train.model = model.toFile();
        train.patch = 16;
        train.iterations = 2;
        train.pool = 1;
        train.width = 2;
        train.depth = 2;
        train.d_width = 2;
        train.d_layers = 1;
        train.noise = "none";
        train.engine = "libtorch";
        train.run();
        assertEquals("libtorch", org.medsynth.nn.ModelArchive.load(model).manifest().metadata().get("engine"));
        assertEquals(2.0, train.summary.getValue("iterations", 0));
        assertEquals("0, 1, 2", train.summary.getStringValue("labels", 0));
        assertEquals("no", train.summary.getStringValue("cancelled", 0));
        assertNotNull(train.losses);
        assertTrue(Files.exists(model) && Files.exists(Path.of(train.summary.getStringValue("loss curves", 0))));

        SynthesizeVolumeCommand syn = new SynthesizeVolumeCommand();
        syn.image = s.labels();
        syn.model = model.toFile();
        syn.engine = "libtorch";
        syn.run();
        ImagePlus out = syn.synthetic;
        assertArrayEquals(s.labels().getDimensions(), out.getDimensions());
        assertEquals(LiverPhantom.SLICE_THICKNESS_MM, out.getCalibration().pixelDepth, 0);
        assertEquals("HU", out.getCalibration().getValueUnit());
        syn.whole_volume = true;
        syn.engine = "dl4j";   // the libtorch-trained model on the other engine
        syn.run();
        assertEquals(6, syn.synthetic.getNSlices());

        AugmentTrainingSetCommand aug = new AugmentTrainingSetCommand();
        aug.images = images.toFile();
        aug.labels = labels.toFile();
        aug.model = model.toFile();
        aug.output = dir.resolve("synthetic").toFile();
        aug.copies = 2;
        aug.edit_label = LiverPhantom.TUMOUR;
        aug.engine = "libtorch";
        aug.run();
        assertEquals(2, aug.summary.size());
        assertEquals("liver_syn01", aug.summary.getStringValue("pair", 0));
        assertTrue(Files.exists(dir.resolve("synthetic/labels/liver_syn02.tif")));

        train.mode = "2D";
        train.patch = 10;
        UserInputException e = assertThrows(UserInputException.class, train::run);
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
    }
}
