package org.medsynth.spark.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.SegmentCommand;
import org.medsynth.command.TrainSegmenterCommand;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A 2 networks x 2 seeds grid of tiny training runs, one per task, with test Dice and one table. */
class SweepJobTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void data() throws Exception {
        trainingAndTestPhantomsIn(dir);
    }

    /** 3 training and 2 test phantoms (16 px) under dir/train and dir/test. */
    static void trainingAndTestPhantomsIn(Path dir) throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        SparkTests.phantoms(dir.resolve("train/images"), dir.resolve("train/labels"), 3, 16, 11);
        SparkTests.phantoms(dir.resolve("test/images"), dir.resolve("test/labels"), 2, 16, 12);
    }

    private static Map<String, String> keys(Path out) {
        return keys(dir, out, "unet,unet++", 2);
    }

    /** A 2-seed grid of tiny runs of {@code networks} on the phantoms of {@link #trainingAndTestPhantomsIn}. */
    static Map<String, String> keys(Path dir, Path out, String networks, int iterations) {
        return SparkTests.keys("images", dir.resolve("train/images"), "labels", dir.resolve("train/labels"), "test_images",
                dir.resolve("test/images"), "test_labels", dir.resolve("test/labels"), "output", out, "network", networks, "seed", "1,2",
                "classes", 3, "iterations", iterations, "patch", 16, "batch", 2, "learning_rate", 0.001, "width", 2, "depth", 1, "validation", 0,
                "checkpoint_every", 2);
    }

    @Test
    void aGridOfRunsOneTableAndTheSameModelAsTrainSegmenter() throws Exception {
        Path out = dir.resolve("sweep");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "sweep", keys(out));
        assertEquals(4, s.count(ItemResult.WRITTEN), s.results().toString());
        List<Map<String, String>> rows = SparkTests.table(out.resolve("sweep-results.csv"));
        assertEquals(4, rows.size());
        assertEquals("network-unet_seed-1", rows.get(0).get("run"));
        assertEquals(List.of("run", "network", "seed", "status"), List.copyOf(rows.get(0).keySet()).subList(0, 4));
        for (Map<String, String> r : rows) {
            assertEquals("written", r.get("status"));
            assertEquals("2", r.get("steps"));
            double dice = Double.parseDouble(r.get("Dice 1 pooled"));
            assertTrue(dice >= 0 && dice <= 1, r.toString());
            assertEquals("2", r.get("test cases"));
            assertTrue(Files.exists(out.resolve("runs/" + r.get("run") + "/model.zip")));
            assertTrue(Files.exists(out.resolve("runs/" + r.get("run") + "/evaluation/segmentation-metrics.csv")));
        }
        List<Map<String, String>> summary = SparkTests.table(out.resolve("sweep-summary.csv"));
        assertEquals(2, summary.size(), "one row per network: the mean over the seeds");
        assertEquals("unet", summary.get(0).get("network"));
        assertEquals("2", summary.get(0).get("runs"));
        assertEquals("1 2", summary.get(0).get("seeds"));
        assertFalse(summary.get(0).get("Dice 1 pooled sd").isEmpty());
        assertTrue(SparkTests.noStaging(out));

        // the run is Train Segmenter + Segment with the same keys: the same predictions, byte for byte
        TrainSegmenterCommand train = new TrainSegmenterCommand();
        train.network = "unet++";
        train.images = dir.resolve("train/images").toFile();
        train.labels = dir.resolve("train/labels").toFile();
        train.classes = 3;
        train.model = dir.resolve("cmd/model.zip").toFile();
        train.iterations = 2;
        train.patch = "16";
        train.batch = 2;
        train.learning_rate = 0.001;
        train.seed = 2;
        train.width = 2;
        train.depth = 1;
        train.validation = 0;
        train.checkpoint_every = 2;
        train.run();
        SegmentCommand seg = new SegmentCommand();
        seg.model = dir.resolve("cmd/model.zip").toFile();
        seg.input = dir.resolve("test/images").toFile();
        seg.output = dir.resolve("cmd/predictions").toFile();
        seg.run();
        SparkTests.assertSameFiles(dir.resolve("cmd/predictions"), out.resolve("runs/network-unet++_seed-2/predictions"), List.of());

        // a re-run redoes nothing and gives the same table
        String before = Files.readString(out.resolve("sweep-results.csv"));
        JobRunner.Summary again = MedSynthSpark.run(SparkTests.sc(), "sweep", keys(out));
        assertEquals(4, again.count(ItemResult.COMPLETE));
        assertEquals(before.replace(",written,", ",complete,"), Files.readString(out.resolve("sweep-results.csv")));
    }
}
