package org.medsynth.image.nifti;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Header layout, byte order detection, the text form kept on images, and the affine arithmetic. */
class NiftiHeaderTest {

    static NiftiHeader sample(int version, ByteOrder order) {
        NiftiHeader h = NiftiTestSupport.header(version, 7, 6, 5, 4);
        h.byteOrder = order;
        h.datatype = NiftiDataType.INT16.code();
        h.bitpix = 16;
        h.pixdim = new double[] {-1, 0.5, 0.75, 2.5, 3, 1, 1, 1};
        h.sclSlope = 0.25;
        h.sclInter = -7;
        h.calMin = -10;
        h.calMax = 300;
        h.xyztUnits = 2 | 8;
        h.intentCode = 1002;
        h.intentName = "labels";
        h.descrip = "a test header";
        h.auxFile = "aux";
        h.qformCode = 1;
        h.sformCode = 4;
        h.quaternB = 0.125;
        h.quaternC = -0.25;
        h.quaternD = 0.5;
        h.qoffsetX = -90;
        h.qoffsetY = 126;
        h.qoffsetZ = -72;
        h.srow = new double[][] {{-0.5, 0, 0, 90}, {0, 0.75, 0, -126}, {0, 0, 2.5, -72}};
        h.sliceCode = 1;
        h.sliceStart = 0;
        h.sliceEnd = 4;
        h.sliceDuration = 0.5;
        h.toffset = 1.5;
        h.dimInfo = 0x39;
        return h;
    }

