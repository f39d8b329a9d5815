package org.medsynth.command;

import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.ij1.MedSynthContext;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;
import org.scijava.Context;
import org.scijava.command.CommandService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluateCommandsTest {

    /** Outputs are kept under target/ so that a person can look at them after the test run. */
    static final Path OUT = Path.of("target", "test-output");

    @Test
    void commandsAreDiscoverable() {
        Context ctx = MedSynthContext.create(getClass().getClassLoader());
        try {
            CommandService cs = ctx.service(CommandService.class);
            assertNotNull(cs.getCommand(EvaluateSegmentationCommand.class.getName()));
            assertNotNull(cs.getCommand(EvaluateSynthesisCommand.class.getName()));
            assertEquals("MedSynth Evaluate Synthesis", cs.getCommand(EvaluateSynthesisCommand.class.getName()).getLabel());
        } finally {
            ctx.dispose();
        }
    }

    @Test
    void evaluateSegmentationFromFilesWritesTablesCsvAndRocPlot() throws Exception {
        Path dir = OUT.resolve("evaluate-segmentation");
        int w = 64, h = 48;
        byte[] t = new byte[w * h], p = new byte[w * h];
        float[] s = new float[w * h];
        Random r = new Random(2);
        for (int i = 0; i < t.length; i++) {
            int x = i % w, y = i / w;
            boolean in = (x - 30) * (x - 30) + (y - 24) * (y - 24) < 150;
            t[i] = (byte) (in ? 1 : 0);
            s[i] = (float) Math.min(1, Math.max(0, (in ? 0.65 : 0.35) + 0.2 * r.nextGaussian()));
            p[i] = (byte) (s[i] >= 0.5 ? 1 : 0);
        }
        Path truth = dir.resolve("in/truth.tif"), prob = dir.resolve("in/prob.tif");
        ImageFiles.saveTiff(new ImagePlus("truth", new ByteProcessor(w, h, t)), truth);
        ImageFiles.saveTiff(new ImagePlus("prob", new FloatProcessor(w, h, s)), prob);
        EvaluateSegmentationCommand c = new EvaluateSegmentationCommand();
        c.image = new ImagePlus("pred", new ByteProcessor(w, h, p));
        c.truth = truth.toString();
        c.probabilities = prob.toString();
        c.output = dir.resolve("out").toFile();
        c.run();
        ResultsTable m = c.metrics;
        assertEquals(1, m.size());
        assertEquals("pred", m.getStringValue("image", 0));
        double tp = m.getValue("TP", 0), fp = m.getValue("FP", 0), fn = m.getValue("FN", 0);
        assertEquals(2 * tp / (2 * tp + fp + fn), m.getValue("Dice", 0), 1e-6);
        assertTrue(m.getValue("AUC", 0) > 0.8, m.getRowAsString(0));
        assertEquals(3, c.summary.size());
        assertNotNull(c.roc);
        assertTrue(Files.size(dir.resolve("out/roc-curve.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("out/segmentation-summary.csv")).contains("pooled"));
    }

    @Test
    void evaluateSynthesisOnOpenStacksAndFolders() {
        Path dir = OUT.resolve("evaluate-synthesis");
        ij.ImageStack real = new ij.ImageStack(176, 176), gen = new ij.ImageStack(176, 176);
        Random r = new Random(4);
        for (int k = 0; k < 4; k++) {
            ByteProcessor a = new ByteProcessor(176, 176), b = new ByteProcessor(176, 176);
            for (int i = 0; i < 176 * 176; i++) {
                int v = (int) (120 + 50 * Math.sin((i % 176 + 7 * k) / 10.0));
                a.set(i, v);
                b.set(i, Math.max(0, Math.min(255, v + (int) (30 * r.nextGaussian()))));
            }
            real.addSlice("r" + k, a);
            gen.addSlice("g" + k, b);
        }
        ImagePlus realImp = new ImagePlus("real-stack", real);
        // an open image is found by its title (in batch mode as in a headless macro)
        ij.macro.Interpreter.batchMode = true;
        try {
            ij.macro.Interpreter.addBatchModeImage(realImp);
            EvaluateSynthesisCommand c = new EvaluateSynthesisCommand();
            c.real = "real-stack";
            Path genFile = dir.resolve("generated.tif");
            ImageFiles.saveTiff(new ImagePlus("gen", gen), genFile);
            c.generated = genFile.toString();
            c.metrics = "SWD,MS-SSIM";
            c.pairs = 6;
            c.output = dir.resolve("out").toFile();
            c.run();
            assertEquals(8, c.table.size()); // SWD levels 176, 88, 44, 22 and avg; 3 MS-SSIM rows
            assertEquals("SWDx1e3_176", c.table.getStringValue("metric", 0));
            assertTrue(Files.exists(dir.resolve("out/synthesis-metrics.csv")));
            c.metrics = "FID";
            String old = System.getProperty("medsynth.inception");
            System.clearProperty("medsynth.inception");
            try {
                if (System.getenv("MEDSYNTH_INCEPTION") == null) {
                    UserInputException e = assertThrows(UserInputException.class, c::run);
                    assertTrue(e.getMessage().contains("inception_v3.h5"), e.getMessage());
                }
            } finally {
                if (old != null) System.setProperty("medsynth.inception", old);
            }
        } finally {
            ij.macro.Interpreter.removeBatchModeImage(realImp);
            ij.macro.Interpreter.batchMode = false;
        }
        assertTrue(WindowManager.getImage("real-stack") == null);
    }

    @Test
    void unknownArgumentsSayWhatToGive() {
        EvaluateSegmentationCommand c = new EvaluateSegmentationCommand();
        c.prediction = "no such image";
        c.truth = "x";
        UserInputException e = assertThrows(UserInputException.class, c::run);
        assertTrue(e.getMessage().contains("neither the title of an open image"), e.getMessage());
        EvaluateSegmentationCommand d = new EvaluateSegmentationCommand();
        e = assertThrows(UserInputException.class, d::run);
        assertTrue(e.getMessage().contains("active image"), e.getMessage());
    }
}
