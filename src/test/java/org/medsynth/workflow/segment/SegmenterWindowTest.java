package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.LiverPhantom;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The intensity window goes from the training settings into the model file and Segment applies it
 * to the calibrated values of any image: a tiny U-Net trained for a few steps on liver CT phantoms
 * (16-bit, HU = raw - 32768) segments the same anatomy stored in other raw encodings identically.
 */
class SegmenterWindowTest {

    @TempDir
    Path tmp;

    static final IntensityWindow ABDOMEN = new IntensityWindow(-160, 240);

    static SegmenterSettings settings(IntensityWindow w) {
        return SegmenterTrainingTest.tiny("unet", new int[]{32, 32}, 3).withValidation(0, 0)
                .withPreprocessing(SegmenterSettings.paperPreprocessing().withWindow(w).withNormalization(Normalization.SYMMETRIC));
    }

    static void writePhantoms(Path root, int n, long seed, boolean calibrated) {
        for (int k = 0; k < n; k++) {
            LiverPhantom.Sample s = LiverPhantom.generate(32, 32, 4, seed + k);
            ImagePlus ct = s.ct();
            if (!calibrated) ct.setCalibration(new Calibration());
            SegmentationFixtures.save(ct, root.resolve("images/case" + k + ".tif"));
            SegmentationFixtures.save(s.labels(), root.resolve("labels/case" + k + ".tif"));
        }
    }

    /** The HU of a signed-calibrated 16-bit phantom as a new image: 32-bit HU, or 16-bit raw = (HU - intercept) / slope. */
    static ImagePlus reencode(ImagePlus ct, boolean float32, double slope, double intercept) {
        Calibration cal = ct.getCalibration();
        ImageStack out = new ImageStack(ct.getWidth(), ct.getHeight());
        for (int z = 1; z <= ct.getStackSize(); z++) {
            short[] raw = (short[]) ct.getStack().getPixels(z);
            if (float32) {
                float[] hu = new float[raw.length];
                for (int i = 0; i < raw.length; i++) hu[i] = (float) cal.getCValue(raw[i] & 0xffff);
                out.addSlice(new FloatProcessor(ct.getWidth(), ct.getHeight(), hu));
            } else {
                short[] r = new short[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    long v = Math.round((cal.getCValue(raw[i] & 0xffff) - intercept) / slope);
                    r[i] = (short) Math.max(0, Math.min(65535, v));
                }
                out.addSlice(new ShortProcessor(ct.getWidth(), ct.getHeight(), r, null));
            }
        }
        ImagePlus imp = new ImagePlus("copy", out);
        if (!float32) imp.getCalibration().setFunction(Calibration.STRAIGHT_LINE, new double[]{intercept, slope}, "HU");
        return imp;
    }

    static float[] probabilities(Segmenter seg, ImagePlus image) {
        ImagePlus p = seg.segment(image, null, 0.5, true, Progress.NONE).probabilities();
        int n = p.getWidth() * p.getHeight();
        float[] all = new float[n * p.getStackSize()];
        for (int i = 0; i < p.getStackSize(); i++) System.arraycopy((float[]) p.getStack().getPixels(i + 1), 0, all, i * n, n);
        return all;
    }

    @Test
    void windowIsStoredInTheModelAndAppliedToCalibratedValuesAtInference() throws Exception {
        Files.createDirectories(tmp.resolve("images"));
        Files.createDirectories(tmp.resolve("labels"));
        writePhantoms(tmp, 2, 300, true);
        Path model = tmp.resolve("m.zip");
        SegmenterTraining.Result r = SegmenterTraining.run(settings(ABDOMEN), tmp.resolve("images"), tmp.resolve("labels"), model, false, Progress.NONE);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("Intensity window -160..240")), r.notes().toString());
        assertTrue(r.notes().stream().noneMatch(n -> n.contains("Warning")), r.notes().toString());
        SegmenterModel m = SegmenterModel.load(model);
        assertEquals(ABDOMEN, m.preprocessing().window());
        assertEquals(Normalization.SYMMETRIC, m.preprocessing().normalization());
        assertFalse(m.preprocessing().clips());

        Segmenter seg = new Segmenter(m);
        ImagePlus signed = LiverPhantom.generate(32, 32, 4, 900).ct();            // HU = raw - 32768
        float[] reference = probabilities(seg, signed);
        // the same HU as 32-bit values, and as 16-bit with a DICOM-style rescale (HU = 0.5 raw - 1024)
        assertArrayEquals(reference, probabilities(seg, reencode(signed, true, 1, 0)), 1e-6f);
        assertArrayEquals(reference, probabilities(seg, reencode(signed, false, 0.5, -1024)), 1e-6f);
        // voxels outside the window may change freely: air -> -500 HU, bone -> 3000 HU
        ImagePlus shifted = signed.duplicate();
        for (int z = 1; z <= shifted.getStackSize(); z++) {
            short[] raw = (short[]) shifted.getStack().getPixels(z);
            for (int i = 0; i < raw.length; i++) {
                int hu = (raw[i] & 0xffff) - LiverPhantom.SIGNED_OFFSET;
                if (hu < -160) raw[i] = (short) (LiverPhantom.SIGNED_OFFSET - 500);
                else if (hu > 240) raw[i] = (short) (LiverPhantom.SIGNED_OFFSET + 3000);
            }
        }
        assertArrayEquals(reference, probabilities(seg, shifted), 1e-6f);
        // the raw values without the calibration function are not HU: another input, and a warning
        ImagePlus raw = signed.duplicate();
        raw.setCalibration(new Calibration());
        assertFalse(java.util.Arrays.equals(reference, probabilities(seg, raw)));
        assertNull(seg.windowWarning(signed));
        assertTrue(seg.windowWarning(raw).contains("inside the intensity window -160..240"), seg.windowWarning(raw));

        // resuming with another window is refused with the reason
        UserInputException e = assertThrows(UserInputException.class, () -> SegmenterTraining.run(settings(new IntensityWindow(-100, 200)),
                tmp.resolve("images"), tmp.resolve("labels"), model, true, Progress.NONE));
        assertTrue(e.getMessage().contains("window -160..240 -> -1to1 but now window -100..200 -> -1to1"), e.getMessage());
    }

    @Test
    void trainingOnUncalibratedImagesWithAWindowWarns() throws Exception {
        Files.createDirectories(tmp.resolve("images"));
        Files.createDirectories(tmp.resolve("labels"));
        writePhantoms(tmp, 1, 500, false);
        PairedDataset data = PairedDataset.scan(tmp.resolve("images"), tmp.resolve("labels"), 3);
        SegmenterTraining t = new SegmenterTraining(settings(ABDOMEN), TrainingSetBuilder.build(settings(ABDOMEN), data, null, false, Progress.NONE),
                tmp.resolve("m.zip"));
        assertTrue(t.notes().stream().anyMatch(n -> n.startsWith("Warning: in 1 image(s) (case0) less than 1% of the voxels lie inside "
                + "the intensity window -160..240") && n.contains("calibrated")), t.notes().toString());
    }
}
