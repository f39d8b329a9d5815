package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.util.Outputs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an ImagePlus (8-bit, 16-bit, 32-bit or RGB; single images, stacks and hyperstacks) as
 * NIfTI: {@code .nii}, {@code .nii.gz} or a {@code .hdr}/{@code .img} pair, chosen by the file name.
 * Every file is written atomically (temporary file, then rename).
 *
 * <h2>What is written</h2>
 * <ul>
 * <li>Axes: width, height, slices, frames, channels become dim[1..5]; rows are flipped back
 *     (NIfTI j = height - 1 - ImageJ y; see {@link NiftiImages}).</li>
 * <li>Datatype, by default: 8-bit gives uint8, 16-bit uint16, 16-bit with ImageJ's signed
 *     calibration int16, 32-bit float32, RGB RGB24. A straight-line density calibration of an
 *     8/16-bit image becomes scl_slope/scl_inter; other calibration functions are written as
 *     float32 values. An image read from NIfTI keeps its original datatype and scl_slope/scl_inter
 *     whenever its current values can be stored in them exactly (so a scaled int16 file comes back
 *     as scaled int16, a float64 file as float64); otherwise the default above is used.</li>
 * <li>Geometry: an image read from NIfTI whose size and spatial calibration are unchanged gets
 *     its original qform/sform codes and parameters and pixdim bit for bit. Otherwise (and for
 *     images not read from NIfTI) both qform and sform are built from the calibration: pixel size
 *     (cm/inch converted to mm, nm to micron) and origin, keeping the axis directions of the
 *     original affine if there was one; codes are the original ones, or 2 (aligned) if none.</li>
 * <li>Version: the version the image was read with, else NIfTI-1; NIfTI-2 when a size exceeds
 *     32767 (NIfTI-1 stores sizes as int16) or when asked for. Little-endian unless asked.</li>
 * <li>Intent, description, aux_file, slice timing and toffset of a NIfTI-read image are kept;
 *     cal_min/cal_max are the header's values unless the display range was changed. Header
 *     extensions are not written.</li>
 * </ul>
 */
public final class NiftiWriter {

    /** Choices for writing; {@link #defaults()} gives the behaviour described in the class comment. */
    public static final class Options {
        private int version;
        private ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        private NiftiDataType dataType;
        private double slope = Double.NaN;
        private double inter = Double.NaN;

        private Options() { }

        public static Options defaults() {
            return new Options();
        }

        private Options copy() {
            Options o = new Options();
            o.version = version;
            o.byteOrder = byteOrder;
            o.dataType = dataType;
            o.slope = slope;
            o.inter = inter;
            return o;
        }

        /** 1 or 2 to force NIfTI-1 or NIfTI-2; 0 for automatic. */
        public Options version(int v) {
            if (v < 0 || v > 2) throw new IllegalArgumentException("NIfTI version must be 0 (auto), 1 or 2: " + v);
            Options o = copy();
            o.version = v;
            return o;
        }

        /** Byte order of the file (default little-endian). */
        public Options byteOrder(ByteOrder order) {
            Options o = copy();
            o.byteOrder = order;
            return o;
        }

        /**
         * Stores voxels as this datatype: values are divided by the scaling (see
         * {@link #scaling(double, double)}), rounded to the nearest integer for integer types, and
         * refused with a {@link UserInputException} if they do not fit.
         */
        public Options dataType(NiftiDataType type) {
            Options o = copy();
            o.dataType = type;
            return o;
        }

        /** Writes scl_slope/scl_inter: stored = (value - inter) / slope. Slope must be finite and non-zero. */
        public Options scaling(double slope, double inter) {
            if (!(slope != 0 && Double.isFinite(slope) && Double.isFinite(inter))) {
                throw new IllegalArgumentException("scl_slope must be finite and non-zero and scl_inter finite");
            }
            Options o = copy();
            o.slope = slope;
            o.inter = inter;
            return o;
        }

