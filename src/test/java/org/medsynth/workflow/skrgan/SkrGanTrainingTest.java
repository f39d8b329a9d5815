package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.SketchImageDataset;
import org.medsynth.nn.ParamStore;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.training.TrainingRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SkrGanTrainingTest {

    @TempDir
    Path dir;

    /** Four 8x8 grey images: a bright bar at different places, with the bar as its sketch. */
    static SketchImageDataset bars() {
        List<ImageProcessor> images = new ArrayList<>(), sketches = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            ByteProcessor[] pair = bar(k);
            images.add(pair[0]);
            sketches.add(pair[1]);
        }
        return SketchImageDataset.of(8, false, images, sketches);
    }

    /** Bar image {@code k} (0..3) of {@link #bars()} and its sketch. */
    static ByteProcessor[] bar(int k) {
        ByteProcessor img = new ByteProcessor(8, 8), sk = new ByteProcessor(8, 8);
        img.setValue(60);
        img.fill();
        img.setValue(220);
        sk.setValue(255);
        img.setRoi(1 + 2 * k, 1, 2, 6);
        img.fill();
        sk.setRoi(1 + 2 * k, 1, 2, 6);
        sk.fill();
        return new ByteProcessor[]{img, sk};
    }

    static SkrGanSettings tiny(String architecture, int sketch, int render) {
        return new SkrGanSettings(architecture, 8, false, sketch, render, 2, 0.004, 4, 7);
    }

    static Progress cancelAfter(int n) {
        return new Progress() {
            int reports;
            @Override public void report(double f, String m) { reports++; }
            @Override public boolean isCancelled() { return reports >= n; }
        };
    }

    @Test
    void bothStagesTrainAndAResumedRunEqualsAnUninterruptedOne() throws Exception {
        SkrGanSettings s = tiny("skrgan", 4, 2);
        SkrGanTraining straight = new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH);
        TrainingRunner.Result r1 = new TrainingRunner(dir.resolve("a-checkpoint.zip"), 4, "SkrGAN").run(straight, false, Progress.NONE);
        assertEquals(6, r1.completedSteps());
        for (String k : List.of("D", "G", "D_P", "L1")) {
            assertTrue(r1.history().values(k).stream().anyMatch(Double::isFinite), k + " was recorded");
        }
        // images and G_P's tanh output both lie in [-1, 1]
        for (double l1 : r1.history().values("L1")) assertTrue(Double.isNaN(l1) || l1 <= 2, "L1 " + l1);

        // cut during the sketch stage (after 3 steps), resume in a "new process"; cut again in the render stage
        Path ckpt = dir.resolve("b-checkpoint.zip");
        TrainingRunner runner = new TrainingRunner(ckpt, 100, "SkrGAN");
        assertTrue(runner.run(new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH), false, cancelAfter(3)).cancelled());
        assertTrue(runner.run(new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH), true, cancelAfter(3)).cancelled());
        SkrGanTraining resumed = new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH);
        TrainingRunner.Result r2 = runner.run(resumed, true, Progress.NONE);
        assertEquals(6, r2.completedSteps());
        for (ParamStore.Param p : straight.store().all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            assertEquals(p.value(), resumed.store().array(p.name()), "resume is exact: " + p.name());
        }
    }

    @Test
    void theSavedModelGeneratesTheSameImagesForTheSameSeed() throws Exception {
        SkrGanSettings s = tiny("skrgan", 2, 1);
        SkrGanTraining t = new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("model.zip");
        t.saveModel(model, t.totalSteps());
        SkrGanGenerator g = new SkrGanGenerator(model);
        SkrGanGenerator.Generated a = g.generate(3, 42, Progress.NONE);
        SkrGanGenerator.Generated b = new SkrGanGenerator(model).generate(3, 42, Progress.NONE);
        assertEquals(3, a.images().getStackSize());
        assertEquals(3, a.sketches().getStackSize());
        assertEquals(8, a.images().getWidth());
        for (int i = 1; i <= 3; i++) {
            assertArrayEquals((byte[]) a.images().getStack().getPixels(i), (byte[]) b.images().getStack().getPixels(i));
        }
        ImagePlus rendered = g.render(new ImagePlus("my sketch.png", sketchImage()));
        assertEquals("my sketch-rendered", rendered.getTitle());
        assertEquals(8, rendered.getWidth());
    }

    @Test
    void aModelWhoseRenderStageIsNotTrainedSaysToTrainItInsteadOfCallingItDamaged() throws Exception {
        SkrGanTraining t = new SkrGanTraining(tiny("skrgan", 2, 0), bars(), SkrGanTraining.Stage.SKETCH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("sketch-only.zip");
        t.saveModel(model, t.totalSteps());
        UserInputException e = assertThrows(UserInputException.class, () -> new SkrGanGenerator(model).generate(2, 1, Progress.NONE));
        assertTrue(e.getMessage().contains("stage=render"), e.getMessage());
    }

    /**
     * A model of the build before the full-resolution input skip (G_P nearest x2 + conv alone): training its render stage
     * now keeps its G_S and trains a G_P of this build afresh (before, the stages could not be combined); training only
     * its sketch stage is refused, as the new G_S would sit beside a G_P of another layout.
     */
    @Test
    void theRenderStageOfAnEarlierBuildsModelIsTrainedAfreshAndItsSketchStageKept() throws Exception {
        SkrGanSettings earlier = tiny("skrgan", 2, 1).withRenderUpsample(org.medsynth.nn.networks.UNet.Upsample.NEAREST);
        SkrGanTraining t = new SkrGanTraining(earlier, bars(), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("earlier.zip");
        t.saveModel(model, t.totalSteps());

        SkrGanSettings now = tiny("skrgan", 2, 1);
        assertThrows(UserInputException.class, () -> new SkrGanTraining(now, bars(), SkrGanTraining.Stage.SKETCH).initFrom(model));
        SkrGanTraining render = new SkrGanTraining(now, bars(), SkrGanTraining.Stage.RENDER);
        render.initFrom(model);
        for (int i = 0; i < render.totalSteps(); i++) render.step(i);
        Path upgraded = dir.resolve("upgraded.zip");
        render.saveModel(upgraded, render.totalSteps());
        for (ParamStore.Param p : t.store().all()) {
            if (p.name().startsWith(SkrGanNetworks.SKETCH_G + "/")) assertEquals(p.value(), render.store().array(p.name()), "G_S kept: " + p.name());
        }
        assertTrue(render.store().contains("G/up0/out/W"), "G_P of this build (full-resolution output block)");
        long[] up0 = render.store().array("G/up0/conv/W").shape();
        assertEquals(now.renderWidth(), up0[up0.length - 1], "up0/conv makes the skip's feature maps, not the earlier G_P's image");
        SkrGanGenerator.Generated g = new SkrGanGenerator(upgraded).generate(2, 1, Progress.NONE);
        assertEquals(2, g.images().getStackSize());
    }

    /** SkrGanGenerator jumps ahead in a SplittableRandom by seeding it with seed + k * GOLDEN_GAMMA. */
    @Test
    void splittableRandomJumpsAheadByItsGamma() {
        java.util.SplittableRandom drawn = new java.util.SplittableRandom(42);
        for (int k = 0; k < 1000; k++) drawn.nextDouble();
        java.util.SplittableRandom jumped = new java.util.SplittableRandom(42 + 1000 * 0x9e3779b97f4a7c15L);
        for (int k = 0; k < 10; k++) assertEquals(drawn.nextDouble(), jumped.nextDouble());
    }

    /** Parts of a sequence (as Spark tasks make them) are the same images as the whole sequence. */
    @Test
    void partsOfASequenceAreTheImagesOfTheWholeSequence() throws Exception {
        SkrGanSettings s = tiny("skrgan", 2, 1);
        SkrGanTraining t = new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH);
        for (int i = 0; i < t.totalSteps(); i++) t.step(i);
        Path model = dir.resolve("model.zip");
        t.saveModel(model, t.totalSteps());
        SkrGanGenerator.Generated all = new SkrGanGenerator(model).generate(20, 42, Progress.NONE);
        SkrGanGenerator g = new SkrGanGenerator(model);
        for (int[] part : new int[][]{{0, 8}, {8, 12}, {16, 4}}) {
            SkrGanGenerator.Generated p = g.generate(part[0], part[1], 42, Progress.NONE);
            assertEquals(part[1], p.images().getStackSize());
            for (int i = 1; i <= part[1]; i++) {
                int j = part[0] + i;
                assertArrayEquals((byte[]) all.images().getStack().getPixels(j), (byte[]) p.images().getStack().getPixels(i), "image " + j);
                assertArrayEquals((byte[]) all.sketches().getStack().getPixels(j), (byte[]) p.sketches().getStack().getPixels(i), "sketch " + j);
                assertEquals("generated " + j, p.images().getStack().getSliceLabel(i));
            }
        }
    }

    private static ByteProcessor sketchImage() {
        ByteProcessor sk = new ByteProcessor(32, 32);
        sk.setValue(255);
        sk.setRoi(4, 2, 6, 28);
        sk.fill();
        return sk;
    }

    @Test
    void baselinesTrainOnImagesAndHaveNoRenderStage() throws Exception {
        for (String arch : List.of("pggan", "wgan-gp", "dcgan")) {
            SkrGanSettings s = tiny(arch, 2, 5);
            SkrGanTraining t = new SkrGanTraining(s, bars(), SkrGanTraining.Stage.BOTH);
            assertEquals(2, t.totalSteps(), arch);
            for (int i = 0; i < 2; i++) t.step(i).values().forEach(v -> assertTrue(Double.isFinite(v), arch));
            Path model = dir.resolve(arch + ".zip");
            t.saveModel(model, 2);
            SkrGanGenerator g = new SkrGanGenerator(model);
            SkrGanGenerator.Generated out = g.generate(2, 1, Progress.NONE);
            assertNull(out.sketches(), arch);
            assertEquals(2, out.images().getStackSize(), arch);
            assertThrows(UserInputException.class, () -> g.render(new ImagePlus("s", sketchImage())));
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefused() throws Exception {
        SkrGanTraining t = new SkrGanTraining(tiny("skrgan", 3, 0), bars(), SkrGanTraining.Stage.SKETCH);
        t.step(0);
        Path ckpt = dir.resolve("c.zip");
        t.saveCheckpoint(ckpt, 1);
        SkrGanTraining other = new SkrGanTraining(new SkrGanSettings("skrgan", 8, false, 3, 0, 2, 0.004, 4, 8), bars(),
                SkrGanTraining.Stage.SKETCH);
        UserInputException e = assertThrows(UserInputException.class, () -> other.loadCheckpoint(ckpt));
        assertTrue(e.getMessage().contains(TrainingRunner.NO_RESUME), e.getMessage());
        assertTrue(Files.size(ckpt) > 0);
    }
}
