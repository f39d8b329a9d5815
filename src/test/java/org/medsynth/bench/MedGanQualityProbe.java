package org.medsynth.bench;

import ij.ImagePlus;
import org.medsynth.data.LabeledImage;
import org.medsynth.image.bridge.ImgBridge;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.nn.Backend;
import org.medsynth.core.Progress;
import org.medsynth.workflow.hybrid.SynthesisQualityCheck;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTrainer;
import org.medsynth.workflow.medgan.MedGanTraining;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Diagnostic run for the synthesis quality of 3D-MedGAN on liver phantoms (docs/medgan.md, "Why the synthetic
 * liver volumes failed the quality check"): trains with the given settings and, at the given iterations,
 * synthesises every training label map and prints per-label mean ± std (source units) of the synthetic volumes
 * next to the real ones, the share of background voxels below -500 (air), and optionally the quality check
 * (Dice of a real-data segmenter on volumes synthesised from test label maps).
 *
 * <pre>
 * java -cp ... org.medsynth.bench.MedGanQualityProbe TRAIN_FOLDER key=value ...
 *   mode=2|3 patch=16 width=8 depth=2 d_width=8 d_layers=2 pool=50 l1=10 lr=0.0002 noise=true
 *   clip_low=0.5 clip_high=99.5 seed=1 evals=100,300 segmenter=SEG.zip test=TEST_FOLDER model=OUT.zip
 * </pre>
 * TRAIN_FOLDER and TEST_FOLDER hold {@code images/} and {@code labels/}.
 */
public final class MedGanQualityProbe {

    private MedGanQualityProbe() { }

    public static void main(String[] args) throws Exception {
        Path train = Path.of(args[0]);
        Map<String, String> kv = BenchmarkReport.keyValues(args, 1);
        int mode = Integer.parseInt(kv.getOrDefault("mode", "3"));
        int patch = Integer.parseInt(kv.getOrDefault("patch", "16"));
        int width = Integer.parseInt(kv.getOrDefault("width", "8"));
        int depth = Integer.parseInt(kv.getOrDefault("depth", "2"));
        int dWidth = Integer.parseInt(kv.getOrDefault("d_width", String.valueOf(width)));
        int dLayers = Integer.parseInt(kv.getOrDefault("d_layers", "2"));
        int pool = Integer.parseInt(kv.getOrDefault("pool", "50"));
        double l1 = Double.parseDouble(kv.getOrDefault("l1", "10"));
        double lr = Double.parseDouble(kv.getOrDefault("lr", "0.0002"));
        boolean noise = Boolean.parseBoolean(kv.getOrDefault("noise", "true"));
        double clipLow = Double.parseDouble(kv.getOrDefault("clip_low", "0.5"));
        double clipHigh = Double.parseDouble(kv.getOrDefault("clip_high", "99.5"));
        long seed = Long.parseLong(kv.getOrDefault("seed", "1"));
        List<Integer> evals = new ArrayList<>();
        for (String s : kv.getOrDefault("evals", "100,300").split(",")) evals.add(Integer.parseInt(s.trim()));
        int iterations = evals.get(evals.size() - 1);
        Path segmenter = kv.containsKey("segmenter") ? Path.of(kv.get("segmenter")) : null;
        Path test = kv.containsKey("test") ? Path.of(kv.get("test")) : null;
        Path modelOut = Path.of(kv.getOrDefault("model", "/tmp/medgan-probe.zip"));

        Backend.require();
        MedGanConfig cfg = new MedGanConfig(mode, patch, width, depth, dWidth, dLayers, pool, iterations, lr, l1, noise,
                clipLow, clipHigh, 0.33, seed, 1000000);
        MedGanTraining.Data data = MedGanTraining.load(train.resolve("images"), train.resolve("labels"), clipLow, clipHigh, Progress.NONE);
        System.out.println("settings " + cfg + "\nmapping " + data.mapping().sourceLow() + " .. " + data.mapping().sourceHigh()
                + " load " + load());
        // real statistics in source units
        List<float[]> realHu = new ArrayList<>();
        List<int[]> labelValues = new ArrayList<>();
        List<LabelVolume> labelVolumes = new ArrayList<>();
        for (String name : data.names()) {
            ImagePlus img = ImageFiles.open(findFile(train.resolve("images"), name));
            ImagePlus lab = ImageFiles.open(findFile(train.resolve("labels"), name));
            var fi = ImgBridge.toFloatImage(img);
            int plane = fi.width() * fi.height();
            float[] v = new float[plane * fi.depth()];
            for (int z = 0; z < fi.depth(); z++) System.arraycopy(fi.plane(0, z, 0), 0, v, z * plane, plane);
            realHu.add(v);
            LabelVolume lv = LabelVolume.from(lab);
            labelVolumes.add(lv);
            labelValues.add(lv.values());
        }
        System.out.println("real      " + stats(realHu, labelValues));
        System.out.println(perCaseTumour("real     ", realHu, labelValues));

        MedGanTrainer trainer = new MedGanTrainer(cfg, data.cases(), data.names(), data.encoding(), data.mapping());
        long t0 = System.nanoTime();
        double trainSeconds = 0;
        double sumD = 0, sumG = 0, sumL1 = 0;
        int n = 0;
        for (int it = 0; it < iterations; it++) {
            long s = System.nanoTime();
            Map<String, Double> l = trainer.step(it);
            trainSeconds += (System.nanoTime() - s) / 1e9;
            sumD += l.get("D");
            sumG += l.get("G");
            sumL1 += l.getOrDefault("G_L1", Double.NaN);
            n++;
            if (evals.contains(it + 1)) {
                MedGanModel m = trainer.model();
                List<float[]> syn = new ArrayList<>();
                for (int c = 0; c < labelVolumes.size(); c++) {
                    float[] y = m.synthesizeNormalized(labelVolumes.get(c), MedGanModel.Options.defaults(seed + c), Progress.NONE);
                    data.mapping().toSource(y);
                    syn.add(y);
                }
                System.out.printf(Locale.ROOT, "it %5d  %s  | D %.3f G %.3f L1 %.3f (means since last) | %.2f s/it, load %s%n",
                        it + 1, stats(syn, labelValues), sumD / n, sumG / n, sumL1 / n, trainSeconds / (it + 1), load());
                System.out.println(perCaseTumour("it " + (it + 1), syn, labelValues));
                sumD = sumG = sumL1 = 0;
                n = 0;
                if (segmenter != null && test != null) {
                    trainer.saveModel(modelOut, it + 1, null);
                    List<SynthesisQualityCheck.Row> rows = SynthesisQualityCheck.run(modelOut, segmenter, test.resolve("labels"),
                            test.resolve("images"), new SynthesisQualityCheck.Options(MedGanModel.Options.defaults(seed), null, 0.5, null),
                            Progress.NONE);
                    StringBuilder sb = new StringBuilder("   quality check (mean over test maps):");
                    for (int label = 1; label <= 2; label++) {
                        double sd = 0, rd = 0;
                        int k = 0;
                        StringBuilder per = new StringBuilder();
                        for (SynthesisQualityCheck.Row r : rows) {
                            if (r.label() != label) continue;
                            per.append(String.format(Locale.ROOT, " %.2f/%.2f", r.dice(), r.realDice()));
                            if (!Double.isNaN(r.dice())) { sd += r.dice(); rd += r.realDice(); k++; }
                        }
                        sb.append(String.format(Locale.ROOT, "  label %d Dice synthetic %.3f real %.3f (per map syn/real:%s)",
                                label, sd / k, rd / k, per));
                    }
                    System.out.println(sb);
                }
            }
        }
        trainer.saveModel(modelOut, iterations, null);
        System.out.printf(Locale.ROOT, "total %.1f s (training %.1f s), model %s, load %s%n", (System.nanoTime() - t0) / 1e9,
                trainSeconds, modelOut, load());
    }

    static Path findFile(Path folder, String base) throws Exception {
        try (var s = Files.list(folder)) {
            return s.filter(p -> ImageFiles.baseName(p).equals(base)).findFirst().orElseThrow();
        }
    }

    /** Per-label mean ± std pooled over all cases, and the share of background voxels below -500. */
    static String stats(List<float[]> vols, List<int[]> labels) {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l <= 2; l++) {
            double s = 0, s2 = 0;
            long k = 0, air = 0;
            for (int c = 0; c < vols.size(); c++) {
                float[] v = vols.get(c);
                int[] lab = labels.get(c);
                for (int i = 0; i < v.length; i++) {
                    if (lab[i] != l) continue;
                    s += v[i];
                    s2 += v[i] * (double) v[i];
                    k++;
                    if (v[i] < -500) air++;
                }
            }
            double m = s / k;
            sb.append(String.format(Locale.ROOT, "L%d %6.0f ± %4.0f  ", l, m, Math.sqrt(Math.max(0, s2 / k - m * m))));
            if (l == 0) sb.append(String.format(Locale.ROOT, "(air %.2f)  ", air / (double) k));
        }
        return sb.toString();
    }

    /** Tumour mean minus liver mean per case (the sign says hypo- or hyperdense). */
    static String perCaseTumour(String prefix, List<float[]> vols, List<int[]> labels) {
        StringBuilder sb = new StringBuilder(prefix + " tumour - liver per case:");
        for (int c = 0; c < vols.size(); c++) {
            double[] s = new double[3];
            long[] k = new long[3];
            float[] v = vols.get(c);
            int[] lab = labels.get(c);
            for (int i = 0; i < v.length; i++) { s[lab[i]] += v[i]; k[lab[i]]++; }
            sb.append(k[2] == 0 ? "   -" : String.format(Locale.ROOT, " %4.0f", s[2] / k[2] - s[1] / k[1]));
        }
        return sb.toString();
    }

    static String load() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Runtime.getRuntime().exec(new String[]{"cat", "/proc/loadavg"}).getInputStream()))) {
            String line = r.readLine();
            return line == null ? "?" : line.substring(0, line.indexOf(' ', line.indexOf(' ', line.indexOf(' ') + 1) + 1));
        } catch (Exception e) {
            return "?";
        }
    }
}
