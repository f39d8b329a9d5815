package org.medsynth.workflow.hybrid;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SynthesisQualityCheckTest {

    /** A 2 x 1 x 2 label volume (z-major): slice 1 = {1, 0}, slice 2 = {1, 2}. */
    static final int[] LABELS = {1, 0, 1, 2};

    @Test
    void meanIntensityUsesTheCalibrationFunctionOfA16BitCt() {
        ImageStack st = new ImageStack(2, 1);
        st.addSlice(new ShortProcessor(2, 1, new short[]{(short) (32768 + 60), (short) (32768 - 1000)}, null));
        st.addSlice(new ShortProcessor(2, 1, new short[]{(short) (32768 + 40), (short) (32768 + 90)}, null));
        ImagePlus ct = new ImagePlus("ct", st);
        Calibration cal = ct.getCalibration();
        cal.setFunction(Calibration.STRAIGHT_LINE, new double[]{-32768, 1}, "HU");
        assertEquals(50.0, SynthesisQualityCheck.meanIntensity(ct, LABELS, 1), 1e-9, "liver: (60 + 40) / 2 HU");
        assertEquals(90.0, SynthesisQualityCheck.meanIntensity(ct, LABELS, 2), 1e-9);
        assertEquals(-1000.0, SynthesisQualityCheck.meanIntensity(ct, LABELS, 0), 1e-9);
        assertTrue(Double.isNaN(SynthesisQualityCheck.meanIntensity(ct, LABELS, 3)), "absent label");
        assertTrue(Double.isNaN(SynthesisQualityCheck.meanIntensity(ct, new int[]{1, 1}, 1)), "other size");
    }

    @Test
    void meanIntensityTakes32BitValuesAsTheyAre() {
        ImageStack st = new ImageStack(2, 1);
        st.addSlice(new FloatProcessor(2, 1, new float[]{31f, -577f}));
        st.addSlice(new FloatProcessor(2, 1, new float[]{29f, Float.NaN}));
        ImagePlus syn = new ImagePlus("synthetic", st);
        assertEquals(30.0, SynthesisQualityCheck.meanIntensity(syn, LABELS, 1), 1e-6);
        assertTrue(Double.isNaN(SynthesisQualityCheck.meanIntensity(syn, LABELS, 2)), "only NaN inside the label");
    }
}
