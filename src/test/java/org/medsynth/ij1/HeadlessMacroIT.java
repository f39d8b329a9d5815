package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Runs real headless ImageJ processes through bin/medsynth-headless on the built plugin. */
class HeadlessMacroIT {

    @TempDir
    Path tmp;

    record Run(int exit, String out) { }

    static Run headless(Path macro, String arg) throws Exception {
        return headless(macro, arg, java.util.Map.of());
    }

    /** With extra environment variables (e.g. a locale). */
    static Run headless(Path macro, String arg, java.util.Map<String, String> environment) throws Exception {
        Path base = Path.of(System.getProperty("medsynth.basedir", "."));
        List<String> cmd = new ArrayList<>(List.of(base.resolve("bin/medsynth-headless").toString(), macro.toString()));
        if (arg != null) cmd.add(arg);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MEDSYNTH_IMAGEJ_DIR", System.getProperty("medsynth.imagej.dir"));
        pb.environment().put("MEDSYNTH_JAVA_OPTS", "-Xmx2g");
        pb.environment().putAll(environment);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "headless ImageJ did not finish");
        return new Run(p.exitValue(), out);
    }

    private Path lineImage() {
        ColorProcessor cp = new ColorProcessor(64, 64);
        cp.setColor(new java.awt.Color(200, 180, 80));
        cp.fill();
        cp.setColor(new java.awt.Color(200, 60, 80));
        cp.setLineWidth(3);
        cp.drawLine(8, 12, 56, 50);
        Path png = tmp.resolve("line.png");
        new FileSaver(new ImagePlus("line", cp)).saveAsPng(png.toString());
        return png;
    }

    @Test
    void macroCallingExtractSketchWritesTheSketch() throws Exception {
        Path png = lineImage();
        Path out = tmp.resolve("line-sketch.tif");
        Path macro = tmp.resolve("sketch.ijm");
        Files.writeString(macro, "open(\"" + png + "\");\n"
                + "run(\"MedSynth Extract Sketch\", \"sigma=2 threshold=Otsu radius=1 channel=green\");\n"
                + "saveAs(\"Tiff\", \"" + out + "\");\n");
        Run r = headless(macro, null);
        assertEquals(0, r.exit(), r.out());
        assertTrue(Files.exists(out), r.out());
        ImagePlus sketch = IJ.openImage(out.toString());
        assertEquals(8, sketch.getBitDepth());
        int[] hist = sketch.getProcessor().getHistogram();
        assertEquals(64 * 64, hist[0] + hist[255], "binary 0/255");
        assertTrue(hist[255] > 100, "the line is in the sketch");
        assertEquals(255, sketch.getProcessor().get(32, 32), "a point on the line");
    }

    @Test
    void batchOverAFolderWritesSketchesAndSkipsWhatItCannotRead() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(lineImage(), in.resolve("a.png"));
        Files.writeString(in.resolve("notes.txt"), "not an image");
        Files.write(in.resolve("broken.tif"), new byte[]{'I', 'I', 42, 0, 1, 2});
        Path outDir = tmp.resolve("out");
        Path macro = tmp.resolve("batch.ijm");
        Files.writeString(macro, "run(\"MedSynth Extract Sketch\", \"sigma=2 threshold=Li radius=1 channel=green input=["
                + in + "] output=[" + outDir + "]\");\n"
                + "for (i = 0; i < nResults; i++) print(\"ROW \" + getResultString(\"file\", i) + \" | \" + getResultString(\"detail\", i));\n");
        Run r = headless(macro, null);
        assertEquals(0, r.exit(), r.out());
        assertTrue(Files.exists(outDir.resolve("a-sketch.tif")), r.out());
        assertFalse(Files.exists(outDir.resolve("broken-sketch.tif")));
        assertTrue(r.out().contains("ROW a.png | a-sketch.tif"), r.out());
        assertTrue(r.out().contains("ROW broken.tif | skipped: ImageJ could not open broken.tif"), r.out());
        assertTrue(r.out().contains("ROW notes.txt | skipped: not an image file"), r.out());
    }

    @Test
    void failuresExitNonZeroWithAOneLineReason() throws Exception {
        Path macro = tmp.resolve("bad.ijm");
        Path png = lineImage();
        Files.writeString(macro, "open(\"" + png + "\");\n"
                + "run(\"MedSynth Extract Sketch\", \"sigma=-3 threshold=Otsu radius=1 channel=green\");\n");
        Run r = headless(macro, null);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("FAILED: MedSynth Extract Sketch: sigma must be between 0 and 100"), r.out());

        Path noImage = tmp.resolve("noimage.ijm");
        Files.writeString(noImage, "run(\"MedSynth Extract Sketch\", \"sigma=2\");\n");
        Run r2 = headless(noImage, null);
        assertEquals(1, r2.exit(), r2.out());
        assertTrue(r2.out().contains("Open an image first"), r2.out());
    }

    @Test
    void evaluationResultsAreReadableFromTheMacroResultsTable() throws Exception {
        Path macro = tmp.resolve("dice.ijm");
        Files.writeString(macro, String.join("\n",
                "newImage(\"truth\", \"8-bit black\", 20, 20, 1);",
                "makeRectangle(0, 0, 10, 10); run(\"Set...\", \"value=1\"); run(\"Select None\");",
                "newImage(\"pred\", \"8-bit black\", 20, 20, 1);",
                "makeRectangle(0, 0, 10, 5); run(\"Set...\", \"value=1\"); run(\"Select None\");",
                "run(\"MedSynth Evaluate Segmentation\", \"prediction=pred truth=truth classes=1\");",
                "print(\"DICE=\" + d2s(getResult(\"Dice\", 0), 4));", ""));
        Run r = headless(macro, null);
        assertEquals(0, r.exit(), r.out());
        // 2 * 50 / (100 + 50)
        assertTrue(r.out().contains("DICE=0.6667"), r.out());
    }

    @Test
    void aCommandWithoutOptionsRunsWithItsDefaultsOrNamesTheKeysItNeeds() throws Exception {
        Path png = lineImage();
        Path macro = tmp.resolve("defaults.ijm");
        Files.writeString(macro, "open(\"" + png + "\");\nrun(\"MedSynth Extract Sketch\");\nprint(\"TITLE \" + getTitle());\n");
        Run r = headless(macro, null);
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("TITLE line-sketch"), r.out());

        Path needsModel = tmp.resolve("segment.ijm");
        Files.writeString(needsModel, "open(\"" + png + "\");\nrun(\"MedSynth Segment\", \"\");\nprint(\"AFTER\");\n");
        Run r2 = headless(needsModel, null);
        assertEquals(1, r2.exit(), r2.out());
        assertTrue(r2.out().contains("MedSynth Segment: no default for model; give it in the macro: run(\"MedSynth Segment\", \"model=[...]\")"), r2.out());
        assertFalse(r2.out().contains("AFTER"), r2.out());
        assertFalse(r2.out().contains("\tat "), "no stack trace: " + r2.out());
    }

    @Test
    void aCheckboxWrittenAsKeyEqualsTrueIsRefusedNotSilentlyUnticked() throws Exception {
        Path macro = tmp.resolve("resume.ijm");
        Files.writeString(macro, "run(\"MedSynth Train SkrGAN\", \"images=[" + tmp + "] model=[" + tmp.resolve("m.zip")
                + "] iterations=1 resume=true\");\n");
        Run r = headless(macro, null);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("'resume=true': in a macro a checkbox is set by its name alone. Write resume to tick it"), r.out());
    }

    @Test
    void aMacroThatImageJStopsWithAnErrorExitsNonZero() throws Exception {
        Path macro = tmp.resolve("imagej-error.ijm");
        Files.writeString(macro, "print(\"BEFORE\");\nx = undefinedVariable + 1;\nprint(\"AFTER\");\n");
        Run r = headless(macro, null);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("FAILED: the macro stopped before its end"), r.out());
        assertFalse(r.out().contains("AFTER") || r.out().contains("medsynth-headless: done"), r.out());
    }

    @Test
    void batchJobsSkipPngJpegAndBmpFilesThatImageJCannotDecodeAndTheMacroGoesOn() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path good = lineImage();
        Files.copy(good, in.resolve("a.png"));
        byte[] png = Files.readAllBytes(good);
        Files.write(in.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.write(in.resolve("b.bmp"), new byte[]{'B', 'M', '0', '0', '0', '0'});
        Files.write(in.resolve("c.jpg"), java.util.Arrays.copyOf(png, 200));
        Path macro = tmp.resolve("batch.ijm");
        Files.writeString(macro, "run(\"MedSynth Extract Sketch\", \"sigma=2 threshold=Li radius=1 channel=green input=[" + in
                + "] output=[" + tmp.resolve("out") + "]\");\n"
                + "for (i = 0; i < nResults; i++) print(\"ROW \" + getResultString(\"file\", i) + \" | \" + getResultString(\"detail\", i));\n"
                + "print(\"MACRO WENT ON\");\n");
        Run r = headless(macro, null);
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("ROW a.png | a-sketch.tif"), r.out());
        for (String bad : new String[]{"truncated.png", "b.bmp", "c.jpg"}) {
            assertTrue(r.out().contains("ROW " + bad + " | skipped: ImageJ could not open " + bad + ": "), r.out());
        }
        assertTrue(r.out().contains("MACRO WENT ON"), r.out());
    }

    @Test
    void macroFilesAreReadAsUtf8() throws Exception {
        Path macro = tmp.resolve("utf8.ijm");
        Files.writeString(macro, "print(\"Gr\u00fc\u00dfe \u00b5m\");\n", StandardCharsets.UTF_8);
        Run r = headless(macro, null, java.util.Map.of("LC_ALL", "C", "LANG", "C"));
        assertEquals(0, r.exit(), r.out());
        String out = r.out();
        assertTrue(out.contains("Gr\u00fc\u00dfe \u00b5m"), out);
    }

    @Test
    void trainingBeyondTheLaunchersMemoryLimitSaysWhichVariableRaisesIt() throws Exception {
        Path macro = tmp.resolve("train.ijm");
        Path ph = tmp.resolve("ph");
        Files.writeString(macro, "run(\"MedSynth Make Phantoms\", \"kind=liver count=1 width=32 height=32 slices=4 seed=1 output=[" + ph + "]\");\n"
                + "close(\"*\");\n"
                + "run(\"MedSynth Train Segmenter\", \"network=unet images=[" + ph.resolve("images") + "] labels=[" + ph.resolve("labels")
                + "] classes=3 model=[" + tmp.resolve("m.zip") + "] iterations=1 patch=32x32 batch=1 width=4 depth=1 validation=0\");\n"
                + "print(\"AFTER\");\n");
        // far below what loading the networks' natives alone takes
        Run r = headless(macro, null, java.util.Map.of("MEDSYNTH_MAX_NATIVE", "64M"));
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("FAILED: MedSynth Train Segmenter: Out of memory: the process reached its memory limit of 0.1 GB"), r.out());
        assertTrue(r.out().contains("(MEDSYNTH_MAX_NATIVE=2G before bin/medsynth-headless)"), r.out());
        assertFalse(r.out().contains("AFTER") || Files.exists(tmp.resolve("m.zip")), r.out());
    }

    @Test
    void missingMacroFileIsReported() throws Exception {
        Run r = headless(tmp.resolve("nope.ijm"), null);
        assertEquals(2, r.exit());
        assertTrue(r.out().contains("macro file not found"), r.out());
    }
}
