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
}
