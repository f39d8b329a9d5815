package org.medsynth.bench;

import org.medsynth.data.LabeledImage;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.nn.train.MemoryGuard;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.core.Progress;
import org.medsynth.workflow.medgan.IntensityMapping;
import org.medsynth.workflow.medgan.LabelEncoding;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTrainer;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * 3D-MedGAN timings: G step, D step and a whole iteration (G step + image pool + D step) at 64^3 and
 * 96^3 patches, and the synthesis of a 181 x 217 x 181 volume (the sample brain's size) from a label
 * map with 64^3 tiles, side by side with the same networks in PyTorch
 * ({@code src/test/python/bench_medgan_torch.py}, 2 threads) run in the same benchmark; peak memory.
 *
 * <pre>
 * mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp target/classes:target/test-classes:$(cat cp.txt) -Xmx6g -Dorg.bytedeco.javacpp.maxphysicalbytes=12G \
 *      org.medsynth.bench.MedGanBenchmark [patches=64,96] [repeats=5] [classes=4] [out=docs/benchmarks.md]
 * </pre>
 * Networks: the defaults of "MedSynth Train 3D-MedGAN" (G width 16, depth 4; D width 16, 3 layers),
 * {@code classes} one-hot label channels + 1 noise channel (4 = the BraTS labels of the paper's experiment).
 */
public final class MedGanBenchmark {
    private MedGanBenchmark() { }

    record Case(int patch, double g, double d, double iteration, double peakRssMb, long gParams, long dParams) { }

    public static void main(String[] args) throws Exception {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        String[] patchArg = (args.length > 0 ? args[0] : "64,96").split(",");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path out = Path.of(args.length > 3 ? args[3] : "docs/benchmarks.md");
        String loadBefore = loadAverage();
        // transposed up-sampling, as the PyTorch reference script builds it (the default is now nearest + conv, issue 18)
        MedGanConfig base = MedGanConfig.defaults().withUpsample(org.medsynth.nn.networks.UNet.Upsample.TRANSPOSED);
        List<Case> cases = new ArrayList<>();
        MedGanModel synthModel = null;
        int synthPatch = 64;
        double peak = MemoryGuard.residentBytes() / 1e6;
        for (String ps : patchArg) {
            int p = Integer.parseInt(ps.trim());
            MedGanConfig cfg = base.withPatch(p).withIterations(1_000_000);
            MedGanTrainer t = new MedGanTrainer(cfg, List.of(volume(p + 32, k)), List.of("random"), encoding(k), mapping());
            double[] rss = {MemoryGuard.residentBytes() / 1e6};
            Runnable track = () -> rss[0] = Math.max(rss[0], MemoryGuard.residentBytes() / 1e6);
            MedGanTrainer.Batch b = t.batch(0);
            TrainStep g = t.generatorStep(), d = t.discriminatorStep();
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> dFeeds = t.discriminatorFeeds(b, b.oneHot(), b.real());
            double gs = BenchmarkReport.secondsPerCall(1, reps, i -> { g.run(b.generatorFeeds()); track.run(); });
            double ds = BenchmarkReport.secondsPerCall(1, reps, i -> { d.run(dFeeds); track.run(); });
            double it = BenchmarkReport.secondsPerCall(1, reps, i -> { t.step(i); track.run(); });
            cases.add(new Case(p, gs, ds, it, rss[0], t.store().countTrainable("G"), t.store().countTrainable("D")));
            System.out.printf(Locale.ROOT, "patch %d: G step %.3f s, D step %.3f s, iteration %.3f s, peak RSS %.0f MB%n", p, gs, ds, it, rss[0]);
            if (p == synthPatch) {
                Path f = java.nio.file.Files.createTempFile("medgan-bench", ".zip");
                t.saveModel(f, 0, List.of());
                synthModel = MedGanModel.load(f); // as users load it: spectral norm folded into the weights
                java.nio.file.Files.delete(f);
            }
            peak = Math.max(peak, rss[0]);
        }
        double synthSeconds = Double.NaN, synthRss = Double.NaN;
        if (synthModel != null) {
            LabelVolume lv = brainSized(k);
            MedGanModel m = synthModel;
            m.synthesizeNormalized(new LabelVolume(64, 64, 64, new int[64 * 64 * 64], null, 8, "warm-up"), MedGanModel.Options.defaults(1), Progress.NONE);
            long t0 = System.nanoTime();
            float[] v = m.synthesizeNormalized(lv, MedGanModel.Options.defaults(1), Progress.NONE);
            synthSeconds = (System.nanoTime() - t0) / 1e9;
            synthRss = MemoryGuard.residentBytes() / 1e6;
            if (v.length != lv.size()) throw new IllegalStateException("synthesis returned " + v.length + " voxels");
            System.out.printf(Locale.ROOT, "synthesis 181x217x181: %.1f s%n", synthSeconds);
        }

        // PyTorch, same networks, same run
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "src/test/python/bench_medgan_torch.py", String.valueOf(k),
                String.valueOf(base.width()), String.valueOf(base.depth()), String.valueOf(base.discriminatorWidth()),
                String.valueOf(base.discriminatorLayers()), String.join(",", patchArg), String.valueOf(reps), String.valueOf(synthPatch)));
        Process pr = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String json = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (pr.waitFor() != 0) throw new IllegalStateException("PyTorch benchmark failed: " + json);
        @SuppressWarnings("unchecked")
        Map<String, Object> torch = new ObjectMapper().readValue(json, Map.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tc = (List<Map<String, Object>>) torch.get("cases");
        @SuppressWarnings("unchecked")
        Map<String, Object> ts = (Map<String, Object>) torch.get("synthesis");

        String loadAfter = loadAverage();
        StringBuilder md = new StringBuilder();
        md.append("## 3D-MedGAN (org.medsynth.workflow.medgan)\n\n");
        md.append("`org.medsynth.bench.MedGanBenchmark` on this machine (").append(BenchmarkReport.machine()).append("), ND4J/oneDNN, float32, ")
                .append("against `src/test/python/bench_medgan_torch.py` (PyTorch ").append(torch.get("torch")).append(", ")
                .append(torch.get("threads")).append(" threads) run by the same benchmark. Networks: the defaults of *Train 3D-MedGAN* ")
                .append("(3D U-Net G width ").append(base.width()).append(", depth ").append(base.depth())
                .append(", instance norm, LeakyReLU, spectral norm, tanh; conditional 3D PatchGAN D width ").append(base.discriminatorWidth())
                .append(", ").append(base.discriminatorLayers()).append(" layers), ").append(k).append(" label channels + 1 noise channel, batch 1. ")
                .append("G step = LSGAN update of G through the frozen D; D step = LSGAN update of D on a real and a fake pair; ")
                .append("iteration = G step + image pool (50) + D step, as in training (patch sampling and one-hot encoding included in MedSynth's). ")
                .append("Mean of ").append(reps).append(" calls after one warm-up. Load average of the machine (1 min) at the start / end: ")
                .append(loadBefore).append(" / ").append(loadAfter)
                .append(" (other jobs share the cores; both frameworks ran under the same load, one after the other).\n\n");
        md.append("| patch | parameters G / D (MedSynth = PyTorch) | G step MedSynth | G step PyTorch | D step MedSynth | D step PyTorch | iteration MedSynth | iteration PyTorch | peak RSS MedSynth | peak RSS PyTorch |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Map<String, Object> t = tc.get(i);
            md.append(String.format(Locale.ROOT, "| %d^3 | %,d / %,d (%s) | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.1f GB | %.1f GB |%n",
                    c.patch(), c.gParams(), c.dParams(),
                    num(t, "g_params") == c.gParams() && num(t, "d_params") == c.dParams() ? "same" : "PyTorch " + (long) num(t, "g_params") + " / " + (long) num(t, "d_params"),
                    c.g(), num(t, "g_step_s"), c.d(), num(t, "d_step_s"), c.iteration(), num(t, "iteration_s"),
                    c.peakRssMb() / 1000, num(t, "peak_rss_mb") / 1000));
        }
        md.append(String.format(Locale.ROOT, "%nSynthesis of a 181 x 217 x 181 volume from a label map (the sample brain's size) with the 64^3 model: "
                        + "%d tiles of 64^3, overlap 0.5, Gaussian blending, margin 8: **MedSynth %.1f s** (process RSS %.1f GB), "
                        + "PyTorch %.1f s (peak RSS %.1f GB; same tiles and weights, blending in NumPy).%n",
                (int) num(ts, "tiles"), synthSeconds, synthRss / 1000, num(ts, "seconds"), num(ts, "peak_rss_mb") / 1000));
        md.append("\nPeak RSS is the whole process (JVM heap, ND4J native buffers, PyTorch allocator) at its largest during the cases; "
                + "MedSynth's includes the JVM (about 0.5 GB) and grows with the first case's graphs. With 42 label channels (the Brodmann "
                + "atlas) the first convolution has 43 instead of 5 input channels; time grows accordingly.\n");
        BenchmarkReport.writeSection(out, "medgan", md.toString());
        System.out.println(md);
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    static LabelEncoding encoding(int k) {
        int[] v = new int[k];
        for (int i = 0; i < k; i++) v[i] = i;
        return new LabelEncoding(v);
    }

    static IntensityMapping mapping() {
        return IntensityMapping.of(0.5, 99.5, List.of("random"), new double[]{0}, new double[]{255}, "");
    }

    /** A cube volume with blobs of k labels and an image in [-1, 1]. */
    static LabeledImage volume(int n, int k) {
        Random r = new Random(1);
        int[] lab = blobs(n, n, n, k, r);
        float[] img = new float[lab.length];
        for (int i = 0; i < img.length; i++) img[i] = (float) (-0.8 + 1.6 * lab[i] / Math.max(1, k - 1) + 0.05 * r.nextGaussian());
        return new LabeledImage(new float[][]{img}, lab, n, n, n);
    }

    static LabelVolume brainSized(int k) {
        return new LabelVolume(181, 217, 181, blobs(181, 217, 181, k, new Random(2)), null, 8, "brain-sized");
    }

    private static int[] blobs(int w, int h, int d, int k, Random r) {
        int[] lab = new int[w * h * d];
        for (int b = 0; b < 12; b++) {
            int label = 1 + b % Math.max(1, k - 1);
            double cx = r.nextDouble() * w, cy = r.nextDouble() * h, cz = r.nextDouble() * d, rad = 0.1 * Math.min(w, Math.min(h, d)) + r.nextDouble() * 10;
            for (int z = 0; z < d; z++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        double dx = x - cx, dy = y - cy, dz = z - cz;
                        if (dx * dx + dy * dy + dz * dz < rad * rad) lab[x + w * (y + h * z)] = label;
                    }
        }
        return lab;
    }
}
