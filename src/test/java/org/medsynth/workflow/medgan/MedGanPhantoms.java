package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.medsynth.data.LabeledImage;

import java.util.List;
import java.util.Random;

/** Small two-label phantoms for the 3D-MedGAN tests: a ball (label 1, bright) in a dark background (label 0). */
final class MedGanPhantoms {
    static final float BACKGROUND = -0.6f;
    static final float BALL = 0.6f;
    static final float NOISE = 0.05f;

    private MedGanPhantoms() { }

    /** Labels of a ball of radius r centred at (cx, cy, cz) in a w x h x d volume. */
    static int[] ball(int w, int h, int d, double cx, double cy, double cz, double r) {
        int[] lab = new int[w * h * d];
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double dx = x - cx, dy = y - cy, dz = z - cz;
                    if (dx * dx + dy * dy + dz * dz <= r * r) lab[x + w * (y + h * z)] = 1;
                }
        return lab;
    }

    /** Intensities of a label map: BACKGROUND / BALL plus Gaussian noise. */
    static float[] intensities(int[] labels, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[labels.length];
        for (int i = 0; i < v.length; i++) v[i] = (labels[i] == 1 ? BALL : BACKGROUND) + (float) (NOISE * rnd.nextGaussian());
        return v;
    }

    static LabeledImage labeled(int w, int h, int d, double r, long seed) {
        int[] lab = ball(w, h, d, (w - 1) / 2.0, (h - 1) / 2.0, (d - 1) / 2.0, r);
        return new LabeledImage(new float[][]{intensities(lab, seed)}, lab, w, h, d);
    }

    static MedGanTraining.Data data(int w, int h, int d, double r) {
        LabeledImage a = labeled(w, h, d, r, 1);
        IntensityMapping map = IntensityMapping.of(0, 100, List.of("ball"), new double[]{-1}, new double[]{1}, "");
        return new MedGanTraining.Data(List.of(a), List.of("ball"), new LabelEncoding(new int[]{0, 1}), map);
    }

    static ImagePlus labelImage(int[] labels, int w, int h, int d, String title) {
        ImageStack st = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            byte[] px = new byte[w * h];
            for (int i = 0; i < px.length; i++) px[i] = (byte) labels[z * w * h + i];
            st.addSlice(new ByteProcessor(w, h, px));
        }
        ImagePlus imp = new ImagePlus(title, st);
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.8;
        cal.pixelHeight = 0.8;
        cal.pixelDepth = 2.5;
        cal.setUnit("mm");
        imp.setCalibration(cal);
        return imp;
    }

    static ImagePlus floatImage(float[] v, int w, int h, int d, String title) {
        ImageStack st = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            float[] px = new float[w * h];
            System.arraycopy(v, z * w * h, px, 0, px.length);
            st.addSlice(new FloatProcessor(w, h, px));
        }
        return new ImagePlus(title, st);
    }
}
