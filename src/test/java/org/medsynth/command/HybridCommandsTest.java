package org.medsynth.command;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.LiverPhantom;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.hybrid.SynthesisQualityCheck;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTraining;
import org.medsynth.workflow.segment.Segmenter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Train Segmenter with a 3D-MedGAN model as augment_with, then Check Synthesis Quality, called as ImageJ calls them. */
class HybridCommandsTest {

    @TempDir
    Path dir;

    @Test
    void trainWithSyntheticPairsThenCheckTheSynthesisQuality() throws Exception {
        Path images = Files.createDirectories(dir.resolve("real/images")), labels = Files.createDirectories(dir.resolve("real/labels"));
        for (int c = 0; c < 4; c++) {
            LiverPhantom.Sample s = LiverPhantom.generate(32, 32, 6, 10 + c);
            ImageFiles.saveTiff(s.ct(), images.resolve("case" + c + ".tif"));
            ImageFiles.saveTiff(s.labels(), labels.resolve("case" + c + ".tif"));
        }
        Path medgan = dir.resolve("models/medgan.zip");
        Files.createDirectories(medgan.getParent());
        MedGanTraining.run(images, labels, medgan, MedGanConfig.defaults().withNetworks(2, 2, 2, 1).withPatch(16).withPool(1)
                .withIterations(2).withNoise(false), false, Progress.NONE);

        TrainSegmenterCommand train = new TrainSegmenterCommand();
        train.network = "unet";
        train.images = images.toFile();
        train.labels = labels.toFile();
        train.model = dir.resolve("models/liver-seg.zip").toFile();
        train.iterations = 3;
        train.patch = "16";
        train.width = 2;
        train.depth = 1;
        train.validation = 0.25;
        train.augment_with = medgan.toFile();
        train.fake_ratio = 1;
        train.edit_label = 2;
        train.run();
        ResultsTable d = train.training_data;
        assertEquals(3, d.getValue("real training pairs", 0));
        assertEquals(3, d.getValue("synthetic training pairs", 0));
        assertEquals(1, d.getValue("validation pairs", 0));
        assertEquals("100% F + 100% R", d.getStringValue("mix", 0));
        assertEquals(1, d.getValue("fake ratio", 0));
        assertEquals(0, d.getValue("reused", 0));
        assertEquals(medgan.toAbsolutePath().toString(), d.getStringValue("augment with", 0));
        Path folder = dir.resolve("models/liver-seg-synthetic");
        assertEquals(folder.toAbsolutePath().toString(), d.getStringValue("synthetic folder", 0));
        assertEquals(3, ImageFiles.listFiles(folder.resolve("images")).size());
        assertNotNull(train.validation_dice);
        train.run(); // the same again: the folder is reused
        assertEquals(1, train.training_data.getValue("reused", 0));

        // the quality check: Dice of the segmenter on the synthetic volume of every label map
        CheckSynthesisQualityCommand q = new CheckSynthesisQualityCommand();
        q.model = medgan.toFile();
        q.segmenter = train.model;
        q.labels = labels.toFile();
        q.images = images.toFile();
        q.seed = 3;
        q.output = dir.resolve("quality").toFile();
        q.run();
        ResultsTable t = q.quality;
        MedGanModel g = MedGanModel.load(medgan);
        Segmenter seg = Segmenter.load(train.model.toPath());
        int row = 0;
        boolean informative = false;
        double[][] sums = new double[3][2];
        int[][] n = new int[3][2];
        for (int c = 0; c < 4; c++) {
            ImagePlus lm = ImageFiles.open(labels.resolve("case" + c + ".tif"));
            lm.setTitle("case" + c);
            ImagePlus syn = g.synthesize(lm, new MedGanModel.Options(3 + c, -1, 0.5, SlidingWindow.Blend.GAUSSIAN), Progress.NONE);
            int[] pred = LabelVolume.from(seg.segment(syn, null, 0.5, false, Progress.NONE).labels()).values();
            int[] realPred = LabelVolume.from(seg.segment(ImageFiles.open(images.resolve("case" + c + ".tif")), null, 0.5, false,
                    Progress.NONE).labels()).values();
            int[] truth = LabelVolume.from(lm).values();
            assertArrayEquals(pred, LabelVolume.from(ImageFiles.open(dir.resolve("quality/case" + c + "-synthetic-labels.tif"))).values());
            for (int label = 1; label <= 2; label++, row++) {
                assertEquals("case" + c, t.getStringValue("label map", row));
                assertEquals(label, t.getValue("label", row));
                assertEquals("class " + label, t.getStringValue("class", row));
                double expected = SynthesisQualityCheck.dice(truth, pred, label);
                assertEquals(expected, t.getValue("Dice synthetic", row), 1e-12, "case" + c + " label " + label);
                assertEquals(SynthesisQualityCheck.dice(truth, realPred, label), t.getValue("Dice real", row), 1e-12);
                informative |= expected > 0 && expected < 1;
                double r = SynthesisQualityCheck.dice(truth, realPred, label);
                if (!Double.isNaN(expected)) { sums[label][0] += expected; n[label][0]++; }
                if (!Double.isNaN(r)) { sums[label][1] += r; n[label][1]++; }
            }
        }
        assertTrue(informative, "some Dice strictly between 0 and 1, so the comparison means something");
        for (int label = 1; label <= 2; label++, row++) {
            assertEquals("mean", t.getStringValue("label map", row));
            assertEquals(sums[label][0] / n[label][0], t.getValue("Dice synthetic", row), 1e-12);
            assertEquals(sums[label][1] / n[label][1], t.getValue("Dice real", row), 1e-12);
        }
        assertEquals(row, t.size());

        // a 3D-MedGAN model given as the segmenter, and an empty folder, are refused with a reason
        q.segmenter = medgan.toFile();
        UserInputException e = assertThrows(UserInputException.class, q::run);
        assertTrue(e.getMessage().contains("Train Segmenter"), e.getMessage());
        q.segmenter = train.model;
        q.labels = Files.createDirectories(dir.resolve("empty")).toFile();
        e = assertThrows(UserInputException.class, q::run);
        assertTrue(e.getMessage().contains("holds no label maps"), e.getMessage());
    }

    @Test
    void diceAndMeanRowsByHand() {
        int[] truth = {0, 1, 1, 1, 2, 2, 0, 0};
        int[] pred = {0, 1, 1, 0, 2, 0, 2, 0};
        assertEquals(2.0 * 2 / (3 + 2), SynthesisQualityCheck.dice(truth, pred, 1), 1e-15);
        assertEquals(2.0 * 1 / (2 + 2), SynthesisQualityCheck.dice(truth, pred, 2), 1e-15);
        assertTrue(Double.isNaN(SynthesisQualityCheck.dice(truth, pred, 3)));
        ResultsTable t = Tables.synthesisQuality(List.of(
                new SynthesisQualityCheck.Row("a", 1, "liver", 0.8, Double.NaN, 10, 9),
                new SynthesisQualityCheck.Row("a", 2, "tumour", 0.2, Double.NaN, 3, 2),
                new SynthesisQualityCheck.Row("b", 1, "liver", 0.6, Double.NaN, 11, 12)));
        assertEquals(5, t.size());
        assertEquals(-1, t.getColumnIndex("Dice real"), "no real column without real images");
        assertEquals("mean", t.getStringValue("label map", 3));
        assertEquals(0.7, t.getValue("Dice synthetic", 3), 1e-12);
        assertEquals("tumour", t.getStringValue("class", 4));
        assertEquals(0.2, t.getValue("Dice synthetic", 4), 1e-12);
    }
}
