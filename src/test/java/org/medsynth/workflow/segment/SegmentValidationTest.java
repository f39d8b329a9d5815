package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.util.OutputWriteException;
import org.medsynth.workflow.validate.RunLock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segment and Train Segmenter with bad inputs and faults. */
class SegmentValidationTest {

    @TempDir
    static Path shared;

    /** A tiny 2D U-Net of depth 2 (images must be at least 4 x 4), trained two steps. */
    static Path model;

    @BeforeAll
    static void trainATinyModel() throws Exception {
        SegmentationFixtures.writePairs(shared.resolve("data"), 2, 16, 1, 3);
        model = shared.resolve("models/unet.zip");
        SegmenterTraining.run(SegmenterTrainingTest.tiny("unet", new int[]{16, 16}, 2).withDepth(2).withValidation(0, 0),
                shared.resolve("data/images"), shared.resolve("data/labels"), model, false, Progress.NONE);
    }

    static ImagePlus ctWithNaN() {
        FloatProcessor fp = new FloatProcessor(16, 16);
        for (int i = 0; i < 256; i++) fp.setf(i, (i * 37) % 101);
        fp.setf(2, 9, Float.NaN);
        fp.setf(7, 11, Float.NaN);
        return new ImagePlus("ct.tif", fp);
    }

    @Test
    void nanPixelsAreRefusedUnlessReplacedExplicitly() {
        Segmenter s = Segmenter.load(model);
        UserInputException e = assertThrows(UserInputException.class, () -> s.segment(ctWithNaN(), null, 0.5, true, Progress.NONE));
        ErrorMatrix.check("nan-pixels", e);
        assertTrue(e.getMessage().startsWith("ct.tif has 2 NaN pixel values (first at x=2, y=9)"), e.getMessage());
        Segmenter.Result r = s.replacingNonFinite(true).segment(ctWithNaN(), null, 0.5, true, Progress.NONE);
        ErrorMatrix.check("nan-pixels-replaced", r.note());
        for (float v : (float[]) r.probabilities().getStack().getPixels(1)) assertTrue(Float.isFinite(v), "no NaN probability");
    }

    @Test
    void imagesBelowTheNetworksMinimumAreRefused() {
        Segmenter s = Segmenter.load(model);
        UserInputException e = assertThrows(UserInputException.class,
                () -> s.segment(new ImagePlus("dot.tif", new FloatProcessor(1, 1)), null, 0.5, false, Progress.NONE));
        ErrorMatrix.check("too-small-segment", e);
    }

    @Test
    void aSecondRunIntoTheSameFolderSkipsExistingOutputsAndOverwritesNothing(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Segmenter s = Segmenter.load(model);
        assertTrue(s.segmentFolder(shared.resolve("data/images"), out, null, 0.5, false, Progress.NONE).stream().allMatch(Segmenter.Outcome::written));
        byte[] first = Files.readAllBytes(out.resolve("case0-labels.tif"));
        List<Segmenter.Outcome> again = s.segmentFolder(shared.resolve("data/images"), out, null, 0.5, false, Progress.NONE);
        for (Segmenter.Outcome o : again) {
            assertFalse(o.written());
            assertTrue(o.detail().startsWith("skipped: "), o.detail());
            ErrorMatrix.check("output-exists", o.detail().substring("skipped: ".length()));
        }
        assertArrayEquals(first, Files.readAllBytes(out.resolve("case0-labels.tif")));
    }

    @Test
    void aFullDiskStopsTheBatchWithOneLineAndKeepsTheFilesWrittenBefore(@TempDir Path dir) throws Exception {
        Path reference = dir.resolve("reference"), out = dir.resolve("out");
        Segmenter s = Segmenter.load(model);
        s.segmentFolder(shared.resolve("data/images"), reference, null, 0.5, false, Progress.NONE);
        long one = Files.size(reference.resolve("case0-labels.tif"));
        OutputWriteException e;
        try (AutoCloseable full = AtomicFiles.simulateFullDiskAfter(one + 10)) {
            e = assertThrows(OutputWriteException.class,
                    () -> s.segmentFolder(shared.resolve("data/images"), out, null, 0.5, false, Progress.NONE));
        }
        ErrorMatrix.check("disk-full", e);
        assertTrue(e.getMessage().endsWith("Segmented before: 1 of 2 files."), e.getMessage());
        assertEquals(List.of("case0-labels.tif"), names(out));
        assertArrayEquals(Files.readAllBytes(reference.resolve("case0-labels.tif")), Files.readAllBytes(out.resolve("case0-labels.tif")));
    }

    // ---------------------------------------------------------------- training

    private Path pairs(Path root, float[][] images, int[][] labels, int w, int h) {
        for (int k = 0; k < images.length; k++) {
            ImageFiles.saveTiff(new ImagePlus("img", new FloatProcessor(w, h, images[k])), root.resolve("images/case" + k + ".tif"));
            ij.process.ByteProcessor lp = new ij.process.ByteProcessor(w, h);
            for (int i = 0; i < w * h; i++) lp.set(i, labels[k][i]);
            ImageFiles.saveTiff(new ImagePlus("lab", lp), root.resolve("labels/case" + k + ".tif"));
        }
        return root;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 17;
        return v;
    }

