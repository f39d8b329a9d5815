package org.medsynth.spark.jobs;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.nn.engine.libtorch.TorchDevice;
import org.medsynth.spark.ExecutorCache;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.SparkTests;
import org.medsynth.workflow.medgan.AugmentTrainingSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segment job on libtorch, chosen as docs/spark.md tells a cluster to choose it ({@code -Dmedsynth.engine=libtorch},
 * here the property of the local[2] JVM that runs driver and executor): libtorch's jars and CPU natives are on the
 * executors' class path and load there, the executors' segmenters run on libtorch, and the files agree with those of
 * the same job on DL4J: the same labels, probabilities within float32 rounding.
 */
class SegmentJobEnginesTest {

    @TempDir
    static Path dir;

    /** The model and images of SegmentJobTest (a tiny 2D U-Net; five phantoms, a 3-slice stack, two non-images). */
    @BeforeAll
    static void modelAndImages() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        SegmentJobTest.modelImagesAndTheCommandsOutputIn(dir);
    }

    @Test
    void libtorchLoadsOnTheExecutors() {
        List<String> found = SparkTests.sc().parallelize(List.of(0, 1), 2).map(i -> {
            Class<?> torch = Class.forName("org.bytedeco.pytorch.global.torch", true, Thread.currentThread().getContextClassLoader());
            return torch.getProtectionDomain().getCodeSource().getLocation() + "|"
                    + torch.getResource("/org/bytedeco/pytorch/linux-x86_64/libjnitorch.so") + "|" + TorchDevice.build();
        }).collect();
        assertEquals(2, found.size());
        for (String f : found) {
            String[] p = f.split("\\|");
            // the plugin's libtorch (its pom's pytorch.version; spark/pom.xml pins the same)
            assertTrue(p[0].endsWith("pytorch-2.10.0-1.5.13.jar"), f);
            boolean gpu = p[1].contains("pytorch-2.10.0-1.5.13-linux-x86_64-gpu.jar!");
            assertTrue(gpu || p[1].contains("pytorch-2.10.0-1.5.13-linux-x86_64.jar!"), "libtorch's natives: " + f);
            assertTrue(p[2].startsWith("libtorch 2.10") && p[2].contains(gpu ? "GPU build" : "CPU build"), f);
        }
    }

    private static JobRunner.Summary segment(String engine, Path out) {
        return SparkTests.runOnEngine(engine, "segment", SparkTests.keys("model", dir.resolve("m.zip"), "input", dir.resolve("input"),
                "output", out, "probabilities", "true", "tile", "16", "overlap", "0.5", "progress_seconds", "0"));
    }

    @Test
    void theSegmentJobOnLibtorchWritesTheLabelsOfDl4j() throws Exception {
        ExecutorCache.clear();
        Path onDl4j = dir.resolve("dl4j"), onTorch = dir.resolve("libtorch");
        JobRunner.Summary a = segment("dl4j", onDl4j);
        // the same executor JVM, the DL4J job's segmenters still cached there
        JobRunner.Summary b = segment("libtorch", onTorch);
        assertEquals(6, a.count(ItemResult.WRITTEN));
        assertEquals(6, b.count(ItemResult.WRITTEN), b.results().toString());

        List<String> bases = List.of("case00", "case01", "case02", "case03", "case04", "volume");
        double worst = 0;
        int rounded = 0;
        for (String base : bases) {
            assertArrayEquals(Files.readAllBytes(onDl4j.resolve(base + "-labels.tif")), Files.readAllBytes(onTorch.resolve(base + "-labels.tif")),
                    base + "-labels.tif: the same labels on both engines");
            String pt = base + "-probabilities.tif";
            if (!Arrays.equals(Files.readAllBytes(onDl4j.resolve(pt)), Files.readAllBytes(onTorch.resolve(pt)))) rounded++;
            ImageStack p = open(onDl4j.resolve(pt)), q = open(onTorch.resolve(pt));
            assertEquals(p.getSize(), q.getSize(), base);
            for (int s = 1; s <= p.getSize(); s++) {
                float[] u = (float[]) p.getPixels(s), v = (float[]) q.getPixels(s);
                for (int i = 0; i < u.length; i++) worst = Math.max(worst, Math.abs(u[i] - v[i]));
            }
        }
        assertTrue(worst < 1e-5, "probabilities differ by " + worst);
        // libtorch rounds otherwise than DL4J (1.8e-7 here): files identical to DL4J's in every case would mean that the
        // executors ran DL4J (as they did when the first job's segmenters were handed to the second)
        assertTrue(rounded > 0, "the libtorch job's probabilities are DL4J's to the last bit");
        String sha = AugmentTrainingSet.sha256(dir.resolve("m.zip"));
        assertTrue(ExecutorCache.loads("segmenter:" + sha + ":false:libtorch") >= 1, "the executors made libtorch segmenters");
        assertTrue(ExecutorCache.loads("segmenter:" + sha + ":false:dl4j") >= 1, "and DL4J ones for the first job");
    }

    private static ImageStack open(Path tif) {
        ImagePlus imp = IJ.openImage(tif.toString());
        assertTrue(imp != null && imp.getBitDepth() == 32, tif + " is a float image");
        return imp.getStack();
    }
}
