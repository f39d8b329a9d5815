package org.medsynth.bench;

import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.ConditionalGan;
import org.medsynth.workflow.skrgan.ProgressiveGanTraining;
import org.medsynth.workflow.skrgan.ProgressiveSchedule;
import org.medsynth.workflow.skrgan.SkrGanNetworks;
import org.medsynth.workflow.skrgan.SkrGanSettings;
import org.medsynth.workflow.skrgan.SkrGanTraining;
import org.medsynth.workflow.skrgan.SkrGanGenerator;
import org.medsynth.core.Progress;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time per training iteration of SkrGAN's networks (G_S/D_S at 64, 128, 256 px; G_P/D_P at 256 px)
 * and generation time per image: MedSynth on DL4J and on libtorch (each in a child JVM with
 * {@code -Dmedsynth.engine=}, one after the other) next to the same networks in PyTorch (CPU, 2 threads)
 * measured in the same run by src/test/python/bench_skrgan_torch.py. Writes the "skrgan" section of
 * docs/benchmarks.md.
 * <pre>
 * mvn -B -o test-compile package -DskipTests && java -cp "target/test-classes:target/classes:target/imagej/ij.jar:target/imagej/lib/medsynth/*:target/imagej/lib/medsynth/libtorch/*" \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx8g org.medsynth.bench.SkrGanBenchmark [docs/benchmarks.md] \
 *   [reps=5] [resolutions=64,128,256] [libtorch=true] [python=/usr/bin/python3] [rounds=1]
 * </pre>
 * {@code libtorch=false} leaves out the column of MedSynth on libtorch; {@code rounds=N} runs the sides N times in turn
 * and reports each figure's median.
 */
public final class SkrGanBenchmark {

