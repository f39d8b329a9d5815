package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writer -> reader round trips: every datatype and byte order, file kinds, versions, 4-D/5-D, scaling, geometry. */
class NiftiRoundTripTest {

    @TempDir
    Path dir;

    /** base and step such that every value is exactly representable in float32 and in the datatype. */
    static Stream<Arguments> datatypes() {
        List<Arguments> list = new ArrayList<>();
        Object[][] specs = {
                {NiftiDataType.UINT8, 0.0, 1.0, 8},
                {NiftiDataType.INT8, -120.0, 1.0, 32},
                {NiftiDataType.INT16, -32000.0, 200.0, 32},
                {NiftiDataType.UINT16, 100.0, 500.0, 32},
                {NiftiDataType.INT32, -2147483648.0, 1048576.0, 32}, // reaches down to int32's minimum
                {NiftiDataType.UINT32, 3000000000.0, 256.0, 32},
                {NiftiDataType.INT64, -1099511627776.0, 1048576.0, 32},
                {NiftiDataType.UINT64, 1152921504606846976.0, 1099511627776.0, 32},
                {NiftiDataType.FLOAT32, -1.5e30, 1.0e29, 32},
                {NiftiDataType.FLOAT64, -0.001, 0.0009765625, 32},
                {NiftiDataType.RGB24, 0.0, 1.0, 24},
        };
        for (Object[] s : specs) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                list.add(Arguments.of(s[0], s[1], s[2], s[3], order));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("datatypes")
    void everyDatatypeAndByteOrderRoundTrips(NiftiDataType type, double base, double step, int bitDepth, ByteOrder order)
            throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(bitDepth, 5, 4, 3, 1, 1, base, 97, step);
        Path file = dir.resolve("t.nii");
        NiftiWriter.write(src, file, NiftiWriter.Options.defaults().dataType(type).byteOrder(order));

        NiftiHeader h = NiftiReader.readHeader(file);
        assertEquals(type.code(), h.datatype);
        assertEquals(type.bitpix(), h.bitpix);
        assertEquals(order, h.byteOrder);
        assertEquals(NiftiHeader.NIFTI1_SIZE, h.headerSize());

        ImagePlus back = NiftiReader.read(file);
        int expectedDepth = type == NiftiDataType.UINT8 ? 8 : type == NiftiDataType.RGB24 ? 24
                : type == NiftiDataType.UINT16 || type == NiftiDataType.INT16 ? 16 : 32;
        assertEquals(expectedDepth, back.getBitDepth(), "ImageJ type for " + type);
        if (type == NiftiDataType.INT16) assertTrue(back.getCalibration().isSigned16Bit());
        NiftiTestSupport.assertSameValues(src, back);

        // read -> write with defaults keeps the datatype (the values still fit it), and the voxel bytes
        Path again = dir.resolve("again.nii");
        NiftiWriter.write(back, again, NiftiWriter.Options.defaults().byteOrder(order));
        assertEquals(type.code(), NiftiReader.readHeader(again).datatype, "datatype kept on re-save");
        byte[] a = Files.readAllBytes(file);
        byte[] b = Files.readAllBytes(again);
        assertArrayEquals(Arrays.copyOfRange(a, 352, a.length), Arrays.copyOfRange(b, 352, b.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v.nii", "v.nii.gz", "v.hdr", "V.IMG"})
    void fileKindsRoundTripInBothVersions(String name) throws Exception {
        for (int version : new int[] {1, 2}) {
            ImagePlus src = NiftiTestSupport.phantom(16, 7, 6, 4, 3, 1, 10, 1000, 3);
            Path file = dir.resolve(version + name);
            NiftiWriter.write(src, file, NiftiWriter.Options.defaults().version(version));
            String lower = name.toLowerCase();
            if (lower.endsWith(".gz")) {
                byte[] b = Files.readAllBytes(file);
                assertEquals(0x1f, b[0] & 0xff);
                assertEquals(0x8b, b[1] & 0xff);
            }
            if (lower.endsWith(".hdr") || lower.endsWith(".img")) {
                Path hdr = dir.resolve(version + (lower.endsWith(".img") ? "V.HDR" : "v.hdr"));
                Path img = dir.resolve(version + (lower.endsWith(".img") ? "V.IMG" : "v.img"));
                assertTrue(Files.exists(hdr) && Files.exists(img), "pair written: " + hdr + " " + img);
                assertEquals(7L * 6 * 4 * 3 * 2, Files.size(img));
                assertEquals(version == 1 ? 352 : 544, Files.size(hdr));
                NiftiHeader h = NiftiReader.readHeader(img); // opening either file of the pair works
                assertFalse(h.singleFile);
                assertEquals(0, h.voxOffset);
            }
            NiftiHeader h = NiftiReader.readHeader(file);
            assertEquals(version, h.version);
            assertEquals(4, h.dim[0]);
            assertEquals(3, h.dim[4]);
            ImagePlus back = NiftiReader.read(file);
            assertTrue(back.isHyperStack());
            assertEquals(3, back.getNFrames());
            assertEquals(4, back.getNSlices());
            NiftiTestSupport.assertSameValues(src, back);
        }
    }

    @Test
    void channelsBecomeTheFifthDimension() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(32, 4, 3, 2, 2, 3, -5, 50, 0.5);
        Path file = dir.resolve("c.nii.gz");
        NiftiWriter.write(src, file);
        NiftiHeader h = NiftiReader.readHeader(file);
        assertArrayEquals(new long[] {5, 4, 3, 2, 2, 3, 1, 1}, h.dim);
        ImagePlus back = NiftiReader.read(file);
        assertEquals(3, back.getNChannels());
        NiftiTestSupport.assertSameValues(src, back);
    }

    @Test
    void bigSizesSwitchToNifti2() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(8, 40000, 1, 1, 1, 1, 0, 251, 1);
        Path file = dir.resolve("wide.nii");
        NiftiWriter.write(src, file);
        assertEquals(2, NiftiReader.readHeader(file).version, "width 40000 does not fit NIfTI-1's int16");
        NiftiTestSupport.assertSameValues(src, NiftiReader.read(file));
        org.medsynth.core.UserInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.medsynth.core.UserInputException.class,
                () -> NiftiWriter.write(src, dir.resolve("w1.nii"), NiftiWriter.Options.defaults().version(1)));
        assertTrue(e.getMessage().contains("NIfTI-2"), e.getMessage());
    }

