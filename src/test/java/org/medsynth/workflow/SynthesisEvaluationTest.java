package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.metrics.FeatureExtractor;
import org.medsynth.metrics.FrechetDistance;
import org.medsynth.metrics.ImageChannels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynthesisEvaluationTest {

    /** A small deterministic feature network: 8x8 block means of each channel, times a fixed random matrix. */
    static final class ProjectionFeatures implements FeatureExtractor {
        final float[][] w = new float[16][3 * 64];
        int calls;

        ProjectionFeatures() {
            Random r = new Random(123);
            for (float[] row : w) for (int j = 0; j < row.length; j++) row[j] = (float) r.nextGaussian() / 16;
        }

        @Override public String name() {
            return "projection";
        }

        @Override public int dimension() {
            return 16;
        }

        @Override public float[] features(ImageChannels im) {
            calls++;
            float[] pooled = new float[3 * 64];
            for (int c = 0; c < 3; c++) {
                float[] ch = im.channels()[im.channelCount() == 1 ? 0 : c];
                for (int y = 0; y < im.height(); y++) {
                    for (int x = 0; x < im.width(); x++) {
                        pooled[c * 64 + (y * 8 / im.height()) * 8 + x * 8 / im.width()] += ch[y * im.width() + x];
                    }
                }
            }
            float[] f = new float[16];
            for (int k = 0; k < 16; k++) for (int j = 0; j < pooled.length; j++) f[k] += w[k][j] * pooled[j] / (im.width() * im.height() / 64f);
            return f;
        }
    }

    static ByteProcessor image(int size, int k, double noise, long seed) {
        Random r = new Random(seed * 1000 + k);
        byte[] b = new byte[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double v = 128 + 60 * Math.sin((x + 3 * k) / 9.0) * Math.cos(y / 13.0) + noise * r.nextGaussian();
                b[y * size + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return new ByteProcessor(size, size, b);
    }

    static ImagePlus stack(int n, int size, double noise, long seed) {
        ImageStack s = new ImageStack(size, size);
        for (int k = 0; k < n; k++) s.addSlice("img" + k, image(size, k, noise, seed));
        return new ImagePlus("stack", s);
    }

    static Map<String, SynthesisEvaluation.Row> byName(List<SynthesisEvaluation.Row> rows) {
        return rows.stream().collect(Collectors.toMap(SynthesisEvaluation.Row::metric, Function.identity()));
    }

    @Test
    void allMetricsOnStacksAndFolders(@TempDir Path dir) {
        ImagePlus real = stack(5, 176, 4, 1);
        Path gen = dir.resolve("gen");
        for (int k = 0; k < 4; k++) ImageFiles.saveTiff(new ImagePlus("g", image(176, k, 25, 2)), gen.resolve("g" + k + ".tif"));
        ProjectionFeatures fx = new ProjectionFeatures();
        SynthesisEvaluation.Options o = new SynthesisEvaluation.Options(EnumSet.allOf(SynthesisEvaluation.Metric.class),
                7, 12, 0, 10, 1000, false);
        List<SynthesisEvaluation.Row> rows = new SynthesisEvaluation(o, () -> fx).run(ImageSet.stack(real), ImageSet.folder(gen), Progress.NONE);
        Map<String, SynthesisEvaluation.Row> m = byName(rows);
        for (String name : List.of("SWDx1e3_176", "SWDx1e3_88", "SWDx1e3_44", "SWDx1e3_22", "SWDx1e3_avg", "FID", "KID",
                "MS-SSIM_real_vs_generated", "MS-SSIM_generated_diversity", "MS-SSIM_real_diversity")) {
            assertTrue(m.containsKey(name), name + " missing from " + m.keySet());
        }
        assertEquals(9, fx.calls);
        assertTrue(m.get("SWDx1e3_avg").value() > 0);
        assertEquals(12, m.get("MS-SSIM_real_vs_generated").n());
        assertEquals("random pairs", m.get("MS-SSIM_real_vs_generated").note());
        assertTrue(m.get("MS-SSIM_real_vs_generated").value() > 0 && m.get("MS-SSIM_real_vs_generated").value() < 1);
        // the FID row is the Frechet distance of the network's features
        List<float[]> fr = new ArrayList<>(), fg = new ArrayList<>();
        ImageSet r = ImageSet.stack(real), g = ImageSet.folder(gen);
        for (int i = 0; i < r.size(); i++) fr.add(fx.features(r.get(i).image()));
        for (int i = 0; i < g.size(); i++) fg.add(fx.features(g.get(i).image()));
        assertEquals(FrechetDistance.of(fr.toArray(new float[0][]), fg.toArray(new float[0][])), m.get("FID").value(), 1e-6);
        assertEquals(10, m.get("KID").n());
        // same seed, same numbers
        List<SynthesisEvaluation.Row> again = new SynthesisEvaluation(o, ProjectionFeatures::new).run(r, g, Progress.NONE);
        assertEquals(rows, again);
        // CSV
        Path csv = SynthesisEvaluation.save(rows, dir.resolve("out"));
        assertTrue(Files.exists(csv));
    }

    @Test
    void identicalSetsScoreZeroSwdAndPerfectPairsByName() {
        ImagePlus real = stack(3, 176, 10, 1);
        SynthesisEvaluation.Options o = new SynthesisEvaluation.Options(
                EnumSet.of(SynthesisEvaluation.Metric.SWD, SynthesisEvaluation.Metric.MS_SSIM, SynthesisEvaluation.Metric.FID),
                0, 5, 0, 10, 1000, false);
        Map<String, SynthesisEvaluation.Row> m = byName(new SynthesisEvaluation(o, ProjectionFeatures::new)
                .run(ImageSet.stack(real), ImageSet.stack(real.duplicate()), Progress.NONE));
        assertEquals(0.0, m.get("SWDx1e3_avg").value(), 0.0);
        assertEquals(1.0, m.get("MS-SSIM_real_vs_generated").value(), 1e-12);
        assertEquals("pairs matched by name", m.get("MS-SSIM_real_vs_generated").note());
        assertEquals(3, m.get("MS-SSIM_real_vs_generated").n());
        assertEquals(0.0, m.get("FID").value(), 1e-3);
    }

    @Test
    void missingInceptionIsSkippedForAllButFatalWhenAskedFor() {
        ImageSet a = ImageSet.stack(stack(3, 32, 5, 1)), b = ImageSet.stack(stack(3, 32, 5, 2));
        java.util.function.Supplier<FeatureExtractor> none = () -> {
            throw new UserInputException("No InceptionV3 model is configured.\nmore");
        };
        SynthesisEvaluation.Options all = new SynthesisEvaluation.Options(SynthesisEvaluation.parseMetrics("all"), 0, 3, 0, 5, 10, true);
        Map<String, SynthesisEvaluation.Row> m;
        // MS-SSIM cannot run on 32 px images: ask for SWD, FID, KID only
        all = new SynthesisEvaluation.Options(EnumSet.of(SynthesisEvaluation.Metric.SWD, SynthesisEvaluation.Metric.FID,
                SynthesisEvaluation.Metric.KID), 0, 3, 0, 5, 10, true);
        m = byName(new SynthesisEvaluation(all, none).run(a, b, Progress.NONE));
        assertTrue(Double.isNaN(m.get("FID").value()));
        assertTrue(m.get("FID").note().startsWith("skipped: No InceptionV3"), m.get("FID").note());
        assertTrue(m.containsKey("SWDx1e3_avg"));
        SynthesisEvaluation.Options fid = new SynthesisEvaluation.Options(SynthesisEvaluation.parseMetrics("FID"), 0, 3, 0, 5, 10, false);
        UserInputException e = assertThrows(UserInputException.class, () -> new SynthesisEvaluation(fid, none).run(a, b, Progress.NONE));
        assertTrue(e.getMessage().contains("InceptionV3"));
    }

    @Test
    void parsesMetricListsAndRefusesBadInput() {
        assertEquals(EnumSet.of(SynthesisEvaluation.Metric.SWD, SynthesisEvaluation.Metric.MS_SSIM),
                SynthesisEvaluation.parseMetrics("swd, ms-ssim"));
        assertEquals(EnumSet.allOf(SynthesisEvaluation.Metric.class), SynthesisEvaluation.parseMetrics("all"));
        assertThrows(UserInputException.class, () -> SynthesisEvaluation.parseMetrics("PSNR"));
        ImageSet a = ImageSet.stack(stack(2, 176, 5, 1)), small = ImageSet.stack(stack(2, 128, 5, 2));
        SynthesisEvaluation.Options o = new SynthesisEvaluation.Options(SynthesisEvaluation.parseMetrics("SWD"), 0, 3, 0, 5, 10, false);
        UserInputException e = assertThrows(UserInputException.class, () -> new SynthesisEvaluation(o, ProjectionFeatures::new)
                .run(a, small, Progress.NONE));
        assertTrue(e.getMessage().contains("same size"), e.getMessage());
        SynthesisEvaluation.Options ms = new SynthesisEvaluation.Options(SynthesisEvaluation.parseMetrics("MS-SSIM"), 0, 3, 0, 5, 10, false);
        e = assertThrows(UserInputException.class, () -> new SynthesisEvaluation(ms, ProjectionFeatures::new)
                .run(small, small, Progress.NONE));
        assertTrue(e.getMessage().contains("161"), e.getMessage());
    }
}
