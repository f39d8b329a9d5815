package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import org.medsynth.core.UserInputException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads NIfTI-1 and NIfTI-2 volumes (.nii, .nii.gz, .hdr/.img pairs; either byte order) into an
 * ImagePlus; see {@link NiftiImages} for the orientation and calibration conventions.
 * <p>
 * Pixel types: uint8 without scaling gives an 8-bit image; uint16 without scaling a 16-bit image;
 * int16 without scaling a 16-bit image with ImageJ's signed 16-bit calibration (raw = value + 32768,
 * as ImageJ does for signed DICOM); RGB24/RGBA32 an RGB image (alpha dropped; scaling does not apply
 * to colour); everything else, and any type with non-trivial scl_slope/scl_inter, a 32-bit image
 * holding {@code (float) (stored * scl_slope + scl_inter)} computed in double precision.
 * <p>
 * Nothing is allocated before the declared data size has been checked against the file (or, for
 * gzip, against the most a gzip file of that size can hold) and against free memory, so a damaged
 * header gives a {@link UserInputException} naming the file rather than an OutOfMemoryError.
 * Header extensions are skipped.
 */
public final class NiftiReader {

    /** Deflate cannot compress by more than about 1032:1; anything claiming more is damaged. */
    static final long MAX_GZIP_RATIO = 1100;
    private static final int CHUNK_BYTES = 1 << 22;

    private NiftiReader() { }

    /** Reads the header only (of a .nii, .nii.gz, .hdr or .img file). */
    public static NiftiHeader readHeader(Path path) {
        return open(path).header;
    }

