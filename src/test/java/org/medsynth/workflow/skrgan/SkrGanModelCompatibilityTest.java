package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.testutil.FormatFixtures;
import org.medsynth.core.Progress;

import java.nio.file.Path;

/**
 * A SkrGAN model written by the model-format-1 build (committed fixture) still loads and generates and renders
 * the images that build produced. Regenerate with {@code main} only when the format version is raised.
 */
public class SkrGanModelCompatibilityTest {

    static ImagePlus sketch() {
        ByteProcessor sk = new ByteProcessor(12, 12);
        sk.setValue(255);
        sk.setRoi(3, 1, 3, 10);
        sk.fill();
        return new ImagePlus("drawn.png", sk);
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : FormatFixtures.sourceFolder(SkrGanModelCompatibilityTest.class);
        SkrGanTraining t = new SkrGanTraining(SkrGanTrainingTest.tiny("skrgan", 4, 400), SkrGanTrainingTest.bars(), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("skrgan.zip");
        java.nio.file.Files.createDirectories(dir);
        t.saveModel(model, t.totalSteps());
        SkrGanGenerator g = new SkrGanGenerator(model);
        SkrGanGenerator.Generated out = g.generate(3, 42, Progress.NONE);
        FormatFixtures.saveTiff(out.images(), dir.resolve("skrgan-generated-seed42.tif"));
        FormatFixtures.saveTiff(out.sketches(), dir.resolve("skrgan-sketches-seed42.tif"));
        FormatFixtures.saveTiff(g.render(sketch()), dir.resolve("skrgan-rendered.tif"));
    }

    @Test
    void aFormat1ModelGeneratesAndRendersAsTheBuildThatWroteIt() {
        Class<?> c = getClass();
        SkrGanGenerator g = new SkrGanGenerator(FormatFixtures.resource(c, "skrgan.zip"));
        SkrGanGenerator.Generated out = g.generate(3, 42, Progress.NONE);
        // 8-bit outputs: one grey level of rounding is allowed for another CPU's arithmetic
        FormatFixtures.assertSameImage(FormatFixtures.openTiff(FormatFixtures.resource(c, "skrgan-generated-seed42.tif")), out.images(), 1);
        FormatFixtures.assertSameImage(FormatFixtures.openTiff(FormatFixtures.resource(c, "skrgan-sketches-seed42.tif")), out.sketches(), 1);
        FormatFixtures.assertSameImage(FormatFixtures.openTiff(FormatFixtures.resource(c, "skrgan-rendered.tif")), g.render(sketch()), 1);
    }
}
