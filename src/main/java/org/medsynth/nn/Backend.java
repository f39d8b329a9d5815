package org.medsynth.nn;

import org.medsynth.core.UserInputException;

/**
 * Starts ND4J once and turns a failure into one message a user can act on. ND4J reports a
 * missing GPU, an unsupported GPU generation or missing native libraries with linkage errors deep
 * in its static initialisers (after which every later use fails with "Could not initialize class
 * Nd4j"), so commands that use networks call {@link #require()} first.
 */
public final class Backend {

    private static volatile boolean ready;
    private static volatile String failure;

    private Backend() { }

    /**
     * Makes the native thread pools sleep instead of spinning while they wait for work, unless the user set the
     * variable: OpenMP's (OMP_WAIT_POLICY=PASSIVE; ND4J's and libtorch's kernels) and OpenBLAS's
     * (OPENBLAS_THREAD_TIMEOUT=4, i.e. 2^4 cycles instead of 2^28, about 0.1 s). Must run before ND4J's native
     * libraries load (libgomp and OpenBLAS read them then).
     * Spinning threads steal the cores that the working threads need whenever another process uses the
     * CPU (Fiji's own threads, a second job), which makes training steps several times slower
     * (docs/benchmarks.md). OpenBLAS's worker spins after every matrix product, and libtorch computes some small
     * convolutions by one (its slow_conv2d path, e.g. 3x3 kernels on small maps at batch 1), so on 2 cores the worker
     * took a core from the OpenMP threads for most of a step: a pix2pix iteration on libtorch 0.21 -> 0.18 s, the
     * 3D-MedGAN's D step at 64^3 0.12 -> 0.09 s (docs/lab-notes/libtorch-openblas-spin.md). The setting changes when
     * the worker sleeps, not what it computes; ND4J's steps measured the same (their convolutions do not reach OpenBLAS).
     * <p>
     * Passive OpenMP threads still spin {@value #OPENMP_SPIN_COUNT} turns (GOMP_SPINCOUNT, about 10 µs) before they
     * sleep, unless the user chose a spin count or a policy other than PASSIVE: a libtorch step runs its ops back to
     * back, and waking a sleeping thread for each cost 3-10 % of the GAN iterations on 2 cores (pix2pix 0.18 -> 0.17 s,
     * PGGAN 64 px 0.36 -> 0.34 s); segmentation steps and ND4J's measured the same, and with another process busy on
     * a core the difference stayed within 5 % either way (docs/lab-notes/libtorch-thread-wakeups.md). Longer spins
     * (10^4 turns) gained more when idle but made steps 1.5x slower under that load.
     */
    public static void preferPassiveThreadWaiting() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        setIfUnset("OMP_WAIT_POLICY", "PASSIVE");
        if (policy == null || policy.equalsIgnoreCase("PASSIVE")) setIfUnset("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT);
        setIfUnset("OPENBLAS_THREAD_TIMEOUT", "4");
    }

    /** Turns an OpenMP thread spins before it sleeps ({@link #preferPassiveThreadWaiting}); benchmarks give PyTorch the same. */
    public static final String OPENMP_SPIN_COUNT = "1000";

    private static void setIfUnset(String name, String value) {
        if (System.getenv(name) != null) return;
        try {
            com.sun.jna.platform.unix.LibC.INSTANCE.setenv(name, value, 0);
        } catch (Throwable e) {
            // not Linux/glibc, or JNA missing: the native libraries then use their defaults (still correct, slower under load)
        }
    }

    /** System property: {@code release} gives freed native memory back to the kernel at once (glibc's default). */
    public static final String NATIVE_MEMORY_PROPERTY = "medsynth.nativeMemory";

    /** The two glibc allocator calls used by {@link #keepFreedNativeMemory()}. */
    private interface GlibcMalloc extends com.sun.jna.Library {
        int M_TRIM_THRESHOLD = -1;
        int M_TOP_PAD = -2;
        int M_MMAP_MAX = -4;