    /** Reads a NIfTI volume. The title is the file name; the header is kept as {@link NiftiImages#PROPERTY}. */
    public static ImagePlus read(Path path) {
        Source src = open(path);
        NiftiHeader h = src.header;
        String name = src.name;
        NiftiDataType type = h.dataType();
        for (int axis = 6; axis <= 7; axis++) {
            if (h.size(axis) > 1) {
                throw new UserInputException(name + " has " + h.dim[0] + "-dimensional data (dim[" + axis + "] = "
                        + h.size(axis) + "). MedSynth reads up to 5 dimensions: x, y, z, time (frames) and the"
                        + " 5th as channels. Split the file into volumes first (e.g. fslsplit).");
            }
        }
        long nx = h.size(1), ny = h.size(2), nz = h.size(3), nt = h.size(4), nc = h.size(5);
        if (nx > Integer.MAX_VALUE || ny > Integer.MAX_VALUE || nx * ny > Integer.MAX_VALUE - 8) {
            throw new UserInputException(name + " declares slices of " + nx + " x " + ny + " voxels; ImageJ images"
                    + " hold at most 2^31 pixels per slice. The header is damaged, or the volume must be cropped"
                    + " or downsampled with another tool first.");
        }
        long planeVoxels = nx * ny; // both below 2^31 here, so no overflow
        long planes;
        long voxels;
        long dataBytes;
        try {
            planes = Math.multiplyExact(Math.multiplyExact(nz, nt), nc);
            voxels = Math.multiplyExact(planeVoxels, planes);
            dataBytes = Math.multiplyExact(voxels, type.bytes());
        } catch (ArithmeticException e) {
            throw new UserInputException(name + " declares an impossible size (" + dims(h)
                    + " voxels). The header is damaged.");
        }
        if (planes > Integer.MAX_VALUE - 8) {
            throw new UserInputException(name + " declares " + planes + " slices (" + dims(h) + "); ImageJ stacks hold"
                    + " at most 2^31 slices. The header is damaged, or the data must be split first.");
        }
        long offset = src.dataOffset;
        long available = src.dataFileSize - offset;
        if (!src.gzip) {
            if (available < dataBytes) {
                throw new UserInputException(name + " is truncated: its header declares " + dims(h) + " " + type
                        + " voxels (" + dataBytes + " bytes from byte " + offset + ") but "
                        + src.dataFile.getFileName() + " has only " + src.dataFileSize + " bytes."
                        + " Copy or export the file again (or the header is damaged).");
            }
        } else if (offset > gzipCapacity(src.dataFileSize) || dataBytes > gzipCapacity(src.dataFileSize) - offset) {
            throw new UserInputException(name + " is truncated or damaged: its header declares " + dims(h) + " " + type
                    + " voxels (" + human(dataBytes) + ") but a gzip file of " + human(src.dataFileSize)
                    + " cannot hold that much. Copy or export the file again.");
        }
        Out out = outputKind(h, type);
        // pixel arrays plus, per slice, an array header, a reference and a label slot in the ImageStack
        checkMemory(voxels * out.bytes + planes * 64, name);

        ImageStack stack = new ImageStack((int) nx, (int) ny, (int) planes);
        MinMax mm = new MinMax();
        double slope = h.effectiveSlope();
        double inter = h.effectiveInter();
        boolean scaled = h.hasScaling() && !type.isColor();
        try (InputStream in = openStream(src.dataFile, src.gzip)) {
            skipFully(in, offset, name);
            int bpv = type.bytes();
            int chunkVoxels = Math.max(1, CHUNK_BYTES / bpv);
            byte[] buf = new byte[(int) Math.min((long) chunkVoxels * bpv, planeVoxels * bpv)];
            ByteBuffer bb = ByteBuffer.wrap(buf).order(h.byteOrder);
            int w = (int) nx;
            int hgt = (int) ny;
            long plane = 0;
            for (long c = 0; c < nc; c++) {
                for (long t = 0; t < nt; t++) {
                    for (long z = 0; z < nz; z++, plane++) {
                        Object pixels = out.allocate((int) planeVoxels);
                        int s = 0;
                        while (s < planeVoxels) {
                            int n = (int) Math.min(chunkVoxels, planeVoxels - s);
                            int got = in.readNBytes(buf, 0, n * bpv);
                            if (got < n * bpv) {
                                long done = plane * planeVoxels * bpv + (long) s * bpv + got;
                                throw new UserInputException(name + " is truncated: the voxel data ends after " + done
                                        + " of " + dataBytes + " bytes (" + dims(h) + " " + type + ")."
                                        + " Copy or export the file again.");
                            }
                            int pos = 0;
                            while (pos < n) {
                                int y = (s + pos) / w;
                                int x = (s + pos) % w;
                                int run = Math.min(w - x, n - pos);
                                int dest = (hgt - 1 - y) * w + x;
                                convert(bb, pos * bpv, run, type, out, pixels, dest, scaled, slope, inter, mm);
                                pos += run;
                            }
                            s += n;
                        }
                        int index = (int) (c + z * nc + t * nc * nz) + 1;
                        stack.setPixels(pixels, index);
                    }
                }
            }
            if (src.gzip) {
                // read on to the end of the gzip stream so that its CRC is checked (damage inside the
                // compressed data can otherwise decompress to wrong voxels without any error)
                long extra = 0;
                int got;
                while (extra < (1 << 20) && (got = in.read(buf)) >= 0) extra += got;
            }
        } catch (ZipException | EOFException e) {
            throw new UserInputException(name + " is damaged: the compressed data cannot be read (" + e.getMessage()
                    + "). Copy or export the file again.", e);
        } catch (IOException e) {
            throw new UserInputException("Cannot read " + name + ": " + e.getMessage()
                    + ". Check that the file exists and is readable.", e);
        }

        ImagePlus imp = new ImagePlus(src.title, stack);
        if (nc > 1 || nt > 1) {
            imp.setDimensions((int) nc, (int) nz, (int) nt);
            imp.setOpenAsHyperStack(true);
        }
        Calibration cal = imp.getCalibration();
        NiftiImages.applyCalibration(h, cal);
        if (out == Out.SHORT && type == NiftiDataType.INT16) cal.setSigned16BitCalibration();
        imp.setCalibration(cal);
        setDisplayRange(imp, h, out, type, mm);
        imp.setProperty("Info", "NIfTI file: " + src.headerFile.toAbsolutePath() + "\n"
                + (src.dataFile.equals(src.headerFile) ? "" : "NIfTI image file: " + src.dataFile.toAbsolutePath() + "\n")
                + h.describe());
        NiftiImages.storeHeader(imp, h);
        return imp;
    }

