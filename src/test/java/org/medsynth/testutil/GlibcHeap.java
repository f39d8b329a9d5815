package org.medsynth.testutil;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;

import java.util.Arrays;
import java.util.List;

/**
 * Bytes of native memory in use according to glibc ({@code mallinfo2}: allocated heap chunks plus mmapped
 * blocks). Unlike the resident set size it goes down when arrays are freed, so it shows how much of a pass's
 * memory is alive at each moment. Linux/glibc 2.33 or later only: {@link #available()} says whether.
 */
public final class GlibcHeap {

    /** glibc's struct mallinfo2 (all fields size_t). */
    public static class MallInfo2 extends Structure {
        public static class ByValue extends MallInfo2 implements Structure.ByValue { }

        public long arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;

        @Override
        protected List<String> getFieldOrder() {
            return Arrays.asList("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost");
        }
    }

    private interface LibC extends Library {
        MallInfo2.ByValue mallinfo2();
    }

    private static final LibC LIBC = load();

    private GlibcHeap() { }

    private static LibC load() {
        try {
            LibC c = (LibC) Native.loadLibrary("c", LibC.class);
            c.mallinfo2();
            return c;
        } catch (Throwable e) {
            return null;
        }
    }

    public static boolean available() {
        return LIBC != null;
    }

    /** Bytes in use now (heap chunks + mmapped blocks). */
    public static long inUse() {
        MallInfo2 m = LIBC.mallinfo2();
        return m.uordblks + m.hblkhd;
    }
}
