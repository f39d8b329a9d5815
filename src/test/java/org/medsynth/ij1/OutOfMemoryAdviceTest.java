package org.medsynth.ij1;

import org.junit.jupiter.api.Test;
import org.medsynth.ij1.OutOfMemoryAdvice.Start;
import org.medsynth.testutil.ErrorMatrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each limit is named with its size, and raised the way MedSynth was started. */
class OutOfMemoryAdviceTest {
    private static final long G = 1L << 30;
    // JavaCPP's own messages (org.bytedeco.javacpp.Pointer.deallocator)
    private static final OutOfMemoryError PROCESS = new OutOfMemoryError("Physical memory usage is too high: physicalBytes = 12G > maxPhysicalBytes = 12G");
    private static final OutOfMemoryError TRACKED = new OutOfMemoryError("Failed to allocate memory within limits: totalBytes = 8G + 1M > maxBytes = 8G");
    private static final OutOfMemoryError HEAP = new OutOfMemoryError("Java heap space");

    @Test
    void theLauncherScriptsLimitIsRaisedByItsEnvironmentVariableToTwiceItsSize() {
        String m = OutOfMemoryAdvice.of(PROCESS, Start.LAUNCHER, "bin/medsynth-headless", 12 * G);
        assertEquals("Out of memory: the process reached its memory limit of 12.0 GB (images, networks and their activations"
                + " together). Use smaller images, a smaller batch or patch size, or raise the limit if the machine has the"
                + " memory (MEDSYNTH_MAX_NATIVE=24G before bin/medsynth-headless).", m);
        ErrorMatrix.check("out-of-memory-process", m);
        assertTrue(OutOfMemoryAdvice.of(TRACKED, Start.LAUNCHER, "bin/medsynth-headless", 8 * G)
                .contains("native arrays reached their limit of 8.0 GB"), "tracked arrays");
        assertTrue(OutOfMemoryAdvice.of(TRACKED, Start.LAUNCHER, "bin/medsynth-headless", 8 * G)
                .contains("MEDSYNTH_MAX_NATIVE_BYTES=16G before bin/medsynth-headless"));
        String heap = OutOfMemoryAdvice.of(HEAP, Start.LAUNCHER, "bin/medsynth-gui", 3 * G / 2);
        assertTrue(heap.contains("the Java heap (1.5 GB) is full") && heap.contains("MEDSYNTH_JAVA_OPTS=-Xmx3g before bin/medsynth-gui"), heap);
    }

    @Test
    void inImageJsWindowTheMemoryDialogIsNamedAndOnlyThere() {
        ErrorMatrix.check("out-of-memory-heap", OutOfMemoryAdvice.of(HEAP, Start.IMAGEJ_WINDOW, null, 4 * G));
        for (OutOfMemoryError e : new OutOfMemoryError[] {PROCESS, TRACKED, HEAP}) {
            assertTrue(OutOfMemoryAdvice.of(e, Start.IMAGEJ_WINDOW, null, 4 * G).contains("Edit>Options>Memory & Threads"), e.getMessage());
            String cmd = OutOfMemoryAdvice.of(e, Start.JAVA_COMMAND, null, 4 * G);
            assertFalse(cmd.contains("Edit>Options"), cmd);
            String launcher = OutOfMemoryAdvice.of(e, Start.LAUNCHER, "bin/medsynth-headless", 4 * G);
            assertFalse(launcher.contains("Edit>Options"), launcher);
        }
        assertTrue(OutOfMemoryAdvice.of(PROCESS, Start.JAVA_COMMAND, null, 4 * G).contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=8G"));
        assertTrue(OutOfMemoryAdvice.of(HEAP, Start.JAVA_COMMAND, null, 4 * G).contains("-Xmx8g; Fiji: --mem=8G"));
        String other = OutOfMemoryAdvice.of(new OutOfMemoryError("unable to create native thread: possibly out of memory"), Start.JAVA_COMMAND, null, G);
        assertTrue(other.startsWith("Out of memory: the process could not get more memory (unable to create native thread"), other);
        // an error without a message is the heap's
        assertTrue(OutOfMemoryAdvice.of(new OutOfMemoryError(), Start.JAVA_COMMAND, null, G).contains("the Java heap (1.0 GB) is full"));
    }

    @Test
    void theMemoryDialogIsForImageJsWindowWhereNoLauncherOrCommandLineSetTheLimit() {
        assertEquals(Start.LAUNCHER, OutOfMemoryAdvice.start("bin/medsynth-gui", false, true));
        assertEquals(Start.IMAGEJ_WINDOW, OutOfMemoryAdvice.start(null, false, false));
        assertEquals(Start.JAVA_COMMAND, OutOfMemoryAdvice.start(null, false, true));
        assertEquals(Start.JAVA_COMMAND, OutOfMemoryAdvice.start("", true, false));
    }
}
