package org.medsynth.spark.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.spark.ItemResult;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.SparkTests;
import org.medsynth.workflow.segment.SegmenterModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sweep job's training runs on libtorch, chosen as docs/spark.md tells a cluster to choose it
 * ({@code -Dmedsynth.engine=libtorch}): every run's model records that libtorch trained it, and the runs train as on
 * DL4J: the same final loss within float rounding, the same test Dice.
 */
class SweepJobEnginesTest {

    @TempDir
    static Path dir;

    /** The phantoms of SweepJobTest. */
    @BeforeAll
    static void data() throws Exception {
        SweepJobTest.trainingAndTestPhantomsIn(dir);
    }

    private static JobRunner.Summary sweep(String engine, Path out) {
        return SparkTests.runOnEngine(engine, "sweep", SweepJobTest.keys(dir, out, "unet", 4));
    }

    @Test
    void theSweepTrainsOnLibtorchAsOnDl4j() throws Exception {
        Path onDl4j = dir.resolve("dl4j"), onTorch = dir.resolve("libtorch");
        JobRunner.Summary a = sweep("dl4j", onDl4j);
        JobRunner.Summary b = sweep("libtorch", onTorch);
        assertEquals(2, a.count(ItemResult.WRITTEN), a.results().toString());
        assertEquals(2, b.count(ItemResult.WRITTEN), b.results().toString());
        List<Map<String, String>> ra = SparkTests.table(onDl4j.resolve("sweep-results.csv"));
        List<Map<String, String>> rb = SparkTests.table(onTorch.resolve("sweep-results.csv"));
        assertEquals(2, rb.size());
        for (int i = 0; i < ra.size(); i++) {
            String run = ra.get(i).get("run");
            assertEquals(run, rb.get(i).get("run"));
            assertEquals("dl4j", SegmenterModel.load(onDl4j.resolve("runs/" + run + "/model.zip")).training().get("engine"), run);
            assertEquals("libtorch", SegmenterModel.load(onTorch.resolve("runs/" + run + "/model.zip")).training().get("engine"),
                    run + ": the executors trained on libtorch");
            assertEquals(number(ra.get(i), "final loss"), number(rb.get(i), "final loss"), 1e-4, run + " final loss");
            for (String dice : List.of("Dice 1 pooled", "Dice 2 pooled")) {
                assertEquals(number(ra.get(i), dice), number(rb.get(i), dice), 1e-3, run + " " + dice);
            }
        }
    }

    private static double number(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }
}