    @Test
    void scalingIsAppliedAndKept() throws Exception {
        // values -3 + 0.5 * n: stored as int16 n with slope 0.5 and intercept -3
        ImagePlus src = NiftiTestSupport.phantom(32, 5, 4, 3, 1, 1, -3, 300, 0.5);
        Path file = dir.resolve("s.nii");
        NiftiWriter.write(src, file, NiftiWriter.Options.defaults().dataType(NiftiDataType.INT16).scaling(0.5, -3));
        NiftiHeader h = NiftiReader.readHeader(file);
        assertEquals(0.5, h.sclSlope);
        assertEquals(-3.0, h.sclInter);
        byte[] bytes = Files.readAllBytes(file);
        // voxel (0,0,0) is stored as (value - inter) / slope = (-3 + 3) / 0.5 = 0, voxel (1,0,0) as 3
        assertEquals(0, java.nio.ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(352));
        assertEquals(3, java.nio.ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(354));
        ImagePlus back = NiftiReader.read(file);
        assertEquals(32, back.getBitDepth(), "scaled data is read as 32-bit");
        NiftiTestSupport.assertSameValues(src, back);

        // re-saving keeps int16 + scaling while the values are on the grid...
        Path again = dir.resolve("again.nii");
        NiftiWriter.write(back, again);
        NiftiHeader h2 = NiftiReader.readHeader(again);
        assertEquals(NiftiDataType.INT16.code(), h2.datatype);
        assertEquals(0.5, h2.sclSlope);
        assertEquals(-3.0, h2.sclInter);
        // ...and falls back to float32 when an edit leaves the grid
        back.getStack().getProcessor(1).setf(0, 0, 0.1f);
        Path edited = dir.resolve("edited.nii");
        NiftiWriter.write(back, edited);
        NiftiHeader h3 = NiftiReader.readHeader(edited);
        assertEquals(NiftiDataType.FLOAT32.code(), h3.datatype);
        assertEquals(0.1f, NiftiReader.read(edited).getStack().getProcessor(1).getf(0, 0));
    }

