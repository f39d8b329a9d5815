package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The intensity window works on calibrated values: hand-computed expectations for HU
 * -1000, -160, -100, 40, 60, 240, 500 under the abdominal window [-160, 240].
 */
class IntensityWindowTest {

    static final double[] HU = {-1000, -160, -100, 40, 60, 240, 500};
    /** (clip(hu) + 160) / 400 * 2 - 1, by hand. */
    static final float[] SYMMETRIC = {-1f, -1f, -0.7f, 0f, 0.1f, 1f, 1f};
    /** (clip(hu) + 160) / 400, by hand. */
    static final float[] UNIT = {0f, 0f, 0.15f, 0.5f, 0.55f, 1f, 1f};
    static final IntensityWindow ABDOMEN = new IntensityWindow(-160, 240);

    /** One row of 16-bit raw values, raw = (hu - intercept) / slope, with ImageJ's calibration function for that. */
    static ImagePlus sixteenBit(double slope, double intercept, boolean signed) {
        short[] raw = new short[HU.length];
        for (int i = 0; i < HU.length; i++) raw[i] = (short) Math.round((HU[i] - intercept) / slope);
        ImagePlus imp = new ImagePlus("ct", new ShortProcessor(HU.length, 1, raw, null));
        Calibration cal = imp.getCalibration();
        if (signed) cal.setSigned16BitCalibration();
        else cal.setFunction(Calibration.STRAIGHT_LINE, new double[]{intercept, slope}, "HU");
        return imp;
    }

    static float[] values(ImagePlus imp) {
        return (float[]) imp.getProcessor().getPixels();
    }

    @Test
    void signed16BitCalibrationGivesHounsfieldUnitsBeforeTheWindow() {
        ImagePlus ct = sixteenBit(1, -32768, true);
        assertEquals(-160, ct.getCalibration().getCValue(32768 - 160), 0, "the -32768 offset is ImageJ's");
        assertArrayEquals(SYMMETRIC, values(IntensityNormalizer.windowed(ABDOMEN, Normalization.SYMMETRIC).apply(ct)), 1e-6f);
        assertArrayEquals(UNIT, values(IntensityNormalizer.windowed(ABDOMEN, Normalization.UNIT).apply(ct)), 1e-6f);
        float[] none = values(IntensityNormalizer.windowed(ABDOMEN, Normalization.NONE).apply(ct));
        assertArrayEquals(new float[]{-160, -160, -100, 40, 60, 240, 240}, none, 0f);
    }

    @Test
    void dicomRescaleSlopeAndInterceptAreApplied() {
        // raw = (HU + 1024) / 0.5, as a DICOM with RescaleSlope 0.5 and RescaleIntercept -1024
        ImagePlus ct = sixteenBit(0.5, -1024, false);
        assertEquals((short) 2128, ((short[]) ct.getProcessor().getPixels())[3], "raw value of 40 HU");
        assertArrayEquals(SYMMETRIC, values(IntensityNormalizer.windowed(ABDOMEN, Normalization.SYMMETRIC).apply(ct)), 1e-6f);
    }

    @Test
    void thirtyTwoBitValuesAreTakenAsTheyAre() {
        float[] hu = new float[HU.length];
        for (int i = 0; i < hu.length; i++) hu[i] = (float) HU[i];
        ImagePlus ct = new ImagePlus("ct", new FloatProcessor(hu.length, 1, hu));
        assertArrayEquals(SYMMETRIC, values(IntensityNormalizer.windowed(ABDOMEN, Normalization.SYMMETRIC).apply(ct)), 1e-6f);
        assertArrayEquals(UNIT, values(IntensityNormalizer.windowed(ABDOMEN, Normalization.UNIT).apply(ct)), 1e-6f);
    }

    @Test
    void zScoreStandardisesTheWindowedValues() {
        // HU -1000, -100, 40, 240, 500 -> windowed -160, -100, 40, 240, 240: mean 52, population sd 166.66133
        float[] hu = {-1000, -100, 40, 240, 500};
        ImagePlus ct = new ImagePlus("ct", new FloatProcessor(hu.length, 1, hu));
        float[] z = values(IntensityNormalizer.windowed(ABDOMEN, Normalization.ZSCORE).apply(ct));
        assertArrayEquals(new float[]{-1.2720407f, -0.9120292f, -0.0720023f, 1.1280361f, 1.1280361f}, z, 1e-5f);
    }

