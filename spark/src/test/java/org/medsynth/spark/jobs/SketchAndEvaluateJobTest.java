package org.medsynth.spark.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.command.EvaluateSegmentationCommand;
import org.medsynth.command.ExtractSketchCommand;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sketch = Extract Sketch's folder mode; evaluate = Evaluate Segmentation's tables, one task per case. */
class SketchAndEvaluateJobTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void phantoms() throws Exception {
        SparkTests.sc(); // first: ImageJ preferences loaded before any file is written
        SparkTests.phantoms(dir.resolve("images"), dir.resolve("truth"), 4, 24, 3);
        // "predictions": the label maps of other phantoms (same names), so that the scores are not perfect
        SparkTests.phantoms(dir.resolve("other"), dir.resolve("pred"), 4, 24, 4);
        Files.writeString(dir.resolve("pred/notes.txt"), "not an image");
        Files.copy(dir.resolve("truth/case00.tif"), dir.resolve("pred/extra.tif"));
    }

    @Test
    void sketchesAreTheCommands() throws Exception {
        ExtractSketchCommand cmd = new ExtractSketchCommand();
        cmd.input = dir.resolve("images").toFile();
        cmd.output = dir.resolve("sketch-reference").toFile();
        cmd.sigma = 1;
        cmd.threshold = "Otsu";
        cmd.run();
        Path out = dir.resolve("sketch-spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "sketch",
                SparkTests.keys("input", dir.resolve("images"), "output", out, "sigma", 1, "threshold", "Otsu"));
        assertEquals(4, s.count(ItemResult.WRITTEN));
        SparkTests.assertSameFiles(dir.resolve("sketch-reference"), out, List.of("medsynth-"));
    }

    @Test
    void evaluationTablesAreTheCommands() throws Exception {
        EvaluateSegmentationCommand cmd = new EvaluateSegmentationCommand();
        cmd.prediction = dir.resolve("pred").toString();
        cmd.truth = dir.resolve("truth").toString();
        cmd.classes = "1,2";
        cmd.output = dir.resolve("eval-reference").toFile();
        cmd.run();
        Path out = dir.resolve("eval-spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "evaluate",
                SparkTests.keys("prediction", dir.resolve("pred"), "truth", dir.resolve("truth"), "classes", "1,2", "output", out));
        assertEquals(4, s.count(ItemResult.WRITTEN));
        assertEquals(1, s.count(ItemResult.SKIPPED), "extra.tif has no truth");
        for (String f : List.of("segmentation-metrics.csv", "segmentation-summary.csv")) {
            assertEquals(Files.readString(dir.resolve("eval-reference").resolve(f)), Files.readString(out.resolve(f)), f);
        }
        assertTrue(SparkTests.table(out.resolve("segmentation-metrics.csv")).size() == 8, "4 cases x 2 classes");
    }
}
