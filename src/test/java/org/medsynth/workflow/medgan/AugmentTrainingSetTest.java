package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Train on a folder of pairs, write synthetic pairs from edited label maps, mix them as the paper's Table 1. */
class AugmentTrainingSetTest {

    @TempDir
    static Path dir;
    static Path images, labels, model;

    /** Label maps: an organ (1) with a lesion (2) inside, on background (0); intensities per label plus noise. */
    static int[] organWithLesion(int w, int h, int d, int shift) {
        int[] organ = MedGanPhantoms.ball(w, h, d, 9 + shift, 9, 5, 6);
        int[] lesion = MedGanPhantoms.ball(w, h, d, 10 + shift, 9, 5, 2.5);
        for (int i = 0; i < organ.length; i++) if (lesion[i] == 1) organ[i] = 2;
        return organ;
    }

    @BeforeAll
    static void trainATinyModel() throws Exception {
        images = Files.createDirectories(dir.resolve("real/images"));
        labels = Files.createDirectories(dir.resolve("real/labels"));
        int w = 20, h = 18, d = 10;
        for (int c = 0; c < 2; c++) {
            int[] lab = organWithLesion(w, h, d, c);
            float[] v = new float[lab.length];
            java.util.Random r = new java.util.Random(c);
            for (int i = 0; i < v.length; i++) v[i] = (float) (new double[]{-800, 50, 120}[lab[i]] + 10 * r.nextGaussian());
            ImagePlus img = MedGanPhantoms.floatImage(v, w, h, d, "case" + c);
            img.setCalibration(MedGanPhantoms.labelImage(lab, w, h, d, "x").getCalibration());
            ImageFiles.saveTiff(img, images.resolve("case" + c + ".tif"));
            ImageFiles.saveTiff(MedGanPhantoms.labelImage(lab, w, h, d, "case" + c), labels.resolve("case" + c + ".tif"));
        }
        model = dir.resolve("models/medgan.zip");
        Files.createDirectories(model.getParent());
        MedGanTraining.Result r = MedGanTraining.run(images, labels, model, MedGanTrainerTest.tiny().withIterations(2), false, Progress.NONE);
        assertEquals("0, 1, 2", r.encoding().describe());
        assertEquals(-800, r.mapping().sourceLow(), 40);
        assertEquals(120, r.mapping().sourceHigh(), 40);
        assertTrue(Files.exists(r.lossPlot()) && Files.exists(r.lossCsv()) && Files.exists(r.checkpoint()));
    }

    static AugmentTrainingSet.Options options(int copies, int label) {
        return new AugmentTrainingSet.Options(copies, label, LabelMapEditor.AUTO_HOST, new LabelMapEditor.RandomRanges(0.7, 1.4, 2, 1), 3,
                MedGanModel.Options.defaults(3));
    }

