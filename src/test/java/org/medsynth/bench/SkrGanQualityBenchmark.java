package org.medsynth.bench;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.medsynth.data.SketchImageDataset;
import org.medsynth.data.SketchPlane;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.nn.Backend;
import org.medsynth.nn.networks.UNet;
import org.medsynth.workflow.ImageSet;
import org.medsynth.core.Progress;
import org.medsynth.workflow.SynthesisEvaluation;
import org.medsynth.workflow.skrgan.ProgressiveSchedule;
import org.medsynth.workflow.skrgan.SkrGanGenerator;
import org.medsynth.workflow.skrgan.SkrGanJob;
import org.medsynth.workflow.skrgan.SkrGanSettings;
import org.medsynth.workflow.skrgan.SkrGanTraining;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fidelity of SkrGAN and its PGGAN baseline at equal budgets (docs/quality.md): on the bundled fundus photograph
 * ({@code sample-data/fundus}, 31 augmented copies, as the demo) and on the 4 fundus phantoms
 * ({@code sample-data/phantoms/fundus/images}, 7 augmented copies each), each architecture trains with the same
 * sketch/GAN iterations (SkrGAN also trains its render stage), then generates 32 images, scored against the
 * augmented real training set: SWD (x 1e3, PGGAN's settings) on the images at the training size, MS-SSIM real vs
 * generated and generated diversity (random pairs) on the images enlarged to 176 px (bilinear; MS-SSIM needs 161 px),
 * and the local checkerboard energy ({@link #checkerboard}). SkrGAN runs with this version's render
 * up-sampling (nearest + conv) and, on the photograph, with the earlier transposed convolution. Writes
 * {@code quality-skrgan.md} and {@code quality-skrgan-<data>.png} (rows: real, then each model; 8 images each, enlarged
 * 4x) to the output folder. With {@code models=FOLDER}, models found there (named
 * data-architecture-upsampling[-shrink]-growth.zip, from an earlier run with the same settings, e.g. trained by a macro)
 * are scored without training again; {@code transposed=false} leaves out the earlier up-sampling,
 * {@code nearest_sketches=false} the nearest-shrunk sketches, {@code baseline=false} the PGGAN baseline;
 * {@code baselines=pggan,wgan-gp,dcgan} (default pggan) the baselines, each with the same iterations;
 * {@code growth=pggan|equal} (default pggan) is the progressive schedule, {@code equal_growth=true} adds a SkrGAN run
 * with the earlier equal shares.
 * <pre>
 * mvn -q test-compile && nice java -cp "target/test-classes:target/classes:target/imagej/jars/*" \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx6g org.medsynth.bench.SkrGanQualityBenchmark docs/images \
 *   iterations=320 render_iterations=240 resolution=32
 * </pre>
 */
public final class SkrGanQualityBenchmark {

    private SkrGanQualityBenchmark() { }

    static final int GENERATED = 32;
    static final int MS_SSIM_SIZE = 176;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/images");
        Map<String, String> kv = BenchmarkReport.keyValues(args, 1);
        int iterations = Integer.parseInt(kv.getOrDefault("iterations", "320"));
        int renderIterations = Integer.parseInt(kv.getOrDefault("render_iterations", "240"));
        int resolution = Integer.parseInt(kv.getOrDefault("resolution", "32"));
        double width = Double.parseDouble(kv.getOrDefault("width", "0.0625"));
        int renderWidth = Integer.parseInt(kv.getOrDefault("render_width", "8"));
        int batch = Integer.parseInt(kv.getOrDefault("batch", "8"));
        String only = kv.getOrDefault("data", "photograph,phantoms");
        ProgressiveSchedule.Growth growth = ProgressiveSchedule.Growth.valueOf(kv.getOrDefault("growth", "pggan").toUpperCase(Locale.ROOT));
        Files.createDirectories(out);
        Backend.require();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Resolution %d px, %d sketch/GAN iterations (+ %d render iterations for SkrGAN), batch %d, width %s,"
                + " render width %d, seed 1; %d generated images per model; load at start %s%n%n", resolution, iterations, renderIterations,
                batch, width, renderWidth, GENERATED, BenchmarkReport.loadAverage()));
        md.append("| data | model | train s | SWD x1e3 (per level) | MS-SSIM real vs generated | MS-SSIM generated diversity | MS-SSIM real diversity | local checkerboard (grey levels) |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        Path tmp = Files.createTempDirectory("skrgan-quality");
        Path models = Files.createDirectories(Path.of(kv.getOrDefault("models", tmp.resolve("models").toString())));
        Path photo = Files.createDirectories(tmp.resolve("photograph"));
        Files.copy(Path.of("sample-data/fundus/retina-512.png"), photo.resolve("retina.png"));
        Map<String, Path> sets = new LinkedHashMap<>();
        Map<String, Integer> augment = new LinkedHashMap<>();
        if (only.contains("photograph")) { sets.put("photograph", photo); augment.put("photograph", 31); }
        if (only.contains("phantoms")) { sets.put("phantoms", Path.of("sample-data/phantoms/fundus/images")); augment.put("phantoms", 7); }
        for (Map.Entry<String, Path> set : sets.entrySet()) {
            String name = set.getKey();
            int copies = augment.get(name);
            SketchImageDataset data = SketchImageDataset.load(set.getValue(), null, resolution, true, SketchParameters.defaults(), copies, 1, SketchPlane.Shrink.COVERAGE, Progress.NONE);
            ImagePlus real = stack(data.images(range(data.size()), resolution), "real");
            Map<String, ImagePlus> rows = new LinkedHashMap<>();
            ImagePlus realSketches = stack(data.sketches(range(data.size()), resolution).repeat(1, 3), "real sketches");
            rows.put("real (augmented training set)", real);
            rows.put("real sketch drafts", realSketches);
            row(md, name, "real (training set vs itself)", 0, real, real);
            List<SkrGanSettings> runs = new ArrayList<>();
            runs.add(new SkrGanSettings("skrgan", resolution, true, iterations, renderIterations, batch, width, renderWidth, 1)
                    .withGrowth(growth));
            if (name.equals("photograph") && !kv.getOrDefault("transposed", "true").equals("false")) {
                runs.add(runs.get(0).withRenderUpsample(UNet.Upsample.TRANSPOSED));
            }
            if (!kv.getOrDefault("nearest_sketches", "true").equals("false")) {
                runs.add(runs.get(0).withSketchShrink(SketchPlane.Shrink.NEAREST));
            }
            if (!kv.getOrDefault("equal_growth", "false").equals("false")) {
                runs.add(runs.get(0).withGrowth(ProgressiveSchedule.Growth.EQUAL));
            }
            String baselines = kv.getOrDefault("baseline", "true").equals("false") ? "" : kv.getOrDefault("baselines", "pggan");
            for (String baseline : baselines.split(",")) {
                if (baseline.isBlank()) continue;
                runs.add(new SkrGanSettings(baseline.trim(), resolution, true, iterations, renderIterations, batch, width, renderWidth, 1)
                        .withGrowth(growth));
            }
            for (SkrGanSettings s : runs) {
                String label = s.architecture() + (s.skrgan() ? " (G_P " + s.renderUpsample().name().toLowerCase(Locale.ROOT)
                        + ", sketches shrunk " + s.sketchShrink().name().toLowerCase(Locale.ROOT) + ", " : " (")
                        + s.growth().name().toLowerCase(Locale.ROOT) + " growth)";
                Path model = models.resolve(name + "-" + s.architecture() + "-" + s.renderUpsample()
                        + (s.skrgan() ? "-" + s.sketchShrink() : "") + "-" + s.growth() + ".zip");
                double seconds = Double.NaN;
                if (!Files.exists(model)) { // a model of an earlier run of the same settings is scored again, not retrained
                    seconds = SkrGanJob.run(new SkrGanJob.Request(set.getValue(), null, model, s, SkrGanTraining.Stage.BOTH, copies,
                            false, 1_000_000, SketchParameters.defaults()), Progress.NONE).seconds();
                    Files.writeString(model.resolveSibling(model.getFileName() + ".seconds"), String.valueOf(seconds));
                } else if (Files.exists(model.resolveSibling(model.getFileName() + ".seconds"))) {
                    seconds = Double.parseDouble(Files.readString(model.resolveSibling(model.getFileName() + ".seconds")).trim());
                }
                SkrGanGenerator.Generated generated = new SkrGanGenerator(model).generate(GENERATED, 7, Progress.NONE);
                ImagePlus gen = generated.images();
                rows.put(label, gen);
                row(md, name, label, seconds, real, gen);
                if (s.skrgan()) {
                    ImagePlus sketches = rgb(generated.sketches());
                    rows.put(label + ": its sketches (G_S)", sketches);
                    row(md, name, label + ": sketches vs real sketches", seconds, realSketches, sketches);
                }
                System.out.println(md);
            }
            figure(rows, resolution, out.resolve("quality-skrgan-" + name + ".png"));
        }
        Files.writeString(out.resolve("quality-skrgan.md"), md.toString());
        System.out.println(md);
        System.exit(0); // ND4J's threads would keep the JVM alive
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** [N, 3, r, r] in [-1, 1] -> RGB stack. */
    static ImagePlus stack(INDArray images, String title) {
        long[] s = images.shape();
        int n = (int) s[0], r = (int) s[2];
        float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ImageStack st = new ImageStack(r, r);
        for (int i = 0; i < n; i++) {
            int[] px = new int[r * r];
            for (int p = 0; p < r * r; p++) {
                int[] c = new int[3];
                for (int ch = 0; ch < 3; ch++) c[ch] = Math.max(0, Math.min(255, Math.round((v[(i * 3 + ch) * r * r + p] + 1) * 127.5f)));
                px[p] = (c[0] << 16) | (c[1] << 8) | c[2];
            }
            st.addSlice(new ColorProcessor(r, r, px));
        }
        return new ImagePlus(title, st);
    }

    /** An 8-bit stack as RGB (the metrics and the figure take colour stacks). */
    static ImagePlus rgb(ImagePlus imp) {
        ImageStack st = new ImageStack(imp.getWidth(), imp.getHeight());
        for (int i = 1; i <= imp.getStackSize(); i++) st.addSlice(imp.getStack().getProcessor(i).convertToRGB());
        return new ImagePlus(imp.getTitle(), st);
    }

    static ImagePlus enlarged(ImagePlus imp, int size) {
        ImageStack st = new ImageStack(size, size);
        for (int i = 1; i <= imp.getStackSize(); i++) {
            ImageProcessor ip = imp.getStack().getProcessor(i).duplicate();
            ip.setInterpolationMethod(ImageProcessor.BILINEAR);
            st.addSlice(ip.resize(size, size));
        }
        return new ImagePlus(imp.getTitle(), st);
    }

    static void row(StringBuilder md, String data, String label, double seconds, ImagePlus real, ImagePlus gen) {
        SynthesisEvaluation swd = new SynthesisEvaluation(SynthesisEvaluation.Options.defaults(EnumSet.of(SynthesisEvaluation.Metric.SWD)), () -> null);
        SynthesisEvaluation ms = new SynthesisEvaluation(SynthesisEvaluation.Options.defaults(EnumSet.of(SynthesisEvaluation.Metric.MS_SSIM)), () -> null);
        List<SynthesisEvaluation.Row> a = swd.run(ImageSet.stack(real), ImageSet.stack(gen), Progress.NONE);
        List<SynthesisEvaluation.Row> b = ms.run(ImageSet.stack(enlarged(real, MS_SSIM_SIZE)), ImageSet.stack(enlarged(gen, MS_SSIM_SIZE)), Progress.NONE);
        Map<String, String> v = new LinkedHashMap<>();
        StringBuilder levels = new StringBuilder();
        for (SynthesisEvaluation.Row r : a) {
            if (r.metric().endsWith("_avg")) v.put("SWD", String.format(Locale.ROOT, "%.1f", r.value()));
            else levels.append(levels.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", r.value()));
        }
        v.put("SWD", v.getOrDefault("SWD", "-") + " (" + levels + ")");
        for (SynthesisEvaluation.Row r : b) v.put(r.metric(), String.format(Locale.ROOT, "%.3f", r.value()));
        System.out.println(data + " " + label + " " + v + " " + a);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s | %s | %s | %.2f |%n", data, label, seconds,
                pick(v, "SWD"), pick(v, "MS-SSIM_real_vs_generated"), pick(v, "MS-SSIM_generated_diversity"), pick(v, "MS-SSIM_real_diversity"),
                checkerboard(gen)));
    }

    static String pick(Map<String, String> v, String prefix) {
        for (Map.Entry<String, String> e : v.entrySet()) if (e.getKey().startsWith(prefix)) return e.getValue();
        return "-";
    }

    /**
     * Local checkerboard energy: the mean over all 2x2 windows of |I(x,y) - I(x+1,y) - I(x,y+1) + I(x+1,y+1)| / 4 (the
     * window's component of period 2 in both directions, in grey levels, averaged over images and channels). Taken per
     * window and in absolute value, so that a pattern whose phase drifts across the image still counts (a global Fourier
     * component would cancel it); compare with the real images' value (their fine texture and edges).
     */
    static double checkerboard(ImagePlus imp) {
        double total = 0;
        long n = 0;
        for (int i = 1; i <= imp.getStackSize(); i++) {
            ColorProcessor cp = (ColorProcessor) imp.getStack().getProcessor(i);
            int w = cp.getWidth(), h = cp.getHeight();
            for (int ch = 0; ch < 3; ch++) {
                int shift = 16 - 8 * ch;
                for (int y = 0; y + 1 < h; y++)
                    for (int x = 0; x + 1 < w; x++) {
                        int a = (cp.get(x, y) >> shift) & 0xff, b = (cp.get(x + 1, y) >> shift) & 0xff;
                        int c = (cp.get(x, y + 1) >> shift) & 0xff, d = (cp.get(x + 1, y + 1) >> shift) & 0xff;
                        total += Math.abs(a - b - c + d) / 4.0;
                        n++;
                    }
            }
        }
        return total / n;
    }

    static void figure(Map<String, ImagePlus> rows, int r, Path file) {
        int scale = Math.max(1, 128 / r), cell = r * scale, cols = 8, label = 14;
        ColorProcessor canvas = new ColorProcessor(cols * (cell + 2), rows.size() * (cell + label + 2));
        canvas.setColor(java.awt.Color.WHITE);
        canvas.fill();
        canvas.setColor(java.awt.Color.BLACK);
        canvas.setFont(new java.awt.Font("SansSerif", java.awt.Font.PLAIN, 11));
        int row = 0;
        for (Map.Entry<String, ImagePlus> e : rows.entrySet()) {
            int y0 = row * (cell + label + 2);
            canvas.drawString(e.getKey(), 2, y0 + label - 2);
            for (int c = 0; c < cols && c < e.getValue().getStackSize(); c++) {
                ImageProcessor ip = e.getValue().getStack().getProcessor(c + 1).duplicate();
                ip.setInterpolationMethod(ImageProcessor.NONE);
                canvas.insert(ip.resize(cell, cell), c * (cell + 2), y0 + label);
            }
            row++;
        }
        if (!new ij.io.FileSaver(new ImagePlus("quality", canvas)).saveAsPng(file.toString())) throw new IllegalStateException("cannot write " + file);
    }
}
