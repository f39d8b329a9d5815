package org.medsynth.workflow.hybrid;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.LiverPhantom;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ModelArchive;
import org.medsynth.testutil.RecordingProgress;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTraining;
import org.medsynth.workflow.segment.SegmenterModel;
import org.medsynth.workflow.segment.SegmenterSettings;
import org.medsynth.workflow.segment.SegmenterTraining;
import org.medsynth.workflow.segment.TrainingSetBuilder;
import org.medsynth.workflow.training.TrainingRunner;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Segmenter training with 3D-MedGAN pairs (the paper's hybrids): mixing counts of Table 1, no copies
 * of validation cases in training, the synthetic folder written beside the model and reused, the
 * manifest record, exact resume, and the error messages.
 */
class SyntheticTrainingDataTest {

    @TempDir
    static Path dir;
    static Path images, labels, medgan, synthetic;

    /** 5 liver phantoms (32 x 32 x 6), a 2-iteration 3D-MedGAN, and a folder with 3 synthetic copies of every case. */
    @BeforeAll
    static void data() throws Exception {
        images = Files.createDirectories(dir.resolve("real/images"));
        labels = Files.createDirectories(dir.resolve("real/labels"));
        for (int c = 0; c < 5; c++) {
            LiverPhantom.Sample s = LiverPhantom.generate(32, 32, 6, 40 + c);
            ImageFiles.saveTiff(s.ct(), images.resolve("case" + c + ".tif"));
            ImageFiles.saveTiff(s.labels(), labels.resolve("case" + c + ".tif"));
        }
        medgan = dir.resolve("models/medgan.zip");
        Files.createDirectories(medgan.getParent());
        MedGanConfig cfg = MedGanConfig.defaults().withNetworks(2, 2, 2, 1).withPatch(16).withPool(1).withIterations(2).withNoise(false);
        MedGanTraining.run(images, labels, medgan, cfg, false, Progress.NONE);
        synthetic = dir.resolve("synthetic");
        AugmentTrainingSet.run(images, labels, medgan, synthetic, generation(3), Progress.NONE);
    }

    static AugmentTrainingSet.Options generation(int copies) {
        return new AugmentTrainingSet.Options(copies, 2, LabelMapEditor.AUTO_HOST, new LabelMapEditor.RandomRanges(0.8, 1.2, 2, 1), 7,
                MedGanModel.Options.defaults(7));
    }

    static SegmenterSettings settings(int iterations) {
        return SegmenterSettings.defaults("unet", 3, new int[]{16, 16}).withWidth(2).withDepth(1).withIterations(iterations)
                .withLearningRate(2e-3).withBatch(2).withSeed(5).withCheckpointEvery(2).withValidation(0.4, 2);
    }

    static SyntheticTrainingData aug(Path source, int ratio, boolean only, Path model) {
        return SyntheticTrainingData.of(source, new SyntheticMix(ratio, only), model, 3, SyntheticTrainingDataTest::generation, new ArrayList<>());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> augmentationOf(Path model) {
        Map<String, Object> training = SegmenterModel.load(model).training();
        return (Map<String, Object>) training.get("augmentation");
    }

    @Test
    void mixesAsTable1WithoutCopiesOfValidationCasesAndRecordsItInTheModel() {
        PairedDataset real = PairedDataset.scan(images, labels, 3);
        List<String> validation = TrainingSetBuilder.validationNames(settings(2), real);
        assertEquals(2, validation.size());
        int[][] expected = {{0, 0, 3, 0}, {1, 0, 3, 3}, {3, 0, 3, 9}, {1, 1, 0, 3}}; // ratio, only, real, synthetic
        for (int[] e : expected) {
            SyntheticTrainingData a = e[0] == 0 ? null : aug(synthetic, e[0], e[1] == 1, dir.resolve("unused.zip"));
            Path model = dir.resolve("mix" + e[0] + "-" + e[1] + "/seg.zip");
            SegmenterTraining.Result r = SegmenterTraining.run(settings(2), images, labels, a, model, false, Progress.NONE);
            String what = "fake_ratio " + e[0] + (e[1] == 1 ? " synthetic only" : "");
            assertEquals(e[2], r.data().realTrainingPairs(), what);
            assertEquals(e[3], r.data().syntheticTrainingPairs(), what);
            assertEquals(2, r.data().validationPairs(), what);
            if (a == null) {
                assertNull(augmentationOf(model), "no augmentation recorded for real-only training");
                continue;
            }
            Map<String, Object> rec = augmentationOf(model);
            assertEquals(e[0], ((Number) rec.get("fakeRatio")).intValue());
            assertEquals(e[1] == 1, rec.get("syntheticOnly"));
            assertEquals("augmentation-folder", rec.get("sourceKind"));
            assertEquals(synthetic.toAbsolutePath().toString(), rec.get("source"));
            assertEquals(e[1] == 1 ? "100% F" : (100 * e[0]) + "% F + 100% R", rec.get("mix"));
            assertEquals(validation, rec.get("validationPairs"));
            @SuppressWarnings("unchecked")
            List<String> used = (List<String>) rec.get("syntheticPairs");
            assertEquals(e[3], used.size());
            Set<String> sources = new HashSet<>();
            for (String name : used) {
                String source = name.substring(0, name.indexOf("_syn"));
                sources.add(source);
                assertFalse(validation.contains(source), name + " is a copy of the validation case " + source);
                int copy = Integer.parseInt(name.substring(name.indexOf("_syn") + 4));
                assertTrue(copy <= e[0], "only the first fake_ratio copies: " + name);
            }
            assertEquals(3, sources.size(), "every training case contributes its copies");
        }
    }

    @Test
    void anAugmentationThatLeaksAValidationCaseIsRefused() {
        PairedDataset real = PairedDataset.scan(images, labels, 3);
        List<String> valCases = TrainingSetBuilder.validationNames(settings(2), real);
        SegmenterTraining.Augmentation leaking = new SegmenterTraining.Augmentation() {
            @Override public AugmentedPairs trainingSet(PairedDataset realTraining, Progress p) {
                return AugmentedPairs.mix(real, synthetic, 1); // all cases, validation included: wrong
            }
            @Override public Map<String, Object> describe() { return Map.of("source", "test"); }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingSetBuilder.build(settings(2), real, leaking, false, Progress.NONE));
        assertTrue(e.getMessage().contains("a validation case") && valCases.stream().anyMatch(e.getMessage()::contains), e.getMessage());
    }

    @Test
    void aModelSourceWritesCopiesOfTheTrainingCasesBesideTheModelAndReusesThem() throws Exception {
        Path model = dir.resolve("frommodel/liver-seg.zip");
        Files.createDirectories(model.getParent());
        SyntheticTrainingData a = aug(medgan, 1, false, model);
        assertEquals(dir.resolve("frommodel/liver-seg-synthetic").toAbsolutePath(), a.folder());
        SegmenterTraining.Result r = SegmenterTraining.run(settings(2), images, labels, a, model, false, Progress.NONE);
        assertFalse(a.reused());
        assertEquals(3, r.data().syntheticTrainingPairs());
        AugmentTrainingSet.Manifest m = AugmentTrainingSet.readManifest(a.folder());
        List<String> validation = TrainingSetBuilder.validationNames(settings(2), PairedDataset.scan(images, labels, 3));
        assertEquals(3, m.written().size(), "copies of the 3 training cases only");
        for (AugmentTrainingSet.Written w : m.written()) assertFalse(validation.contains(w.source()), w.name());
        assertEquals(AugmentTrainingSet.sha256(medgan), m.modelSha256());
        Map<String, Object> rec = augmentationOf(model);
        assertEquals("3d-medgan-model", rec.get("sourceKind"));
        assertEquals(AugmentTrainingSet.sha256(medgan), rec.get("sourceSha256"));
        byte[] first = Files.readAllBytes(m.written().get(0).image());

        // the same ratio again: the folder is reused, nothing is written
        SyntheticTrainingData again = aug(medgan, 1, false, model);
        SegmenterTraining.run(settings(2), images, labels, again, model, false, Progress.NONE);
        assertTrue(again.reused());
        // a higher ratio completes the folder; the existing copies stay as they were
        SyntheticTrainingData more = aug(medgan, 2, false, model);
        SegmenterTraining.Result r2 = SegmenterTraining.run(settings(2), images, labels, more, model, false, Progress.NONE);
        assertFalse(more.reused());
        assertEquals(6, r2.data().syntheticTrainingPairs());
        AugmentTrainingSet.Manifest m2 = AugmentTrainingSet.readManifest(a.folder());
        assertEquals(6, m2.written().size());
        assertArrayEquals(first, Files.readAllBytes(m.written().get(0).image()));
        // ... and equal what a fresh folder gets (copy k of case c depends only on seed, c, k)
        Path fresh = dir.resolve("frommodel/fresh");
        PairedDataset training = PairedDataset.scan(images, labels, 3).subset(m2.copiesPerSource().keySet());
        AugmentTrainingSet.extend(training, medgan, fresh, generation(2), Progress.NONE);
        for (AugmentTrainingSet.Written w : m2.written()) {
            assertArrayEquals(Files.readAllBytes(w.labels()), Files.readAllBytes(fresh.resolve("labels/" + w.labels().getFileName())), w.name());
        }
    }

    @Test
    void resumeWithSyntheticDataIsExactAndNeedsTheSameMix() throws Exception {
        SegmenterSettings s = settings(6);
        Path a = dir.resolve("resume-a/m.zip"), b = dir.resolve("resume-b/m.zip");
        SegmenterTraining.run(s, images, labels, aug(synthetic, 3, false, a), a, false, Progress.NONE);
        Progress cancelAfter3 = new RecordingProgress().stopAfter(3);
        SegmenterTraining.Result first = SegmenterTraining.run(s, images, labels, aug(synthetic, 3, false, b), b, false, cancelAfter3);
        assertTrue(first.cancelled());
        SegmenterTraining.Result second = SegmenterTraining.run(s, images, labels, aug(synthetic, 3, false, b), b, true, Progress.NONE);
        assertEquals(6, second.completedSteps());
        ParamStore wa = ModelArchive.load(a.resolveSibling("m.zip.ckpt")).store();
        ParamStore wb = ModelArchive.load(b.resolveSibling("m.zip.ckpt")).store();
        double maxDiff = 0;
        for (ParamStore.Param p : wa.all()) {
            INDArray other = wb.array(p.name());
            maxDiff = Math.max(maxDiff, p.value().sub(other).amaxNumber().doubleValue());
        }
        assertTrue(maxDiff <= 1e-6, "largest weight difference " + maxDiff);
        UserInputException e = assertThrows(UserInputException.class,
                () -> SegmenterTraining.run(s, images, labels, aug(synthetic, 1, false, b), b, true, Progress.NONE));
        assertTrue(e.getMessage().contains("fake_ratio") && e.getMessage().contains(TrainingRunner.NO_RESUME), e.getMessage());
        e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(s, images, labels, null, b, true, Progress.NONE));
        assertTrue(e.getMessage().contains("synthetic data"), e.getMessage());
    }

    @Test
    void clearMessages() throws Exception {
        Path model = dir.resolve("errors/seg.zip");
        Files.createDirectories(model.getParent());
        // a folder without manifest
        UserInputException e = assertThrows(UserInputException.class, () -> aug(images, 1, false, model));
        assertTrue(e.getMessage().contains("augmentation.json") && e.getMessage().contains("Augment Training Set"), e.getMessage());
        // a segmenter model is not a 3D-MedGAN model
        Path seg = dir.resolve("errors/real-only.zip");
        SegmenterTraining.run(settings(1).withValidation(0, 0), images, labels, seg, false, Progress.NONE);
        e = assertThrows(UserInputException.class, () -> aug(seg, 1, false, model));
        assertTrue(e.getMessage().equals("real-only.zip is a segmentation model (unet) made by Train Segmenter; augment_with needs a "
                + "3D-MedGAN model made by Train 3D-MedGAN (not its .ckpt checkpoint) or a folder written by Augment Training Set."),
                e.getMessage());
        // the checkpoint of a 3D-MedGAN is not a model either
        e = assertThrows(UserInputException.class, () -> aug(medgan.resolveSibling("medgan.zip.ckpt"), 1, false, model));
        assertTrue(e.getMessage().contains("neither a folder nor a model .zip"), e.getMessage());
        // labels of the 3D-MedGAN model (0, 1, 2) do not fit 2 classes
        e = assertThrows(UserInputException.class,
                () -> SyntheticTrainingData.of(medgan, new SyntheticMix(1, false), model, 2, SyntheticTrainingDataTest::generation, new ArrayList<>()));
        assertTrue(e.getMessage().contains("[0, 1, 2]") && e.getMessage().contains("classes=2") && e.getMessage().contains("Set classes to 3"),
                e.getMessage());
        // too few copies in a folder
        SyntheticTrainingData five = aug(synthetic, 5, false, model);
        e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(settings(1), images, labels, five, model, false, Progress.NONE));
        assertTrue(e.getMessage().contains("fake_ratio=5") && e.getMessage().contains("copies=5") && e.getMessage().contains("3D-MedGAN model itself"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("augment_with: fake_ratio=5 needs 5 synthetic pairs per real pair, but " + synthetic + " has fewer for ")
                && e.getMessage().endsWith(". Run MedSynth Augment Training Set with copies=5 (into a new folder), or lower fake_ratio. Or give"
                + " the 3D-MedGAN model itself as augment_with: it writes the missing copies."), e.getMessage());
        // ratios and sources that do not go together
        e = assertThrows(UserInputException.class, () -> aug(null, 1, false, model));
        assertTrue(e.getMessage().contains("needs synthetic data: set augment_with"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> aug(synthetic, 0, true, model));
        assertTrue(e.getMessage().contains("synthetic_only") && e.getMessage().contains("fake_ratio >= 1"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> aug(dir.resolve("nothing-here"), 1, false, model));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        List<String> notes = new ArrayList<>();
        assertNull(SyntheticTrainingData.of(synthetic, new SyntheticMix(0, false), model, 3, SyntheticTrainingDataTest::generation, notes));
        assertTrue(notes.get(0).contains("not used"), notes.toString());
        // a synthetic folder written by another model is not completed with this one
        Path other = dir.resolve("errors/other.zip");
        MedGanTraining.run(images, labels, other, MedGanConfig.defaults().withNetworks(2, 2, 2, 1).withPatch(16).withPool(1).withIterations(1)
                .withNoise(false), false, Progress.NONE);
        Path own = dir.resolve("errors/own.zip");
        Files.createDirectories(SyntheticTrainingData.syntheticFolder(own));
        Files.copy(synthetic.resolve(AugmentedPairs.MANIFEST), SyntheticTrainingData.syntheticFolder(own).resolve(AugmentedPairs.MANIFEST));
        SyntheticTrainingData fromOther = aug(other, 1, false, own);
        e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(settings(1), images, labels, fromOther, own, false, Progress.NONE));
        assertTrue(e.getMessage().contains("another 3D-MedGAN model") && e.getMessage().contains("Delete or rename"), e.getMessage());
    }
}