    @Test
    void zeroOrNanSlopeMeansNoScaling() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(16, 3, 2, 2, 1, 1, 1000, 50, 1);
        for (float slope : new float[] {0f, Float.NaN}) {
            Path file = dir.resolve("z" + slope + ".nii");
            NiftiWriter.write(src, file);
            byte[] b = Files.readAllBytes(file);
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            bb.putFloat(112, slope);
            bb.putFloat(116, 77f); // an intercept is ignored without a slope
            Files.write(file, b);
            ImagePlus back = NiftiReader.read(file);
            assertEquals(16, back.getBitDepth());
            NiftiTestSupport.assertSameValues(src, back);
        }
    }

    @Test
    void straightLineCalibrationBecomesScaling() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(16, 4, 3, 2, 1, 1, 0, 4000, 7);
        src.getCalibration().setFunction(Calibration.STRAIGHT_LINE, new double[] {-1024, 0.5}, "HU");
        Path file = dir.resolve("ct.nii");
        NiftiWriter.write(src, file);
        NiftiHeader h = NiftiReader.readHeader(file);
        assertEquals(NiftiDataType.UINT16.code(), h.datatype);
        assertEquals(0.5, h.sclSlope);
        assertEquals(-1024.0, h.sclInter);
        NiftiTestSupport.assertSameValues(src, NiftiReader.read(file));
    }

    @Test
    void outOfRangeValuesForAnExplicitDatatypeAreRefused() {
        ImagePlus src = NiftiTestSupport.phantom(32, 4, 3, 1, 1, 1, 0, 100, 20); // 0 to 460
        org.medsynth.core.UserInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.medsynth.core.UserInputException.class,
                () -> NiftiWriter.write(src, dir.resolve("u8.nii"), NiftiWriter.Options.defaults().dataType(NiftiDataType.UINT8)));
        assertTrue(e.getMessage().contains("uint8") && e.getMessage().contains("range"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("u8.nii")), "no partial file is left");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "no temporary file is left");
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void calibrationRoundTrips() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(32, 6, 5, 4, 2, 1, 0, 10, 1);
        Calibration cal = src.getCalibration();
        cal.pixelWidth = 0.5;
        cal.pixelHeight = 0.75;
        cal.pixelDepth = 2.5;
        cal.setUnit("mm");
        cal.xOrigin = 3;
        cal.yOrigin = 2;
        cal.zOrigin = 1.5;
        cal.frameInterval = 1.25;
        cal.setTimeUnit("msec");
        Path file = dir.resolve("cal.nii");
        NiftiWriter.write(src, file);
        NiftiHeader h = NiftiReader.readHeader(file);
        assertEquals(2 | 16, h.xyztUnits, "mm and msec");
        assertEquals(1.25, h.pixdim[4]);
        Calibration c = NiftiReader.read(file).getCalibration();
        assertEquals(0.5, c.pixelWidth);
        assertEquals(0.75, c.pixelHeight);
        assertEquals(2.5, c.pixelDepth);
        assertEquals("mm", c.getUnit());
        assertEquals(3, c.xOrigin, 1e-6);
        assertEquals(2, c.yOrigin, 1e-6);
        assertEquals(1.5, c.zOrigin, 1e-6);
        assertEquals(1.25, c.frameInterval);
        assertEquals("msec", c.getTimeUnit());
        assertTrue(c.getInvertY());
        // by hand: x = 0.5 (i - 3); y = 0.75 (j - (5 - 1 - 2)); z = 2.5 (k - 1.5)
        assertArrayEquals(new double[] {0.5, 0, 0, -1.5}, h.srow[0], 1e-6);
        assertArrayEquals(new double[] {0, 0.75, 0, -1.5}, h.srow[1], 1e-6);
        assertArrayEquals(new double[] {0, 0, 2.5, -3.75}, h.srow[2], 1e-6);
        assertEquals(NiftiHeader.XFORM_ALIGNED_ANAT, h.sformCode);
        assertEquals(NiftiHeader.XFORM_ALIGNED_ANAT, h.qformCode);
        assertArrayEquals(flat(h.sformMatrix()), flat(h.qformMatrix()), 1e-6);
    }

    @Test
    void unitsAreConvertedToNiftiUnits() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(8, 3, 3, 2, 1, 1, 0, 9, 1);
        Object[][] cases = {{"cm", 0.1, 2, 1.0, "mm"}, {"micron", 0.3, 3, 0.3, "micron"}, {"nm", 500.0, 3, 0.5, "micron"},
                {"pixel", 1.0, 0, 1.0, "mm"}};
        for (Object[] c : cases) {
            src.getCalibration().setUnit((String) c[0]);
            src.getCalibration().pixelWidth = (Double) c[1];
            src.getCalibration().pixelHeight = (Double) c[1];
            src.getCalibration().pixelDepth = (Double) c[1];
            Path file = dir.resolve("u" + c[0] + ".nii");
            NiftiWriter.write(src, file);
            NiftiHeader h = NiftiReader.readHeader(file);
            assertEquals((int) c[2], h.spatialUnitCode(), "unit code for " + c[0]);
            assertEquals((Double) c[3], h.pixdim[1], 1e-6, "pixdim for " + c[0]);
            Calibration back = NiftiReader.read(file).getCalibration();
            assertEquals(c[4], back.getUnit());
            assertEquals((Double) c[3], back.pixelWidth, 1e-6);
        }
    }

    @Test
    void qformAndSformAreKeptExactlyThroughReadWriteRead() throws Exception {
        Path res = NiftiTestSupport.resourceDir().resolve("python");
        for (String name : new String[] {"py_int16_be_v1_scaled.nii", "py_float64_le_v2_oblique.nii",
                "py_float32_be_v1_4d.nii"}) {
            NiftiHeader original = NiftiReader.readHeader(res.resolve(name));
            ImagePlus imp = NiftiReader.read(res.resolve(name));
            for (String out : new String[] {"o.nii", "o.nii.gz", "o.hdr"}) {
                Path file = dir.resolve(name + out);
                NiftiWriter.write(imp, file);
                NiftiHeader h = NiftiReader.readHeader(file);
                assertEquals(original.version, h.version, name);
                assertEquals(original.qformCode, h.qformCode, name);
                assertEquals(original.sformCode, h.sformCode, name);
                assertArrayEquals(new double[] {original.quaternB, original.quaternC, original.quaternD,
                                original.qoffsetX, original.qoffsetY, original.qoffsetZ},
                        new double[] {h.quaternB, h.quaternC, h.quaternD, h.qoffsetX, h.qoffsetY, h.qoffsetZ}, 0.0, name);
                assertArrayEquals(flat(original.srow), flat(h.srow), 0.0, name);
                assertArrayEquals(original.pixdim, h.pixdim, 0.0, name);
                assertEquals(original.xyztUnits, h.xyztUnits, name);
                assertEquals(original.datatype, h.datatype, name);
                assertEquals(original.sclSlope, h.sclSlope, 0.0, name);
                assertEquals(original.sclInter, h.sclInter, 0.0, name);
                assertEquals(original.descrip, h.descrip, name);
                NiftiTestSupport.assertSameValues(imp, NiftiReader.read(file));
            }
        }
    }

    @Test
    void croppingKeepsWorldCoordinatesAndDirections() throws Exception {
        Path res = NiftiTestSupport.resourceDir().resolve("python");
        for (String name : new String[] {"py_int16_be_v1_scaled.nii", "py_float64_le_v2_oblique.nii"}) {
            NiftiHeader original = NiftiReader.readHeader(res.resolve(name));
            ImagePlus imp = NiftiReader.read(res.resolve(name));
            imp.setRoi(1, 1, 3, 2); // x 1..3, y 1..2 of a 5 x 4 image
            // what Image>Duplicate and Image>Crop do (they shift the origin by the crop offset)
            ImagePlus crop = new ij.plugin.Duplicator().run(imp, 1, 1, 1, imp.getNSlices(), 1, imp.getNFrames());
            assertEquals(imp.getCalibration().xOrigin - 1, crop.getCalibration().xOrigin, 1e-9, "ImageJ shifts the origin");
            Path file = dir.resolve("crop-" + name);
            NiftiWriter.write(crop, file);
            NiftiHeader h = NiftiReader.readHeader(file);
            double[][] a0 = original.affine();
            double[][] a1 = h.affine();
            // cropped voxel (i', j', k) is original voxel (i' + 1, j' + (4 - 1 - 2), k): y' = y - 1, j = 3 - y
            for (int k = 0; k < 3; k++) {
                for (int j = 0; j < 2; j++) {
                    for (int i = 0; i < 3; i++) {
                        double[] w0 = NiftiAffine.voxelToWorld(a0, i + 1, j + 1, k);
                        double[] w1 = NiftiAffine.voxelToWorld(a1, i, j, k);
                        assertArrayEquals(w0, w1, 1e-4, name + " voxel " + i + "," + j + "," + k);
                    }
                }
            }
            assertArrayEquals(flat(NiftiAffine.directions(a0)), flat(NiftiAffine.directions(a1)), 1e-6);
        }
    }

    @Test
    void rgbImagesRoundTrip() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(24, 5, 4, 2, 1, 1, 0, 256, 1);
        Path file = dir.resolve("rgb.nii.gz");
        NiftiWriter.write(src, file);
        assertEquals(NiftiDataType.RGB24.code(), NiftiReader.readHeader(file).datatype);
        NiftiTestSupport.assertSameValues(src, NiftiReader.read(file));
    }

    @Test
    void headerIsKeptOnTheImageAndDescribedInInfo() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(8, 3, 3, 3, 1, 1, 0, 9, 1);
        Path file = dir.resolve("info.nii");
        NiftiWriter.write(src, file);
        ImagePlus back = NiftiReader.read(file);
        NiftiHeader stored = NiftiImages.storedHeader(back);
        assertNotNull(stored);
        assertArrayEquals(NiftiReader.readHeader(file).toBytes(), stored.toBytes());
        assertNotNull(NiftiImages.storedHeader(back.duplicate()), "Duplicate keeps the header");
        Path tif = dir.resolve("info.tif");
        org.medsynth.image.io.ImageFiles.saveTiff(back, tif);
        ImagePlus fromTiff = new ij.io.Opener().openImage(tif.toString());
        assertArrayEquals(stored.toBytes(), NiftiImages.storedHeader(fromTiff).toBytes(), "TIFF files keep the header");
        // so a NIfTI volume saved as TIFF and back can still be written with its original geometry
        Path again = dir.resolve("again.nii");
        NiftiWriter.write(fromTiff, again);
        assertArrayEquals(NiftiReader.readHeader(file).srow[1], NiftiReader.readHeader(again).srow[1], 0.0);
        String info = (String) back.getProperty("Info");
        assertTrue(info.contains("NIfTI dim: 3 3 3 3") && info.contains("sform_code: 2"), info);
        assertNull(NiftiImages.storedHeader(src));
        assertEquals("info.nii", back.getTitle());
    }

    @Test
    void gzipIsDetectedWhateverTheName() throws Exception {
        ImagePlus src = NiftiTestSupport.phantom(16, 4, 4, 2, 1, 1, 5, 100, 2);
        Path gz = dir.resolve("a.nii.gz");
        NiftiWriter.write(src, gz);
        Path misnamed = dir.resolve("a.nii");
        Files.copy(gz, misnamed);
        NiftiTestSupport.assertSameValues(src, NiftiReader.read(misnamed));
        byte[] plain;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            plain = in.readAllBytes();
        }
        assertEquals(352 + 4 * 4 * 2 * 2, plain.length);
    }

    @Test
    void rowsAreFlippedOnlyVertically() throws Exception {
        // a hand-made uint8 file: voxel (i, j) = 10 j + i, 3 x 2 x 1
        NiftiHeader h = NiftiTestSupport.header(1, 3, 2, 1);
        Path file = NiftiTestSupport.writeFile(dir.resolve("o.nii"), h, new byte[] {0, 1, 2, 10, 11, 12});
        ImageProcessor ip = NiftiReader.read(file).getProcessor();
        assertEquals(10, ip.get(0, 0), "top row is j = ny - 1");
        assertEquals(12, ip.get(2, 0), "columns are not mirrored");
        assertEquals(0, ip.get(0, 1));
        assertEquals(2, ip.get(2, 1));
    }

    private static double[] flat(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).toArray();
    }
}