        int mallopt(int param, int value);
    }

    private static volatile boolean allocatorTuned;

    /**
     * Makes glibc keep freed native memory for reuse instead of handing it back to the kernel.
     *
     * <p>Why: a training step allocates and frees gigabytes of activation and gradient arrays. With
     * glibc's defaults every array above its mmap threshold (at most 32 MB) is a fresh mapping that the
     * kernel faults in and zeroes page by page, and is unmapped again when freed: on large 3D steps
     * most of the step's time was the kernel's page faulting. With this setting AND
     * one malloc arena (environment variable {@code MALLOC_ARENA_MAX=1}, set by bin/medsynth-headless and
     * the Maven test runs) the faults disappear (docs/benchmarks.md). The arena matters because arrays
     * above 64 MB allocated by any thread but the process's first always become fresh mappings (glibc's
     * per-thread heaps are at most 64 MB), and the arena count can only be set before the JVM starts
     * (see {@link #allocatorAdvice()}).
     *
     * <p>The price: the process keeps its peak native memory until it ends (as PyTorch's and most
     * deep-learning allocators do). {@code -Dmedsynth.nativeMemory=release} keeps glibc's defaults.
     * Not Linux/glibc: nothing happens.
     */
    public static void keepFreedNativeMemory() {
        if (allocatorTuned || "release".equalsIgnoreCase(System.getProperty(NATIVE_MEMORY_PROPERTY))) return;
        allocatorTuned = true;
        try {
            GlibcMalloc c = (GlibcMalloc) com.sun.jna.Native.loadLibrary("c", GlibcMalloc.class);
            c.mallopt(GlibcMalloc.M_MMAP_MAX, 0);                        // large arrays from the heap too, reused after free
            c.mallopt(GlibcMalloc.M_TRIM_THRESHOLD, Integer.MAX_VALUE);  // never trim the heap top
            c.mallopt(GlibcMalloc.M_TOP_PAD, 256 << 20);                 // grow the heap in 256 MB steps
        } catch (Throwable e) {
            // not glibc, or JNA missing: glibc's/the platform's defaults stay (correct, a little slower)
        }
    }

    /**
     * A hint for the log when the process runs with several malloc arenas (Linux only, null otherwise),
     * which makes large 2D and 3D training steps much slower (see {@link #keepFreedNativeMemory()}).
     */
    public static String allocatorAdvice() {
        return allocatorAdvice(System.getProperty("os.name", ""), System.getenv("MALLOC_ARENA_MAX"),
                System.getProperty(NATIVE_MEMORY_PROPERTY));
    }

    static String allocatorAdvice(String osName, String arenaMax, String nativeMemory) {
        if (!osName.toLowerCase(java.util.Locale.ROOT).contains("linux")) return null;
        if (arenaMax != null || "release".equalsIgnoreCase(nativeMemory)) return null;
        return "Training runs up to 2.4x faster (large 3D patches) when Fiji is started with the environment variable "
                + "MALLOC_ARENA_MAX=1, e.g. 'MALLOC_ARENA_MAX=1 ./ImageJ-linux64' (bin/medsynth-headless sets it).";
    }

