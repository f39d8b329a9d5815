package org.medsynth.ij1;

import java.util.Locale;

/**
 * The message for a command that ran out of memory: which of the three limits it reached and how to raise that one
 * where the user started MedSynth. The limits: the Java heap ({@code -Xmx}); JavaCPP's limit on the whole process's
 * memory ({@code org.bytedeco.javacpp.maxphysicalbytes}, by default twice the heap), which the networks' native arrays
 * count towards on either engine; JavaCPP's limit on the arrays it tracks ({@code org.bytedeco.javacpp.maxbytes}).
 * MedSynth's launcher scripts set the last two themselves ({@code MEDSYNTH_MAX_NATIVE}, {@code MEDSYNTH_MAX_NATIVE_BYTES})
 * and name themselves in the {@value #LAUNCHER} property, so ImageJ's memory dialog is only suggested where it applies.
 */
final class OutOfMemoryAdvice {
    /** System property that MedSynth's launcher scripts set to their own name (e.g. bin/medsynth-headless). */
    static final String LAUNCHER = "medsynth.launcher";

    /** Where the limits are set: a MedSynth launcher script, ImageJ's window, or a Java command line without either. */
    enum Start { LAUNCHER, IMAGEJ_WINDOW, JAVA_COMMAND }

    private enum Limit {
        HEAP(null), PROCESS("org.bytedeco.javacpp.maxphysicalbytes"), TRACKED("org.bytedeco.javacpp.maxbytes"),
        /** Any other (the system refused an allocation, a thread, ...): named by its own message. */
        OTHER(null);

        /** The system property that sets the limit (JavaCPP's), or null (the heap: -Xmx). */
        final String property;

        Limit(String property) {
            this.property = property;
        }
    }

    private OutOfMemoryAdvice() { }

    /** The message for {@code e} in the running JVM. */
    static String of(OutOfMemoryError e) {
        String launcher = System.getProperty(LAUNCHER);
        Limit limit = limitOf(e);
        Start start = start(launcher, java.awt.GraphicsEnvironment.isHeadless(), limit.property != null && System.getProperty(limit.property) != null);
        // only ask JavaCPP for its limits when it reported the error (then it is loaded)
        long bytes = switch (limit) {
            case HEAP, OTHER -> Runtime.getRuntime().maxMemory();
            case PROCESS -> org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
            case TRACKED -> org.bytedeco.javacpp.Pointer.maxBytes();
        };
        return of(e, start, launcher, bytes);
    }

    /**
     * Where the limit is raised: a launcher script's variables; else ImageJ's memory dialog in a window, unless the
     * limit was set on the command line ({@code limitSetExplicitly}: a JavaCPP limit does not follow the dialog's heap).
     */
    static Start start(String launcher, boolean headless, boolean limitSetExplicitly) {
        if (launcher != null && !launcher.isBlank()) return Start.LAUNCHER;
        return headless || limitSetExplicitly ? Start.JAVA_COMMAND : Start.IMAGEJ_WINDOW;
    }

    /**
     * The message for {@code e}, reached with the limit {@code limitBytes} (the one {@code e} names), MedSynth started
     * as {@code start} ({@code launcher}: the script's name, for {@link Start#LAUNCHER}).
     */
    static String of(OutOfMemoryError e, Start start, String launcher, long limitBytes) {
        Limit limit = limitOf(e);
        String what = switch (limit) {
            case HEAP -> "the Java heap (" + gb(limitBytes) + ") is full";
            case PROCESS -> "the process reached its memory limit of " + gb(limitBytes)
                    + " (images, networks and their activations together)";
            case TRACKED -> "the native arrays reached their limit of " + gb(limitBytes);
            case OTHER -> "the process could not get more memory (" + e.getMessage() + ")";
        };
        return "Out of memory: " + what + ". Use smaller images, a smaller batch or patch size, or "
                + raise(limit, start, launcher, twice(limitBytes)) + ".";
    }

    private static Limit limitOf(OutOfMemoryError e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        // JavaCPP's own two messages (org.bytedeco.javacpp.Pointer.deallocator)
        if (m.startsWith("Physical memory usage is too high")) return Limit.PROCESS;
        if (m.startsWith("Failed to allocate memory within limits")) return Limit.TRACKED;
        return m.isEmpty() || m.startsWith("Java heap space") || m.startsWith("GC overhead") ? Limit.HEAP : Limit.OTHER;
    }

    /** Twice the limit, in whole gibibytes as Java's and JavaCPP's options write them ("24G"). */
    private static long twice(long bytes) {
        return Math.max(2, (2 * bytes + GIB - 1) / GIB);
    }

    private static String raise(Limit limit, Start start, String launcher, long g) {
        return switch (start) {
            case LAUNCHER -> switch (limit) {
                case HEAP, OTHER -> "give Java more memory (MEDSYNTH_JAVA_OPTS=-Xmx" + g + "g before " + launcher + ")";
                case PROCESS -> "raise the limit if the machine has the memory (MEDSYNTH_MAX_NATIVE=" + g + "G before " + launcher + ")";
                case TRACKED -> "raise the limit if the machine has the memory (MEDSYNTH_MAX_NATIVE_BYTES=" + g + "G before " + launcher + ")";
            };
            case IMAGEJ_WINDOW -> "give ImageJ more memory (Edit>Options>Memory & Threads, then restart ImageJ" + switch (limit) {
                case HEAP, OTHER -> ")";
                case PROCESS -> "; the process may then use twice that)";
                case TRACKED -> "; the native arrays may then use as much)";
            };
            case JAVA_COMMAND -> switch (limit) {
                case HEAP, OTHER -> "start Java with more memory (-Xmx" + g + "g; Fiji: --mem=" + g + "G)";
                case PROCESS, TRACKED -> "start Java with a higher limit (-D" + limit.property + "=" + g + "G; by default "
                        + (limit == Limit.PROCESS ? "twice -Xmx)" : "-Xmx)");
            };
        };
    }

    private static final long GIB = 1L << 30;

    /** In the unit of the options ("12G" = 12 x 2^30 bytes), so that the message quotes the number the user set. */
    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / (double) GIB);
    }
}
