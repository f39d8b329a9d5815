package org.medsynth.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BackendTest {

    @Test
    void theCpuBackendStartsAndNamesOneDnn() {
        Backend.require();
        assertEquals("CPU (oneDNN)", Backend.name());
    }

    @Test
    void aGpuFailureSaysWhichGpusWorkAndWhatToDo() {
        Throwable t = new ExceptionInInitializerError(new RuntimeException(
                "cudaErrorNoKernelImageForDevice: no kernel image is available for execution on the device\n at ..."));
        String m = Backend.describe(t, true);
        assertTrue(m.contains("no kernel image is available"), m);
        assertFalse(m.contains("at ..."), "one line of the cause only: " + m);
        assertTrue(m.contains("CUDA 11.6") && m.contains("Hopper") && m.contains("without -Pcuda"), m);
    }

    @Test
    void aCpuNativeFailureNamesTheMissingJars() {
        String m = Backend.describe(new UnsatisfiedLinkError("no jnind4jcpu in java.library.path"), false);
        assertTrue(m.contains("jnind4jcpu") && m.contains("linux-x86_64-onednn"), m);
    }

    @Test
    void theAllocatorHintAppearsOnlyOnLinuxWithoutTheArenaSetting() {
        assertTrue(Backend.allocatorAdvice("Linux", null, null).contains("MALLOC_ARENA_MAX=1"));
        assertNull(Backend.allocatorAdvice("Linux", "1", null));
        assertNull(Backend.allocatorAdvice("Linux", null, "release"));
        assertNull(Backend.allocatorAdvice("Mac OS X", null, null));
    }

    @Test
    void freedNativeArraysAreReusedWithoutNewPageFaults() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat")), "Linux only");
        // as the Maven test runs and bin/medsynth-headless set it; with glibc's defaults every 100 MB array is a fresh mapping
        org.junit.jupiter.api.Assumptions.assumeTrue("1".equals(System.getenv("MALLOC_ARENA_MAX")), "needs MALLOC_ARENA_MAX=1");
        Backend.require();   // applies keepFreedNativeMemory()
        long pages = 100L << 20 >> 12;
        long last = -1;
        for (int i = 0; i < 3; i++) {
            long f0 = minorFaults();
            org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 25L << 20);
            a.assign(1);
            a.close();
            last = minorFaults() - f0;
        }
        // a fresh mapping would fault in every one of its 25,600 pages again
        assertTrue(last < pages / 10, "page faults when allocating 100 MB a third time: " + last + " of " + pages + " pages");
    }

    private static long minorFaults() throws java.io.IOException {
        String st = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
        return Long.parseLong(st.substring(st.lastIndexOf(')') + 2).split(" ")[7]);
    }
}