    /**
     * Ensures ND4J works (runs one small operation); throws {@link UserInputException} if not.
     * Also silences ND4J's gradient debug lines on the console ({@link Nd4jDebugFilter}), in the GUI as
     * headless; checked on every call because a host (Fiji's console) may replace System.out later.
     */
    public static void require() {
        Nd4jDebugFilter.install();
        if (ready) return;
        preferPassiveThreadWaiting();
        keepFreedNativeMemory();
        synchronized (Backend.class) {
            if (ready) return;
            if (failure != null) throw new UserInputException(failure);
            try {
                // ND4J finds its backend with ServiceLoader through this loader, which defaults to the thread's
                // context loader at class initialisation: the system loader in ImageJ, which cannot see MedSynth's jars
                org.nd4j.common.config.ND4JClassLoading.setNd4jClassloaderFromClass(Backend.class);
                double sum = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4).addi(1).sumNumber().doubleValue();
                if (sum != 8.0) throw new IllegalStateException("ND4J computed 1+1 summed over 4 as " + sum);
                ready = true;
            } catch (Throwable t) {
                // a memory limit reached while loading is not a broken install: the caller names the limit (not cached)
                OutOfMemoryError oom = outOfMemoryIn(t);
                if (oom != null) throw oom;
                if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
                failure = describe(t, cudaBuild());
                throw new UserInputException(failure, t);
            }
        }
    }

    /** The OutOfMemoryError that {@code t} is or was caused by (e.g. in a static initialiser), or null. */
    public static OutOfMemoryError outOfMemoryIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError oom) return oom;
        }
        return null;
    }

    /** The backend in use, for logs and benchmark reports, e.g. "CPU (oneDNN)". */
    public static String name() {
        require();
        String env = String.valueOf(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation());
        return cudaBuild() ? "CUDA" : env.contains("HAVE_ONEDNN") || onednnBuild() ? "CPU (oneDNN)" : "CPU";
    }

    /**
     * What a bug report needs to know about the engine: its backend, the JavaCPP version that loaded its
     * natives, and where MedSynth's libraries were loaded from (lib/medsynth in ImageJ and Fiji installs).
     */
    public static java.util.Map<String, String> info() {
        java.util.Map<String, String> info = new java.util.LinkedHashMap<>();
        info.put("engine", "ND4J " + mavenVersion(org.nd4j.linalg.factory.Nd4j.class, "org.nd4j", "nd4j-api") + ", " + name());
        try {
            info.put("JavaCPP", org.bytedeco.javacpp.Loader.getVersion());
            info.put("native cache", org.bytedeco.javacpp.Loader.getCacheDir().getPath());
        } catch (java.io.IOException e) {
            info.put("JavaCPP", "unknown (" + e.getMessage() + ")");
        }
        info.put("loaded from", location(Backend.class) + " (JavaCPP: " + location(org.bytedeco.javacpp.Loader.class) + ")");
        return info;
    }

    /** The version in a jar's Maven metadata (ND4J's jars have no Implementation-Version). */
    private static String mavenVersion(Class<?> inJar, String group, String artifact) {
        try (java.io.InputStream in = inJar.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
            if (in == null) return "(version unknown)";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "(version unknown)");
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    private static String location(Class<?> c) {
        java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null ? "unknown" : cs.getLocation().getPath();
    }

    /** True if this MedSynth build carries ND4J's CUDA backend (mvn -Pcuda). */
    static boolean cudaBuild() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean onednnBuild() {
        return Backend.class.getClassLoader().getResource("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn") != null;
    }

    /** A message that says what failed and what to do. */
    static String describe(Throwable t, boolean cuda) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String cause = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
        if (cuda) {
            return "The GPU (CUDA) backend of MedSynth could not start (" + cause + "). This build uses ND4J 1.0.0-M2.1 "
                    + "for CUDA 11.6: it needs an NVIDIA GPU of the Kepler to Ampere generations with a driver for CUDA 11.6 "
                    + "and the CUDA 11.6 / cuDNN 8.3 libraries; newer GPUs such as the H100/H200 (Hopper) are not supported. "
                    + "Use the default CPU build (mvn package without -Pcuda) on this machine.";
        }
        return "MedSynth's neural-network engine (ND4J, CPU) could not start (" + cause + "). It needs Linux on x86-64 "
                + "and about 500 MB free in ~/.javacpp/cache for its native libraries; check that every jar of "
                + "MedSynth's jars folder was installed (nd4j-native-*-linux-x86_64-onednn.jar and openblas-*-linux-x86_64.jar).";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
