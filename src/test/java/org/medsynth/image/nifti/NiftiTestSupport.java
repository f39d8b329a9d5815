package org.medsynth.image.nifti;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test images whose voxel values are a formula of their NIfTI indices, and file helpers. */
final class NiftiTestSupport {

    private NiftiTestSupport() { }

    /**
     * raw(i, j, k, t, c) = base + step * ((3 i + 7 j + 11 k + 13 t + 17 c) mod modulus), the formula of
     * {@code nifti_reference.py pattern()} (which has no channel term) scaled by step.
     */
    static double pattern(int i, int j, int k, int t, int c, double base, long modulus, double step) {
        return base + step * ((3L * i + 7L * j + 11L * k + 13L * t + 17L * c) % modulus);
    }

    /** An image of the given bit depth whose pixel at ImageJ (x, y) holds pattern(x, h - 1 - y, ...). */
    static ImagePlus phantom(int bitDepth, int w, int h, int nz, int nt, int nc, double base, long modulus, double step) {
        ImageStack stack = new ImageStack(w, h);
        for (int t = 0; t < nt; t++) {
            for (int z = 0; z < nz; z++) {
                for (int c = 0; c < nc; c++) {
                    ImageProcessor ip;
                    switch (bitDepth) {
                        case 8: ip = new ByteProcessor(w, h); break;
                        case 16: ip = new ShortProcessor(w, h); break;
                        case 24: ip = new ColorProcessor(w, h); break;
                        default: ip = new FloatProcessor(w, h);
                    }
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            double v = pattern(x, h - 1 - y, z, t, c, base, modulus, step);
                            if (bitDepth == 24) ip.set(x, y, rgb((long) v));
                            else if (bitDepth == 32) ip.setf(x, y, (float) v);
                            else ip.set(x, y, (int) v);
                        }
                    }
                    stack.addSlice("", ip);
                }
            }
        }
        ImagePlus imp = new ImagePlus("phantom", stack);
        imp.setDimensions(nc, nz, nt);
        if (nc > 1 || nt > 1) imp.setOpenAsHyperStack(true);
        return imp;
    }

    /** The colour the RGB phantom and the Python fixtures use for raw value v. */
    static int rgb(long v) {
        return (int) ((v % 256) << 16 | ((v * 3) % 256) << 8 | ((v * 7) % 256));
    }

    /** The calibrated value of ImageJ pixel (x, y) in stack position (c, z, t), all 0-based. */
    static double value(ImagePlus imp, int x, int y, int z, int t, int c) {
        ImageProcessor ip = imp.getStack().getProcessor(imp.getStackIndex(c + 1, z + 1, t + 1));
        if (imp.getBitDepth() == 32) return ip.getf(x, y);
        if (imp.getBitDepth() == 24) return ip.get(x, y) & 0xffffff;
        return imp.getCalibration().getCValue(ip.get(x, y));
    }

    /** Asserts the same dimensions and calibrated values everywhere. */
    static void assertSameValues(ImagePlus expected, ImagePlus actual) {
        assertEquals(expected.getWidth(), actual.getWidth(), "width");
        assertEquals(expected.getHeight(), actual.getHeight(), "height");
        assertEquals(expected.getNChannels(), actual.getNChannels(), "channels");
        assertEquals(expected.getNSlices(), actual.getNSlices(), "slices");
        assertEquals(expected.getNFrames(), actual.getNFrames(), "frames");
        for (int t = 0; t < expected.getNFrames(); t++) {
            for (int z = 0; z < expected.getNSlices(); z++) {
                for (int c = 0; c < expected.getNChannels(); c++) {
                    for (int y = 0; y < expected.getHeight(); y++) {
                        for (int x = 0; x < expected.getWidth(); x++) {
                            double e = value(expected, x, y, z, t, c);
                            double a = value(actual, x, y, z, t, c);
                            if (Double.compare(e, a) != 0) {
                                assertEquals(e, a, "value at x=" + x + " y=" + y + " z=" + z + " t=" + t + " c=" + c);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A file made of a header, the 4 extension bytes and data (for hand-made, possibly broken, files). */
    static Path writeFile(Path file, NiftiHeader h, byte[] data) throws IOException {
        byte[] head = h.toBytes();
        byte[] all = new byte[head.length + 4 + data.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(data, 0, all, head.length + 4, data.length);
        Files.write(file, all);
        return file;
    }

    /** A minimal valid header: uint8, little-endian, the given sizes. */
    static NiftiHeader header(int version, long... sizes) {
        NiftiHeader h = new NiftiHeader();
        h.version = version;
        h.dim = new long[] {sizes.length, 1, 1, 1, 1, 1, 1, 1};
        System.arraycopy(sizes, 0, h.dim, 1, sizes.length);
        h.voxOffset = h.headerSize() + 4;
        return h;
    }

    static Properties properties(String resource) {
        Properties p = new Properties();
        try (InputStream in = NiftiTestSupport.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static double[] doubles(String csv) {
        String[] parts = csv.split(",");
        double[] d = new double[parts.length];
        for (int i = 0; i < parts.length; i++) d[i] = Double.parseDouble(parts[i].trim());
        return d;
    }

    static long[] longs(String csv) {
        String[] parts = csv.split(",");
        long[] d = new long[parts.length];
        for (int i = 0; i < parts.length; i++) d[i] = Long.parseLong(parts[i].trim());
        return d;
    }

    /** The test resource folder of this package on disk (for files read by path). */
    static Path resourceDir() {
        try {
            return Path.of(NiftiTestSupport.class.getResource("python/fixtures.properties").toURI()).getParent().getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
