package org.medsynth.spark;

import org.junit.jupiter.api.Test;
import org.medsynth.spark.jobs.SegmentJob;
import org.medsynth.core.UserInputException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** key=value arguments as in macros; unknown keys and jobs are refused; locations. */
class JobArgsTest {

    @Test
    void macroStyleArguments() {
        JobArgs a = JobArgs.parse(List.of("model=/m.zip", "input=[/my", "images]", "probabilities", "Tile=32"));
        assertEquals("/m.zip", a.get("model", null));
        assertEquals("/my images", a.get("input", null));
        assertTrue(a.getBoolean("probabilities", false));
        assertEquals(32, a.getInt("tile", 0));
        assertEquals(0.5, a.getDouble("overlap", 0.5));
        UserInputException e = assertThrows(UserInputException.class, () -> JobArgs.parse(List.of("seed=1", "seed=2")));
        assertTrue(e.getMessage().contains("twice"));
        e = assertThrows(UserInputException.class, () -> JobArgs.parse(List.of("count=many")).getInt("count", 1));
        assertTrue(e.getMessage().contains("whole number"));
    }

    @Test
    void unknownKeysAndJobsAreRefusedWithTheValidOnes() {
        JobArgs a = JobArgs.parse(List.of("model=/m.zip", "imput=/x"));
        UserInputException e = assertThrows(UserInputException.class, () -> a.checkKeys("segment", MedSynthSpark.knownKeys(new SegmentJob())));
        assertTrue(e.getMessage().contains("'imput'") && e.getMessage().contains("input") && e.getMessage().contains("master"), e.getMessage());
        assertEquals(2, MedSynthSpark.run(new String[]{"segmnt"}));
        assertEquals(2, MedSynthSpark.run(new String[]{"segment", "imput=/x"}));
        assertEquals(2, MedSynthSpark.run(new String[0]));
        assertEquals(0, MedSynthSpark.run(new String[]{"sweep", "help"}));
        // YARN and Kubernetes need spark-submit: said before anything starts
        assertEquals(2, MedSynthSpark.run(new String[]{"segment", "master=yarn", "model=/m.zip", "input=/in", "output=/out"}));
    }

    @Test
    void locations() {
        assertTrue(Storage.isLocal("/data/x.tif"));
        assertTrue(Storage.isLocal("file:///data/x.tif"));
        assertTrue(Storage.isLocal("relative/x.tif"));
        assertFalse(Storage.isLocal("hdfs://nn:8020/data/x.tif"));
        assertFalse(Storage.isLocal("s3a://bucket/x.tif"));
        assertEquals("hdfs://nn/data/out/a.tif", Storage.resolve("hdfs://nn/data/out", "a.tif"));
        assertEquals("hdfs://nn/data/out", Storage.parent("hdfs://nn/data/out/a.tif"));
        assertEquals("a.tif", Storage.name("s3a://b/in/a.tif"));
        assertEquals("/data/x.tif", Storage.localPath("file:///data/x.tif").toString());
    }
}
