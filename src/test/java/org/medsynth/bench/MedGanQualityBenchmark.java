package org.medsynth.bench;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.medsynth.image.bridge.FloatImage;
import org.medsynth.image.bridge.ImgBridge;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.labels.TissueClassSplit;
import org.medsynth.image.nifti.NiftiReader;
import org.medsynth.metrics.StructuralSimilarity;
import org.medsynth.nn.Backend;
import org.medsynth.nn.networks.UNet;
import org.medsynth.core.Progress;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTrainer;
import org.medsynth.workflow.medgan.MedGanTraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fidelity of 3D-MedGAN against real data (docs/quality.md): the bundled brain (ch2 T1 + Brodmann labels) is split
 * into axial slabs; G trains on the slabs below and above a held-out slab ({@code test=80..112} by default, which holds
 * slice 90) and then synthesises the whole volume from the label map; inside the head (real intensity above 10 % of its
 * 99.5th percentile) of the held-out slab, which G never saw, it reports SSIM (per axial slice, on the head's bounding
 * box, averaged), PSNR (data range = the model's intensity range), Pearson correlation, the mean intensity per label
 * (background-in-head and the Brodmann areas pooled, and the mean absolute error of the per-area means), and two
 * artefact amplitudes of the residual synthetic - real as a function of the position modulo 32 along x and y: its
 * Fourier amplitude at periods 2, 4, 8 (up-sampling patterns) and at periods 16, 32 (tile seams of the earlier default
 * tiling, stride 32). Variants: {@code new} = this version's defaults (nearest-neighbour
 * up-sampling with the full-resolution input skip, or the {@code upsample} key's, one whole-volume pass, per-label calibration) evaluated at every count of {@code evals}, also without the
 * calibration and with the earlier tiling; {@code old} = the earlier build's behaviour (transposed convolutions, tiles of
 * the patch size with Gaussian blending, no calibration) at {@code old} iterations. With {@code tissue=true} G learns
 * from (and synthesises from) the atlas split into tissue classes by the T1 ({@link TissueClassSplit}); the scores'
 * cortex and area columns still pool the Brodmann areas. Writes {@code quality-medgan.md}
 * (tables) and {@code quality-medgan-brain.png} (held-out axial slice 96 and coronal slice 108, real vs synthetic) to
 * the output folder.
 * <pre>
 * mvn -q test-compile && nice java -cp "target/test-classes:target/classes:target/imagej/jars/*" \
 *   --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx10g org.medsynth.bench.MedGanQualityBenchmark docs/images \
 *   evals=100,300 old=300 l1=100 old_l1=0
 * </pre>
 */
public final class MedGanQualityBenchmark {

    private MedGanQualityBenchmark() { }

    record Scores(double ssim, double psnr, double corr, double bgReal, double bgSyn, double ctxReal, double ctxSyn,
                  double areaMae, int areas, double checker, double grid) { }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/images");
        Map<String, String> kv = BenchmarkReport.keyValues(args, 1);
        Path brain = Path.of(kv.getOrDefault("brain", "sample-data/brain"));
        int from = Integer.parseInt(kv.getOrDefault("test_from", "80"));
        int to = Integer.parseInt(kv.getOrDefault("test_to", "112"));
        List<Integer> evals = new ArrayList<>();
        for (String s : kv.getOrDefault("evals", "100,300").split(",")) evals.add(Integer.parseInt(s.trim()));
        int oldIterations = Integer.parseInt(kv.getOrDefault("old", "300"));
        int patch = Integer.parseInt(kv.getOrDefault("patch", "64"));
        int width = Integer.parseInt(kv.getOrDefault("width", "16"));
        int depth = Integer.parseInt(kv.getOrDefault("depth", "4"));
        double l1 = Double.parseDouble(kv.getOrDefault("l1", "100"));
        double oldL1 = Double.parseDouble(kv.getOrDefault("old_l1", "0"));
        long seed = Long.parseLong(kv.getOrDefault("seed", "1"));
        UNet.Upsample upsample = UNet.Upsample.valueOf(kv.getOrDefault("upsample", UNet.Upsample.NEAREST_INPUT_SKIP.name()));
        int axial = Integer.parseInt(kv.getOrDefault("slice", "96"));
        Files.createDirectories(out);
        Backend.require();