        public int version() { return version; }

        public ByteOrder byteOrder() { return byteOrder; }

        public NiftiDataType dataType() { return dataType; }
    }

    /** How voxel values are taken from the ImageJ pixels. */
    enum Mode { RAW8, RAW16, SIGNED16, RGB, VALUES }

    /** What will be written: the header and how the pixels become stored values. */
    static final class Plan {
        final NiftiHeader header;
        final Mode mode;

        Plan(NiftiHeader header, Mode mode) {
            this.header = header;
            this.mode = mode;
        }
    }

    private static final int CHUNK_BYTES = 1 << 20;

    private NiftiWriter() { }

    /** Writes with the default options. */
    public static void write(ImagePlus imp, Path target) {
        write(imp, target, Options.defaults());
    }

    /** Writes {@code imp} to {@code target} (.nii, .nii.gz, .hdr or .img), replacing an existing file. */
    public static void write(ImagePlus imp, Path target, Options options) {
        write(imp, target, options, true);
    }

    /**
     * Writes with the default options only if the file does not exist (atomic create-or-fail; for a
     * .hdr/.img pair, neither file may exist).
     */
    public static void create(ImagePlus imp, Path target) {
        write(imp, target, Options.defaults(), false);
    }

    private static void write(ImagePlus imp, Path target, Options options, boolean replace) {
        if (imp == null || imp.getStack() == null || imp.getStackSize() == 0) {
            throw new UserInputException("There is no image to save as NIfTI. Open or select an image first.");
        }
        String name = target.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean pair = lower.endsWith(".hdr") || lower.endsWith(".img");
        boolean gzip = lower.endsWith(".nii.gz");
        if (!pair && !gzip && !lower.endsWith(".nii")) {
            throw new UserInputException("Cannot save " + name + " as NIfTI: the file name must end in .nii, .nii.gz or"
                    + " .hdr (header/image pair). Add one of these extensions.");
        }
        Plan plan = plan(imp, options, !pair);
        NiftiHeader h = plan.header;
        try {
            if (pair) {
                Path hdr = target.resolveSibling(NiftiPaths.sibling(target, ".hdr"));
                Path img = target.resolveSibling(NiftiPaths.sibling(target, ".img"));
                if (!replace && java.nio.file.Files.exists(hdr)) throw new java.nio.file.FileAlreadyExistsException(hdr.toString());
                AtomicFiles.Writer imgWriter = out -> {
                    BufferedOutputStream bos = new BufferedOutputStream(out, 1 << 16);
                    writeData(bos, imp, plan);
                    bos.flush();
                };
                AtomicFiles.Writer hdrWriter = out -> {
                    out.write(h.toBytes());
                    out.write(new byte[4]);
                };
                if (replace) {
                    AtomicFiles.write(img, imgWriter);
                    AtomicFiles.write(hdr, hdrWriter);
                } else {
                    // the header last: a reader only sees the pair once both are complete
                    AtomicFiles.create(img, imgWriter);
                    try {
                        AtomicFiles.create(hdr, hdrWriter);
                    } catch (IOException e) {
                        java.nio.file.Files.deleteIfExists(img);
                        throw e;
                    }
                }
            } else {
                AtomicFiles.Writer writer = out -> {
                    GZIPOutputStream gz = gzip ? new GZIPOutputStream(out, 1 << 16) : null;
                    BufferedOutputStream bos = new BufferedOutputStream(gz != null ? gz : out, 1 << 16);
                    byte[] head = h.toBytes();
                    bos.write(head);
                    bos.write(new byte[(int) (h.voxOffset - head.length)]);
                    writeData(bos, imp, plan);
                    bos.flush();
                    if (gz != null) gz.finish();
                };
                if (replace) AtomicFiles.write(target, writer);
                else AtomicFiles.create(target, writer);
            }
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    /** The header that {@link #write(ImagePlus, Path, Options)} would write to a .nii file (for inspection). */
    public static NiftiHeader headerFor(ImagePlus imp, Options options) {
        return plan(imp, options, true).header;
    }

    // ------------------------------------------------------------------ planning

    static Plan plan(ImagePlus imp, Options o, boolean singleFile) {
        NiftiHeader stored = NiftiImages.storedHeader(imp);
        int nx = imp.getWidth(), ny = imp.getHeight();
        int nz = imp.getNSlices(), nt = imp.getNFrames(), nc = imp.getNChannels();
        if ((long) nz * nt * nc != imp.getStackSize()) { // inconsistent hyperstack dimensions: treat as a plain stack
            nz = imp.getStackSize();
            nt = 1;
            nc = 1;
        }
        NiftiHeader h = new NiftiHeader();
        h.byteOrder = o.byteOrder;
        h.singleFile = singleFile;
        int ndim = nc > 1 ? 5 : nt > 1 ? 4 : nz > 1 ? 3 : 2;
        if (stored != null && stored.dim[0] > ndim && stored.dim[0] <= 5) ndim = (int) stored.dim[0];
        h.dim = new long[] {ndim, nx, ny, nz, nt, nc, 1, 1};
        for (int i = 0; i < 8; i++) h.pixdim[i] = 1;

        Calibration cal = imp.getCalibration();
        boolean spatial = stored != null && NiftiImages.spatialMatches(stored, imp);
        boolean temporal = stored != null && NiftiImages.temporalMatches(stored, imp);
        int spaceUnits;
        if (spatial) {
            for (int i = 0; i <= 3; i++) h.pixdim[i] = stored.pixdim[i];
            h.qformCode = stored.qformCode;
            h.sformCode = stored.sformCode;
            h.quaternB = stored.quaternB;
            h.quaternC = stored.quaternC;
            h.quaternD = stored.quaternD;
            h.qoffsetX = stored.qoffsetX;
            h.qoffsetY = stored.qoffsetY;
            h.qoffsetZ = stored.qoffsetZ;
            h.srow = stored.sformMatrix();
            spaceUnits = stored.spatialUnitCode();
            h.dimInfo = stored.dimInfo;
            h.sliceCode = stored.sliceCode;
            h.sliceStart = stored.sliceStart;
            h.sliceEnd = stored.sliceEnd;
            h.sliceDuration = stored.sliceDuration;
        } else {
            double[][] dirs = stored == null ? null : NiftiAffine.directions(stored.affine());
            double[][] a = NiftiImages.affineFromCalibration(imp, dirs);
            double[] q = NiftiAffine.toQuaternion(a);
            h.srow = a;
            h.quaternB = q[0];
            h.quaternC = q[1];
            h.quaternD = q[2];
            h.qoffsetX = q[3];
            h.qoffsetY = q[4];
            h.qoffsetZ = q[5];
            h.pixdim[0] = q[9];
            h.pixdim[1] = q[6];
            h.pixdim[2] = q[7];
            h.pixdim[3] = q[8];
            int sCode = stored != null && stored.sformCode > 0 ? stored.sformCode
                    : stored != null && stored.qformCode > 0 ? stored.qformCode : NiftiHeader.XFORM_ALIGNED_ANAT;
            int qCode = stored != null && stored.qformCode > 0 ? stored.qformCode : sCode;
            h.sformCode = sCode;
            h.qformCode = qCode;
            spaceUnits = (int) NiftiImages.spatialUnit(cal)[0];
        }
        int timeUnits;
        if (temporal) {
            for (int i = 4; i < 8; i++) h.pixdim[i] = stored.pixdim[i];
            timeUnits = stored.timeUnitCode();
            h.toffset = stored.toffset;
        } else if (nt > 1 && cal.frameInterval > 0 && Double.isFinite(cal.frameInterval)) {
            h.pixdim[4] = cal.frameInterval;
            timeUnits = NiftiImages.timeUnitCode(cal.getTimeUnit());
        } else {
            timeUnits = 0;
        }
        h.xyztUnits = spaceUnits | timeUnits;
        if (stored != null) {
            h.intentCode = stored.intentCode;
            h.intentP1 = stored.intentP1;
            h.intentP2 = stored.intentP2;
            h.intentP3 = stored.intentP3;
            h.intentName = stored.intentName;
            h.descrip = stored.descrip;
            h.auxFile = stored.auxFile;
        }

        Mode mode = chooseType(imp, h, stored, o);
        setDisplayRange(imp, h, stored, mode);

        int version = o.version != 0 ? o.version : stored != null ? stored.version : 1;
        h.version = version;
        h.voxOffset = singleFile ? h.headerSize() + 4 : 0;
        if (version == 1 && !h.fitsNifti1()) {
            if (o.version == 1) {
                throw new UserInputException("Cannot save " + imp.getTitle() + " as NIfTI-1: its size " + nx + " x " + ny
                        + " x " + nz + " x " + nt + " x " + nc + " exceeds NIfTI-1's limit of 32767 per axis."
                        + " Save it as NIfTI-2 instead.");
            }
            h.version = 2;
            h.voxOffset = singleFile ? h.headerSize() + 4 : 0;
        }
        return new Plan(h, mode);
    }

    /** Sets datatype, bitpix, scl_slope and scl_inter; returns how values are taken from pixels. */
    private static Mode chooseType(ImagePlus imp, NiftiHeader h, NiftiHeader stored, Options o) {
        int bitDepth = imp.getBitDepth();
        boolean explicitScale = !Double.isNaN(o.slope);
        if (o.dataType != null || explicitScale) {
            NiftiDataType t = o.dataType != null ? o.dataType : bitDepth == 24 ? NiftiDataType.RGB24 : NiftiDataType.FLOAT32;
            if (bitDepth == 24 && !t.isColor()) {
                throw new UserInputException(imp.getTitle() + " is an RGB image and cannot be saved as " + t
                        + ". Save it as RGB24, or convert it to 8-bit or 32-bit first (Image>Type).");
            }
            if (bitDepth != 24 && t.isColor()) {
                throw new UserInputException(imp.getTitle() + " is a " + bitDepth + "-bit image and cannot be saved as "
                        + t + ". Convert it to RGB first (Image>Type>RGB Color), or choose a scalar datatype.");
            }
            setType(h, t, explicitScale ? o.slope : 1, explicitScale ? o.inter : 0);
            return t.isColor() ? Mode.RGB : Mode.VALUES;
        }
        if (bitDepth == 24) {
            setType(h, NiftiDataType.RGB24, 0, 0);
            return Mode.RGB;
        }
        if (bitDepth == 32 && stored != null) {
            NiftiDataType st = stored.dataType();
            if (st != null && !st.isColor() && !(st == NiftiDataType.FLOAT32 && !stored.hasScaling())
                    && storable(imp, st, stored.effectiveSlope(), stored.effectiveInter())) {
                setType(h, st, stored.sclSlope, stored.sclInter);
                return Mode.VALUES;
            }
        }
        Calibration cal = imp.getCalibration();
        int fn = cal.getFunction();
        double[] co = cal.getCoefficients();
        boolean line = fn == Calibration.STRAIGHT_LINE && co != null && co.length >= 2 && co[1] != 0 && !cal.zeroClip();
        if (bitDepth == 8) {
            if (fn == Calibration.NONE) {
                setType(h, NiftiDataType.UINT8, 1, 0);
                return Mode.RAW8;
            }
            if (line) {
                setType(h, NiftiDataType.UINT8, co[1], co[0]);
                return Mode.RAW8;
            }
        } else if (bitDepth == 16) {
            if (cal.isSigned16Bit()) {
                setType(h, NiftiDataType.INT16, 1, 0);
                return Mode.SIGNED16;
            }
            if (fn == Calibration.NONE) {
                setType(h, NiftiDataType.UINT16, 1, 0);
                return Mode.RAW16;
            }
            if (line) {
                setType(h, NiftiDataType.UINT16, co[1], co[0]);
                return Mode.RAW16;
            }
        }
        setType(h, NiftiDataType.FLOAT32, 1, 0);
        return Mode.VALUES;
    }

    private static void setType(NiftiHeader h, NiftiDataType t, double slope, double inter) {
        h.datatype = t.code();
        h.bitpix = t.bitpix();
        h.sclSlope = slope;
        h.sclInter = inter;
    }

    /** cal_min/cal_max: the stored values unless the display range was changed; else the display range. */
    private static void setDisplayRange(ImagePlus imp, NiftiHeader h, NiftiHeader stored, Mode mode) {
        if (mode == Mode.RGB) return;
        Calibration cal = imp.getCalibration();
        double lo = imp.getDisplayRangeMin(), hi = imp.getDisplayRangeMax();
        if (imp.getBitDepth() != 32 && cal.calibrated()) {
            lo = cal.getCValue(lo);
            hi = cal.getCValue(hi);
        }
        if (stored != null) {
            boolean storedRange = stored.calMax > stored.calMin;
            boolean same = Math.abs(stored.calMin - lo) <= 1e-6 * Math.max(1, Math.abs(lo))
                    && Math.abs(stored.calMax - hi) <= 1e-6 * Math.max(1, Math.abs(hi));
            if (!storedRange || same) {
                h.calMin = stored.calMin;
                h.calMax = stored.calMax;
                return;
            }
        }
        h.calMin = lo;
        h.calMax = hi;
    }

    // ------------------------------------------------------------------ values

    /** One plane's values as the reader would give them back (calibrated for 8/16-bit). */
    private interface PlaneValues {
        double get(int index);
    }

    private static PlaneValues values(ImagePlus imp, Object pixels) {
        Calibration cal = imp.getCalibration();
        boolean calibrated = cal.calibrated();
        if (pixels instanceof float[]) {
            float[] f = (float[]) pixels;
            return i -> f[i];
        }
        if (pixels instanceof byte[]) {
            byte[] b = (byte[]) pixels;
            return calibrated ? i -> cal.getCValue(b[i] & 0xff) : i -> b[i] & 0xff;
        }
        if (pixels instanceof short[]) {
            short[] s = (short[]) pixels;
            return calibrated ? i -> cal.getCValue(s[i] & 0xffff) : i -> s[i] & 0xffff;
        }
        throw new IllegalStateException("unexpected pixel array " + pixels.getClass());
    }

    /** True if every value of the image survives storing as {@code t} with this scaling and reading back. */
    static boolean storable(ImagePlus imp, NiftiDataType t, double slope, double inter) {
        ImageStack stack = imp.getStack();
        int n = imp.getWidth() * imp.getHeight();
        for (int s = 1; s <= stack.getSize(); s++) {
            PlaneValues v = values(imp, stack.getPixels(s));
            for (int i = 0; i < n; i++) {
                double value = v.get(i);
                double stored = stored(value, t, slope, inter);
                if (t.isInteger() && (Double.isNaN(value) || stored < t.min() || stored > t.max())) return false;
                float back = (float) (slope == 1 && inter == 0 ? stored : stored * slope + inter);
                if (Float.compare(back, (float) value) != 0) return false;
            }
        }
        return true;
    }

    /** The stored value for a real value: (value - inter) / slope, rounded for integer types, float-rounded for float32. */
    private static double stored(double value, NiftiDataType t, double slope, double inter) {
        double s = slope == 1 && inter == 0 ? value : (value - inter) / slope;
        if (t.isInteger()) return Math.rint(s);
        if (t == NiftiDataType.FLOAT32) return (float) s;
        return s;
    }

    // ------------------------------------------------------------------ data

    private static void writeData(OutputStream out, ImagePlus imp, Plan plan) throws IOException {
        NiftiHeader h = plan.header;
        NiftiDataType t = h.dataType();
        int nx = (int) h.size(1), ny = (int) h.size(2), nz = (int) h.size(3), nt = (int) h.size(4), nc = (int) h.size(5);
        int bpv = t.bytes();
        ByteBuffer bb = ByteBuffer.allocate(Math.max(CHUNK_BYTES, bpv)).order(h.byteOrder);
        ImageStack stack = imp.getStack();
        double slope = h.effectiveSlope(), inter = h.effectiveInter();
        for (int c = 0; c < nc; c++) {
            for (int tt = 0; tt < nt; tt++) {
                for (int z = 0; z < nz; z++) {
                    int index = c + z * nc + tt * nc * nz + 1;
                    Object pixels = stack.getPixels(index);
                    PlaneValues values = plan.mode == Mode.VALUES ? values(imp, pixels) : null;
                    for (int j = 0; j < ny; j++) {
                        int row = (ny - 1 - j) * nx;
                        if (plan.mode == Mode.RAW8) {
                            flush(out, bb);
                            out.write((byte[]) pixels, row, nx);
                            continue;
                        }
                        for (int i = 0; i < nx; i++) {
                            if (bb.remaining() < bpv) flush(out, bb);
                            int p = row + i;
                            switch (plan.mode) {
                                case RAW16:
                                    bb.putShort(((short[]) pixels)[p]);
                                    break;
                                case SIGNED16:
                                    bb.putShort((short) ((((short[]) pixels)[p] & 0xffff) - 32768));
                                    break;
                                case RGB: {
                                    int rgb = ((int[]) pixels)[p];
                                    bb.put((byte) (rgb >> 16)).put((byte) (rgb >> 8)).put((byte) rgb);
                                    if (t == NiftiDataType.RGBA32) bb.put((byte) 0xff);
                                    break;
                                }
                                default:
                                    putValue(bb, t, values.get(p), slope, inter, imp);
                            }
                        }
                    }
                }
            }
        }
        flush(out, bb);
    }

    private static void flush(OutputStream out, ByteBuffer bb) throws IOException {
        if (bb.position() > 0) {
            out.write(bb.array(), 0, bb.position());
            bb.clear();
        }
    }

    private static void putValue(ByteBuffer bb, NiftiDataType t, double value, double slope, double inter,
                                 ImagePlus imp) {
        double s = stored(value, t, slope, inter);
        if (t.isInteger()) {
            if (Double.isNaN(s) || s < t.min() || s > t.max()) {
                // only possible with an explicit datatype/scaling: storable() vetted the automatic choice
                throw new UserInputException("Cannot save " + imp.getTitle() + " as " + t + ": the value " + value
                        + " becomes " + s + ", outside " + t + "'s range " + (long) t.min() + " to "
                        + String.format(Locale.ROOT, "%.0f", t.max())  + ". Choose a wider datatype,"
                        + " a scl_slope/scl_inter that maps the values into range, or float32.");
            }
        }
        switch (t) {
            case UINT8: case INT8: bb.put((byte) (long) s); break;
            case INT16: case UINT16: bb.putShort((short) (long) s); break;
            case INT32: case UINT32: bb.putInt((int) (long) s); break;
            case INT64: bb.putLong((long) s); break;
            case UINT64: bb.putLong(s >= 0x1p63 ? (long) (s - 0x1p63) ^ Long.MIN_VALUE : (long) s); break;
            case FLOAT32: bb.putFloat((float) s); break;
            case FLOAT64: bb.putDouble(s); break;
            default: throw new IllegalStateException("not a scalar type: " + t);
        }
    }
}