    @Test
    void writesEditedPairsThatKeepTheOtherLabelsAndMixesThemAsTable1() throws Exception {
        Path out = dir.resolve("synthetic");
        List<AugmentTrainingSet.Written> w = AugmentTrainingSet.run(images, labels, model, out, options(3, 2), Progress.NONE);
        assertEquals(6, w.size());
        assertEquals("case0_syn01", w.get(0).name());
        for (AugmentTrainingSet.Written x : w) {
            assertEquals(2, x.editedLabel(), x.edit());
            ImagePlus img = ImageFiles.open(x.image()), lab = ImageFiles.open(x.labels());
            ImagePlus realLab = ImageFiles.open(labels.resolve(x.source() + ".tif"));
            assertArrayEquals(realLab.getDimensions(), img.getDimensions());
            assertEquals(32, img.getBitDepth());
            assertEquals(realLab.getCalibration().pixelDepth, img.getCalibration().pixelDepth, 0);
            // only the lesion changes: a changed voxel was or became lesion, and lost lesion goes to its host (the organ)
            int[] before = LabelVolume.from(realLab).values(), after = LabelVolume.from(lab).values();
            for (int i = 0; i < before.length; i++) {
                if (before[i] == after[i]) continue;
                assertTrue(before[i] == 2 || after[i] == 2, "voxel " + i + " of " + x.name() + ": " + before[i] + " -> " + after[i]);
                if (before[i] == 2) assertEquals(1, after[i], "voxel " + i + " of " + x.name());
            }
            assertTrue(x.edit().contains("label 2"), x.edit());
        }
        assertNotEquals(LabelVolume.from(ImageFiles.open(w.get(0).labels())).count(2),
                LabelVolume.from(ImageFiles.open(w.get(1).labels())).count(2), "copies get different random edits");

        PairedDataset real = PairedDataset.scan(images, labels, 3);
        AugmentedPairs one = AugmentedPairs.mix(real, out, 1);
        assertEquals("2 real + 2 synthetic pairs", one.describe());
        AugmentedPairs three = AugmentedPairs.mix(real, out, 3);
        assertEquals(8, three.size());
        assertEquals("case0_syn03", three.entries().get(4).pair().name());
        assertEquals(List.of("case0", "case0", "case0", "case1", "case1", "case1"),
                three.entries().subList(2, 8).stream().map(AugmentedPairs.Entry::source).toList());
        assertEquals("case1_syn03", three.load(7).name(), "synthetic pairs load and pass the pair checks");
        assertEquals(2, AugmentedPairs.mix(real, null, 0).size(), "fake_ratio 0: real pairs only");
        assertEquals(6, AugmentedPairs.syntheticOnly(real, out, 3).size(), "the paper's 100% F row");
        UserInputException tooFew = assertThrows(UserInputException.class, () -> AugmentedPairs.mix(real, out, 5));
        assertTrue(tooFew.getMessage().contains("copies=5"), tooFew.getMessage());

        // only copies of the cases in the given real set are used (no test case leaks into training)
        Path onlyOne = Files.createDirectories(dir.resolve("subset/images")), onlyOneLab = Files.createDirectories(dir.resolve("subset/labels"));
        Files.copy(images.resolve("case1.tif"), onlyOne.resolve("case1.tif"));
        Files.copy(labels.resolve("case1.tif"), onlyOneLab.resolve("case1.tif"));
        AugmentedPairs subset = AugmentedPairs.mix(PairedDataset.scan(onlyOne, onlyOneLab, 3), out, 2);
        assertEquals(List.of("case1", "case1_syn01", "case1_syn02"), subset.entries().stream().map(e -> e.pair().name()).toList());

        // nothing is overwritten
        UserInputException again = assertThrows(UserInputException.class,
                () -> AugmentTrainingSet.run(images, labels, model, out, options(1, 2), Progress.NONE));
        assertTrue(again.getMessage().contains("empty folder"), again.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameCopiesAndTheOutputMayNotBeAnInputFolder() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        AugmentTrainingSet.run(images, labels, model, a, options(1, 0), Progress.NONE);
        AugmentTrainingSet.run(images, labels, model, b, options(1, 0), Progress.NONE);
        for (String f : List.of("images/case1_syn01.tif", "labels/case1_syn01.tif")) {
            ImagePlus x = ImageFiles.open(a.resolve(f)), y = ImageFiles.open(b.resolve(f));
            for (int z = 1; z <= x.getStackSize(); z++) {
                assertArrayEquals(x.getStack().getProcessor(z).convertToFloatProcessor().getFloatArray(),
                        y.getStack().getProcessor(z).convertToFloatProcessor().getFloatArray(), f + " slice " + z);
            }
        }
        UserInputException e = assertThrows(UserInputException.class,
                () -> AugmentTrainingSet.run(images, labels, model, images.resolve("syn"), options(1, 0), Progress.NONE));
        assertTrue(e.getMessage().contains("outside the input folder"), e.getMessage());
        UserInputException notAugmented = assertThrows(UserInputException.class,
                () -> AugmentedPairs.mix(PairedDataset.scan(images, labels, 3), dir.resolve("real"), 1));
        assertTrue(notAugmented.getMessage().contains("augmentation.json"), notAugmented.getMessage());
    }
}