    private static void setDisplayRange(ImagePlus imp, NiftiHeader h, Out out, NiftiDataType type, MinMax mm) {
        if (out == Out.RGB) return;
        boolean calRange = h.calMax > h.calMin && Double.isFinite(h.calMax) && Double.isFinite(h.calMin);
        double shift = out == Out.SHORT && type == NiftiDataType.INT16 ? 32768 : 0;
        if (calRange) {
            imp.setDisplayRange(h.calMin + shift, h.calMax + shift);
        } else if (out == Out.BYTE) {
            // 8-bit keeps ImageJ's 0-255, except label maps, whose few small values would be black
            if (h.intentCode == 1002 && mm.valid()) imp.setDisplayRange(0, Math.max(1, mm.max));
        } else if (mm.valid()) {
            imp.setDisplayRange(mm.min, mm.max > mm.min ? mm.max : mm.min + 1);
        }
    }

    // ------------------------------------------------------------------ file access

    /** Which file holds what: header file, data file, offset, compression. */
    static final class Source {
        NiftiHeader header;
        Path headerFile;
        Path dataFile;
        boolean gzip;
        long dataOffset;
        long dataFileSize;
        String name;
        String title;
    }

    static Source open(Path path) {
        Source src = new Source();
        src.name = path.getFileName().toString();
        src.title = src.name;
        if (!Files.exists(path)) throw new UserInputException("File not found: " + path);
        if (Files.isDirectory(path)) {
            throw new UserInputException(path + " is a folder; choose a .nii, .nii.gz or .hdr file.");
        }
        Path headerFile = NiftiPaths.isPair(path) ? NiftiPaths.headerOf(path) : path;
        if (!Files.exists(headerFile)) {
            throw new UserInputException("The header file " + headerFile.getFileName() + " that belongs to " + src.name
                    + " is missing. A .img file needs its .hdr file next to it (same name).");
        }
        src.headerFile = headerFile;
        try {
            boolean gz = isGzip(headerFile);
            byte[] head;
            try (InputStream in = openStream(headerFile, gz)) {
                head = in.readNBytes(NiftiHeader.NIFTI2_SIZE);
            } catch (ZipException | EOFException e) {
                throw new UserInputException(src.name + " is damaged: it starts like a gzip file but cannot be"
                        + " decompressed (" + e.getMessage() + "). Copy or export the file again.", e);
            }
            if (!gz && src.name.toLowerCase(java.util.Locale.ROOT).endsWith(".gz") && !looksLikeNifti(head)) {
                throw new UserInputException(src.name + " is not gzip-compressed, although its name ends in .gz, and it is not an"
                        + " uncompressed NIfTI file either (it starts with " + describeStart(head) + "). It may be an incomplete"
                        + " download, an error page saved under this name, or another kind of file: download or export it again.");
            }
            src.header = NiftiHeader.parse(head, head.length, src.name);
            NiftiHeader h = src.header;
            if (h.singleFile) {
                src.dataFile = headerFile;
                src.gzip = gz;
                long min = h.headerSize() + 4L;
                if (h.voxOffset == 0) {
                    src.dataOffset = min; // some writers leave vox_offset 0 in .nii files
                } else if (h.voxOffset < h.headerSize()) {
                    throw new UserInputException(src.name + " has an invalid NIfTI header: vox_offset = " + h.voxOffset
                            + " points inside the " + h.headerSize() + "-byte header. The file is damaged.");
                } else {
                    src.dataOffset = h.voxOffset;
                }
            } else {
                src.dataFile = NiftiPaths.imageOf(headerFile);
                if (!Files.exists(src.dataFile)) {
                    throw new UserInputException(src.name + " is the header of a header/image pair, but the image file "
                            + src.dataFile.getFileName() + " is missing. Put the .img file next to the .hdr file.");
                }
                src.gzip = isGzip(src.dataFile);
                src.dataOffset = h.voxOffset;
            }
            src.dataFileSize = Files.size(src.dataFile);
        } catch (NoSuchFileException e) {
            throw new UserInputException("File not found: " + e.getFile());
        } catch (IOException e) {
            throw new UserInputException("Cannot read " + src.name + ": " + e.getMessage()
                    + ". Check that the file is readable.", e);
        }
        return src;
    }

