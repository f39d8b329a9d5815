package org.medsynth.image.nifti;

import org.medsynth.core.UserInputException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * A NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header. Fields are public, as in ImageJ's
 * {@code FileInfo}, and hold the values of either version in the wider NIfTI-2 types (NIfTI-1 float
 * fields are held exactly as doubles, so writing a NIfTI-1 header back gives the same bits).
 * Names follow nifti1.h / nifti2.h.
 */
public final class NiftiHeader {

    /** Size of a NIfTI-1 header in bytes. */
    public static final int NIFTI1_SIZE = 348;
    /** Size of a NIfTI-2 header in bytes. */
    public static final int NIFTI2_SIZE = 540;

    public static final int XFORM_UNKNOWN = 0;
    public static final int XFORM_SCANNER_ANAT = 1;
    public static final int XFORM_ALIGNED_ANAT = 2;
    public static final int XFORM_TALAIRACH = 3;
    public static final int XFORM_MNI_152 = 4;

    /** 1 for NIfTI-1, 2 for NIfTI-2. */
    public int version = 1;
    /** Byte order of the file the header was read from (or will be written in). */
    public ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
    /** True for single-file magic ("n+1"/"n+2", .nii), false for header/image pairs ("ni1"/"ni2"). */
    public boolean singleFile = true;

    /** dim[0] = number of dimensions (1-7), dim[1..7] = sizes along x, y, z, t, 5th, 6th, 7th axes. */
    public long[] dim = {3, 1, 1, 1, 1, 1, 1, 1};
    public double intentP1, intentP2, intentP3;
    public int intentCode;
    public String intentName = "";
    /** NIfTI datatype code (see {@link NiftiDataType}). */
    public int datatype = NiftiDataType.UINT8.code();
    public int bitpix = 8;
    public long sliceStart, sliceEnd;
    public int sliceCode;
    public double sliceDuration;
    /** pixdim[0] = qfac, pixdim[1..3] = voxel size, pixdim[4] = time step, pixdim[5..7] others. */
    public double[] pixdim = {1, 1, 1, 1, 0, 0, 0, 0};
    /** Byte offset of the voxel data in the .nii file (or the .img file of a pair). */
    public long voxOffset = 352;
    public double sclSlope = 1, sclInter;
    public double calMax, calMin;
    public double toffset;
    /** Spatial unit in bits 0-2, temporal unit in bits 3-5. */
    public int xyztUnits;
    public int dimInfo;
    public String descrip = "";
    public String auxFile = "";
    public int qformCode, sformCode;
    public double quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
    /** srow_x, srow_y, srow_z: the sform affine rows. */
    public double[][] srow = new double[3][4];

