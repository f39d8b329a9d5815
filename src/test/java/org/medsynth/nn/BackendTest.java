package org.medsynth.nn;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

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
    void aMemoryLimitReachedWhileLoadingIsFoundUnderTheLinkageErrorsThatWrapIt() {
        OutOfMemoryError oom = new OutOfMemoryError("Physical memory usage is too high: physicalBytes (121M) > maxPhysicalBytes (64M)");
        assertSame(oom, Backend.outOfMemoryIn(new NoClassDefFoundError("Could not initialize class org.nd4j.linalg.factory.Nd4j") {
            { initCause(new ExceptionInInitializerError(new RuntimeException("loading", oom))); }
        }));
        assertSame(oom, Backend.outOfMemoryIn(oom));
        assertNull(Backend.outOfMemoryIn(new UnsatisfiedLinkError("no jnind4jcpu in java.library.path")));
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

    /**
     * After a matrix product OpenBLAS's worker thread sleeps at once instead of spinning for about 0.1 s (which took a
     * core from libtorch's OpenMP threads on 2 cores): the process uses next to no CPU while it idles after one. In a
     * JVM of its own, started without the variable, because OpenBLAS reads it when it loads.
     */
    @Test
    void openBlasWorkersSleepAfterAProductUnlessTheUserSaysOtherwise() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat")), "Linux only");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), IdleAfterProduct.class.getName()).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_THREAD_TIMEOUT");
        pb.environment().remove("GOTO_THREAD_TIMEOUT");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String line = out.lines().filter(l -> l.startsWith("idle-cpu-ms ")).findFirst().orElseThrow(() -> new AssertionError(out));
        String[] f = line.split(" ");
        assertEquals("4", f[2], "OPENBLAS_THREAD_TIMEOUT in the native environment");
        // spinning: a worker busy for most of the 300 ms idle time after each of the products
        assertTrue(Double.parseDouble(f[1]) < 60, "CPU used while idle after matrix products: " + f[1] + " ms");
    }

    /** Child JVM of the test above: Backend first (as every MedSynth command), then products, then idle time. */
    public static final class IdleAfterProduct {
        public static void main(String[] args) throws Exception {
            Backend.require();
            org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 768, 768);
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            double idle = 0;
            for (int i = 0; i < 3; i++) {
                a.mmul(a).close();
                long c0 = os.getProcessCpuTime();
                Thread.sleep(300);
                idle += (os.getProcessCpuTime() - c0) / 1e6 / 3;
            }
            System.out.println("idle-cpu-ms " + idle + " " + com.sun.jna.platform.unix.LibC.INSTANCE.getenv("OPENBLAS_THREAD_TIMEOUT"));
        }
    }

    /**
     * OpenMP's threads sleep after a short spin ({@link Backend#OPENMP_SPIN_COUNT} turns) when MedSynth chooses their
     * policy or the user chose PASSIVE; a user who chose ACTIVE, or a spin count, keeps that choice. In JVMs of their own,
     * because libgomp reads the variables when it loads.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "OMP_WAIT_POLICY={0}, GOMP_SPINCOUNT={1}")
    @org.junit.jupiter.params.provider.CsvSource(value = {"-, -, PASSIVE, 1000", "PASSIVE, -, PASSIVE, 1000", "ACTIVE, -, ACTIVE, -",
            "-, 300000, PASSIVE, 300000"}, nullValues = "-")
    void openMpThreadsSpinBrieflyUnlessTheUserChoseOtherwise(String policy, String spins, String expectedPolicy, String expectedSpins) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat")), "Linux only");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), NativeEnvironment.class.getName()).redirectErrorStream(true);
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("GOMP_SPINCOUNT");
        if (policy != null) pb.environment().put("OMP_WAIT_POLICY", policy);
        if (spins != null) pb.environment().put("GOMP_SPINCOUNT", spins);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        String line = out.lines().filter(l -> l.startsWith("openmp ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals("openmp " + expectedPolicy + " " + (expectedSpins == null ? "-" : expectedSpins), line);
    }

    /** Child JVM of the test above: the OpenMP variables in the native environment after MedSynth's start ("-" when unset). */
    public static final class NativeEnvironment {
        public static void main(String[] args) {
            Backend.require();
            var libc = com.sun.jna.platform.unix.LibC.INSTANCE;
            String spins = libc.getenv("GOMP_SPINCOUNT");
            System.out.println("openmp " + libc.getenv("OMP_WAIT_POLICY") + " " + (spins == null ? "-" : spins));
        }
    }
}