    /** True if the bytes start with sizeof_hdr 348 or 540 in either byte order. */
    static boolean looksLikeNifti(byte[] head) {
        if (head.length < 4) return false;
        int le = (head[0] & 0xff) | (head[1] & 0xff) << 8 | (head[2] & 0xff) << 16 | (head[3] & 0xff) << 24;
        int be = Integer.reverseBytes(le);
        return le == NiftiHeader.NIFTI1_SIZE || le == NiftiHeader.NIFTI2_SIZE || be == NiftiHeader.NIFTI1_SIZE || be == NiftiHeader.NIFTI2_SIZE;
    }

    /** The first bytes in hex, and as text where they are printable: "bytes 3c 21 44 4f ('<!DO')". */
    static String describeStart(byte[] head) {
        if (head.length == 0) return "nothing: it is empty";
        int n = Math.min(8, head.length);
        StringBuilder hex = new StringBuilder("bytes");
        StringBuilder text = new StringBuilder();
        boolean printable = true;
        for (int i = 0; i < n; i++) {
            hex.append(' ').append(String.format("%02x", head[i] & 0xff));
            char c = (char) (head[i] & 0xff);
            if (c < 32 || c > 126) printable = false;
            text.append(c);
        }
        return hex + (printable ? " ('" + text + "')" : "");
    }

