package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.measure.Calibration;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Small volumes written by MedSynth's writer and committed under
 * {@code src/test/resources/org/medsynth/image/nifti/medsynth_written/}, where the independent
 * Python reader ({@code nifti_reference.py check}) recorded what it sees in them.
 * Regenerate with {@code java -cp ... org.medsynth.image.nifti.MedSynthWrittenFixtures DIR}, then
 * run the Python check.
 */
final class MedSynthWrittenFixtures {

    /** One written file: the image, the options, and the value formula its voxels follow. */
    record Fixture(String name, ImagePlus image, NiftiWriter.Options options, double base, long modulus, double step,
                   double[] expectedSrow) { }

    private MedSynthWrittenFixtures() { }

    static List<Fixture> all() {
        ImagePlus u8 = NiftiTestSupport.phantom(8, 6, 5, 4, 1, 1, 0, 251, 1);
        calibrate(u8, 0.5, 0.6, 2.0, "mm", 2, 1, 1);
        // x = 0.5 (i - 2); y = 0.6 (j - j0) with j0 = 5 - 1 - yOrigin = 3; z = 2 (k - 1)
        double[] u8Srow = {0.5, 0, 0, -1.0, 0, 0.6, 0, -1.8, 0, 0, 2.0, -2.0};

        ImagePlus s16 = NiftiTestSupport.phantom(16, 5, 4, 3, 1, 1, 32768 - 1000, 2000, 1);
        s16.getCalibration().setSigned16BitCalibration();
        calibrate(s16, 1.25, 1.25, 3.0, "mm", 0, 0, 0);
        // yOrigin 0 means j0 = 0: voxel (0, 0, 0) at the world origin
        double[] s16Srow = {1.25, 0, 0, 0, 0, 1.25, 0, 0, 0, 0, 3.0, 0};

        ImagePlus f4d = NiftiTestSupport.phantom(32, 4, 3, 2, 3, 1, -2.5, 37, 0.25);
        calibrate(f4d, 1.0, 2.0, 4.0, "mm", 0, 2, 0);
        f4d.getCalibration().frameInterval = 2.0;
        f4d.getCalibration().setTimeUnit("sec");
        // j0 = 3 - 1 - 2 = 0
        double[] f4dSrow = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 4, 0};

        ImagePlus rgb = NiftiTestSupport.phantom(24, 4, 3, 2, 1, 1, 0, 256, 1);
        double[] rgbSrow = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};

        ImagePlus u16 = NiftiTestSupport.phantom(16, 5, 3, 2, 1, 1, 60000, 5000, 1);
        calibrate(u16, 0.25, 0.25, 0.5, "micron", 0, 0, 0);
        double[] u16Srow = {0.25, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0.5, 0};

        ImagePlus scaled = NiftiTestSupport.phantom(32, 5, 4, 2, 1, 1, -3, 300, 0.5);
        calibrate(scaled, 1.5, 1.5, 1.5, "cm", 0, 0, 0); // cm is written as mm
        double[] scaledSrow = {15, 0, 0, 0, 0, 15, 0, 0, 0, 0, 15, 0};

        NiftiWriter.Options d = NiftiWriter.Options.defaults();
        return List.of(
                new Fixture("mw_uint8.nii", u8, d, 0, 251, 1, u8Srow),
                new Fixture("mw_int16_be.nii", s16, d.byteOrder(ByteOrder.BIG_ENDIAN), -1000, 2000, 1, s16Srow),
                new Fixture("mw_float32_4d_v2.nii", f4d, d.version(2), -2.5, 37, 0.25, f4dSrow),
                new Fixture("mw_rgb.nii", rgb, d, 0, 256, 1, rgbSrow),
                new Fixture("mw_uint16_pair.hdr", u16, d, 60000, 5000, 1, u16Srow),
                new Fixture("mw_scaled_int16.nii.gz", scaled,
                        d.dataType(NiftiDataType.INT16).scaling(0.5, -3), -3, 300, 0.5, scaledSrow));
    }

    static void calibrate(ImagePlus imp, double pw, double ph, double pd, String unit, double x0, double y0, double z0) {
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = pw;
        cal.pixelHeight = ph;
        cal.pixelDepth = pd;
        cal.setUnit(unit);
        cal.xOrigin = x0;
        cal.yOrigin = y0;
        cal.zOrigin = z0;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Fixture f : all()) NiftiWriter.write(f.image(), dir.resolve(f.name()), f.options());
    }
}