        ImagePlus t1 = NiftiReader.read(brain.resolve("ch2.nii.gz"));
        ImagePlus atlas = NiftiReader.read(brain.resolve("brodmann.nii.gz"));
        FloatImage fi = ImgBridge.toFloatImage(t1);
        int w = fi.width(), h = fi.height(), d = fi.depth(), plane = w * h;
        float[] real = new float[plane * d];
        for (int z = 0; z < d; z++) System.arraycopy(fi.plane(0, z, 0), 0, real, z * plane, plane);
        LabelVolume labels = LabelVolume.from(atlas);
        // scored by the Brodmann areas (cortex, area means) whichever label map G learns from
        int[] lab = labels.values();
        boolean tissue = Boolean.parseBoolean(kv.getOrDefault("tissue", "false"));
        if (tissue) {
            // G learns from the atlas split into tissue classes by the T1 (MedSynth Split Labels into Tissue Classes)
            labels = LabelVolume.from(TissueClassSplit.split(atlas, t1, new TissueClassSplit.Classes(0, 0, 0),
                    TissueClassSplit.Thresholds.AUTOMATIC).image());
        }
        int[] trainLab = labels.values();

        // training slabs below and above the held-out one, through the command's own loading and normalisation
        Path tmp = Files.createTempDirectory("medgan-quality");
        Path imgDir = Files.createDirectories(tmp.resolve("images")), labDir = Files.createDirectories(tmp.resolve("labels"));
        writeSlab(real, trainLab, w, h, 0, from, imgDir.resolve("lower.tif"), labDir.resolve("lower.tif"));
        writeSlab(real, trainLab, w, h, to, d, imgDir.resolve("upper.tif"), labDir.resolve("upper.tif"));
        MedGanTraining.Data data = MedGanTraining.load(imgDir, labDir, 0.5, 99.5, Progress.NONE);
        // label values only in the held-out slab count as background (G cannot know them)
        int[] known = data.encoding().values();
        int[] synLab = trainLab.clone();
        int unknown = 0;
        for (int i = 0; i < synLab.length; i++) if (Arrays.binarySearch(known, synLab[i]) < 0) { synLab[i] = 0; unknown++; }
        LabelVolume synLabels = new LabelVolume(w, h, d, synLab, labels.calibration(), 16, "brain");
        double lo = data.mapping().sourceLow(), hi = data.mapping().sourceHigh();

