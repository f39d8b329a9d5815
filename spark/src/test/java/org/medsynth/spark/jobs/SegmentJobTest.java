package org.medsynth.spark.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.SegmentCommand;
import org.medsynth.command.TrainSegmenterCommand;
import org.medsynth.spark.ExecutorCache;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The segment job against the Segment command: the same files, byte for byte; bad files, re-runs and retries. */
class SegmentJobTest {

    @TempDir
    static Path dir;
    static Path model, input, reference;

    @BeforeAll
    static void modelImagesAndTheCommandsOutput() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        modelImagesAndTheCommandsOutputIn(dir);
        model = dir.resolve("m.zip");
        input = dir.resolve("input");
        reference = dir.resolve("reference");
    }

    /** In {@code dir}: a tiny 2D U-Net m.zip, input/ (5 phantoms, a 3-slice stack, a text file, a broken TIFF), and reference/:
     * the Segment command's folder mode on input/ (probabilities, tile 16, overlap 0.5). */
    static void modelImagesAndTheCommandsOutputIn(Path dir) throws Exception {
        SparkTests.phantoms(dir.resolve("train/images"), dir.resolve("train/labels"), 3, 16, 1);
        TrainSegmenterCommand train = new TrainSegmenterCommand();
        train.network = "unet";
        train.images = dir.resolve("train/images").toFile();
        train.labels = dir.resolve("train/labels").toFile();
        train.classes = 3;
        train.model = dir.resolve("m.zip").toFile();
        train.iterations = 3;
        train.patch = "16";
        train.batch = 2;
        train.learning_rate = 1e-3;
        train.width = 2;
        train.depth = 1;
        train.validation = 0;
        train.run();

        Path input = dir.resolve("input");
        SparkTests.phantoms(input, null, 5, 20, 7);
        SparkTests.stack(input.resolve("volume.tif"), 3, 20, 9);
        Files.writeString(input.resolve("readme.txt"), "not an image");
        Files.write(input.resolve("broken.tif"), new byte[]{'I', 'I', 42, 0, 1, 2});

        SegmentCommand seg = new SegmentCommand();
        seg.model = dir.resolve("m.zip").toFile();
        seg.input = input.toFile();
        seg.output = dir.resolve("reference").toFile();
        seg.probabilities = true;
        seg.tile = "16";
        seg.overlap = 0.5;
        seg.run();
    }

    private static Map<String, String> keys(Path out, Object... more) {
        Map<String, String> k = SparkTests.keys("model", model, "input", input, "output", out, "probabilities", "true", "tile", "16",
                "overlap", "0.5", "progress_seconds", "0");
        k.putAll(SparkTests.keys(more));
        return k;
    }

    @Test
    void writesTheCommandsFilesByteForByteAndABadFileIsARow() throws Exception {
        ExecutorCache.clear();
        Path out = dir.resolve("spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "segment", keys(out));
        SparkTests.assertSameFiles(reference, out, List.of("medsynth-"));
        assertEquals(8, s.results().size());
        assertEquals(6, s.count(ItemResult.WRITTEN));
        List<Map<String, String>> status = SparkTests.table(out.resolve("medsynth-segment-status.csv"));
        assertEquals(8, status.size());
        Map<String, String> broken = status.stream().filter(r -> r.get("item").equals("broken.tif")).findFirst().orElseThrow();
        assertEquals("failed", broken.get("status"));
        assertTrue(broken.get("detail").contains("could not open broken.tif"), broken.toString());
        Map<String, String> txt = status.stream().filter(r -> r.get("item").equals("readme.txt")).findFirst().orElseThrow();
        assertEquals("skipped", txt.get("status"));
        assertEquals("skipped: not an image file", txt.get("detail"));
        Map<String, String> c0 = status.stream().filter(r -> r.get("item").equals("case00.tif")).findFirst().orElseThrow();
        assertEquals("case00.tif", c0.get("item"));
        assertEquals("case00-labels.tif;case00-probabilities.tif", c0.get("outputs"));
        assertEquals("case00-labels.tif, case00-probabilities.tif", c0.get("detail"));
        assertTrue(SparkTests.noStaging(out));
        // the model was loaded once in this JVM (one executor), not once per file
        String sha = AugmentTrainingSet.sha256(model);
        assertEquals(1, ExecutorCache.loads("segmenter-model:" + sha));
        int graphs = ExecutorCache.loads(ExecutorCache.onEngine("segmenter:" + sha + ":false"));
        assertTrue(graphs >= 1 && graphs <= 2, graphs + " graphs: at most one per task slot");

        // a re-run does nothing that is complete; a missing output is made again
        Files.delete(out.resolve("case02-probabilities.tif"));
        JobRunner.Summary again = MedSynthSpark.run(SparkTests.sc(), "segment", keys(out));
        assertEquals(5, again.count(ItemResult.COMPLETE));
        assertEquals(1, again.count(ItemResult.WRITTEN));
        assertEquals("case02.tif", again.results().stream().filter(r -> r.status().equals(ItemResult.WRITTEN)).findFirst().orElseThrow().item());
        SparkTests.assertSameFiles(reference, out, List.of("medsynth-"));

        // other settings into the same folder are refused
        UserInputException e = assertThrows(UserInputException.class,
                () -> MedSynthSpark.run(SparkTests.sc(), "segment", keys(out, "overlap", "0.25")));
        assertTrue(e.getMessage().contains("overlap=0.5") && e.getMessage().contains("overwrite=true"), e.getMessage());
    }

    @Test
    void aTaskThatDiesMidwayIsRetriedAndLeavesNoPartialOutput() throws Exception {
        Path out = dir.resolve("retry");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "segment", keys(out, "fail_once", "case03.tif"));
        ItemResult r = s.results().stream().filter(x -> x.item().equals("case03.tif")).findFirst().orElseThrow();
        assertEquals(1, r.attempt(), "the second attempt wrote it");
        assertEquals(ItemResult.WRITTEN, r.status());
        SparkTests.assertSameFiles(reference, out, List.of("medsynth-"));
        assertTrue(SparkTests.noStaging(out));
    }

    @Test
    void aListFileAndARemoteFileSystem() throws Exception {
        Path list = dir.resolve("list.txt");
        Files.writeString(list, "# two files\ninput/case01.tif\n\n" + input.resolve("volume.tif") + "\n");
        Path out = dir.resolve("remote");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "segment", SparkTests.keys("model", "testfs://" + model, "input",
                "testfs://" + list, "output", "testfs://" + out, "probabilities", "true", "tile", "16"));
        assertEquals(2, s.count(ItemResult.WRITTEN), s.results().toString());
        for (String f : List.of("case01-labels.tif", "case01-probabilities.tif", "volume-labels.tif")) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        assertTrue(Files.exists(out.resolve("medsynth-segment-status.csv")));
        assertTrue(SparkTests.noStaging(out));
        assertFalse(Files.exists(out.resolve("case00-labels.tif")));
    }

    private static void assertArrayEquals(byte[] a, byte[] b, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, what);
    }
}
