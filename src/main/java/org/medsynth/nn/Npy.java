package org.medsynth.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} array (format versions 1-3), parsed without allocating the array,
 * so that a model archive's arrays can be checked against their own size first.
 */
final class Npy {

    /** Shape, value type ('f', 'i', 'u', 'b'), byte order ('<', '>', '|', '='), bytes per value and where the values start. */
    record Header(long[] shape, char kind, char byteOrder, int itemSize, boolean fortranOrder, int dataOffset) {
        /** Bytes the values take, or -1 if that overflows a long. */
        long bytes() {
            long n = itemSize;
            for (long d : shape) {
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    return -1;
                }
            }
            return n;
        }
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() { }

    /** @throws IllegalArgumentException with the reason, for anything that is not a well-formed .npy header */
    static Header header(byte[] b) {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || b[1] != 'N' || b[2] != 'U' || b[3] != 'M' || b[4] != 'P' || b[5] != 'Y') {
            throw new IllegalArgumentException("no NumPy header");
        }
        int major = b[6] & 0xff;
        int len, start;
        if (major == 1) {
            len = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) throw new IllegalArgumentException("header cut short");
            long l = (b[8] & 0xffL) | (b[9] & 0xffL) << 8 | (b[10] & 0xffL) << 16 | (b[11] & 0xffL) << 24;
            if (l > Integer.MAX_VALUE) throw new IllegalArgumentException("header length " + l);
            len = (int) l;
            start = 12;
        } else {
            throw new IllegalArgumentException("unknown .npy version " + major);
        }
        if ((long) start + len > b.length) throw new IllegalArgumentException("header longer than the entry");
        String dict = new String(b, start, len, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) throw new IllegalArgumentException("header lacks descr, fortran_order or shape");
        int itemSize;
        try {
            itemSize = Integer.parseInt(d.group(3));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value size " + d.group(3));
        }
        if (itemSize < 1 || itemSize > 16) throw new IllegalArgumentException("value size " + itemSize);
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            long v;
            try {
                v = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape " + s.group(1));
            }
            if (v < 0) throw new IllegalArgumentException("negative size in shape (" + s.group(1) + ")");
            dims.add(v);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return new Header(shape, d.group(2).charAt(0), d.group(1).charAt(0), itemSize, f.group(1).equals("True"), start + len);
    }

    /**
     * The values as a C-order array, decoded in Java from a header checked by {@link #header} against the
     * entry's size. Types: float 32/64, signed int 8/16/32/64, unsigned int 8, bool.
     *
     * @throws IllegalArgumentException for another type, byte order or Fortran order
     */
    static INDArray toArray(Header h, byte[] b) {
        if (h.fortranOrder()) throw new IllegalArgumentException("Fortran order");
        ByteOrder order;
        switch (h.byteOrder()) {
            case '<', '|', '=' -> order = ByteOrder.LITTLE_ENDIAN;
            case '>' -> order = ByteOrder.BIG_ENDIAN;
            default -> throw new IllegalArgumentException("byte order " + h.byteOrder());
        }
        long count = 1;
        for (long d : h.shape()) count *= d;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("more than 2^31 values");
        int n = (int) count;
        ByteBuffer bb = ByteBuffer.wrap(b, h.dataOffset(), b.length - h.dataOffset()).slice().order(order);
        long[] shape = h.shape();
        String type = h.kind() + String.valueOf(h.itemSize());
        switch (type) {
            case "f4": {
                float[] v = new float[n];
                bb.asFloatBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case "f8": {
                double[] v = new double[n];
                bb.asDoubleBuffer().get(v);
                return Nd4j.create(v, shape, 'c');
            }
            case "i8": {
                long[] v = new long[n];
                bb.asLongBuffer().get(v);
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
            case "i4": {
                int[] v = new int[n];
                bb.asIntBuffer().get(v);
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
            case "i2": {
                short[] v = new short[n];
                bb.asShortBuffer().get(v);
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
            case "i1": {
                byte[] v = new byte[n];
                bb.get(v);
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
            case "u1": {
                byte[] v = new byte[n];
                bb.get(v);
                return Nd4j.createFromArray(v).castTo(DataType.UBYTE).reshape('c', shape);
            }
            case "b1": {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = bb.get(i) != 0;
                return Nd4j.createFromArray(v).reshape('c', shape);
            }
            default:
                throw new IllegalArgumentException("value type '" + h.byteOrder() + type + "', which MedSynth does not write");
        }
    }
}