        // head mask: real intensity above 10 % of the 99.5th percentile
        float[] sorted = real.clone();
        Arrays.sort(sorted);
        double thr = 0.1 * sorted[(int) (0.995 * (sorted.length - 1))];
        boolean[] head = new boolean[real.length];
        for (int i = 0; i < real.length; i++) head[i] = real[i] > thr;

        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Brain ch2 %d x %d x %d, labels %d values (%d held-out voxels with a label absent from training -> 0);"
                        + " training slabs z 0..%d and %d..%d, held-out slab z %d..%d; intensity range %.1f .. %.1f; head threshold %.1f; load %s%n%n",
                w, h, d, known.length, unknown, from - 1, to, d - 1, from, to - 1, lo, hi, thr, BenchmarkReport.loadAverage()));
        md.append("| variant | iterations | train s | SSIM | PSNR dB | r | background in head: real / syn | cortex: real / syn | area means MAE (areas) | period 2-8 | period 16-32 |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, float[]> pictures = new LinkedHashMap<>();

        // this version's defaults
        MedGanConfig cfg = new MedGanConfig(3, patch, width, depth, width, 3, 50, evals.get(evals.size() - 1), 2e-4, l1, true,
                0.5, 99.5, 0.33, seed, 1_000_000).withUpsample(upsample);
        train(cfg, data, evals, (it, trainer, seconds) -> {
            MedGanModel view = trainer.model();
            float[] offsets = view.measureLabelOffsets(data.cases(), seed, 50, Progress.NONE);
            MedGanModel calibrated = view.withLabelOffsets(offsets);
            float[] syn = synth(calibrated, synLabels, MedGanModel.Options.defaults(seed), data);
            row(md, "new (" + upsample + ", one pass, calibrated), L1 " + fmt(l1) + (tissue ? ", tissue-class labels" : ""), it, seconds, score(real, syn, lab, head, w, h, from, to, hi - lo));
            pictures.put("new " + it, syn);
            float[] raw = synth(view, synLabels, MedGanModel.Options.defaults(seed), data);
            row(md, "  same, without calibration", it, seconds, score(real, raw, lab, head, w, h, from, to, hi - lo));
            float[] tiled = synth(calibrated, synLabels, MedGanModel.Options.defaults(seed).withTile(patch), data);
            row(md, "  same, tiles of " + patch + " (overlap 0.5)", it, seconds, score(real, tiled, lab, head, w, h, from, to, hi - lo));
            System.out.println(md);
        });
        if (oldIterations > 0) {
            MedGanConfig old = cfg.withUpsample(UNet.Upsample.TRANSPOSED).withL1Weight(oldL1).withIterations(oldIterations);
            train(old, data, List.of(oldIterations), (it, trainer, seconds) -> {
                MedGanModel view = trainer.model();
                float[] syn = synth(view, synLabels, MedGanModel.Options.defaults(seed).withTile(patch), data);
                row(md, "old (transposed, tiles of " + patch + ", uncalibrated), L1 " + fmt(oldL1), it, seconds,
                        score(real, syn, lab, head, w, h, from, to, hi - lo));
                pictures.put("old " + it, syn);
                System.out.println(md);
            });
        }
        Files.writeString(out.resolve("quality-medgan.md"), md.toString());
        figure(real, pictures, w, h, d, axial, lo, hi, from, to, out.resolve("quality-medgan-brain.png"));
        System.out.println(md);
        System.exit(0); // ND4J's threads would keep the JVM alive
    }

    interface Eval {
        void at(int iteration, MedGanTrainer trainer, double trainSeconds) throws Exception;
    }

    static void train(MedGanConfig cfg, MedGanTraining.Data data, List<Integer> evals, Eval eval) throws Exception {
        MedGanTrainer trainer = new MedGanTrainer(cfg, data.cases(), data.names(), data.encoding(), data.mapping());
        double seconds = 0;
        for (int it = 0; it < cfg.iterations(); it++) {
            long t0 = System.nanoTime();
            trainer.step(it);
            seconds += (System.nanoTime() - t0) / 1e9;
            if ((it + 1) % 50 == 0) System.out.printf(Locale.ROOT, "iteration %d, %.2f s/it, load %s%n", it + 1, seconds / (it + 1), BenchmarkReport.loadAverage());
            if (evals.contains(it + 1)) eval.at(it + 1, trainer, seconds);
        }
    }

    static float[] synth(MedGanModel m, LabelVolume lv, MedGanModel.Options o, MedGanTraining.Data data) {
        long t0 = System.nanoTime();
        float[] y = m.synthesizeNormalized(lv, o, Progress.NONE);
        data.mapping().toSource(y);
        System.out.printf(Locale.ROOT, "synthesis (tile %d) %.1f s%n", o.tile(), (System.nanoTime() - t0) / 1e9);
        return y;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static void row(StringBuilder md, String variant, int it, double seconds, Scores s) {
        md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.3f | %.2f | %.3f | %.1f / %.1f | %.1f / %.1f | %.1f (%d) | %.2f | %.2f |%n",
                variant, it, seconds, s.ssim(), s.psnr(), s.corr(), s.bgReal(), s.bgSyn(), s.ctxReal(), s.ctxSyn(), s.areaMae(), s.areas(),
                s.checker(), s.grid()));
    }

    /** Scores inside the head in the held-out slab [from, to). */
    static Scores score(float[] real, float[] syn, int[] lab, boolean[] head, int w, int h, int from, int to, double range) {
        int plane = w * h;
        double se = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        long n = 0;
        double bgR = 0, bgS = 0, cxR = 0, cxS = 0;
        long bgN = 0, cxN = 0;
        Map<Integer, double[]> areas = new LinkedHashMap<>();
        for (int z = from; z < to; z++)
            for (int i = 0; i < plane; i++) {
                int v = z * plane + i;
                if (!head[v]) continue;
                double a = real[v], b = syn[v];
                se += (a - b) * (a - b);
                sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b;
                n++;
                if (lab[v] == 0) { bgR += a; bgS += b; bgN++; } else {
                    cxR += a; cxS += b; cxN++;
                    double[] s = areas.computeIfAbsent(lab[v], k -> new double[3]);
                    s[0] += a; s[1] += b; s[2]++;
                }
            }
        double mse = se / n;
        double psnr = 10 * Math.log10(range * range / mse);
        double cov = sxy / n - (sx / n) * (sy / n);
        double corr = cov / Math.sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
        double mae = 0;
        int count = 0;
        for (double[] s : areas.values()) {
            if (s[2] < 500) continue;
            mae += Math.abs(s[0] / s[2] - s[1] / s[2]);
            count++;
        }
        // SSIM per axial slice on the head's bounding box
        double ssim = 0;
        int slices = 0;
        for (int z = from; z < to; z++) {
            int x0 = w, x1 = -1, y0 = h, y1 = -1;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (head[z * plane + y * w + x]) {
                x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
            }
            if (x1 - x0 < 11 || y1 - y0 < 11) continue;
            int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
            float[] a = new float[bw * bh], b = new float[bw * bh];
            for (int y = 0; y < bh; y++) for (int x = 0; x < bw; x++) {
                a[y * bw + x] = real[z * plane + (y0 + y) * w + x0 + x];
                b[y * bw + x] = syn[z * plane + (y0 + y) * w + x0 + x];
            }
            ssim += StructuralSimilarity.ssimAndCs(a, b, bw, bh, range)[0];
            slices++;
        }
        // periodic artefacts: the mean residual syn - real as a function of the position modulo 32 along x and y (the
        // held-out slab is 32 slices thick: no period to see along z); the amplitude of its Fourier components of
        // period 2, 4 and 8 (up-sampling patterns of a stride-2 decoder) and of period 16 and 32 (the earlier tiling's
        // stride: seams)
        double checker = 0, grid = 0;
        for (int axis = 0; axis < 2; axis++) {
            double[] sum = new double[32];
            long[] cnt = new long[32];
            for (int z = from; z < to; z++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int v = z * plane + y * w + x;
                        if (!head[v]) continue;
                        int p = (axis == 0 ? x : y) % 32;
                        sum[p] += syn[v] - real[v];
                        cnt[p]++;
                    }
            double[] profile = new double[32];
            for (int p = 0; p < 32; p++) profile[p] = cnt[p] == 0 ? 0 : sum[p] / cnt[p];
            for (int f = 1; f <= 16; f++) {
                double re = 0, im = 0;
                for (int p = 0; p < 32; p++) {
                    re += profile[p] * Math.cos(2 * Math.PI * f * p / 32);
                    im -= profile[p] * Math.sin(2 * Math.PI * f * p / 32);
                }
                double amp = Math.hypot(re, im) * (f == 16 ? 1 : 2) / 32;
                if (f == 4 || f == 8 || f == 16) checker = Math.max(checker, amp);
                if (f == 1 || f == 2) grid = Math.max(grid, amp);
            }
        }
        return new Scores(ssim / slices, psnr, corr, bgR / bgN, bgS / bgN, cxR / cxN, cxS / cxN, mae / count, count, checker, grid);
    }

    static void writeSlab(float[] real, int[] lab, int w, int h, int z0, int z1, Path image, Path labels) throws IOException {
        int plane = w * h;
        ImageStack si = new ImageStack(w, h), sl = new ImageStack(w, h);
        for (int z = z0; z < z1; z++) {
            si.addSlice(new FloatProcessor(w, h, Arrays.copyOfRange(real, z * plane, (z + 1) * plane)));
            byte[] b = new byte[plane];
            for (int i = 0; i < plane; i++) b[i] = (byte) lab[z * plane + i];
            sl.addSlice(new ByteProcessor(w, h, b));
        }
        if (!IJ.saveAsTiff(new ImagePlus("slab", si), image.toString()) || !IJ.saveAsTiff(new ImagePlus("slab", sl), labels.toString())) {
            throw new IOException("cannot write " + image);
        }
    }

    /** Rows: axial slice {@code axial} and the coronal slice through the middle; columns: real, then each variant. */
    static void figure(float[] real, Map<String, float[]> pictures, int w, int h, int d, int axial, double lo, double hi,
                       int from, int to, Path file) {
        int cols = 1 + pictures.size();
        int cy = h / 2;
        int cellW = w, cellH = h + d + 14;
        FloatProcessor canvas = new FloatProcessor(cols * cellW, cellH);
        canvas.setValue(lo);
        canvas.fill();
        List<String> names = new ArrayList<>();
        names.add("real");
        names.addAll(pictures.keySet());
        List<float[]> vols = new ArrayList<>();
        vols.add(real);
        vols.addAll(pictures.values());
        for (int c = 0; c < cols; c++) {
            float[] v = vols.get(c);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) canvas.setf(c * cellW + x, 14 + y, v[axial * w * h + y * w + x]);
            for (int z = 0; z < d; z++)
                for (int x = 0; x < w; x++) canvas.setf(c * cellW + x, 14 + h + (d - 1 - z), v[z * w * h + cy * w + x]);
        }
        canvas.setMinAndMax(lo, hi);
        ImageProcessor bytes = canvas.convertToByteProcessor(true);
        bytes.setColor(255);
        bytes.setFont(new java.awt.Font("SansSerif", java.awt.Font.PLAIN, 11));
        for (int c = 0; c < cols; c++) {
            bytes.drawString(names.get(c), c * cellW + 3, 13);
            // mark the held-out slab on the coronal view
            for (int z : new int[]{from, to - 1}) bytes.drawPixel(c * cellW, 14 + h + (d - 1 - z));
            for (int z : new int[]{from, to - 1}) bytes.drawPixel(c * cellW + 1, 14 + h + (d - 1 - z));
        }
        if (!new ij.io.FileSaver(new ImagePlus("quality", bytes)).saveAsPng(file.toString())) throw new IllegalStateException("cannot write " + file);
    }
}