    @Test
    void windowIsTheSameMapForEveryImageUnlikePercentiles() {
        // two volumes that differ only outside the window: identical network input with the window
        ImagePlus a = sixteenBit(1, -32768, true);
        ImagePlus b = sixteenBit(1, -32768, true);
        ((short[]) b.getProcessor().getPixels())[0] = (short) (32768 - 500);     // -1000 HU -> -500 HU
        ((short[]) b.getProcessor().getPixels())[6] = (short) (32768 + 1500);    // 500 HU -> 1500 HU
        IntensityNormalizer w = IntensityNormalizer.windowed(ABDOMEN, Normalization.SYMMETRIC);
        assertArrayEquals(values(w.apply(a)), values(w.apply(b)), 0f);
        IntensityNormalizer p = new IntensityNormalizer(0, 100, Normalization.SYMMETRIC);
        assertFalse(java.util.Arrays.equals(values(p.apply(a)), values(p.apply(b))), "min-max scaling depends on the outliers");
        // an uncalibrated copy of the raw values lies far above the window: all +1
        ImagePlus raw = sixteenBit(1, -32768, true);
        raw.setCalibration(new Calibration());
        for (float v : values(w.apply(raw))) assertEquals(1f, v, 0f);
        assertEquals(0.0, ABDOMEN.shareInside(raw), 0);
        assertTrue(ABDOMEN.warning(raw).contains("only 0.0% of the voxels of ct lie inside the intensity window -160..240"), ABDOMEN.warning(raw));
        assertEquals(5 / 7.0, ABDOMEN.shareInside(a), 1e-12, "-160, -100, 40, 60, 240 inside");
        assertNull(ABDOMEN.warning(a));
        assertEquals(5 / 7.0, ABDOMEN.shareInside(sixteenBit(0.5, -1024, false)), 1e-12);
    }

    @Test
    void appliesPerChannelOfAStack() {
        ImageStack st = new ImageStack(2, 1);
        st.addSlice(new FloatProcessor(2, 1, new float[]{-160, 240}));
        st.addSlice(new FloatProcessor(2, 1, new float[]{40, 1000}));
        ImagePlus vol = new ImagePlus("v", st);
        ImagePlus out = IntensityNormalizer.windowed(ABDOMEN, Normalization.SYMMETRIC).apply(vol);
        assertArrayEquals(new float[]{-1, 1}, (float[]) out.getStack().getPixels(1), 1e-6f);
        assertArrayEquals(new float[]{0, 1}, (float[]) out.getStack().getPixels(2), 1e-6f);
    }

    @Test
    void optionsAndPresets() {
        assertNull(IntensityWindow.fromOptions("none", "", ""));
        assertNull(IntensityWindow.fromOptions(null, null, "NaN"));
        assertNull(IntensityWindow.fromOptions("none", "50", "50"), "equal ends = no window");
        assertEquals(ABDOMEN, IntensityWindow.fromOptions("none", "-160", " 240 "));
        assertEquals(ABDOMEN, IntensityWindow.fromOptions("abdomen", "", ""));
        assertEquals(ABDOMEN, IntensityWindow.fromOptions("abdomen", "-160", "240"), "agreeing preset and numbers");
        assertEquals(new IntensityWindow(-45, 105), IntensityWindow.preset("liver"));
        assertEquals(new IntensityWindow(-100.5, 200.25), IntensityWindow.fromOptions("none", "-100.5", "200.25"));
        assertEquals("-160..240", ABDOMEN.describe());
        assertEquals("-100.5..200.25", new IntensityWindow(-100.5, 200.25).describe());
        assertTrue(IntensityWindow.presetList().startsWith("abdomen (-160..240), liver (-45..105)"), IntensityWindow.presetList());

        UserInputException e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("none", "-160", ""));
        assertTrue(e.getMessage().contains("Give both window_low and window_high") && e.getMessage().contains("only window_low"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("none", "", "240"));
        assertTrue(e.getMessage().contains("only window_high"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("none", "240", "-160"));
        assertTrue(e.getMessage().contains("window_low (240) must be below window_high (-160)"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("none", "-160HU", "240"));
        assertTrue(e.getMessage().contains("window_low must be a number") && e.getMessage().contains("-160HU"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("liver", "-160", "240"));
        assertTrue(e.getMessage().contains("disagree"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.fromOptions("abdomen", "0", "0"));
        assertTrue(e.getMessage().contains("switches the window off"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> IntensityWindow.preset("kidney"));
        assertTrue(e.getMessage().contains("Unknown window 'kidney'") && e.getMessage().contains("abdomen"), e.getMessage());
        assertThrows(UserInputException.class, () -> new IntensityWindow(10, 10));
        assertThrows(UserInputException.class, () -> new IntensityWindow(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> new IntensityNormalizer(0.5, 99.5, Normalization.ZSCORE, ABDOMEN));
    }
}