    @Test
    void bothVersionsAndByteOrdersRoundTripThroughBytes() {
        for (int version : new int[] {1, 2}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                NiftiHeader h = sample(version, order);
                byte[] bytes = h.toBytes();
                assertEquals(version == 1 ? 348 : 540, bytes.length);
                assertEquals(version == 1 ? 348 : 540, ByteBuffer.wrap(bytes).order(order).getInt(0));
                NiftiHeader back = NiftiHeader.parse(bytes, bytes.length, "x.nii");
                assertEquals(version, back.version);
                assertEquals(order, back.byteOrder);
                assertArrayEquals(bytes, back.toBytes(), "bit-identical after parse + write");
                assertArrayEquals(h.dim, back.dim);
                assertArrayEquals(h.pixdim, back.pixdim, 0.0);
                assertEquals("a test header", back.descrip);
                assertEquals("labels", back.intentName);
                assertEquals(1002, back.intentCode);
                assertEquals(0x39, back.dimInfo);
                assertEquals(4, back.sliceEnd);
                assertTrue(back.singleFile);
            }
        }
    }

    @Test
    void magicStringsFollowTheStandard() {
        NiftiHeader h = sample(1, ByteOrder.LITTLE_ENDIAN);
        assertEquals("n+1\0", new String(Arrays.copyOfRange(h.toBytes(), 344, 348)));
        h.singleFile = false;
        assertEquals("ni1\0", new String(Arrays.copyOfRange(h.toBytes(), 344, 348)));
        NiftiHeader h2 = sample(2, ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {'n', '+', '2', 0, '\r', '\n', 032, '\n'}, Arrays.copyOfRange(h2.toBytes(), 4, 12));
    }

    @Test
    void fieldOffsetsOfNifti1MatchNifti1H() {
        // spot checks against the byte offsets in nifti1.h
        ByteBuffer bb = ByteBuffer.wrap(sample(1, ByteOrder.LITTLE_ENDIAN).toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, bb.getShort(40));          // dim[0]
        assertEquals(7, bb.getShort(42));          // dim[1]
        assertEquals(4, bb.getShort(70));          // datatype
        assertEquals(0.5f, bb.getFloat(80));       // pixdim[1]
        assertEquals(352f, bb.getFloat(108));      // vox_offset
        assertEquals(0.25f, bb.getFloat(112));     // scl_slope
        assertEquals(10, bb.get(123));             // xyzt_units
        assertEquals(1, bb.getShort(252));         // qform_code
        assertEquals(4, bb.getShort(254));         // sform_code
        assertEquals(90f, bb.getFloat(292));       // srow_x[3]
        assertEquals(2.5f, bb.getFloat(320));      // srow_z[2]
    }

    @Test
    void fieldOffsetsOfNifti2MatchNifti2H() {
        ByteBuffer bb = ByteBuffer.wrap(sample(2, ByteOrder.BIG_ENDIAN).toBytes()).order(ByteOrder.BIG_ENDIAN);
        assertEquals(4, bb.getShort(12));          // datatype
        assertEquals(7, bb.getLong(24));           // dim[1]
        assertEquals(0.5, bb.getDouble(112));      // pixdim[1]
        assertEquals(544, bb.getLong(168));        // vox_offset
        assertEquals(-7.0, bb.getDouble(184));     // scl_inter
        assertEquals(1, bb.getInt(344));           // qform_code
        assertEquals(90.0, bb.getDouble(424));     // srow_x[3]
        assertEquals(10, bb.getInt(500));          // xyzt_units
        assertEquals(1002, bb.getInt(504));        // intent_code
    }

    @Test
    void encodedTextRestoresTheHeader() {
        NiftiHeader h = sample(2, ByteOrder.BIG_ENDIAN);
        NiftiHeader back = NiftiHeader.decode(h.encode());
        assertArrayEquals(h.toBytes(), back.toBytes());
        assertNull(NiftiHeader.decode("something else"));
        assertNull(NiftiHeader.decode("NIfTI-1:not base64!"));
        assertNull(NiftiHeader.decode(null));
    }

    @Test
    void scalingRules() {
        NiftiHeader h = new NiftiHeader();
        h.sclSlope = 0;
        h.sclInter = 5;
        assertFalse(h.hasScaling(), "slope 0 means no scaling, whatever the intercept");
        h.sclSlope = Double.NaN;
        assertFalse(h.hasScaling());
        h.sclSlope = 1;
        h.sclInter = 0;
        assertFalse(h.hasScaling());
        h.sclInter = 0.5;
        assertTrue(h.hasScaling());
        h.sclSlope = 2;
        h.sclInter = Double.NaN;
        assertEquals(0, h.effectiveInter());
    }

    @Test
    void quaternionRoundTripsThroughTheMatrix() {
        double[][] cases = {
                {0, 0, 0, 1}, {0.125, -0.25, 0.5, 1}, {0.125, -0.25, 0.5, -1}, {1, 0, 0, 1}, {0, 0.7071067811865476, 0, -1},
                {0, 0, 1, 1}, {0.5, 0.5, 0.5, 1}};
        for (double[] c : cases) {
            double[][] m = NiftiAffine.fromQuaternion(c[0], c[1], c[2], 10, -20, 30, 0.5, 0.75, 2.5, c[3]);
            double[] q = NiftiAffine.toQuaternion(m);
            double[][] m2 = NiftiAffine.fromQuaternion(q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9]);
            for (int r = 0; r < 3; r++) assertArrayEquals(m[r], m2[r], 1e-9, Arrays.toString(c));
            assertEquals(c[3], q[9], "qfac");
            assertArrayEquals(new double[] {0.5, 0.75, 2.5}, Arrays.copyOfRange(q, 6, 9), 1e-12);
        }
    }

    @Test
    void quaternionMatrixMatchesTheFormulaByHand() {
        // 90 degrees about z: b = c = 0, d = sin(45), a = cos(45): x' = -y, y' = x
        double s = Math.sqrt(0.5);
        double[][] m = NiftiAffine.fromQuaternion(0, 0, s, 1, 2, 3, 2, 3, 4, 1);
        assertArrayEquals(new double[] {0, -3, 0, 1}, m[0], 1e-12);
        assertArrayEquals(new double[] {2, 0, 0, 2}, m[1], 1e-12);
        assertArrayEquals(new double[] {0, 0, 4, 3}, m[2], 1e-12);
    }

    @Test
    void affinePrefersSformThenQformThenPixdim() {
        NiftiHeader h = sample(1, ByteOrder.LITTLE_ENDIAN);
        assertEquals("sform", h.affineSource());
        assertArrayEquals(h.srow[0], h.affine()[0], 0.0);
        h.sformCode = 0;
        assertEquals("qform", h.affineSource());
        assertArrayEquals(h.qformMatrix()[1], h.affine()[1], 0.0);
        h.qformCode = 0;
        assertEquals("pixdim", h.affineSource());
        assertArrayEquals(new double[] {0, 0.75, 0, 0}, h.affine()[1], 0.0);
        h.sformCode = 2;
        h.srow = new double[3][4]; // a singular sform is ignored
        assertEquals("pixdim", h.affineSource());
    }

    @Test
    void worldToVoxelInvertsVoxelToWorld() {
        double[][] a = NiftiAffine.fromQuaternion(0.125, -0.25, 0.5, 10, -20, 30, 0.5, 0.75, 2.5, -1);
        double[] w = NiftiAffine.voxelToWorld(a, 3, 4, 5);
        assertArrayEquals(new double[] {3, 4, 5}, NiftiAffine.worldToVoxel(a, w), 1e-9);
        assertNull(NiftiAffine.worldToVoxel(new double[3][4], w));
    }

    @Test
    void describeListsTheFields() {
        String d = sample(1, ByteOrder.BIG_ENDIAN).describe();
        assertTrue(d.contains("NIfTI datatype: int16 (4), bitpix 16"), d);
        assertTrue(d.contains("NIfTI byte order: big-endian"), d);
        assertTrue(d.contains("NIfTI sform_code: 4 (MNI 152)"), d);
        assertTrue(d.contains("NIfTI xyzt_units: 10 (space: mm, time: sec)"), d);
    }
}
