package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.metrics.SegmentationClasses;
import org.medsynth.util.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationEvaluationTest {

    static ImagePlus bytes(String title, int w, int h, int[] values) {
        byte[] b = new byte[w * h];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return new ImagePlus(title, new ByteProcessor(w, h, b));
    }

    /** A 4x4 truth square, a prediction shifted by one pixel, a FOV and scores; index k varies the shift. */
    static ImagePlus[] drivePair(int k) {
        int w = 10, h = 10;
        int[] t = new int[w * h], p = new int[w * h], m = new int[w * h];
        float[] s = new float[w * h];
        Random r = new Random(k);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                t[i] = x >= 3 && x < 7 && y >= 3 && y < 7 ? 255 : 0;
                p[i] = x >= 3 + k && x < 7 + k && y >= 3 && y < 7 ? 255 : 0;
                m[i] = x > 0 && y > 0 ? 255 : 0;
                s[i] = (t[i] > 0 ? 0.6f : 0.3f) + 0.5f * r.nextFloat();
            }
        }
        return new ImagePlus[] {bytes("pred", w, h, p), bytes("truth", w, h, t), new ImagePlus("prob", new FloatProcessor(w, h, s)),
                bytes("mask", w, h, m)};
    }

    @Test
    void singlePairWithMaskAndProbabilities() {
        ImagePlus[] im = drivePair(1);
        SegmentationEvaluation.Report r = new SegmentationEvaluation(SegmentationClasses.binary()).run(
                SegmentationEvaluation.Source.of(im[0]), SegmentationEvaluation.Source.of(im[1]),
                SegmentationEvaluation.Source.of(im[2]), SegmentationEvaluation.Source.of(im[3]), Progress.NONE);
        assertEquals(1, r.rows().size());
        // 16 truth pixels, prediction shifted by 1 column: TP 12, FP 4, FN 4; the mask removes row 0 and column 0 (all background)
        var k = r.rows().get(0).counts();
        assertEquals(12, k.tp());
        assertEquals(4, k.fp());
        assertEquals(4, k.fn());
        assertEquals(81 - 20, k.tn());
        assertEquals(0.75, k.dice(), 1e-12);
        assertTrue(r.rows().get(0).auc() > 0.7);
        Table s = r.summaryTable();
        assertEquals(3, s.size());
        assertEquals("pooled", s.value(2, "statistic"));
        assertEquals(0.75, (double) s.value(2, "Dice"), 1e-12);
        assertEquals(r.rows().get(0).auc(), (double) s.value(2, "AUC"), 1e-12);
        assertTrue(Double.isNaN((double) s.value(1, "Dice")), "sd of one image is undefined");
        assertNotNull(r.rocCurve());
    }

    @Test
    void foldersPairedByIdWithSharedOrPerImageMasks(@TempDir Path dir) throws Exception {
        Path pred = dir.resolve("pred"), truth = dir.resolve("truth"), prob = dir.resolve("prob"), mask = dir.resolve("mask"),
                out = dir.resolve("out");
        for (Path p : List.of(pred, truth, prob, mask)) Files.createDirectories(p);
        for (int k = 0; k < 3; k++) {
            ImagePlus[] im = drivePair(k);
            String id = String.format("%02d", k + 1);
            ImageFiles.saveTiff(im[0], pred.resolve(id + "_test.tif"));
            ImageFiles.saveTiff(im[1], truth.resolve(id + "_manual1.tif"));
            ImageFiles.saveTiff(im[2], prob.resolve(id + "_test.tif"));
            ImageFiles.saveTiff(im[3], mask.resolve(id + "_test_mask.tif"));
        }
        ImageFiles.saveTiff(drivePair(0)[1], truth.resolve("99_manual1.tif"));
        Files.writeString(pred.resolve("notes.txt"), "not an image");
        SegmentationEvaluation.Report r = new SegmentationEvaluation(SegmentationClasses.binary()).run(
                SegmentationEvaluation.Source.of(pred), SegmentationEvaluation.Source.of(truth),
                SegmentationEvaluation.Source.of(prob), SegmentationEvaluation.Source.of(mask), Progress.NONE);
        assertEquals(3, r.rows().size());
        assertEquals("01_test", r.rows().get(0).image());
        assertEquals(1.0, r.rows().get(0).counts().dice(), 1e-12);
        assertTrue(r.skipped().stream().anyMatch(s -> s.contains("99_manual1")), r.skipped().toString());
        Table s = r.summaryTable();
        double mean = (1.0 + 0.75 + 0.5) / 3;
        assertEquals(mean, (double) s.value(0, "Dice"), 1e-12);
        assertEquals(0.25, (double) s.value(1, "Dice"), 1e-12); // sample sd of 1, .75, .5
        List<Path> written = r.save(out);
        assertEquals(4, written.size());
        for (Path p : written) assertTrue(Files.size(p) > 0, p.toString());
        String csv = Files.readString(out.resolve("segmentation-metrics.csv"));
        assertTrue(csv.startsWith(" ,image,class,Dice") || csv.contains("image,class,Dice"), csv.lines().findFirst().orElse(""));
        assertTrue(csv.contains("0.750000"), csv);
        ImagePlus png = ImageFiles.open(out.resolve("roc-curve.png"));
        assertTrue(png.getWidth() > 100);
        // one mask for every image
        SegmentationEvaluation.Report shared = new SegmentationEvaluation(SegmentationClasses.binary()).run(
                SegmentationEvaluation.Source.of(pred), SegmentationEvaluation.Source.of(truth), null,
                SegmentationEvaluation.Source.of(mask.resolve("01_test_mask.tif")), Progress.NONE);
        assertEquals(3, shared.rows().size());
        assertNull(shared.rocCurve());
    }

    @Test
    void volumesWithBratsRegionsAndMultiChannelProbabilities() {
        int w = 4, h = 3, d = 2;
        ImageStack t = new ImageStack(w, h), p = new ImageStack(w, h);
        int[][] tl = {{0, 1, 2, 4, 0, 0, 2, 2, 0, 4, 4, 1}, {0, 0, 0, 2, 2, 1, 4, 0, 0, 0, 1, 0}};
        int[][] pl = {{0, 1, 2, 4, 0, 2, 2, 2, 0, 4, 1, 1}, {0, 0, 0, 2, 0, 1, 4, 4, 0, 0, 1, 0}};
        for (int z = 0; z < d; z++) {
            t.addSlice(bytes("", w, h, tl[z]).getProcessor());
            p.addSlice(bytes("", w, h, pl[z]).getProcessor());
        }
        SegmentationEvaluation.Report r = new SegmentationEvaluation(SegmentationClasses.parse("brats")).run(
                SegmentationEvaluation.Source.of(new ImagePlus("p", p)), SegmentationEvaluation.Source.of(new ImagePlus("t", t)),
                null, null, Progress.NONE);
        assertEquals(List.of("WT", "TC", "ET"), r.classNames());
        // ET (label 4): truth 4 voxels (z0: 3, z1: 1), prediction 4 (z0: 2, z1: 2), overlap 3 -> Dice 6/8
        assertEquals(0.75, r.rows().get(2).counts().dice(), 1e-12);
        // WT (labels 1, 2, 4): truth 13 voxels, prediction 14, overlap 12 -> 24/27; TC (1, 4): 8, 9, 8 -> 16/17
        assertEquals(24.0 / 27, r.rows().get(0).counts().dice(), 1e-12);
        assertEquals(16.0 / 17, r.rows().get(1).counts().dice(), 1e-12);
        // multi-channel probabilities: channel index = label value
        ImageStack probs = new ImageStack(w, h);
        Random rnd = new Random(1);
        for (int i = 0; i < 3 * d; i++) {
            float[] v = new float[w * h];
            for (int j = 0; j < v.length; j++) v[j] = rnd.nextFloat();
            probs.addSlice(new FloatProcessor(w, h, v));
        }
        ImagePlus prob = new ImagePlus("prob", probs);
        prob.setDimensions(3, d, 1);
        SegmentationEvaluation.Report labels = new SegmentationEvaluation(SegmentationClasses.parse("1,2")).run(
                SegmentationEvaluation.Source.of(new ImagePlus("p", p)), SegmentationEvaluation.Source.of(new ImagePlus("t", t)),
                SegmentationEvaluation.Source.of(prob), null, Progress.NONE);
        assertEquals(2, labels.rows().size());
        assertTrue(Double.isFinite(labels.rows().get(0).auc()) && Double.isFinite(labels.rows().get(1).auc()));
    }

    @Test
    void mismatchedInputsGetClearMessages(@TempDir Path dir) {
        ImagePlus[] im = drivePair(0);
        ImagePlus small = bytes("small", 5, 5, new int[25]);
        UserInputException e = assertThrows(UserInputException.class, () -> new SegmentationEvaluation(SegmentationClasses.binary())
                .run(SegmentationEvaluation.Source.of(small), SegmentationEvaluation.Source.of(im[1]), null, null, Progress.NONE));
        assertTrue(e.getMessage().contains("differ in size"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> new SegmentationEvaluation(SegmentationClasses.binary())
                .run(SegmentationEvaluation.Source.of(im[2]), SegmentationEvaluation.Source.of(im[1]), null, null, Progress.NONE));
        assertTrue(e.getMessage().contains("not a binary mask"), e.getMessage());
        ImagePlus nanProb = im[2].duplicate();
        nanProb.getProcessor().setf(5, 5, Float.NaN);
        e = assertThrows(UserInputException.class, () -> new SegmentationEvaluation(SegmentationClasses.binary())
                .run(SegmentationEvaluation.Source.of(im[0]), SegmentationEvaluation.Source.of(im[1]),
                        SegmentationEvaluation.Source.of(nanProb), null, Progress.NONE));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> new SegmentationEvaluation(SegmentationClasses.binary())
                .run(SegmentationEvaluation.Source.of(dir), SegmentationEvaluation.Source.of(im[1]), null, null, Progress.NONE));
        assertTrue(e.getMessage().contains("both as folders"), e.getMessage());
    }

    @Test
    void pairingRules() {
        List<Path> truths = List.of(Path.of("01_manual1.gif"), Path.of("02_manual1.gif"), Path.of("case7.nii.gz"));
        assertEquals(Path.of("01_manual1.gif"), SegmentationEvaluation.match(Path.of("01_test.tif"), truths));
        assertEquals(Path.of("case7.nii.gz"), SegmentationEvaluation.match(Path.of("case7.tif"), truths));
        assertNull(SegmentationEvaluation.match(Path.of("03_test.tif"), truths));
        assertNull(SegmentationEvaluation.match(Path.of("01_x.tif"), List.of(Path.of("01_a.tif"), Path.of("01_b.tif"))));
    }
}
