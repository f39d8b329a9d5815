package org.medsynth.bench;

import org.medsynth.nn.ParamStore;
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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Time per training iteration of SkrGAN's networks (G_S/D_S at 64, 128, 256 px; G_P/D_P at 256 px)
 * and generation time per image, next to the same networks in PyTorch (CPU, 2 threads) measured in
 * the same run by src/test/python/bench_skrgan_torch.py. Writes the "skrgan" section of
 * docs/benchmarks.md.
 * <pre>
 * mvn -q test-compile && java -cp "target/test-classes:target/classes:target/imagej/ij.jar:target/imagej/lib/medsynth/*" \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx8g org.medsynth.bench.SkrGanBenchmark [docs/benchmarks.md]
 * </pre>
 */
public final class SkrGanBenchmark {

    static final double WIDTH = 0.125;
    static final int RENDER_WIDTH = 16;
    static final int BATCH = 4;
    static final int REPS = 5;
    /** Warm-up calls: the first two steps of a run fault their native memory in (docs/nn-toolkit.md). */
    static final int WARMUP = 2;
    static final int[] RESOLUTIONS = {64, 128, 256};

    public static void main(String[] args) throws Exception {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        Path target = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        double load0 = loadAverage();
        Map<Integer, Double> javaPggan = new LinkedHashMap<>();
        for (int r : RESOLUTIONS) {
            PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(r).width(WIDTH).build();
            ProgressiveGanTraining t = new ProgressiveGanTraining(new ParamStore(1), cfg, ProgressiveSchedule.fixed(r, 100, BATCH),
                    (n, res, rng) -> Nd4j.rand(DataType.FLOAT, n, 1, res, res).muli(2).subi(1), "GS", "DS", true, 1e-3, 1);
            javaPggan.put(r, BenchmarkReport.secondsPerCall(WARMUP, REPS, t::step));
            System.out.printf(Locale.ROOT, "java pggan %d: %.3f s%n", r, javaPggan.get(r));
        }
        // G_P with transposed up-sampling, as the PyTorch reference script builds it (the default is now nearest + conv)
        SkrGanSettings s = new SkrGanSettings("skrgan", 256, true, 7, 1, 1, WIDTH, RENDER_WIDTH, 1)
                .withRenderUpsample(org.medsynth.nn.networks.UNet.Upsample.TRANSPOSED);
        ParamStore store = new ParamStore(1);
        ConditionalGan render = new ConditionalGan(store, SkrGanNetworks.renderGenerator(s)::apply,
                SkrGanNetworks.renderDiscriminator(s)::apply, 1, 3, new int[]{256, 256}, ConditionalGan.GanLoss.VANILLA,
                SkrGanTraining.LAMBDA_L1, Adam.pix2pix(), Adam.pix2pix());
        INDArray sketch = Nd4j.rand(DataType.FLOAT, 1, 1, 256, 256), image = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
        double javaPix2pix = BenchmarkReport.secondsPerCall(WARMUP, REPS, i -> render.step(sketch, image));
        System.out.printf(Locale.ROOT, "java pix2pix 256: %.3f s%n", javaPix2pix);

        // generation: a model at 256 px (untrained weights time the same)
        Path model = Files.createTempFile("skrgan-bench", ".zip");
        SkrGanTraining training = new SkrGanTraining(s, org.medsynth.data.SketchImageDataset.of(256, true,
                java.util.List.of(new ij.process.ColorProcessor(256, 256)), java.util.List.of(new ij.process.ByteProcessor(256, 256))),
                SkrGanTraining.Stage.BOTH);
        training.buildAllNetworks();
        training.saveModel(model, 0);
        SkrGanGenerator generator = new SkrGanGenerator(model);
        generator.generate(8, 1, Progress.NONE);
        long t0 = System.nanoTime();
        generator.generate(16, 2, Progress.NONE);
        double javaGenerate = (System.nanoTime() - t0) / 1e9 / 16;
        Files.deleteIfExists(model);
        System.out.printf(Locale.ROOT, "java generate: %.3f s%n", javaGenerate);

        String torch = runTorch();
        double load1 = loadAverage();
        Map<String, Object> py = new org.nd4j.shade.jackson.databind.ObjectMapper().readValue(torch, Map.class);
        @SuppressWarnings("unchecked") Map<String, Number> pyPggan = (Map<String, Number>) py.get("pggan");
        @SuppressWarnings("unchecked") Map<String, Number> pyPix = (Map<String, Number>) py.get("pix2pix");
        double pyGen = ((Number) py.get("generate_per_image")).doubleValue();

        StringBuilder md = new StringBuilder("## SkrGAN training and generation\n\n");
        md.append("`org.medsynth.bench.SkrGanBenchmark`, ").append(BenchmarkReport.machine())
                .append(String.format(Locale.ROOT, ", load average %.1f before and %.1f after the run", load0, load1))
                .append(". MedSynth on ND4J 1.0.0-M2.1 (CPU, oneDNN) vs PyTorch ").append(py.get("torch"))
                .append(" (CPU, ").append(py.get("threads")).append(" threads, OpenBLAS), same architectures and sizes, float32. ")
                .append(String.format(Locale.ROOT, "PGGAN width %.3g (feature maps up to %d), batch %d, one iteration = one WGAN-GP D step + one G step; ",
                        WIDTH, (int) (512 * WIDTH), BATCH))
                .append("pix2pix U-Net width ").append(RENDER_WIDTH).append(" (depth 8) + 70x70 PatchGAN, batch 1, one iteration = D step + G step. ")
                .append("Generation = G_S at 256 px + G_P, per image.\n\n");
        md.append("| what | MedSynth s | PyTorch s | MedSynth / PyTorch |\n|---|---|---|---|\n");
        for (int r : RESOLUTIONS) {
            double p = pyPggan.get(String.valueOf(r)).doubleValue();
            md.append(String.format(Locale.ROOT, "| G_S/D_S iteration, %d px | %.3f | %.3f | %.2f |%n", r, javaPggan.get(r), p, javaPggan.get(r) / p));
        }
        double pp = pyPix.get("256").doubleValue();
        md.append(String.format(Locale.ROOT, "| G_P/D_P iteration, 256 px | %.3f | %.3f | %.2f |%n", javaPix2pix, pp, javaPix2pix / pp));
        md.append(String.format(Locale.ROOT, "| generate one image, 256 px | %.3f | %.3f | %.2f |%n", javaGenerate, pyGen, javaGenerate / pyGen));
        md.append("\nThe WGAN-GP gradient penalty costs MedSynth more than PyTorch: SameDiff has no second-order gradients, so "
                + "the penalty's gradient is computed exactly with a forward-mode (tangent) pass through D plus a probe pass "
                + "(see nn/losses/WganGp), where PyTorch uses double back-propagation.\n");
        BenchmarkReport.writeSection(target, "skrgan", md.toString());
        System.out.println(md);
        System.exit(0);
    }

    private static String runTorch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "src/test/python/bench_skrgan_torch.py", String.valueOf(WIDTH),
                "64,128,256", String.valueOf(BATCH), String.valueOf(REPS), String.valueOf(RENDER_WIDTH))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE"); // the same OpenMP policy as MedSynth's side
        Process p = pb.start();
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out = r.lines().reduce("", (a, b) -> b);
        }
        if (p.waitFor() != 0) throw new IllegalStateException("the PyTorch benchmark failed");
        return out;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
