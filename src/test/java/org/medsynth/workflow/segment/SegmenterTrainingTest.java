package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.SegmentationMetrics;
import org.medsynth.nn.ParamStore;
import org.medsynth.testutil.Phantoms;
import org.medsynth.testutil.RecordingProgress;
import org.medsynth.core.Progress;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training from folders (validation, best model, files), exact resume, init, 3D and MI paths, segmentation. */
class SegmenterTrainingTest {

    @TempDir
    Path tmp;

    static SegmenterSettings tiny(String network, int[] patch, int iterations) {
        return SegmenterSettings.defaults(network, 3, patch).withWidth(2).withDepth(1).withIterations(iterations)
                .withLearningRate(2e-3).withBatch(2).withSeed(5).withCheckpointEvery(3);
    }

    static double dice(float[] truth, float[] pred, int c) {
        boolean[] t = new boolean[truth.length], p = new boolean[pred.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = truth[i] == c;
            p[i] = pred[i] == c;
        }
        ConfusionCounts cc = SegmentationMetrics.confusion(t, p, null);
        return cc.dice();
    }

    @Test
    void trainsFromFoldersKeepsTheBestModelAndSegments() throws Exception {
        SegmentationFixtures.writePairs(tmp, 6, 32, 1, 21);
        Path model = tmp.resolve("out/unet.zip");
        SegmenterSettings s = SegmenterSettings.defaults("unet", 3, new int[]{32, 32}).withWidth(8).withDepth(2)
                .withIterations(120).withLearningRate(2e-3).withBatch(4).withSeed(3).withValidation(0.34, 40).withCheckpointEvery(60);
        long t0 = System.nanoTime();
        SegmenterTraining.Result r = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), model, false, Progress.NONE);
        System.out.printf("trained in %.1f s, best Dice %.3f at %d%n", (System.nanoTime() - t0) / 1e9, r.bestDice(), r.bestStep());
        assertFalse(r.cancelled());
        assertEquals(120, r.completedSteps());
        assertTrue(Files.exists(model) && Files.exists(tmp.resolve("out/unet.zip.ckpt")));
        assertTrue(Files.exists(tmp.resolve("out/unet.zip.ckpt.losses.csv")) && Files.exists(tmp.resolve("out/unet.zip.ckpt.losses.png")));
        assertTrue(Files.exists(tmp.resolve("out/unet.zip.validation.csv")) && Files.exists(tmp.resolve("out/unet.zip.validation.png")));
        assertEquals(3, r.validation().size(), "validated every 40 steps");
        assertEquals(120, r.losses().size());
        assertTrue(r.losses().recentMean("dice", 10) < r.losses().values("dice").get(0) - 0.2, "Dice loss falls");
        assertEquals(3, SegmenterModel.load(model).history().size());
        assertTrue(r.bestDice() > 0.7, "best validation mean Dice " + r.bestDice());
        // the model file holds the best validation model
        SegmenterModel m = SegmenterModel.load(model);
        assertEquals(r.bestStep(), ((Number) m.training().get("bestStep")).intValue());
        assertEquals("unet", m.training().get("network"));
        assertArrayEquals(new int[]{32, 32}, m.patch());

        // segment an unseen phantom whose size is not a tile multiple, with calibration
        Phantoms.Phantom p = Phantoms.phantom2d(44, 0.15, new Random(77));
        ImagePlus img = Phantoms.image(p, "unseen.tif");
        Calibration cal = img.getCalibration();
        cal.pixelWidth = 0.7;
        cal.pixelHeight = 0.7;
        cal.setUnit("mm");
        Segmenter seg = Segmenter.load(model);
        Segmenter.Result out = seg.segment(img, null, 0.5, true, Progress.NONE);
        ImagePlus lab = out.labels();
        assertEquals(44, lab.getWidth());
        assertEquals(44, lab.getHeight());
        assertEquals(8, lab.getBitDepth());
        assertEquals("unseen-labels", lab.getTitle());
        assertEquals(0.7, lab.getCalibration().pixelWidth, 1e-12);
        assertEquals("mm", lab.getCalibration().getUnit());
        float[] pred = SegmentationMetrics.voxels(lab, "labels");
        float[] truth = SegmentationMetrics.voxels(Phantoms.labels(p, "t"), "truth");
        double organ = dice(truth, pred, 1), tumour = dice(truth, pred, 2);
        System.out.printf("unseen phantom: Dice organ %.3f tumour %.3f%n", organ, tumour);
        // a pipeline check (a short training; SegmentationLearningTest checks learning): measured 0.92 / 0.56
        assertTrue(organ > 0.85 && tumour > 0.4, "organ " + organ + " tumour " + tumour);
        ImagePlus prob = out.probabilities();
        assertEquals(3, prob.getNChannels());
        assertEquals(32, prob.getBitDepth());
        double sum = 0;
        for (int c = 1; c <= 3; c++) sum += prob.getStack().getProcessor(prob.getStackIndex(c, 1, 1)).getf(20, 20);
        assertEquals(1.0, sum, 1e-4);

        // a 2D model segments every slice of a stack
        ij.ImageStack st = new ij.ImageStack(44, 44);
        for (int z = 0; z < 3; z++) st.addSlice(img.getProcessor().duplicate());
        ImagePlus stack = new ImagePlus("stack", st);
        ImagePlus stackLabels = seg.segment(stack, new int[]{16, 16}, 0.25, false, Progress.NONE).labels();
        assertEquals(3, stackLabels.getNSlices());
        assertTrue(dice(truth, SegmentationMetrics.voxels(new ImagePlus("s", stackLabels.getStack().getProcessor(3)), "s"), 1) > 0.8);
    }

    /** A run cancelled and resumed from its checkpoint ends with the same weights as an uninterrupted run. */
    @Test
    void resumeContinuesExactly() throws Exception {
        SegmentationFixtures.writePairs(tmp, 3, 16, 1, 5);
        SegmenterSettings s = tiny("mlu-net", new int[]{16, 16}, 6).withValidation(0.34, 2);
        Path a = tmp.resolve("a/m.zip"), b = tmp.resolve("b/m.zip");
        SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), a, false, Progress.NONE);
        Progress cancelAfter4 = new RecordingProgress().stopAfter(4);
        SegmenterTraining.Result first = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), b, false, cancelAfter4);
        assertTrue(first.cancelled());
        assertEquals(4, first.completedSteps());
        SegmenterTraining.Result second = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), b, true, Progress.NONE);
        assertEquals(6, second.completedSteps());
        assertEquals(6, second.losses().size(), "loss history continues");
        ParamStore wa = ModelArchive.load(a.resolveSibling("m.zip.ckpt")).store();
        ParamStore wb = ModelArchive.load(b.resolveSibling("m.zip.ckpt")).store();
        assertEquals(wa.all().size(), wb.all().size());
        double maxDiff = 0;
        for (ParamStore.Param p : wa.all()) {
            INDArray other = wb.array(p.name());
            maxDiff = Math.max(maxDiff, p.value().sub(other).amaxNumber().doubleValue());
        }
        System.out.println("resume: largest weight difference " + maxDiff);
        assertTrue(maxDiff <= 1e-6, "largest weight difference " + maxDiff);
        // resuming with other settings is refused with the reason
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(s.withWidth(4),
                tmp.resolve("images"), tmp.resolve("labels"), b, true, Progress.NONE));
        assertTrue(e.getMessage().contains("width=2 but now width=4"), e.getMessage());
    }

    @Test
    void initCopiesTheWeightsOfAnotherModelAndRefusesAMismatch() throws Exception {
        SegmentationFixtures.writePairs(tmp, 2, 16, 1, 6);
        Path a = tmp.resolve("a.zip");
        SegmenterSettings s = tiny("unet", new int[]{16, 16}, 2).withValidation(0, 0);
        SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), a, false, Progress.NONE);
        SegmenterModel base = SegmenterModel.load(a);
        org.medsynth.data.PairedDataset data = org.medsynth.data.PairedDataset.scan(tmp.resolve("images"), tmp.resolve("labels"), 3);
        SegmenterSettings fromA = s.withInit(a).withSeed(99);
        SegmenterTraining t = new SegmenterTraining(fromA, TrainingSetBuilder.build(fromA, data, null, false, Progress.NONE), tmp.resolve("b.zip"));
        for (ParamStore.Param p : base.store().all()) {
            assertTrue(p.value().equalsWithEps(t.store().array(p.name()), 0), p.name());
        }
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("100%")), t.notes().toString());
        SegmenterSettings wider = s.withInit(a).withWidth(4);
        UserInputException e = assertThrows(UserInputException.class,
                () -> new SegmenterTraining(wider, TrainingSetBuilder.build(wider, data, null, false, Progress.NONE), tmp.resolve("c.zip")));
        assertTrue(e.getMessage().contains("fits only"), e.getMessage());
    }

    /** 3D patches on volumes, IM-MLU-Net with batch 1 (an extra image forms the negative pair). */
    @Test
    void volumesAndMutualInformationTrainAndSegment() throws Exception {
        SegmentationFixtures.writePairs(tmp, 2, 16, 8, 8);
        Path model = tmp.resolve("im.zip");
        SegmenterSettings s = tiny("im-mlu-net", new int[]{16, 16, 8}, 3).withBatch(1).withValidation(0.5, 2);
        SegmenterTraining.Result r = SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), model, false, Progress.NONE);
        assertEquals(3, r.completedSteps());
        assertTrue(r.losses().values("bce").stream().allMatch(v -> v > 0 && v < 5), r.losses().toCsv());
        assertTrue(r.losses().values("diceSides").size() == 3);
        assertEquals(2, r.validation().size());
        SegmenterModel m = SegmenterModel.load(model);
        assertEquals(3, m.network().spatialDims());
        assertEquals("im-mlu-net", org.medsynth.nn.networks.SegmentationNetworkFamily.nameOf(m.network()));
        ImagePlus vol = Phantoms.image(Phantoms.phantom(20, 8, 0.15, new Random(1)), "vol");
        ImagePlus lab = new Segmenter(m).segment(vol, null, 0.5, false, Progress.NONE).labels();
        assertEquals(20, lab.getWidth());
        assertEquals(8, lab.getNSlices());
        UserInputException e = assertThrows(UserInputException.class,
                () -> new Segmenter(m).segment(new ImagePlus("one", new ij.process.FloatProcessor(16, 16)), null, 0.5, false, Progress.NONE));
        assertTrue(e.getMessage().contains("3D"), e.getMessage());
    }

    @Test
    void settingsAreCheckedWithClearMessages() {
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterSettings.defaults("unet", 3, new int[]{100, 100}));
        assertTrue(e.getMessage().contains("multiple of 8") && e.getMessage().contains("Try 104x104"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> SegmenterSettings.defaults("resnet", 3, new int[]{64, 64}));
        assertTrue(e.getMessage().contains("Unknown network"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> SegmenterSettings.parsePatch("64 by 64"));
        assertTrue(e.getMessage().contains("not understood"), e.getMessage());
        assertArrayEquals(new int[]{64, 64}, SegmenterSettings.parsePatch("64"));
        assertArrayEquals(new int[]{96, 64, 32}, SegmenterSettings.parsePatch("96x64x32"));
        SegmenterSettings d = SegmenterSettings.defaults("mlu-net", 3, new int[]{256, 256});
        assertEquals(1e-4, d.learningRateAt(0), 0);
        assertEquals(1e-4, d.learningRateAt(1499), 0);
        assertEquals(1e-5, d.learningRateAt(1500), 1e-20);
        assertEquals(1, d.batch());
        assertEquals(2, SegmenterSettings.defaults("info-max-net", 3, new int[]{256, 256}).batch());
        assertEquals(List.of("background", "class 1", "class 2"), SegmenterModel.defaultClassNames(3));
    }

    @Test
    void damagedOrForeignModelFilesAreRefused() throws Exception {
        SegmentationFixtures.writePairs(tmp, 2, 16, 1, 9);
        Path a = tmp.resolve("a.zip");
        SegmenterTraining.run(tiny("unet", new int[]{16, 16}, 1).withValidation(0, 0), tmp.resolve("images"), tmp.resolve("labels"),
                a, false, Progress.NONE);
        // flip one byte of one stored array
        Path bad = tmp.resolve("bad.zip");
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(a.toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
            var entries = in.entries();
            boolean flipped = false;
            while (entries.hasMoreElements()) {
                var ze = entries.nextElement();
                byte[] bytes = in.getInputStream(ze).readAllBytes();
                if (!flipped && ze.getName().startsWith("params/")) {
                    bytes[bytes.length - 1] ^= 0x55;
                    flipped = true;
                }
                out.putNextEntry(new java.util.zip.ZipEntry(ze.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterModel.load(bad));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("checksum"), e.getMessage());
        Path txt = Files.writeString(tmp.resolve("notes.zip"), "hello");
        e = assertThrows(UserInputException.class, () -> SegmenterModel.load(txt));
        assertTrue(e.getMessage().contains("is not a zip archive"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> SegmenterModel.load(tmp.resolve("missing.zip")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        // a checkpoint is not a model
        e = assertThrows(UserInputException.class, () -> SegmenterModel.load(tmp.resolve("a.zip.ckpt")));
        assertTrue(e.getMessage().contains("training checkpoint") && e.getMessage().contains("(here probably a.zip)"), e.getMessage());
        assertNotNull(SegmenterModel.load(a));
    }
}
