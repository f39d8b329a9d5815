package org.medsynth.spark.jobs;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.libtorch.TorchDevice;
import org.medsynth.spark.ExecutorCache;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;
import org.medsynth.workflow.medgan.AugmentTrainingSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The synthesize (3D-MedGAN) and generate (SkrGAN) jobs on libtorch, as SegmentJobEnginesTest does for segment: each
 * job runs with {@code medsynth.engine=dl4j}, then in the same JVM (the DL4J generators still pooled on the executors)
 * with {@code libtorch}, and the files agree within float32 rounding. The generators' noise (3D-MedGAN's noise channel,
 * SkrGAN's latent vectors) is drawn in Java from the seed, not by the engine, so both engines get the same inputs.
 */
class SynthesizeAndGenerateJobEnginesTest {

    @TempDir
    static Path dir;
    static Path medgan, skrgan;

    /** The tiny models of SynthesizeJobTest (3 label maps of 20 x 18 x 10) and GenerateJobTest (8 px SkrGAN). */
    @BeforeAll
    static void models() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        medgan = SynthesizeJobTest.tinyMedGanIn(dir);
        skrgan = GenerateJobTest.tinySkrGanIn(dir);
    }


    private static JobRunner.Summary synthesize(String engine, Path out) {
        return SparkTests.runOnEngine(engine, "synthesize", SparkTests.keys("model", medgan, "labels", dir.resolve("real/labels"), "images", dir.resolve("real/images"),
                "output", out, "copies", 2, "edit_label", 2, "min_factor", 0.7, "max_factor", 1.4, "max_shift", 2, "max_shift_z", 1, "seed", 3,
                "progress_seconds", 0));
    }

    private static JobRunner.Summary generate(String engine, Path out) {
        return SparkTests.runOnEngine(engine, "generate", SparkTests.keys("model", skrgan, "count", 16, "seed", 42, "output", out, "progress_seconds", 0));
    }

    @Test
    void theSynthesizeJobOnLibtorchWritesTheVolumesOfDl4j() throws Exception {
        ExecutorCache.clear();
        Path onDl4j = dir.resolve("synthesize-dl4j"), onTorch = dir.resolve("synthesize-libtorch");
        JobRunner.Summary a = synthesize("dl4j", onDl4j);
        JobRunner.Summary b = synthesize("libtorch", onTorch);
        assertEquals(6, a.count(ItemResult.WRITTEN), a.results().toString());
        assertEquals(6, b.count(ItemResult.WRITTEN), b.results().toString());
        // the edited label maps come from the seed alone
        SparkTests.assertSameFiles(onDl4j.resolve("labels"), onTorch.resolve("labels"), List.of());

        List<String> names = names(onDl4j.resolve("images"));
        assertEquals(6, names.size());
        assertEquals(names, names(onTorch.resolve("images")));
        double worst = 0, range = 0;
        int rounded = 0;
        for (String n : names) {
            if (!Arrays.equals(Files.readAllBytes(onDl4j.resolve("images/" + n)), Files.readAllBytes(onTorch.resolve("images/" + n)))) rounded++;
            ImageStack p = open(onDl4j.resolve("images/" + n)), q = open(onTorch.resolve("images/" + n));
            assertEquals(p.getSize(), q.getSize(), n);
            for (int s = 1; s <= p.getSize(); s++) {
                float[] u = (float[]) p.getPixels(s), v = (float[]) q.getPixels(s);
                for (int i = 0; i < u.length; i++) {
                    worst = Math.max(worst, Math.abs(u[i] - v[i]));
                    range = Math.max(range, Math.abs(u[i]));
                }
            }
        }
        // measured: at most 3.5e-4 for values up to 824 (HU-like units; 4e-7 of the range, float32 rounding in G's [-1, 1]
        // scaled by the intensity mapping), every volume different at the bit level
        assertTrue(worst < 1e-5 * range, "volumes differ by " + worst + " for values up to " + range);
        // identical files would mean that the executors ran DL4J (as when the first job's generators were handed to the
        // second, before the pools were keyed by engine)
        assertTrue(rounded > 0, "the libtorch job's volumes are DL4J's to the last bit");
        String sha = AugmentTrainingSet.sha256(medgan);
        assertTrue(ExecutorCache.loads("medgan:" + sha + ":libtorch") >= 1, "the executors made libtorch generators");
        assertTrue(ExecutorCache.loads("medgan:" + sha + ":dl4j") >= 1, "and DL4J ones for the first job");
    }

    @Test
    void theGenerateJobOnLibtorchWritesTheImagesOfDl4j() throws Exception {
        ExecutorCache.clear();
        Path onDl4j = dir.resolve("generate-dl4j"), onTorch = dir.resolve("generate-libtorch");
        JobRunner.Summary a = generate("dl4j", onDl4j);
        JobRunner.Summary b = generate("libtorch", onTorch);
        assertEquals(2, a.count(ItemResult.WRITTEN), a.results().toString());
        assertEquals(2, b.count(ItemResult.WRITTEN), b.results().toString());
        int worst = 0, differ = 0, pixels = 0, files = 0;
        for (String n : names(onDl4j)) {
            if (!n.endsWith(".png")) continue;
            files++;
            byte[] u = (byte[]) open8(onDl4j.resolve(n)).getPixels(1), v = (byte[]) open8(onTorch.resolve(n)).getPixels(1);
            assertEquals(u.length, v.length, n);
            for (int i = 0; i < u.length; i++) {
                int d = Math.abs((u[i] & 0xff) - (v[i] & 0xff));
                worst = Math.max(worst, d);
                if (d > 0) differ++;
                pixels++;
            }
        }
        assertEquals(32, files, "16 images and 16 sketches");
        // measured: 0 of the 2048 pixels differ (the float outputs differ by ~1e-7, which seldom moves a rounding to 8 bits;
        // a sketch pixel is G_S's output > 0). One grey level is what a rounding could move; a sketch pixel that flips
        // would be 255 and fail this.
        assertTrue(worst <= 1, "pixels differ by " + worst + " grey levels (" + differ + " of " + pixels + " differ)");
        String sha = AugmentTrainingSet.sha256(skrgan);
        assertTrue(ExecutorCache.loads("skrgan:" + sha + ":libtorch") >= 1, "the executors made libtorch generators");
        assertTrue(ExecutorCache.loads("skrgan:" + sha + ":dl4j") >= 1, "and DL4J ones for the first job");
    }

    /**
     * The 8-bit images above are DL4J's to the last bit, so they cannot show which engine ran. What only libtorch reads is
     * {@code medsynth.torch.device}: with a value libtorch refuses, a libtorch job after a DL4J one in the same JVM must
     * fail on the executors, where a job handed the DL4J job's pooled generators (keys without the engine, as before
     * ExecutorCache.onEngine) would write the images.
     */
    @Test
    void aLibtorchGenerateJobAfterADl4jOneRunsLibtorch() {
        ExecutorCache.clear();
        assertEquals(2, generate("dl4j", dir.resolve("device-dl4j")).count(ItemResult.WRITTEN));
        // the driver checks the model with one image on this thread before the tasks start: Engine.use keeps this thread
        // on DL4J, the executors' task threads follow the property medsynth.engine
        JobRunner.Summary b = SparkTests.withProperty(TorchDevice.PROPERTY, "none", () -> {
            try (Engine.Scope s = Engine.use(Engine.DL4J)) {
                return generate("libtorch", dir.resolve("device-libtorch"));
            }
        });
        assertEquals(2, b.count(ItemResult.FAILED), b.results().toString());
        for (ItemResult r : b.results()) assertTrue(r.detail().contains(TorchDevice.PROPERTY + " must be"), r.detail());
    }

    /**
     * The commands' {@code engine=} is not a job key: the executors' property chooses. Refused, not accepted and left
     * unused (sweep takes Train Segmenter's keys, which include engine, from its own list).
     */
    @Test
    void engineIsRefusedAsAJobKey() {
        for (String job : List.of("segment", "synthesize", "generate", "sweep")) {
            UserInputException e = assertThrows(UserInputException.class,
                    () -> MedSynthSpark.run(SparkTests.sc(), job, SparkTests.keys("engine", "libtorch")));
            assertTrue(e.getMessage().contains("has no key 'engine'"), e.getMessage());
            assertTrue(e.getMessage().contains("-Dmedsynth.engine="), "says how the engine is chosen: " + e.getMessage());
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static ImageStack open(Path tif) {
        ImagePlus imp = IJ.openImage(tif.toString());
        assertTrue(imp != null && imp.getBitDepth() == 32, tif + " is a float image");
        return imp.getStack();
    }

    private static ImageStack open8(Path png) {
        ImagePlus imp = IJ.openImage(png.toString());
        assertTrue(imp != null && imp.getBitDepth() == 8, png + " is an 8-bit image");
        return imp.getStack();
    }
}
