package org.medsynth.image.nifti;

/**
 * The NIfTI voxel datatypes MedSynth reads and writes (codes from nifti1.h, shared by NIfTI-2).
 * Complex types, float128, binary and other codes are refused with a clear message.
 */
public enum NiftiDataType {
    UINT8(2, 1, "uint8", true, 0, 255),
    INT16(4, 2, "int16", true, Short.MIN_VALUE, Short.MAX_VALUE),
    INT32(8, 4, "int32", true, Integer.MIN_VALUE, Integer.MAX_VALUE),
    FLOAT32(16, 4, "float32", false, -Float.MAX_VALUE, Float.MAX_VALUE),
    FLOAT64(64, 8, "float64", false, -Double.MAX_VALUE, Double.MAX_VALUE),
    RGB24(128, 3, "RGB24", false, 0, 255),
    INT8(256, 1, "int8", true, Byte.MIN_VALUE, Byte.MAX_VALUE),
    UINT16(512, 2, "uint16", true, 0, 65535),
    UINT32(768, 4, "uint32", true, 0, 4294967295.0),
    INT64(1024, 8, "int64", true, Long.MIN_VALUE, Long.MAX_VALUE),
    UINT64(1280, 8, "uint64", true, 0, 18446744073709551615.0),
    RGBA32(2304, 4, "RGBA32", false, 0, 255);

    private final int code;
    private final int bytes;
    private final String label;
    private final boolean integer;
    private final double min;
    private final double max;

    NiftiDataType(int code, int bytes, String label, boolean integer, double min, double max) {
        this.code = code;
        this.bytes = bytes;
        this.label = label;
        this.integer = integer;
        this.min = min;
        this.max = max;
    }

    /** The NIfTI datatype code (e.g. 4 for int16). */
    public int code() { return code; }

    /** Bytes per voxel. */
    public int bytes() { return bytes; }

    /** The NIfTI bitpix value. */
    public int bitpix() { return bytes * 8; }

    /** True for the integer scalar types (whose values are rounded when written). */
    public boolean isInteger() { return integer; }

    /** True for RGB24 and RGBA32. */
    public boolean isColor() { return this == RGB24 || this == RGBA32; }

    /** Smallest storable value (scalar types). */
    public double min() { return min; }

    /** Largest storable value (scalar types). */
    public double max() { return max; }

    /** The type's name as in nifti1.h, e.g. "int16". */
    public String label() { return label; }

    @Override
    public String toString() { return label; }

    /** The datatype with this code, or null if MedSynth does not read it. */
    public static NiftiDataType fromCode(int code) {
        for (NiftiDataType t : values()) if (t.code == code) return t;
        return null;
    }

    /** A readable name for any NIfTI datatype code, supported or not (for error messages). */
    public static String describe(int code) {
        NiftiDataType t = fromCode(code);
        if (t != null) return t.label + " (" + code + ")";
        switch (code) {
            case 0: return "unknown (0)";
            case 1: return "binary (1)";
            case 32: return "complex64 (32)";
            case 1536: return "float128 (1536)";
            case 1792: return "complex128 (1792)";
            case 2048: return "complex256 (2048)";
            default: return "code " + code;
        }
    }

    /** A datatype by its name as users type it (case-insensitive: uint8, int16, float32, rgb24, ...). */
    public static NiftiDataType fromLabel(String name) {
        for (NiftiDataType t : values()) if (t.label.equalsIgnoreCase(name.trim())) return t;
        return null;
    }
}
