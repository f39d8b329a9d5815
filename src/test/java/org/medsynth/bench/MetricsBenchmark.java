package org.medsynth.bench;

import org.medsynth.metrics.FrechetDistance;
import org.medsynth.metrics.ImageChannels;
import org.medsynth.metrics.KernelInceptionDistance;
import org.medsynth.metrics.RocCurve;
import org.medsynth.metrics.SegmentationMetrics;
import org.medsynth.metrics.SlicedWasserstein;
import org.medsynth.metrics.StructuralSimilarity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Throughput of the metrics at 256 and 512 px on this machine. Writes a markdown
 * section into the given file (default docs/benchmarks.md), replacing an earlier one:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-opens=java.base/java.lang=ALL-UNNAMED -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *      org.medsynth.bench.MetricsBenchmark docs/benchmarks.md
 * </pre>
 */
public final class MetricsBenchmark {

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        List<String> rows = new ArrayList<>();
        for (int size : new int[] {256, 512}) {
            Random r = new Random(size);
            ImageChannels[] grey = new ImageChannels[8], rgb = new ImageChannels[8];
            for (int k = 0; k < 8; k++) {
                grey[k] = image(size, 1, r);
                rgb[k] = image(size, 3, r);
            }
            rows.add(row("SSIM (grey pair)", size, time(20, i -> StructuralSimilarity.ssim(grey[i % 8], grey[(i + 1) % 8], 255))));
            rows.add(row("MS-SSIM (grey pair)", size, time(20, i -> StructuralSimilarity.msSsim(grey[i % 8], grey[(i + 1) % 8], 255))));
            rows.add(row("MS-SSIM (RGB pair)", size, time(10, i -> StructuralSimilarity.msSsim(rgb[i % 8], rgb[(i + 1) % 8], 255))));
            SlicedWasserstein swd = new SlicedWasserstein(size, size, 3, 1);
            SlicedWasserstein.DescriptorSet a = swd.newSet(), b = swd.newSet();
            rows.add(row("SWD descriptors (RGB image)", size, time(16, i -> (i % 2 == 0 ? a : b).add(rgb[i % 8]))));
            long t0 = System.nanoTime();
            swd.distance(a, b);
            double secs = (System.nanoTime() - t0) / 1e9;
            rows.add(String.format(Locale.ROOT, "| SWD distance, 8 vs 8 RGB images (per set of 8) | %d | %.2f s | |", size, secs));
            int n = size * size;
            boolean[] truth = new boolean[n], pred = new boolean[n];
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                truth[i] = r.nextDouble() < 0.2;
                scores[i] = (float) Math.min(1, Math.max(0, (truth[i] ? 0.6 : 0.4) + 0.2 * r.nextGaussian()));
                pred[i] = scores[i] >= 0.5;
            }
            rows.add(row("Dice/SEN/SPE/ACC/IoU counts (image)", size, time(200, i -> SegmentationMetrics.confusion(truth, pred, null))));
            rows.add(row("ROC curve + exact AUC (image)", size, time(20, i -> RocCurve.compute(scores, truth, null))));
        }
        // FID / KID on 2048-d features (InceptionV3 pool3 size)
        Random r = new Random(5);
        float[][] fa = new float[200][2048], fb = new float[200][2048];
        for (int i = 0; i < 200; i++) {
            for (int j = 0; j < 2048; j++) {
                fa[i][j] = (float) r.nextGaussian();
                fb[i][j] = (float) (r.nextGaussian() + 0.1);
            }
        }
        FrechetDistance.of(fa, fb); // warm-up (ND4J start)
        long t0 = System.nanoTime();
        FrechetDistance.of(fa, fb);
        double fid = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        KernelInceptionDistance.of(fa, fb, 100, 200, 0);
        double kid = (System.nanoTime() - t0) / 1e9;
        StringBuilder md = new StringBuilder();
        md.append("## Metrics (org.medsynth.metrics)\n\n");
        md.append("`org.medsynth.bench.MetricsBenchmark` on this machine (")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append("). SSIM, SWD and the segmentation metrics run on one thread; "
                        + "FID and KID use ND4J (BLAS/LAPACK) on all cores. Synthetic images; file reading is not included. "
                        + "The SWD distance step grows linearly with the number of images (128 descriptors per image and level).\n\n");
        md.append("| metric | px | images (pairs) per s | ms each |\n|---|---|---|---|\n");
        for (String s : rows) md.append(s).append('\n');
        md.append(String.format(Locale.ROOT, "| Frechet distance (FID) of 200 vs 200 2048-d feature vectors | - | %.2f s | |\n", fid));
        md.append(String.format(Locale.ROOT, "| KID, 100 subsets of 200, 2048-d | - | %.2f s | |\n", kid));
        md.append("\nInceptionV3 feature extraction (needed by FID/KID) is not included: it needs the user's Keras .h5 file.\n");
        BenchmarkReport.writeSection(target, "metrics", md.toString());
        System.out.println(md);
    }

    private static ImageChannels image(int size, int channels, Random r) {
        float[][] ch = new float[channels][size * size];
        for (float[] c : ch) {
            double phase = r.nextDouble() * 10;
            for (int i = 0; i < c.length; i++) {
                int x = i % size, y = i / size;
                c[i] = (float) Math.max(0, Math.min(255, 128 + 60 * Math.sin(x / 17.0 + phase) * Math.cos(y / 23.0) + 20 * r.nextGaussian()));
            }
        }
        return new ImageChannels(size, size, ch);
    }

    private static double time(int reps, IntConsumer op) {
        return BenchmarkReport.secondsPerCall(2, reps, op);
    }

    private static String row(String what, int size, double secondsEach) {
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %.2f |", what, size, 1 / secondsEach, secondsEach * 1000);
    }
}
