package org.medsynth.image.bridge;

import ij.ImagePlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * ImagePlus / FloatImage &lt;-&gt; ND4J arrays in the networks' layouts.
 * <ul>
 * <li>NCHW: every (z, t) plane is one sample; C = the image's channels (3 for RGB).</li>
 * <li>NCDHW: every time frame is one sample, D = the z slices.</li>
 * </ul>
 * Each plane of an (n, c) pair is contiguous in both ImageJ and a C-order ND4J array, so the
 * conversion is one bulk copy per plane between the Java heap and ND4J's native memory
 * (a zero-copy view is impossible there: ND4J arrays live off-heap).
 */
public final class TensorBridge {

    private TensorBridge() { }

    public static INDArray toNCHW(ImagePlus imp) {
        return toNCHW(ImgBridge.toFloatImage(imp));
    }

    public static INDArray toNCHW(FloatImage image) {
        int c = image.channels(), z = image.depth(), t = image.frames();
        INDArray out = Nd4j.create(DataType.FLOAT, (long) z * t, c, image.height(), image.width());
        FloatBuffer buf = out.data().asNioFloat();
        for (int ti = 0; ti < t; ti++)
            for (int zi = 0; zi < z; zi++)
                for (int ci = 0; ci < c; ci++) buf.put(image.plane(ci, zi, ti));
        return out;
    }

    public static INDArray toNCDHW(ImagePlus imp) {
        return toNCDHW(ImgBridge.toFloatImage(imp));
    }

    public static INDArray toNCDHW(FloatImage image) {
        int c = image.channels(), z = image.depth(), t = image.frames();
        INDArray out = Nd4j.create(DataType.FLOAT, t, c, z, image.height(), image.width());
        FloatBuffer buf = out.data().asNioFloat();
        for (int ti = 0; ti < t; ti++)
            for (int ci = 0; ci < c; ci++)
                for (int zi = 0; zi < z; zi++) buf.put(image.plane(ci, zi, ti));
        return out;
    }

    /** NCHW -> 32-bit ImagePlus: N becomes z slices, C channels. */
    public static ImagePlus fromNCHW(INDArray array, String title, ij.measure.Calibration calibration) {
        long[] s = array.shape();
        if (s.length != 4) throw new IllegalArgumentException("expected an NCHW array, got shape " + java.util.Arrays.toString(s));
        return toImage(array, (int) s[1], (int) s[0], 1, (int) s[2], (int) s[3], false, title, calibration);
    }

    /** NCDHW -> 32-bit ImagePlus: N becomes frames, C channels, D slices. */
    public static ImagePlus fromNCDHW(INDArray array, String title, ij.measure.Calibration calibration) {
        long[] s = array.shape();
        if (s.length != 5) throw new IllegalArgumentException("expected an NCDHW array, got shape " + java.util.Arrays.toString(s));
        return toImage(array, (int) s[1], (int) s[2], (int) s[0], (int) s[3], (int) s[4], true, title, calibration);
    }

    private static ImagePlus toImage(INDArray array, int c, int z, int t, int h, int w, boolean channelsOuter,
                                     String title, ij.measure.Calibration calibration) {
        INDArray a = array.dataType() == DataType.FLOAT && array.ordering() == 'c' && !array.isView()
                ? array : array.castTo(DataType.FLOAT).dup('c');
        FloatBuffer buf = a.data().asNioFloat();
        int plane = w * h;
        ij.ImageStack stack = new ij.ImageStack(w, h);
        // ImageJ orders planes channel fastest, then z, then t.
        for (int ti = 0; ti < t; ti++)
            for (int zi = 0; zi < z; zi++)
                for (int ci = 0; ci < c; ci++) {
                    // NCDHW: plane (t, c, z); NCHW: plane (n = z, c), t is 1
                    long index = channelsOuter ? ((long) ti * c + ci) * z + zi : (long) zi * c + ci;
                    float[] px = new float[plane];
                    buf.position((int) (index * plane));
                    buf.get(px);
                    stack.addSlice(new ij.process.FloatProcessor(w, h, px));
                }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(c, z, t);
        if (c > 1 || t > 1) imp.setOpenAsHyperStack(true);
        if (calibration != null) {
            ij.measure.Calibration cal = calibration.copy();
            cal.disableDensityCalibration();
            imp.setCalibration(cal);
        }
        return imp;
    }
}
