package org.medsynth.nn.engine.libtorch;

import org.bytedeco.pytorch.global.torch;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the libtorch engine computes, set with the system property {@value #PROPERTY} (read here and nowhere else):
 * <ul>
 *   <li>{@code auto} (the default): the current CUDA device when libtorch has one ({@code torch.cuda_is_available()}),
 *       else the CPU;</li>
 *   <li>{@code cpu}: the CPU, with parameters and feeds as zero-copy views of the ND4J arrays;</li>
 *   <li>{@code cuda}: the current CUDA device ({@code CUDA_VISIBLE_DEVICES} picks the GPU); where libtorch has none,
 *       {@link #resolve} stops with one line saying what is missing and what to use instead.</li>
 * </ul>
 * On CUDA every pass copies its feeds and parameters to the device and its results and gradients back into ND4J
 * arrays (parameters are not kept on the device between passes: the optimiser updates them in ND4J).
 * A value other than these stops with a message naming the property and the allowed values.
 */
public final class TorchDevice {
    public static final String PROPERTY = "medsynth.torch.device";

    /** The values of {@value #PROPERTY}. */
    public enum Choice { AUTO, CPU, CUDA }

    private static final Pattern CONFIG = Pattern.compile("(TORCH_VERSION|CUDA_VERSION|CUDNN_VERSION|USE_CUDA)=([^,\\s]+)");

    private TorchDevice() { }

    /** The choice {@value #PROPERTY} sets now ({@link Choice#AUTO} when unset). */
    public static Choice choice() {
        return parse(System.getProperty(PROPERTY));
    }

    /**
     * {@code auto}, {@code cpu} or {@code cuda} (case and surrounding blanks ignored; null or blank = auto).
     *
     * @throws IllegalArgumentException naming the property and its allowed values
     */
    public static Choice parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "auto" -> Choice.AUTO;
            case "cpu" -> Choice.CPU;
            case "cuda" -> Choice.CUDA;
            default -> throw new IllegalArgumentException(PROPERTY + " must be auto (the default), cpu or cuda, got '" + value + "'");
        };
    }

    /**
     * True when the libtorch engine runs on CUDA with the current {@link #choice()} (libtorch is loaded first).
     *
     * @throws IllegalStateException in one line, when {@code cuda} is asked for and libtorch has no CUDA device
     *                               (what is missing: the GPU build, its CUDA libraries or a device/driver; and what to use instead),
     *                               when {@value #PROPERTY} has a value other than auto, cpu and cuda, or when libtorch does not load
     */
    public static boolean resolve() {
        TorchRuntime.load();
        Choice c;
        try {
            c = choice();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (c == Choice.CPU) return false;
        String missing = cudaMissing();
        if (missing == null) return true;
        if (c == Choice.AUTO) return false;
        throw new IllegalStateException(PROPERTY + "=cuda, but libtorch has no CUDA device here: " + missing
                + "; use " + PROPERTY + "=auto or cpu, or engine=dl4j (bin/medsynth-gpu-check shows what is found)");
    }

    /** "cuda:0" (the current CUDA device) or "cpu": where the libtorch engine runs with the current {@link #choice()} (see {@link #resolve}). */
    public static String current() {
        return resolve() ? "cuda:0" : "cpu";
    }

    /** Why libtorch cannot use a CUDA device here, or null when it can. */
    public static String cudaMissing() {
        TorchRuntime.load();
        if (!gpuBuild()) {
            return "this libtorch is the CPU build (no GPU natives: build MedSynth with -Plibtorch-gpu, which needs CUDA 13.1 and cuDNN 9)";
        }
        if (!torch.hasCUDA()) {
            return "the GPU build of libtorch is installed but its CUDA part did not load (a CUDA 13.1 or cuDNN 9 library it needs "
                    + "was not found: libcudart.so.13, libcublas.so.13, libcusparse.so.12, libcufft.so.12, libcurand.so.10, libnccl.so.2, "
                    + "libcufile.so.0, libcudnn.so.9)";
        }
        if (!torch.cuda_is_available() || torch.cuda_device_count() < 1) {
            return "no CUDA device visible (NVIDIA driver 580 or newer not installed or not loaded, or CUDA_VISIBLE_DEVICES hides the GPUs)";
        }
        return null;
    }

    /** True when the loaded libtorch was built with CUDA (its GPU natives), whether or not a device is usable. */
    public static boolean gpuBuild() {
        return "1".equals(config("USE_CUDA")) || "ON".equalsIgnoreCase(config("USE_CUDA"));
    }

    /** Number of CUDA devices libtorch sees (0 without the GPU build, its libraries or a device). */
    public static int deviceCount() {
        TorchRuntime.load();
        return torch.hasCUDA() ? torch.cuda_device_count() : 0;
    }

    /** True when libtorch can use cuDNN (GPU build, CUDA loaded, cuDNN 9 found). */
    public static boolean cudnnAvailable() {
        TorchRuntime.load();
        return torch.hasCUDA() && torch.cudnn_is_available();
    }

    /** What libtorch was built with, e.g. "libtorch 2.10.0, GPU build for CUDA 13.1 and cuDNN 9.19.0" or "libtorch 2.10.0, CPU build". */
    public static String build() {
        String v = config("TORCH_VERSION");
        String s = "libtorch " + (v == null ? "(version unknown)" : v);
        if (!gpuBuild()) return s + ", CPU build";
        return s + ", GPU build for CUDA " + orUnknown(config("CUDA_VERSION")) + " and cuDNN " + orUnknown(config("CUDNN_VERSION"));
    }

    private static String orUnknown(String s) {
        return s == null ? "(unknown)" : s;
    }

    /** A value of libtorch's build settings ({@code torch.show_config()}), or null. */
    private static String config(String key) {
        TorchRuntime.load();
        Matcher m = CONFIG.matcher(Config.TEXT);
        while (m.find()) if (m.group(1).equals(key)) return m.group(2);
        return null;
    }

    /** libtorch's build settings, read once. */
    private static final class Config {
        static final String TEXT = torch.show_config().getString();
    }
}
