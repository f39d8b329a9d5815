package org.medsynth.spark.jobs;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;
import org.medsynth.core.Progress;
import org.medsynth.workflow.medgan.AugmentTrainingSet;
import org.medsynth.workflow.medgan.MedGanConfig;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.medgan.MedGanTraining;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthesize job writes the pairs of Augment Training Set, byte for byte, and the same manifest entries. */
class SynthesizeJobTest {

    @TempDir
    static Path dir;
    static Path images, labels, model;

    private static ImagePlus volume(int[] lab, float[] v, int w, int h, int d, String title) {
        ImageStack st = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            if (v == null) {
                byte[] px = new byte[w * h];
                for (int i = 0; i < px.length; i++) px[i] = (byte) lab[z * w * h + i];
                st.addSlice(new ByteProcessor(w, h, px));
            } else {
                float[] px = new float[w * h];
                System.arraycopy(v, z * w * h, px, 0, px.length);
                st.addSlice(new FloatProcessor(w, h, px));
            }
        }
        ImagePlus imp = new ImagePlus(title, st);
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.8;
        cal.pixelHeight = 0.8;
        cal.pixelDepth = 2.5;
        cal.setUnit("mm");
        imp.setCalibration(cal);
        return imp;
    }

    @BeforeAll
    static void tinyMedGan() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        model = tinyMedGanIn(dir);
        images = dir.resolve("real/images");
        labels = dir.resolve("real/labels");
    }

    /**
     * Three label maps (organ 1 with a lesion 2) and CT-like volumes, dir/real/labels and dir/real/images; a tiny
     * 3D-MedGAN trained for 2 steps on them, dir/models/medgan.zip (returned).
     */
    static Path tinyMedGanIn(Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("real/images"));
        Path labels = Files.createDirectories(dir.resolve("real/labels"));
        int w = 20, h = 18, d = 10;
        for (int c = 0; c < 3; c++) {
            int[] lab = new int[w * h * d];
            for (int z = 0; z < d; z++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double ox = (x - 9 - c) / 6.0, oy = (y - 9) / 6.0, oz = (z - 5) / 6.0;
                        double lx = (x - 10 - c) / 2.5, ly = (y - 9) / 2.5, lz = (z - 5) / 2.5;
                        int i = x + w * (y + h * z);
                        if (ox * ox + oy * oy + oz * oz <= 1) lab[i] = 1;
                        if (lx * lx + ly * ly + lz * lz <= 1) lab[i] = 2;
                    }
                }
            }
            float[] v = new float[lab.length];
            Random r = new Random(c);
            for (int i = 0; i < v.length; i++) v[i] = (float) (new double[]{-800, 50, 120}[lab[i]] + 10 * r.nextGaussian());
            ImageFiles.saveTiff(volume(lab, v, w, h, d, "case" + c), images.resolve("case" + c + ".tif"));
            ImageFiles.saveTiff(volume(lab, null, w, h, d, "case" + c), labels.resolve("case" + c + ".tif"));
        }
        Path model = dir.resolve("models/medgan.zip");
        Files.createDirectories(model.getParent());
        MedGanConfig tiny = MedGanConfig.defaults().withNetworks(2, 2, 2, 1).withPatch(16).withPool(2).withIterations(2).withCheckpointEvery(3);
        MedGanTraining.run(images, labels, model, tiny, false, Progress.NONE);
        return model;
    }

    @Test
    void thePairsOfAugmentTrainingSet() throws Exception {
        AugmentTrainingSet.Options o = new AugmentTrainingSet.Options(2, 2, LabelMapEditor.AUTO_HOST,
                new LabelMapEditor.RandomRanges(0.7, 1.4, 2, 1), 3, MedGanModel.Options.defaults(3));
        List<AugmentTrainingSet.Written> reference = AugmentTrainingSet.run(images, labels, model, dir.resolve("reference"), o, Progress.NONE);

        Path out = dir.resolve("spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "synthesize", SparkTests.keys("model", model, "labels", labels, "images", images,
                "output", out, "copies", 2, "edit_label", 2, "min_factor", 0.7, "max_factor", 1.4, "max_shift", 2, "max_shift_z", 1, "seed", 3));
        assertEquals(6, s.count(ItemResult.WRITTEN), s.results().toString());
        SparkTests.assertSameFiles(dir.resolve("reference/images"), out.resolve("images"), List.of());
        SparkTests.assertSameFiles(dir.resolve("reference/labels"), out.resolve("labels"), List.of());
        AugmentTrainingSet.Manifest m = AugmentTrainingSet.readManifest(out);
        assertEquals(reference.size(), m.written().size());
        for (int i = 0; i < reference.size(); i++) {
            AugmentTrainingSet.Written a = reference.get(i), b = m.written().get(i);
            assertEquals(a.name(), b.name());
            assertEquals(a.edit(), b.edit());
            assertEquals(a.seed(), b.seed());
            assertEquals(out.resolve("images/" + a.image().getFileName()), b.image());
        }
        assertEquals(AugmentTrainingSet.readManifest(dir.resolve("reference")).settings().get("maxScale"), m.settings().get("maxScale"));
        assertTrue(SparkTests.noStaging(out));

        // a third copy later: copies 1 and 2 are complete, the manifest lists all nine
        JobRunner.Summary more = MedSynthSpark.run(SparkTests.sc(), "synthesize", SparkTests.keys("model", model, "labels", labels, "images", images,
                "output", out, "copies", 3, "edit_label", 2, "min_factor", 0.7, "max_factor", 1.4, "max_shift", 2, "max_shift_z", 1, "seed", 3));
        assertEquals(3, more.count(ItemResult.WRITTEN));
        assertEquals(9, AugmentTrainingSet.readManifest(out).written().size());
    }
}
