package org.medsynth.spark.jobs;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.spark.JobRunner;
import org.medsynth.spark.MedSynthSpark;
import org.medsynth.spark.SparkTests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Same answers as Fiji": the segment and generate jobs against the commands run by a headless ImageJ process
 * (bin/medsynth-headless on the plugin's ImageJ installation, target/imagej of the repository root, made by the root
 * build's 'mvn package' / 'mvn install'). The in-process comparisons are in SegmentJobTest and GenerateJobTest; this
 * one is skipped when the installation is not there.
 */
class HeadlessCommandTest {

    @TempDir
    Path dir;

    private static Path launcher() {
        Path base = Path.of(System.getProperty("medsynth.basedir", ".."));
        Path ij = Path.of(System.getProperty("medsynth.imagej.dir", "../target/imagej"));
        Assumptions.assumeTrue(Files.isRegularFile(ij.resolve("plugins/MedSynth_.jar")) && Files.isExecutable(base.resolve("bin/medsynth-headless")),
                "no ImageJ installation at " + ij + " (run 'mvn install -DskipTests' at the repository root)");
        return base.resolve("bin/medsynth-headless");
    }

    private String headless(Path macro) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(launcher().toString(), macro.toString()).redirectErrorStream(true);
        pb.environment().put("MEDSYNTH_IMAGEJ_DIR", Path.of(System.getProperty("medsynth.imagej.dir", "../target/imagej")).toAbsolutePath().toString());
        pb.environment().put("MEDSYNTH_JAVA_OPTS", "-Xmx2g");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "headless ImageJ did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void segmentWritesTheHeadlessSegmentCommandsFiles() throws Exception {
        launcher();
        SparkTests.sc();
        SegmentJobTest.modelImagesAndTheCommandsOutputIn(dir);
        Path macro = dir.resolve("segment.ijm");
        Files.writeString(macro, "run(\"MedSynth Segment\", \"model=[" + dir.resolve("m.zip") + "] probabilities tile=16 overlap=0.5 input=["
                + dir.resolve("input") + "] output=[" + dir.resolve("headless") + "]\");\n");
        headless(macro);
        Path out = dir.resolve("spark");
        MedSynthSpark.run(SparkTests.sc(), "segment", SparkTests.keys("model", dir.resolve("m.zip"), "input", dir.resolve("input"), "output", out,
                "probabilities", "true", "tile", "16", "overlap", "0.5"));
        SparkTests.assertSameFiles(dir.resolve("headless"), out, List.of("medsynth-"));
    }

    @Test
    void generateMakesTheHeadlessGenerateImagesCommandsImages() throws Exception {
        launcher();
        SparkTests.sc();
        Path model = GenerateJobTest.tinySkrGanIn(dir);
        Path macro = dir.resolve("generate.ijm");
        Files.writeString(macro, "run(\"MedSynth Generate Images\", \"model=[" + model + "] count=19 seed=7 output=[" + dir.resolve("headless") + "]\");\n");
        headless(macro);
        Path out = dir.resolve("spark");
        JobRunner.Summary s = MedSynthSpark.run(SparkTests.sc(), "generate", SparkTests.keys("model", model, "count", 19, "seed", 7, "output", out));
        assertEquals(3, s.results().size());
        SparkTests.assertSameFiles(dir.resolve("headless"), out, List.of("medsynth-"));
    }
}
