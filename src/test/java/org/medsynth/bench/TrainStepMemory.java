package org.medsynth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The memory and time of train steps of one segmentation network on the engine of {@code -Dmedsynth.engine}, each
 * step measured on its own: before it, free memory glibc kept is handed back ({@code malloc_trim}) and the peak
 * resident set is reset ({@code /proc/self/clear_refs}); after it, the step's peak resident set (VmHWM) and time.
 * Same networks and random feeds as {@link SegmentationBenchmark}. Linux only; a fixed heap
 * ({@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch}) keeps the Java heap out of the differences.
 *
 * <p>With {@code -Dmedsynth.bench.torchAllocations=true} libtorch logs (stderr) each CPU tensor allocation and free with
 * its running total, after a line {@code STEP i begins} per step: the largest total in a step is the peak of libtorch's
 * tensors alone, exact and free of allocator noise (the resident set also holds oneDNN's buffers and what glibc keeps).
 *
 * <pre>java ... -Dmedsynth.engine=libtorch org.medsynth.bench.TrainStepMemory NETWORK DxHxW WIDTH BATCH STEPS</pre>
 */
public final class TrainStepMemory {
    private TrainStepMemory() { }

    public static void main(String[] a) throws IOException {
        org.medsynth.nn.Backend.require();
        SegmentationBenchmark.TrainCase c = SegmentationBenchmark.trainCase(a[0], SegmentationBenchmark.parseSize(a[1]),
                Integer.parseInt(a[2]), Integer.parseInt(a[3]));
        int steps = Integer.parseInt(a[4]);
        boolean torchLog = Boolean.getBoolean("medsynth.bench.torchAllocations");
        if (torchLog) {
            org.medsynth.nn.engine.libtorch.TorchRuntime.load();
            org.bytedeco.pytorch.global.torch.ParseCommandLineFlags(new int[]{3},
                    new org.bytedeco.javacpp.PointerPointer<>("java", "--caffe2_report_cpu_memory_usage=1", "--caffe2_log_level=0"));
        }
        for (int i = 0; i < steps; i++) {
            System.gc();
            org.bytedeco.javacpp.Pointer.trimMemory();   // malloc_trim: free memory the allocator kept goes back to the system
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");   // VmHWM := VmRSS
            double before = status("VmRSS:");
            if (torchLog) System.err.println("STEP " + i + " begins");
            long t0 = System.nanoTime();
            c.step().run(c.feeds());
            double s = (System.nanoTime() - t0) / 1e9;
            double peak = status("VmHWM:");
            System.out.println(String.format(Locale.ROOT, "STEP %d %s %s rssBeforeMb=%.0f peakMb=%.0f peakOverBeforeMb=%.0f time=%.3f",
                    i, a[0], a[1], before, peak, peak - before, s));
        }
        System.exit(0);
    }

    /** A /proc/self/status line's value in MB. */
    private static double status(String key) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(key)) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }
}