    /** A deep copy. */
    public NiftiHeader copy() {
        NiftiHeader h = new NiftiHeader();
        h.version = version;
        h.byteOrder = byteOrder;
        h.singleFile = singleFile;
        h.dim = dim.clone();
        h.intentP1 = intentP1;
        h.intentP2 = intentP2;
        h.intentP3 = intentP3;
        h.intentCode = intentCode;
        h.intentName = intentName;
        h.datatype = datatype;
        h.bitpix = bitpix;
        h.sliceStart = sliceStart;
        h.sliceEnd = sliceEnd;
        h.sliceCode = sliceCode;
        h.sliceDuration = sliceDuration;
        h.pixdim = pixdim.clone();
        h.voxOffset = voxOffset;
        h.sclSlope = sclSlope;
        h.sclInter = sclInter;
        h.calMax = calMax;
        h.calMin = calMin;
        h.toffset = toffset;
        h.xyztUnits = xyztUnits;
        h.dimInfo = dimInfo;
        h.descrip = descrip;
        h.auxFile = auxFile;
        h.qformCode = qformCode;
        h.sformCode = sformCode;
        h.quaternB = quaternB;
        h.quaternC = quaternC;
        h.quaternD = quaternD;
        h.qoffsetX = qoffsetX;
        h.qoffsetY = qoffsetY;
        h.qoffsetZ = qoffsetZ;
        h.srow = new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone()};
        return h;
    }

    // ------------------------------------------------------------------ derived values

    /** The size along axis {@code axis} (1-7), 1 for axes beyond dim[0]. */
    public long size(int axis) {
        return axis <= dim[0] ? dim[axis] : 1;
    }

    /** The datatype, or null if MedSynth does not support this code. */
    public NiftiDataType dataType() {
        return NiftiDataType.fromCode(datatype);
    }

    /** True if scl_slope/scl_inter change the stored values (slope neither 0, NaN nor 1, or intercept not 0). */
    public boolean hasScaling() {
        return !(effectiveSlope() == 1.0 && effectiveInter() == 0.0);
    }

    /** scl_slope as applied: 1 when the field is 0 or not finite ("no scaling" in the standard). */
    public double effectiveSlope() {
        return sclSlope == 0 || !Double.isFinite(sclSlope) ? 1.0 : sclSlope;
    }

    /** scl_inter as applied: 0 when scaling is off or the field is not finite. */
    public double effectiveInter() {
        return sclSlope == 0 || !Double.isFinite(sclSlope) || !Double.isFinite(sclInter) ? 0.0 : sclInter;
    }

    /** The qform affine (method 2 of the standard), whatever qform_code says. */
    public double[][] qformMatrix() {
        return NiftiAffine.fromQuaternion(quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ,
                pixdim[1], pixdim[2], pixdim[3], pixdim[0]);
    }

    /** The sform affine (method 3), whatever sform_code says. */
    public double[][] sformMatrix() {
        return new double[][] {srow[0].clone(), srow[1].clone(), srow[2].clone()};
    }

    /**
     * The voxel-to-world affine readers use: the sform when sform_code > 0, else the qform when
     * qform_code > 0, else voxel size only (method 1 of the standard: diag(pixdim[1..3]), no offset).
     */
    public double[][] affine() {
        if (sformCode > 0 && NiftiAffine.invert3(sub3(srow)) != null) return sformMatrix();
        if (qformCode > 0) return qformMatrix();
        return new double[][] {{positiveOr1(pixdim[1]), 0, 0, 0}, {0, positiveOr1(pixdim[2]), 0, 0},
                {0, 0, positiveOr1(pixdim[3]), 0}};
    }

    /** Which affine {@link #affine()} uses: "sform", "qform" or "pixdim". */
    public String affineSource() {
        if (sformCode > 0 && NiftiAffine.invert3(sub3(srow)) != null) return "sform";
        if (qformCode > 0) return "qform";
        return "pixdim";
    }

    static double[][] sub3(double[][] a) {
        return new double[][] {{a[0][0], a[0][1], a[0][2]}, {a[1][0], a[1][1], a[1][2]}, {a[2][0], a[2][1], a[2][2]}};
    }

    static double positiveOr1(double v) {
        return v > 0 && Double.isFinite(v) ? Math.abs(v) : 1.0;
    }

    /** The spatial unit code (bits 0-2 of xyzt_units): 0 unknown, 1 metre, 2 mm, 3 micron. */
    public int spatialUnitCode() {
        return xyztUnits & 0x07;
    }

    /** The temporal unit code (bits 3-5 of xyzt_units): 0 unknown, 8 s, 16 ms, 24 us, 32 Hz, 40 ppm, 48 rad/s. */
    public int timeUnitCode() {
        return xyztUnits & 0x38;
    }

    /** The size in bytes of the header as written ({@link #NIFTI1_SIZE} or {@link #NIFTI2_SIZE}). */
    public int headerSize() {
        return version == 2 ? NIFTI2_SIZE : NIFTI1_SIZE;
    }

    // ------------------------------------------------------------------ parsing

    /**
     * Parses a header from the first bytes of a file. The byte order is detected from sizeof_hdr
     * (348 or 540 in either order); {@code source} names the file in error messages.
     *
     * @throws UserInputException if the bytes are not a NIfTI-1/2 header or declare impossible values
     */
    public static NiftiHeader parse(byte[] bytes, int length, String source) {
        if (length < 4) {
            throw new UserInputException(source + " is not a NIfTI file: it has only " + length
                    + " bytes, less than a header. The file is empty or truncated; copy or export it again.");
        }
        ByteBuffer bb = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int sizeLe = bb.getInt(0);
        int sizeBe = Integer.reverseBytes(sizeLe);
        NiftiHeader h = new NiftiHeader();
        if (sizeLe == NIFTI1_SIZE || sizeLe == NIFTI2_SIZE) {
            h.byteOrder = ByteOrder.LITTLE_ENDIAN;
            h.version = sizeLe == NIFTI1_SIZE ? 1 : 2;
        } else if (sizeBe == NIFTI1_SIZE || sizeBe == NIFTI2_SIZE) {
            h.byteOrder = ByteOrder.BIG_ENDIAN;
            h.version = sizeBe == NIFTI1_SIZE ? 1 : 2;
        } else {
            throw new UserInputException(source + " is not a NIfTI file: its first 4 bytes (sizeof_hdr = " + sizeLe
                    + ") are neither 348 (NIfTI-1) nor 540 (NIfTI-2) in either byte order."
                    + " Check that it is a .nii/.nii.gz/.hdr file and was not damaged while copying.");
        }
        bb.order(h.byteOrder);
        int need = h.headerSize();
        if (length < need) {
            throw new UserInputException(source + " is truncated: the NIfTI-" + h.version + " header needs " + need
                    + " bytes but the file has only " + length + ". Copy or export the file again.");
        }
        if (h.version == 1) h.parse1(bb, source);
        else h.parse2(bb, bytes, source);
        h.validate(source);
        return h;
    }

    private void parse1(ByteBuffer bb, String source) {
        String magic = new String(Arrays.copyOfRange(bb.array(), 344, 348), StandardCharsets.ISO_8859_1);
        if (magic.equals("n+1\0")) {
            singleFile = true;
        } else if (magic.equals("ni1\0")) {
            singleFile = false;
        } else if (magic.equals("\0\0\0\0")) {
            throw new UserInputException(source + " is an Analyze 7.5 header, not NIfTI (no \"n+1\"/\"ni1\" magic)."
                    + " MedSynth reads NIfTI-1/2 only: convert it to NIfTI (e.g. with nibabel, FSL's fslchfiletype"
                    + " or MRIcroGL) and open the .nii file.");
        } else {
            throw new UserInputException(source + " is not a valid NIfTI-1 file: the magic string is \""
                    + printable(magic) + "\" instead of \"n+1\" or \"ni1\". The file is damaged or not NIfTI.");
        }
        dimInfo = bb.get(39) & 0xff;
        for (int i = 0; i < 8; i++) dim[i] = bb.getShort(40 + 2 * i);
        intentP1 = bb.getFloat(56);
        intentP2 = bb.getFloat(60);
        intentP3 = bb.getFloat(64);
        intentCode = bb.getShort(68);
        datatype = bb.getShort(70);
        bitpix = bb.getShort(72);
        sliceStart = bb.getShort(74);
        for (int i = 0; i < 8; i++) pixdim[i] = bb.getFloat(76 + 4 * i);
        float vo = bb.getFloat(108);
        if (!Float.isFinite(vo) || vo < 0 || vo != Math.rint(vo) || vo > Integer.MAX_VALUE) {
            throw new UserInputException(source + " has an invalid NIfTI header: vox_offset = " + vo
                    + " is not a non-negative whole number of bytes. The file is damaged.");
        }
        voxOffset = (long) vo;
        sclSlope = bb.getFloat(112);
        sclInter = bb.getFloat(116);
        sliceEnd = bb.getShort(120);
        sliceCode = bb.get(122) & 0xff;
        xyztUnits = bb.get(123) & 0xff;
        calMax = bb.getFloat(124);
        calMin = bb.getFloat(128);
        sliceDuration = bb.getFloat(132);
        toffset = bb.getFloat(136);
        descrip = cString(bb.array(), 148, 80);
        auxFile = cString(bb.array(), 228, 24);
        qformCode = bb.getShort(252);
        sformCode = bb.getShort(254);
        quaternB = bb.getFloat(256);
        quaternC = bb.getFloat(260);
        quaternD = bb.getFloat(264);
        qoffsetX = bb.getFloat(268);
        qoffsetY = bb.getFloat(272);
        qoffsetZ = bb.getFloat(276);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) srow[r][c] = bb.getFloat(280 + 16 * r + 4 * c);
        intentName = cString(bb.array(), 328, 16);
    }

    private void parse2(ByteBuffer bb, byte[] bytes, String source) {
        byte[] m = Arrays.copyOfRange(bytes, 4, 12);
        String head = new String(m, 0, 4, StandardCharsets.ISO_8859_1);
        if (head.equals("n+2\0")) {
            singleFile = true;
        } else if (head.equals("ni2\0")) {
            singleFile = false;
        } else {
            throw new UserInputException(source + " is not a valid NIfTI-2 file: the magic string is \""
                    + printable(new String(m, StandardCharsets.ISO_8859_1)) + "\" instead of \"n+2\" or \"ni2\"."
                    + " The file is damaged or not NIfTI.");
        }
        if (m[4] != '\r' || m[5] != '\n' || m[6] != 032 || m[7] != '\n') {
            throw new UserInputException(source + " is damaged: the NIfTI-2 magic ends in the wrong bytes, the"
                    + " signature of a text-mode transfer that converted line endings (e.g. FTP in ASCII mode)."
                    + " Copy the file again in binary mode.");
        }
        datatype = bb.getShort(12);
        bitpix = bb.getShort(14);
        for (int i = 0; i < 8; i++) dim[i] = bb.getLong(16 + 8 * i);
        intentP1 = bb.getDouble(80);
        intentP2 = bb.getDouble(88);
        intentP3 = bb.getDouble(96);
        for (int i = 0; i < 8; i++) pixdim[i] = bb.getDouble(104 + 8 * i);
        voxOffset = bb.getLong(168);
        if (voxOffset < 0) {
            throw new UserInputException(source + " has an invalid NIfTI header: vox_offset = " + voxOffset
                    + " is negative. The file is damaged.");
        }
        sclSlope = bb.getDouble(176);
        sclInter = bb.getDouble(184);
        calMax = bb.getDouble(192);
        calMin = bb.getDouble(200);
        sliceDuration = bb.getDouble(208);
        toffset = bb.getDouble(216);
        sliceStart = bb.getLong(224);
        sliceEnd = bb.getLong(232);
        descrip = cString(bytes, 240, 80);
        auxFile = cString(bytes, 320, 24);
        qformCode = bb.getInt(344);
        sformCode = bb.getInt(348);
        quaternB = bb.getDouble(352);
        quaternC = bb.getDouble(360);
        quaternD = bb.getDouble(368);
        qoffsetX = bb.getDouble(376);
        qoffsetY = bb.getDouble(384);
        qoffsetZ = bb.getDouble(392);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) srow[r][c] = bb.getDouble(400 + 32 * r + 8 * c);
        sliceCode = bb.getInt(496);
        xyztUnits = bb.getInt(500);
        intentCode = bb.getInt(504);
        intentName = cString(bytes, 508, 16);
        dimInfo = bytes[524] & 0xff;
    }

    /** Checks what every reader needs: dimension count and sizes, datatype. */
    void validate(String source) {
        if (dim[0] < 1 || dim[0] > 7) {
            throw new UserInputException(source + " has an invalid NIfTI header: dim[0] = " + dim[0]
                    + " (the number of dimensions must be 1 to 7). The file is damaged or not NIfTI.");
        }
        for (int i = 1; i <= dim[0]; i++) {
            if (dim[i] < 1) {
                throw new UserInputException(source + " has an invalid NIfTI header: dim[" + i + "] = " + dim[i]
                        + " (sizes must be at least 1). The file is damaged.");
            }
        }
        NiftiDataType t = dataType();
        if (t == null) {
            throw new UserInputException(source + " uses the NIfTI datatype " + NiftiDataType.describe(datatype)
                    + ", which MedSynth does not read. Supported: uint8, int8, int16, uint16, int32, uint32, int64,"
                    + " uint64, float32, float64, RGB24, RGBA32. Convert the file (e.g. to float32) first.");
        }
    }

    // ------------------------------------------------------------------ writing

    /** The header bytes in this header's version and byte order (348 or 540 bytes). */
    public byte[] toBytes() {
        return version == 2 ? toBytes2() : toBytes1();
    }

    private byte[] toBytes1() {
        for (int i = 0; i < 8; i++) {
            if (dim[i] > Short.MAX_VALUE) {
                throw new IllegalStateException("dim[" + i + "] = " + dim[i] + " does not fit NIfTI-1; use NIfTI-2");
            }
        }
        ByteBuffer bb = ByteBuffer.allocate(NIFTI1_SIZE).order(byteOrder);
        bb.putInt(0, NIFTI1_SIZE);
        bb.put(38, (byte) 'r');
        bb.put(39, (byte) dimInfo);
        for (int i = 0; i < 8; i++) bb.putShort(40 + 2 * i, (short) dim[i]);
        bb.putFloat(56, (float) intentP1);
        bb.putFloat(60, (float) intentP2);
        bb.putFloat(64, (float) intentP3);
        bb.putShort(68, clampShort(intentCode));
        bb.putShort(70, (short) datatype);
        bb.putShort(72, (short) bitpix);
        bb.putShort(74, clampShort(sliceStart));
        for (int i = 0; i < 8; i++) bb.putFloat(76 + 4 * i, (float) pixdim[i]);
        bb.putFloat(108, (float) voxOffset);
        bb.putFloat(112, (float) sclSlope);
        bb.putFloat(116, (float) sclInter);
        bb.putShort(120, clampShort(sliceEnd));
        bb.put(122, (byte) sliceCode);
        bb.put(123, (byte) xyztUnits);
        bb.putFloat(124, (float) calMax);
        bb.putFloat(128, (float) calMin);
        bb.putFloat(132, (float) sliceDuration);
        bb.putFloat(136, (float) toffset);
        putString(bb, 148, 80, descrip);
        putString(bb, 228, 24, auxFile);
        bb.putShort(252, (short) qformCode);
        bb.putShort(254, (short) sformCode);
        bb.putFloat(256, (float) quaternB);
        bb.putFloat(260, (float) quaternC);
        bb.putFloat(264, (float) quaternD);
        bb.putFloat(268, (float) qoffsetX);
        bb.putFloat(272, (float) qoffsetY);
        bb.putFloat(276, (float) qoffsetZ);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) bb.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
        putString(bb, 328, 16, intentName);
        putString(bb, 344, 4, singleFile ? "n+1" : "ni1");
        return bb.array();
    }

    private byte[] toBytes2() {
        ByteBuffer bb = ByteBuffer.allocate(NIFTI2_SIZE).order(byteOrder);
        bb.putInt(0, NIFTI2_SIZE);
        byte[] magic = {(byte) 'n', (byte) (singleFile ? '+' : 'i'), (byte) '2', 0, '\r', '\n', 032, '\n'};
        for (int i = 0; i < 8; i++) bb.put(4 + i, magic[i]);
        bb.putShort(12, (short) datatype);
        bb.putShort(14, (short) bitpix);
        for (int i = 0; i < 8; i++) bb.putLong(16 + 8 * i, dim[i]);
        bb.putDouble(80, intentP1);
        bb.putDouble(88, intentP2);
        bb.putDouble(96, intentP3);
        for (int i = 0; i < 8; i++) bb.putDouble(104 + 8 * i, pixdim[i]);
        bb.putLong(168, voxOffset);
        bb.putDouble(176, sclSlope);
        bb.putDouble(184, sclInter);
        bb.putDouble(192, calMax);
        bb.putDouble(200, calMin);
        bb.putDouble(208, sliceDuration);
        bb.putDouble(216, toffset);
        bb.putLong(224, sliceStart);
        bb.putLong(232, sliceEnd);
        putString(bb, 240, 80, descrip);
        putString(bb, 320, 24, auxFile);
        bb.putInt(344, qformCode);
        bb.putInt(348, sformCode);
        bb.putDouble(352, quaternB);
        bb.putDouble(360, quaternC);
        bb.putDouble(368, quaternD);
        bb.putDouble(376, qoffsetX);
        bb.putDouble(384, qoffsetY);
        bb.putDouble(392, qoffsetZ);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) bb.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
        bb.putInt(496, sliceCode);
        bb.putInt(500, xyztUnits);
        bb.putInt(504, intentCode);
        putString(bb, 508, 16, intentName);
        bb.put(524, (byte) dimInfo);
        return bb.array();
    }

    /** True if every field fits a NIfTI-1 header (sizes and slice indices up to 32767). */
    public boolean fitsNifti1() {
        for (int i = 0; i < 8; i++) if (dim[i] > Short.MAX_VALUE) return false;
        return sliceStart <= Short.MAX_VALUE && sliceEnd <= Short.MAX_VALUE && voxOffset < (1 << 24);
    }

    private static short clampShort(long v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }

    private static void putString(ByteBuffer bb, int offset, int size, String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < size - 1 && i < b.length; i++) bb.put(offset + i, b[i]);
    }

    private static String cString(byte[] b, int offset, int size) {
        int end = offset;
        while (end < offset + size && b[end] != 0) end++;
        return new String(b, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch >= 32 && ch < 127) sb.append(ch);
            else sb.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ storing on an image

    /** This header as one line of text (for an ImagePlus property): the header bytes in Base64. */
    public String encode() {
        return "NIfTI-" + version + ":" + Base64.getEncoder().encodeToString(toBytes());
    }

    /** Reverses {@link #encode()}; null if the text is not such a line. */
    public static NiftiHeader decode(String text) {
        if (text == null) return null;
        int colon = text.indexOf(':');
        if (colon < 0 || !text.startsWith("NIfTI-")) return null;
        try {
            byte[] b = Base64.getDecoder().decode(text.substring(colon + 1).trim());
            return parse(b, b.length, "stored NIfTI header");
        } catch (IllegalArgumentException | UserInputException e) {
            return null;
        }
    }

    /** A readable listing of the header, one "name: value" per line (shown by Image>Show Info). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        line(sb, "version", "NIfTI-" + version + (singleFile ? " (single file)" : " (header/image pair)"));
        line(sb, "byte order", byteOrder == ByteOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian");
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < 8; i++) d.append(i == 0 ? "" : " ").append(dim[i]);
        line(sb, "dim", d.toString());
        line(sb, "datatype", NiftiDataType.describe(datatype) + ", bitpix " + bitpix);
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < 8; i++) p.append(i == 0 ? "" : " ").append(fmt(pixdim[i]));
        line(sb, "pixdim", p.toString());
        line(sb, "xyzt_units", xyztUnits + " (space: " + spatialUnitName(spatialUnitCode())
                + ", time: " + timeUnitName(timeUnitCode()) + ")");
        line(sb, "vox_offset", Long.toString(voxOffset));
        line(sb, "scl_slope", fmt(sclSlope));
        line(sb, "scl_inter", fmt(sclInter));
        line(sb, "cal_min", fmt(calMin));
        line(sb, "cal_max", fmt(calMax));
        line(sb, "intent_code", intentCode + (intentName.isEmpty() ? "" : " (" + intentName + ")")
                + ", p1-p3 " + fmt(intentP1) + " " + fmt(intentP2) + " " + fmt(intentP3));
        line(sb, "slice_code", sliceCode + ", slice_start " + sliceStart + ", slice_end " + sliceEnd
                + ", slice_duration " + fmt(sliceDuration) + ", dim_info " + dimInfo);
        line(sb, "toffset", fmt(toffset));
        line(sb, "descrip", descrip);
        line(sb, "aux_file", auxFile);
        line(sb, "qform_code", qformCode + " (" + xformName(qformCode) + ")");
        line(sb, "quatern b c d", fmt(quaternB) + " " + fmt(quaternC) + " " + fmt(quaternD));
        line(sb, "qoffset x y z", fmt(qoffsetX) + " " + fmt(qoffsetY) + " " + fmt(qoffsetZ));
        line(sb, "sform_code", sformCode + " (" + xformName(sformCode) + ")");
        String[] names = {"srow_x", "srow_y", "srow_z"};
        for (int r = 0; r < 3; r++) {
            line(sb, names[r], fmt(srow[r][0]) + " " + fmt(srow[r][1]) + " " + fmt(srow[r][2]) + " " + fmt(srow[r][3]));
        }
        line(sb, "affine used", affineSource());
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append("NIfTI ").append(name).append(": ").append(value).append('\n');
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    static String xformName(int code) {
        switch (code) {
            case XFORM_UNKNOWN: return "unknown";
            case XFORM_SCANNER_ANAT: return "scanner";
            case XFORM_ALIGNED_ANAT: return "aligned";
            case XFORM_TALAIRACH: return "Talairach";
            case XFORM_MNI_152: return "MNI 152";
            case 5: return "template";
            default: return "code " + code;
        }
    }

    static String spatialUnitName(int code) {
        switch (code) {
            case 1: return "m";
            case 2: return "mm";
            case 3: return "micron";
            default: return "unknown";
        }
    }

    static String timeUnitName(int code) {
        switch (code) {
            case 8: return "sec";
            case 16: return "msec";
            case 24: return "usec";
            case 32: return "Hz";
            case 40: return "ppm";
            case 48: return "rad/s";
            default: return "unknown";
        }
    }
}