    /** True if the file starts with the gzip signature (whatever its name says). */
    static boolean isGzip(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            int a = in.read();
            int b = in.read();
            return a == 0x1f && b == 0x8b;
        }
    }

    static InputStream openStream(Path p, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(p);
        try {
            return gzip ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static void skipFully(InputStream in, long n, String name) throws IOException {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw new UserInputException(name + " is truncated: it ends before the voxel data starts (byte " + n
                    + "). Copy or export the file again.");
        }
    }

    /** The most bytes a gzip file of this size can decompress to (with slack for tiny files). */
    static long gzipCapacity(long compressedSize) {
        return compressedSize > (Long.MAX_VALUE >> 12) ? Long.MAX_VALUE : compressedSize * MAX_GZIP_RATIO + (1 << 16);
    }

    /** Refuses an allocation the Java heap cannot hold (after one garbage collection). */
    static void checkMemory(long bytes, String name) {
        Runtime rt = Runtime.getRuntime();
        long margin = rt.maxMemory() / 20;
        if (bytes <= rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - margin) return;
        System.gc();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - margin;
        if (bytes > free) {
            throw new UserInputException(name + " needs " + human(bytes) + " of memory as an ImageJ image, but only "
                    + human(Math.max(0, free)) + " is free. Give ImageJ more memory (Edit>Options>Memory & Threads),"
                    + " close other images, or crop/downsample the volume first.");
        }
    }

    // ------------------------------------------------------------------ conversion

    /** The ImageJ pixel array kind a datatype becomes. */
    enum Out {
        BYTE(1), SHORT(2), FLOAT(4), RGB(4);

        final int bytes;

        Out(int bytes) {
            this.bytes = bytes;
        }

        Object allocate(int n) {
            switch (this) {
                case BYTE: return new byte[n];
                case SHORT: return new short[n];
                case RGB: return new int[n];
                default: return new float[n];
            }
        }
    }

    static Out outputKind(NiftiHeader h, NiftiDataType type) {
        if (type.isColor()) return Out.RGB;
        if (h.hasScaling()) return Out.FLOAT;
        if (type == NiftiDataType.UINT8) return Out.BYTE;
        if (type == NiftiDataType.UINT16 || type == NiftiDataType.INT16) return Out.SHORT;
        return Out.FLOAT;
    }

    private static final class MinMax {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        boolean valid() {
            return min <= max;
        }
    }

    private static void convert(ByteBuffer bb, int off, int n, NiftiDataType type, Out out, Object dest, int di,
                                boolean scaled, double slope, double inter, MinMax mm) {
        switch (out) {
            case BYTE: {
                byte[] d = (byte[]) dest;
                System.arraycopy(bb.array(), off, d, di, n);
                double lo = mm.min, hi = mm.max;
                for (int k = 0; k < n; k++) {
                    int v = d[di + k] & 0xff;
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                }
                mm.min = lo;
                mm.max = hi;
                return;
            }
            case SHORT: {
                short[] d = (short[]) dest;
                int shift = type == NiftiDataType.INT16 ? 32768 : 0;
                double lo = mm.min, hi = mm.max;
                for (int k = 0; k < n; k++) {
                    int raw = type == NiftiDataType.INT16 ? bb.getShort(off + 2 * k) + shift : bb.getShort(off + 2 * k) & 0xffff;
                    d[di + k] = (short) raw;
                    if (raw < lo) lo = raw;
                    if (raw > hi) hi = raw;
                }
                mm.min = lo;
                mm.max = hi;
                return;
            }
            case RGB: {
                int[] d = (int[]) dest;
                int bpv = type.bytes();
                byte[] a = bb.array();
                for (int k = 0; k < n; k++) {
                    int p = off + k * bpv;
                    d[di + k] = 0xff000000 | (a[p] & 0xff) << 16 | (a[p + 1] & 0xff) << 8 | (a[p + 2] & 0xff);
                }
                return;
            }
            default:
                convertFloat(bb, off, n, type, (float[]) dest, di, scaled, slope, inter, mm);
        }
    }

    private static void convertFloat(ByteBuffer bb, int off, int n, NiftiDataType type, float[] d, int di,
                                     boolean scaled, double slope, double inter, MinMax mm) {
        for (int k = 0; k < n; k++) {
            double raw;
            switch (type) {
                case UINT8: raw = bb.get(off + k) & 0xff; break;
                case INT8: raw = bb.get(off + k); break;
                case INT16: raw = bb.getShort(off + 2 * k); break;
                case UINT16: raw = bb.getShort(off + 2 * k) & 0xffff; break;
                case INT32: raw = bb.getInt(off + 4 * k); break;
                case UINT32: raw = bb.getInt(off + 4 * k) & 0xffffffffL; break;
                case INT64: raw = bb.getLong(off + 8 * k); break;
                case UINT64: raw = unsignedToDouble(bb.getLong(off + 8 * k)); break;
                case FLOAT32: raw = bb.getFloat(off + 4 * k); break;
                case FLOAT64: raw = bb.getDouble(off + 8 * k); break;
                default: throw new IllegalStateException("not a scalar type: " + type);
            }
            float v = (float) (scaled ? raw * slope + inter : raw);
            d[di + k] = v;
            if (v < mm.min && v > Float.NEGATIVE_INFINITY) mm.min = v;
            if (v > mm.max && v < Float.POSITIVE_INFINITY) mm.max = v;
        }
    }

    static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }

    // ------------------------------------------------------------------ messages

    static String dims(NiftiHeader h) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= h.dim[0]; i++) sb.append(i == 1 ? "" : " x ").append(h.dim[i]);
        return sb.toString();
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        if (bytes < 1024L * 1024) return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1073741824.0);
    }
}
