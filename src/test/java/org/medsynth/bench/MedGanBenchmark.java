package org.medsynth.bench;

import org.medsynth.data.LabeledImage;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.core.Progress;
import org.medsynth.workflow.medgan.IntensityMapping;
import org.medsynth.workflow.medgan.LabelEncoding;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTrainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * 3D-MedGAN timings: G step, D step and a whole iteration (G step + image pool + D step) at 64^3 and
 * 96^3 patches, and the synthesis of a 181 x 217 x 181 volume (the sample brain's size) from a label
 * map in one pass over the whole volume (the default of models of this version); MedSynth on DL4J and on libtorch (each in a child JVM with {@code -Dmedsynth.engine=},
 * one after the other) side by side with the same networks in PyTorch
 * ({@code src/test/python/bench_medgan_torch.py}, 2 threads) run in the same benchmark; peak memory of each side's process.
 *
 * <pre>
 * mvn -B -o test-compile package -DskipTests
 * java -cp "target/test-classes:target/classes:target/imagej/ij.jar:target/imagej/lib/medsynth/*:target/imagej/lib/medsynth/libtorch/*" \
 *      --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx8g -Dorg.bytedeco.javacpp.maxphysicalbytes=12G \
 *      org.medsynth.bench.MedGanBenchmark [PATCHES [REPEATS [CLASSES [TARGET]]]] [libtorch=true] [python=/usr/bin/python3] [rounds=1]
 * </pre>
 * Positional: PATCHES (default 64,96; must include 64, the synthesis model's), REPEATS (5), CLASSES (4), TARGET
 * (docs/benchmarks.md).
 * {@code libtorch=false} leaves out the column of MedSynth on libtorch.
 * Networks: the defaults of "MedSynth Train 3D-MedGAN" (G width 16, depth 4; D width 16, 3 layers),
 * {@code classes} one-hot label channels + 1 noise channel (4 = the BraTS labels of the paper's experiment).
 */
public final class MedGanBenchmark {
    private MedGanBenchmark() { }

    static final int SYNTH_PATCH = 64;
    /** Untimed calls at least before each timed case (and at least BenchmarkReport.WARM_UP_SECONDS of them). */
    static final int WARMUP = 1;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(BenchmarkReport.WORKER)) {
            BenchmarkReport.answer(measure(args[1].split(","), Integer.parseInt(args[2]), Integer.parseInt(args[3])));
            return;
        }
        List<String> positional = Arrays.stream(args).filter(a -> !a.contains("=")).toList();
        Map<String, String> opt = BenchmarkReport.options(args, "libtorch", "python", "rounds");
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "1"));
        String patches = positional.size() > 0 ? positional.get(0) : "64,96";
        int reps = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 5;
        int k = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 4;
        Path out = Path.of(positional.size() > 3 ? positional.get(3) : "docs/benchmarks.md");
        List<Engine> engines = BenchmarkReport.engines(opt);
        MedGanConfig base = config();
        String loadBefore = BenchmarkReport.loadAverage();
        long start = System.nanoTime();
        // PyTorch: the same networks, in the same run
        BenchmarkReport.Answers answers = BenchmarkReport.engineAndTorch(rounds, MedGanBenchmark.class, engines,
                List.of(patches, String.valueOf(reps), String.valueOf(k)),
                () -> BenchmarkReport.jsonOf(List.of(opt.getOrDefault("python", "/usr/bin/python3"), "src/test/python/bench_medgan_torch.py",
                        String.valueOf(k), String.valueOf(base.width()), String.valueOf(base.depth()), String.valueOf(base.discriminatorWidth()),
                        String.valueOf(base.discriminatorLayers()), patches, String.valueOf(reps), String.valueOf(SYNTH_PATCH),
                        String.valueOf(BenchmarkReport.WARM_UP_SECONDS))));
        Map<Engine, Map<String, Object>> medsynth = answers.medsynth();
        Map<String, Object> torch = answers.torch();

        StringBuilder md = new StringBuilder("## ").append(BenchmarkReport.title("3D-MedGAN", engines)).append("\n\n");
        md.append("`org.medsynth.bench.MedGanBenchmark`, ").append(BenchmarkReport.engineText(engines)).append(", float32, ")
                .append("against `src/test/python/bench_medgan_torch.py` (PyTorch ").append(torch.getOrDefault("torch", "?")).append(", ")
                .append(torch.getOrDefault("threads", "?")).append(" threads), one after the other in this order. Networks: the defaults of *Train 3D-MedGAN* ")
                .append("(3D U-Net G width ").append(base.width()).append(", depth ").append(base.depth())
                .append(", instance norm, LeakyReLU, spectral norm, tanh; conditional 3D PatchGAN D width ").append(base.discriminatorWidth())
                .append(", ").append(base.discriminatorLayers()).append(" layers), ").append(k).append(" label channels + 1 noise channel, batch 1; ")
                .append(parameters(medsynth, torch)).append(". ")
                .append("G step = LSGAN update of G through the frozen D; D step = LSGAN update of D on a real and a fake pair; ")
                .append("iteration = G step + image pool (50) + D step, as in training (patch sampling and one-hot encoding included in MedSynth's). ")
                .append("Mean of ").append(reps).append(" calls after ").append(BenchmarkReport.warmUpText(WARMUP)).append(BenchmarkReport.roundsText(rounds)).append(". ")
                .append(String.format(Locale.ROOT, "Load average of the machine (1 min) at the start / end: %s / %s (other jobs share the cores; "
                        + "the sides ran under the same load, one after the other). Whole run %.1f min.%n%n", loadBefore, BenchmarkReport.loadAverage(),
                        (System.nanoTime() - start) / 60e9));
        BenchmarkReport.EngineTable table = new BenchmarkReport.EngineTable(medsynth, torch);
        String[] ps = patches.split(",");
        for (int i = 0; i < ps.length; i++) {
            int c = i;
            String p = ps[i].trim() + "^3";
            table.row("G step, " + p + " (s)", "%.2f", a -> BenchmarkReport.value(a, "cases", c, "g_step_s"))
                    .row("D step, " + p + " (s)", "%.2f", a -> BenchmarkReport.value(a, "cases", c, "d_step_s"))
                    .row("iteration, " + p + " (s)", "%.2f", a -> BenchmarkReport.value(a, "cases", c, "iteration_s"))
                    .row("peak RSS up to the " + p + " case (GB)", "%.1f", a -> BenchmarkReport.value(a, "cases", c, "peak_rss_mb") / 1024);
        }
        table.row("synthesis of a 181 x 217 x 181 volume, one pass (s)", "%.1f", a -> BenchmarkReport.value(a, "synthesis", "seconds"))
                .row("peak RSS up to the end of the synthesis (GB)", "%.1f", a -> BenchmarkReport.value(a, "synthesis", "peak_rss_mb") / 1024);
        md.append(table.markdown());
        md.append(String.format(Locale.ROOT, "%nG is the default since issue 18 (on both sides): its decoder up-samples by nearest neighbour + "
                        + "3x3x3 convolution and its outermost block concatenates the input before a last 3x3x3 convolution ([quality.md](quality.md)). "
                        + "Synthesis from a label map of the sample brain's size with the %d^3 model in one pass over the whole volume, "
                        + "padded to 192 x 224 x 192 (a multiple of 2^depth), as models of this version synthesise by default.%n", SYNTH_PATCH));
        md.append("\nPeak RSS is the high-water mark of each side's process (MedSynth: VmHWM of the JVM incl. heap and native buffers; "
                + "PyTorch: ru_maxrss) after the case, so it includes the earlier cases; MedSynth's includes the JVM (about 0.5 GB). "
                + "With 42 label channels (the Brodmann atlas) the first convolution has 43 instead of 5 input channels; time grows accordingly.\n");
        BenchmarkReport.writeSection(out, "medgan", md.toString());
        System.out.println(md);
        System.exit(0);
    }

    /** The networks' configuration: the defaults of "Train 3D-MedGAN", as the PyTorch reference script builds them. */
    static MedGanConfig config() {
        return MedGanConfig.defaults();
    }

    /** MedSynth's side on the engine of this JVM, answered as bench_medgan_torch.py answers. */
    static Map<String, Object> measure(String[] patches, int reps, int k) throws Exception {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        List<Map<String, Object>> cases = new ArrayList<>();
        MedGanModel synthModel = null;
        for (String ps : patches) {
            int p = Integer.parseInt(ps.trim());
            MedGanConfig cfg = config().withPatch(p).withIterations(1_000_000);
            MedGanTrainer t = new MedGanTrainer(cfg, List.of(volume(p + 32, k)), List.of("random"), encoding(k), mapping());
            MedGanTrainer.Batch b = t.batch(0);
            TrainStep g = t.generatorStep(), d = t.discriminatorStep();
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> dFeeds = t.discriminatorFeeds(b, b.oneHot(), b.real());
            double gs = BenchmarkReport.secondsPerCall(WARMUP, BenchmarkReport.WARM_UP_SECONDS, reps, i -> g.run(b.generatorFeeds()));
            double ds = BenchmarkReport.secondsPerCall(WARMUP, BenchmarkReport.WARM_UP_SECONDS, reps, i -> d.run(dFeeds));
            double it = BenchmarkReport.secondsPerCall(WARMUP, BenchmarkReport.WARM_UP_SECONDS, reps, t::step);
            double rss = BenchmarkReport.peakRssMb();
            cases.add(Map.of("patch", p, "g_step_s", gs, "d_step_s", ds, "iteration_s", it, "peak_rss_mb", rss,
                    "g_params", t.store().countTrainable("G"), "d_params", t.store().countTrainable("D")));
            System.out.printf(Locale.ROOT, "patch %d: G step %.3f s, D step %.3f s, iteration %.3f s, peak RSS %.0f MB%n", p, gs, ds, it, rss);
            if (p == SYNTH_PATCH) {
                Path f = java.nio.file.Files.createTempFile("medgan-bench", ".zip");
                t.saveModel(f, 0, List.of());
                synthModel = MedGanModel.load(f); // as users load it: spectral norm folded into the weights
                java.nio.file.Files.delete(f);
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>(Map.of("engine", Engine.selected().userName(), "cases", cases));
        if (synthModel != null) {
            LabelVolume lv = brainSized(k);
            MedGanModel m = synthModel;
            // tile 0: the whole volume in one pass, the default where memory allows (chosen here whatever the JVM's limit)
            MedGanModel.Options whole = MedGanModel.Options.defaults(1).withTile(0);
            m.synthesizeNormalized(new LabelVolume(64, 64, 64, new int[64 * 64 * 64], null, 8, "warm-up"), whole, Progress.NONE);
            long t0 = System.nanoTime();
            float[] v = m.synthesizeNormalized(lv, whole, Progress.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (v.length != lv.size()) throw new IllegalStateException("synthesis returned " + v.length + " voxels");
            System.out.printf(Locale.ROOT, "synthesis 181x217x181: %.1f s%n", seconds);
            answer.put("synthesis", Map.of("seconds", seconds, "peak_rss_mb", BenchmarkReport.peakRssMb()));
        }
        return answer;
    }

    /** "parameters G / D: ... (the same on every side)", or each side's where they differ. */
    private static String parameters(Map<Engine, Map<String, Object>> medsynth, Map<String, Object> torch) {
        Map<String, String> counts = new LinkedHashMap<>();
        medsynth.forEach((e, a) -> counts.put("MedSynth on " + BenchmarkReport.label(e), counts(a)));
        counts.put("PyTorch", counts(torch));
        if (counts.values().stream().distinct().count() == 1) return "parameters G / D " + counts.get("PyTorch") + " (the same on every side)";
        return "parameters G / D DIFFER: " + counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String counts(Map<String, Object> a) {
        double g = BenchmarkReport.value(a, "cases", 0, "g_params"), d = BenchmarkReport.value(a, "cases", 0, "d_params");
        return Double.isFinite(g) ? String.format(Locale.ROOT, "%,d / %,d", (long) g, (long) d) : "-";
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