    private static int[] disc(int w, int h) {
        int[] l = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) l[y * w + x] = (x - w / 2) * (x - w / 2) + (y - h / 2) * (y - h / 2) < 16 ? 1 : 0;
        return l;
    }

    private static SegmenterSettings tiny() {
        return SegmenterTrainingTest.tiny("unet", new int[]{16, 16}, 1).withDepth(2).withValidation(0, 0);
    }

    private static SegmenterTraining.Result train(Path root, boolean replace) {
        return SegmenterTraining.run(tiny(), root.resolve("images"), root.resolve("labels"), null, root.resolve("m.zip"), false, replace,
                Progress.NONE);
    }

    @Test
    void trainingRefusesNanPixelsWithTheFileAndPositionOrReplacesThemWhenAsked(@TempDir Path dir) {
        float[] bad = ramp(256);
        bad[3 * 16 + 5] = Float.NaN;
        pairs(dir, new float[][]{ramp(256), bad}, new int[][]{disc(16, 16), disc(16, 16)}, 16, 16);
        UserInputException e = assertThrows(UserInputException.class, () -> train(dir, false));
        ErrorMatrix.check("nan-pixels", e);
        assertTrue(e.getMessage().startsWith("case1.tif has 1 NaN pixel value (first at x=5, y=3)"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("m.zip")));
        SegmenterTraining.Result r = train(dir, true);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("case1.tif: 1 NaN pixel value (first at x=5, y=3) replaced")), r.notes().toString());
    }

    @Test
    void allZeroLabelMapsAreRefusedAndASingleOneIsWarnedAbout(@TempDir Path dir) throws Exception {
        pairs(dir.resolve("none"), new float[][]{ramp(256)}, new int[][]{new int[256]}, 16, 16);
        UserInputException e = assertThrows(UserInputException.class, () -> train(dir.resolve("none"), false));
        ErrorMatrix.check("no-foreground", e);
        pairs(dir.resolve("one"), new float[][]{ramp(256), ramp(256)}, new int[][]{disc(16, 16), new int[256]}, 16, 16);
        SegmenterTraining.Result r = train(dir.resolve("one"), false);
        String warning = r.notes().stream().filter(n -> n.contains("no foreground")).findFirst().orElseThrow();
        ErrorMatrix.check("no-foreground-warning", warning);
        assertTrue(warning.contains("case1.tif"), warning);
    }

    @Test
    void trainingImagesBelowTheNetworksMinimumAreRefused(@TempDir Path dir) {
        pairs(dir, new float[][]{{1f}}, new int[][]{{1}}, 1, 1);
        ErrorMatrix.check("too-small-train-segmenter", assertThrows(UserInputException.class, () -> train(dir, false)));
    }

    @Test
    void aModelFolderThatCannotBeWrittenIsFoundBeforeAnyImageIsRead(@TempDir Path dir) throws Exception {
        pairs(dir, new float[][]{ramp(256)}, new int[][]{disc(16, 16)}, 16, 16);
        Path blocker = Files.writeString(dir.resolve("models"), "a file where the model folder should be");
        List<String> reports = new ArrayList<>();
        Progress recording = new Progress() {
            @Override public void report(double f, String m) { reports.add(m); }
            @Override public boolean isCancelled() { return false; }
        };
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(tiny(), dir.resolve("images"),
                dir.resolve("labels"), null, blocker.resolve("sub/liver.zip"), false, false, recording));
        ErrorMatrix.check("model-folder-cannot-create", e);
        assertEquals(List.of(), reports, "nothing was loaded or trained");
    }

    @Test
    void aSecondTrainingOfTheSameModelFileAtTheSameTimeIsRefused(@TempDir Path dir) {
        pairs(dir, new float[][]{ramp(256)}, new int[][]{disc(16, 16)}, 16, 16);
        try (RunLock other = RunLock.acquire(dir.resolve("m.zip"), "Train Segmenter")) {
            ErrorMatrix.check("run-in-progress", assertThrows(UserInputException.class, () -> train(dir, false)));
        }
        train(dir, false); // once the other run has ended
    }

    @Test
    void aStepCanSayWhichImagesItsPatchesCameFrom(@TempDir Path dir) {
        pairs(dir, new float[][]{ramp(256), ramp(256)}, new int[][]{disc(16, 16), disc(16, 16)}, 16, 16);
        org.medsynth.data.PairedDataset data = org.medsynth.data.PairedDataset.scan(dir.resolve("images"), dir.resolve("labels"), 3);
        SegmenterTraining t = new SegmenterTraining(tiny(), TrainingSetBuilder.build(tiny(), data, null, false, Progress.NONE), dir.resolve("m.zip"));
        t.step(0);
        String batch = t.describeBatch(0);
        assertTrue(batch.matches("patches of case[01]\\.tif(, case[01]\\.tif)?"), batch);
        assertEquals("", t.describeBatch(1), "only the step just made is known");
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