    static final double WIDTH = 0.125;
    static final int RENDER_WIDTH = 16;
    /** G_P's up-sampling: SkrGAN's default (issue 18), as bench_skrgan_torch.py builds it. */
    static final org.medsynth.nn.networks.UNet.Upsample RENDER_UPSAMPLE = org.medsynth.nn.networks.UNet.Upsample.NEAREST_INPUT_SKIP;
    static final int BATCH = 4;
    /** Warm-up calls: the first two steps of a run fault their native memory in (docs/nn-toolkit.md); the PyTorch script makes two as well. */
    static final int WARMUP = 2;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(BenchmarkReport.WORKER)) {
            BenchmarkReport.answer(measure(Integer.parseInt(args[1]), args[2]));
            return;
        }
        boolean named = args.length > 0 && !args[0].contains("=");
        Path target = Path.of(named ? args[0] : "docs/benchmarks.md");
        Map<String, String> opt = BenchmarkReport.options(args, "reps", "resolutions", "libtorch", "python", "rounds");
        int reps = Integer.parseInt(opt.getOrDefault("reps", "5"));
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "1"));
        String resolutions = opt.getOrDefault("resolutions", "64,128,256");
        List<Engine> engines = BenchmarkReport.engines(opt);
        String load0 = BenchmarkReport.loadAverage();
        long start = System.nanoTime();
        BenchmarkReport.Answers answers = BenchmarkReport.engineAndTorch(rounds, SkrGanBenchmark.class, engines, List.of(String.valueOf(reps), resolutions),
                () -> BenchmarkReport.jsonOf(List.of(opt.getOrDefault("python", "/usr/bin/python3"), "src/test/python/bench_skrgan_torch.py",
                        String.valueOf(WIDTH), resolutions, String.valueOf(BATCH), String.valueOf(reps), String.valueOf(RENDER_WIDTH),
                        String.valueOf(BenchmarkReport.WARM_UP_SECONDS))));
        Map<Engine, Map<String, Object>> medsynth = answers.medsynth();
        Map<String, Object> py = answers.torch();

        StringBuilder md = new StringBuilder("## ").append(BenchmarkReport.title("SkrGAN training and generation", engines)).append("\n\n");
        md.append("`org.medsynth.bench.SkrGanBenchmark`, ").append(BenchmarkReport.engineText(engines))
                .append(", vs PyTorch ").append(py.getOrDefault("torch", "?")).append(" (CPU, ").append(py.getOrDefault("threads", "?"))
                .append(" threads, OpenBLAS), one after the other in this order, same architectures and sizes, float32. ")
                .append(String.format(Locale.ROOT, "Load average %s at the start, %s at the end (2 cores shared with other jobs: compare the "
                        + "sides of one row). Whole run %.1f min. ", load0, BenchmarkReport.loadAverage(), (System.nanoTime() - start) / 60e9))
                .append(String.format(Locale.ROOT, "PGGAN width %.3g (feature maps up to %d), batch %d, one iteration = one WGAN-GP D step + one G step; ",
                        WIDTH, (int) (512 * WIDTH), BATCH))
                .append("pix2pix U-Net width ").append(RENDER_WIDTH).append(" (depth 8) + 70x70 PatchGAN, batch 1, one iteration = D step + G step. ")
                .append("Generation = G_S at 256 px + G_P, per image (calls of 16 images). Mean of ").append(reps).append(" calls after ")
                .append(BenchmarkReport.warmUpText(WARMUP)).append(BenchmarkReport.roundsText(rounds)).append(".\n\n");
        BenchmarkReport.EngineTable table = new BenchmarkReport.EngineTable(medsynth, py);
        for (String r : resolutions.split(",")) table.row("G_S/D_S iteration, " + r + " px (s)", "%.3f", a -> BenchmarkReport.value(a, "pggan", r));
        table.row("G_P/D_P iteration, 256 px (s)", "%.3f", a -> BenchmarkReport.value(a, "pix2pix", "256"))
                .row("generate one image, 256 px (s)", "%.3f", a -> BenchmarkReport.value(a, "generate_per_image"));
        md.append(table.markdown());
        md.append("\nG_P is SkrGAN's default (since issue 18): its decoder up-samples by nearest neighbour + 3x3 convolution and its "
                + "outermost block concatenates the sketch before a last 3x3 convolution ([quality.md](quality.md)); "
                + "`bench_skrgan_torch.py` builds the same. ").append(parameters(medsynth, py)).append(". The WGAN-GP gradient penalty costs MedSynth on DL4J more than PyTorch: SameDiff has no second-order gradients, so "
                + "the penalty's gradient is computed exactly with a forward-mode (tangent) pass through D plus a probe pass "
                + "(see nn/losses/WganGp), where PyTorch uses double back-propagation; on libtorch MedSynth uses libtorch's "
                + "double back-propagation as PyTorch does.\n");
        BenchmarkReport.writeSection(target, "skrgan", md.toString());
        System.out.println(md);
        System.exit(0);
    }

    /** MedSynth's side on the engine of this JVM, answered as bench_skrgan_torch.py answers. */
    static Map<String, Object> measure(int reps, String resolutions) throws Exception {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        Map<String, Double> pggan = new LinkedHashMap<>();
        Map<String, List<Long>> params = new LinkedHashMap<>();
        for (String rs : resolutions.split(",")) {
            int r = Integer.parseInt(rs);
            PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(r).width(WIDTH).build();
            ParamStore pgStore = new ParamStore(1);
            ProgressiveGanTraining t = new ProgressiveGanTraining(pgStore, cfg, ProgressiveSchedule.fixed(r, 100, BATCH),
                    (n, res, rng) -> Nd4j.rand(DataType.FLOAT, n, 1, res, res).muli(2).subi(1), "GS", "DS", true, 1e-3, 1);
            pggan.put(rs, BenchmarkReport.secondsPerCall(WARMUP, BenchmarkReport.WARM_UP_SECONDS, reps, t::step));
            params.put("pggan_" + r, List.of(pgStore.countTrainable("GS"), pgStore.countTrainable("DS")));
            System.out.printf(Locale.ROOT, "pggan %d: %.3f s%n", r, pggan.get(rs));
        }
        SkrGanSettings s = new SkrGanSettings("skrgan", 256, true, 7, 1, 1, WIDTH, RENDER_WIDTH, 1).withRenderUpsample(RENDER_UPSAMPLE);
        ParamStore store = new ParamStore(1);
        ConditionalGan render = new ConditionalGan(store, SkrGanNetworks.renderGenerator(s)::apply,
                SkrGanNetworks.renderDiscriminator(s)::apply, 1, 3, new int[]{256, 256}, ConditionalGan.GanLoss.VANILLA,
                SkrGanTraining.LAMBDA_L1, Adam.pix2pix(), Adam.pix2pix());
        INDArray sketch = Nd4j.rand(DataType.FLOAT, 1, 1, 256, 256), image = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
        double pix2pix = BenchmarkReport.secondsPerCall(WARMUP, BenchmarkReport.WARM_UP_SECONDS, reps, i -> render.step(sketch, image));
        System.out.printf(Locale.ROOT, "pix2pix 256: %.3f s%n", pix2pix);
        params.put("pix2pix", List.of(store.countTrainable(ConditionalGan.G), store.countTrainable(ConditionalGan.D)));

        // generation: a model at 256 px (untrained weights time the same)
        Path model = Files.createTempFile("skrgan-bench", ".zip");
        SkrGanTraining training = new SkrGanTraining(s, org.medsynth.data.SketchImageDataset.of(256, true,
                List.of(new ij.process.ColorProcessor(256, 256)), List.of(new ij.process.ByteProcessor(256, 256))),
                SkrGanTraining.Stage.BOTH);
        training.buildAllNetworks();
        training.saveModel(model, 0);
        SkrGanGenerator generator = new SkrGanGenerator(model);
        double generate = BenchmarkReport.secondsPerCall(1, BenchmarkReport.WARM_UP_SECONDS, 1, i -> generator.generate(16, 2, Progress.NONE)) / 16;
        Files.deleteIfExists(model);
        System.out.printf(Locale.ROOT, "generate: %.3f s%n", generate);
        return Map.of("engine", Engine.selected().userName(), "pggan", pggan, "pix2pix", Map.of("256", pix2pix), "generate_per_image", generate,
                "params", params);
    }

    /** "parameters G / D of each network: ... (the same on every side)", or each side's where they differ. */
    private static String parameters(Map<Engine, Map<String, Object>> medsynth, Map<String, Object> py) {
        Map<String, String> counts = new LinkedHashMap<>();
        medsynth.forEach((e, a) -> counts.put("MedSynth on " + BenchmarkReport.label(e), counts(a)));
        counts.put("PyTorch", counts(py));
        if (counts.values().stream().distinct().count() == 1) return "Parameters G / D " + counts.get("PyTorch") + " (the same on every side)";
        StringBuilder b = new StringBuilder("Parameters G / D DIFFER:");
        counts.forEach((side, c) -> b.append(' ').append(side).append(" ").append(c).append(';'));
        return b.substring(0, b.length() - 1);
    }

    private static String counts(Map<String, Object> answer) {
        if (!(answer.get("params") instanceof Map<?, ?> m)) return "-";
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> {
            List<?> gd = (List<?>) v;
            b.append(b.length() == 0 ? "" : ", ").append(k.toString().replace("pggan_", "G_S/D_S ").replace("pix2pix", "G_P/D_P"))
                    .append(String.format(Locale.ROOT, " %,d / %,d", ((Number) gd.get(0)).longValue(), ((Number) gd.get(1)).longValue()));
        });
        return b.toString();
    }
}
