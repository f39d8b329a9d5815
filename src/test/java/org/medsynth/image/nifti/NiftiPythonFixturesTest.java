package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads files written by the independent Python writer ({@code nifti_reference.py fixtures}) and
 * checks every voxel against the formula they were made from, plus header, affine and calibration.
 */
class NiftiPythonFixturesTest {

    private static final Properties P = NiftiTestSupport.properties("python/fixtures.properties");

    static Stream<String> fixtures() {
        return P.stringPropertyNames().stream().filter(k -> k.endsWith(".datatype"))
                .map(k -> k.substring(0, k.length() - ".datatype".length())).sorted();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void voxelsHeaderAndGeometryMatchThePythonWriter(String name) {
        Path file = NiftiTestSupport.resourceDir().resolve("python").resolve(name);
        long[] shape = NiftiTestSupport.longs(P.getProperty(name + ".shape"));
        double base = Double.parseDouble(P.getProperty(name + ".base"));
        long modulus = Long.parseLong(P.getProperty(name + ".modulus"));
        double slope = Double.parseDouble(P.getProperty(name + ".slope"));
        double inter = Double.parseDouble(P.getProperty(name + ".inter"));
        int code = Integer.parseInt(P.getProperty(name + ".datatype"));
        NiftiDataType type = NiftiDataType.fromCode(code);

        NiftiHeader h = NiftiReader.readHeader(file);
        assertEquals(code, h.datatype);
        assertEquals(name.contains("_v2") ? 2 : 1, h.version);
        assertEquals(name.contains("_be_") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, h.byteOrder);
        assertArrayEquals(NiftiTestSupport.doubles(P.getProperty(name + ".pixdim")), h.pixdim, 0.0);
        assertEquals(Integer.parseInt(P.getProperty(name + ".qform_code")), h.qformCode);
        assertEquals(Integer.parseInt(P.getProperty(name + ".sform_code")), h.sformCode);
        // the qform matrix computed by Python's own quaternion code
        assertArrayEquals(NiftiTestSupport.doubles(P.getProperty(name + ".qform_affine")), flat(h.qformMatrix()), 1e-6);
        assertArrayEquals(NiftiTestSupport.doubles(P.getProperty(name + ".srow")), flat(h.srow), 0.0);

        ImagePlus imp = NiftiReader.read(file);
        int nx = (int) shape[0], ny = (int) shape[1], nz = (int) shape[2], nt = (int) shape[3];
        assertEquals(nx, imp.getWidth());
        assertEquals(ny, imp.getHeight());
        assertEquals(nz, imp.getNSlices());
        assertEquals(nt, imp.getNFrames());
        boolean scaled = !(slope == 1 && inter == 0);
        int depth = type == NiftiDataType.RGB24 ? 24 : scaled ? 32 : type == NiftiDataType.UINT8 ? 8
                : type == NiftiDataType.INT16 || type == NiftiDataType.UINT16 ? 16 : 32;
        assertEquals(depth, imp.getBitDepth());
        double sum = 0;
        for (int t = 0; t < nt; t++) {
            for (int k = 0; k < nz; k++) {
                for (int j = 0; j < ny; j++) {
                    for (int i = 0; i < nx; i++) {
                        long raw = (long) NiftiTestSupport.pattern(i, j, k, t, 0, base, modulus, 1);
                        double actual = NiftiTestSupport.value(imp, i, ny - 1 - j, k, t, 0);
                        if (type == NiftiDataType.RGB24) {
                            assertEquals(NiftiTestSupport.rgb(raw), (int) actual, name + " voxel " + i + "," + j + "," + k);
                            continue;
                        }
                        double rawValue = type == NiftiDataType.UINT64 ? raw * 1099511627776.0 + 5 : raw;
                        float expected = (float) (scaled ? rawValue * slope + inter : rawValue);
                        assertEquals(expected, (float) actual, name + " voxel " + i + "," + j + "," + k + "," + t);
                        sum += actual;
                    }
                }
            }
        }
        if (P.getProperty(name + ".sum") != null) {
            double pySum = Double.parseDouble(P.getProperty(name + ".sum"));
            assertEquals(pySum, sum, Math.abs(pySum) * 1e-6 + 1e-9, "sum seen by Python");
        }
        Calibration cal = imp.getCalibration();
        assertEquals(Math.abs(h.pixdim[1]), cal.pixelWidth, 0.0);
        assertEquals(Math.abs(h.pixdim[2]), cal.pixelHeight, 0.0);
        assertEquals(Math.abs(h.pixdim[3]), cal.pixelDepth, 0.0);
        assertEquals("mm", cal.getUnit());
        if (nt > 1) {
            assertEquals(h.pixdim[4], cal.frameInterval);
            assertEquals("sec", cal.getTimeUnit());
        }
        // the calibration origin is the voxel at world (0, 0, 0) of the affine in use
        double[] v0 = NiftiAffine.worldToVoxel(h.affine(), new double[] {0, 0, 0});
        assertEquals(v0[0], cal.xOrigin, 1e-9);
        assertEquals(ny - 1 - v0[1], cal.yOrigin, 1e-9);
        assertEquals(v0[2], cal.zOrigin, 1e-9);
        double[] w = NiftiAffine.voxelToWorld(h.affine(), v0[0], v0[1], v0[2]);
        assertArrayEquals(new double[] {0, 0, 0}, w, 1e-9);
        if (name.contains("oblique")) {
            assertEquals("qform", h.affineSource());
            assertTrue(h.qformMatrix()[2][2] < 0, "qfac -1 flips the third axis");
        } else {
            assertEquals("sform", h.affineSource());
            // axis-aligned: ImageJ's calibrated coordinates are world millimetres
            assertEquals(NiftiAffine.voxelToWorld(h.affine(), 2, 0, 0)[0], cal.getX(2), 1e-6);
            assertEquals(NiftiAffine.voxelToWorld(h.affine(), 0, 1, 0)[1], cal.getY(ny - 1 - 1, ny), 1e-6);
            assertEquals(NiftiAffine.voxelToWorld(h.affine(), 0, 0, 2)[2], cal.getZ(2), 1e-6);
        }
    }

    private static double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }
}
