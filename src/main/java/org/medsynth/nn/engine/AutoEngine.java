package org.medsynth.nn.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What {@code engine=auto} means on this machine: DL4J wherever it runs the networks, libtorch for an NVIDIA GPU that
 * ND4J cannot drive. ND4J's CPU build never uses a GPU, and its CUDA 11.6 build has kernels up to sm_86 (Ampere); so
 * auto is libtorch when libtorch's GPU build is installed, an NVIDIA device is present, and ND4J is either the CPU
 * build or the GPU is newer than Ampere. Decided once per JVM from files and {@code nvidia-smi}, without loading any
 * native library.
 */
final class AutoEngine {
    /** The newest compute capability ND4J's CUDA 11.6 natives have kernels for (sm_86). */
    static final double ND4J_NEWEST_GPU = 8.6;

    private static volatile Engine decided;

    private AutoEngine() { }

    static Engine get() {
        Engine e = decided;
        if (e == null) {
            ClassLoader l = AutoEngine.class.getClassLoader();
            boolean torchGpu = l.getResource("org/bytedeco/pytorch/linux-x86_64-gpu/libjnitorch.so") != null;
            boolean nvidia = Files.exists(Path.of("/dev/nvidia0"));
            boolean nd4jCuda = l.getResource("org/nd4j/linalg/jcublas/JCublasBackend.class") != null;
            e = decided = choose(torchGpu, nvidia, nd4jCuda, torchGpu && nvidia ? computeCapability() : Double.NaN);
        }
        return e;
    }

    /**
     * The rule: libtorch only with its GPU build and a device, and then only where ND4J cannot use that device
     * (CPU build, or a GPU newer than sm_86; an unknown capability counts as newer).
     */
    static Engine choose(boolean torchGpuBuild, boolean nvidiaDevice, boolean nd4jCudaBuild, double computeCapability) {
        if (!torchGpuBuild || !nvidiaDevice) return Engine.DL4J;
        if (nd4jCudaBuild && computeCapability <= ND4J_NEWEST_GPU) return Engine.DL4J;
        return Engine.LIBTORCH;
    }

    /** The first GPU's compute capability from nvidia-smi, or NaN when it cannot tell. */
    private static double computeCapability() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader").redirectErrorStream(true).start();
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            return line == null ? Double.NaN : Double.parseDouble(line.trim());
        } catch (Exception ex) {
            return Double.NaN;
        }
    }
}
