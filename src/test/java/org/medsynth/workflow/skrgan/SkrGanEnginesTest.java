package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.Progress;
import org.medsynth.nn.ModelArchive;
import org.medsynth.nn.engine.Engine;
import org.medsynth.workflow.training.TrainingRunner;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same SkrGAN training on both engines (float32): the same losses step by step (PGGAN sketch stage through its
 * fade-in, WGAN-GP; pix2pix render stage with dropout; the DCGAN baseline), each model records its engine, and a model
 * trained on libtorch generates the same images on both engines.
 */
class SkrGanEnginesTest {

    @TempDir
    Path dir;

    private TrainingRunner.Result train(Engine engine, SkrGanSettings s, Path model) throws Exception {
        try (Engine.Scope scope = Engine.use(engine)) {
            SkrGanTraining t = new SkrGanTraining(s, SkrGanTrainingTest.bars(), SkrGanTraining.Stage.BOTH);
            assertEquals(engine, t.engine());
            TrainingRunner.Result r = new TrainingRunner(dir.resolve(engine.userName() + "-" + model.getFileName() + ".ckpt"), 100, "SkrGAN")
                    .run(t, false, Progress.NONE);
            t.saveModel(model, r.completedSteps());
            return r;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"skrgan", "dcgan"})
    void dl4jAndLibtorchTrainAlike(String architecture) throws Exception {
        SkrGanSettings s = SkrGanTrainingTest.tiny(architecture, 8, architecture.equals("skrgan") ? 3 : 0);
        Path a = dir.resolve("dl4j.zip"), b = dir.resolve("libtorch.zip");
        TrainingRunner.Result onDl4j = train(Engine.DL4J, s, a);
        TrainingRunner.Result onTorch = train(Engine.LIBTORCH, s, b);
        assertEquals(onDl4j.history().size(), onTorch.history().size());
        List<String> names = onDl4j.history().names();
        assertTrue(names.contains("D") && names.contains("G"), "losses " + names);
        for (String k : names) {
            List<Double> la = onDl4j.history().values(k), lb = onTorch.history().values(k);
            for (int i = 0; i < la.size(); i++) {
                if (Double.isNaN(la.get(i))) {
                    assertTrue(Double.isNaN(lb.get(i)), k + " at step " + (i + 1));
                    continue;
                }
                assertEquals(la.get(i), lb.get(i), 1e-4 * Math.max(1, Math.abs(la.get(i))),
                        k + " at step " + (i + 1) + ": dl4j " + la + " libtorch " + lb);
            }
        }
        assertEquals("dl4j", ModelArchive.load(a).manifest().metadata().get("engine"));
        assertEquals("libtorch", ModelArchive.load(b).manifest().metadata().get("engine"));

        // the libtorch model generates the same images on both engines (8-bit: within one grey level)
        ImagePlus[] images = new ImagePlus[2];
        int k = 0;
        for (Engine e : Engine.values()) {
            try (Engine.Scope scope = Engine.use(e)) {
                SkrGanGenerator g = new SkrGanGenerator(b);
                assertEquals(e, g.engine());
                images[k++] = g.generate(3, 42, Progress.NONE).images();
            }
        }
        for (int i = 1; i <= 3; i++) {
            byte[] p = (byte[]) images[0].getStack().getPixels(i), q = (byte[]) images[1].getStack().getPixels(i);
            for (int j = 0; j < p.length; j++) assertTrue(Math.abs((p[j] & 0xff) - (q[j] & 0xff)) <= 1, "image " + i + " pixel " + j);
        }
    }

    /** A SkrGAN run started on DL4J and cut in the sketch stage resumes on libtorch with the losses of the DL4J run. */
    @org.junit.jupiter.api.Test
    void aDl4jRunResumesOnLibtorch() throws Exception {
        SkrGanSettings s = SkrGanTrainingTest.tiny("skrgan", 4, 2);
        TrainingRunner.Result straight = train(Engine.DL4J, s, dir.resolve("straight.zip"));
        TrainingRunner runner = new TrainingRunner(dir.resolve("mixed.ckpt"), 100, "SkrGAN");
        try (Engine.Scope scope = Engine.use(Engine.DL4J)) {
            assertTrue(runner.run(new SkrGanTraining(s, SkrGanTrainingTest.bars(), SkrGanTraining.Stage.BOTH), false,
                    SkrGanTrainingTest.cancelAfter(3)).cancelled());
        }
        TrainingRunner.Result resumed;
        try (Engine.Scope scope = Engine.use(Engine.LIBTORCH)) {
            resumed = runner.run(new SkrGanTraining(s, SkrGanTrainingTest.bars(), SkrGanTraining.Stage.BOTH), true, Progress.NONE);
        }
        assertEquals(straight.completedSteps(), resumed.completedSteps());
        for (String k : straight.history().names()) {
            List<Double> la = straight.history().values(k), lb = resumed.history().values(k);
            assertEquals(la.size(), lb.size(), k);
            for (int i = 0; i < la.size(); i++) {
                if (Double.isNaN(la.get(i))) continue;
                assertEquals(la.get(i), lb.get(i), 1e-4 * Math.max(1, Math.abs(la.get(i))), k + " at step " + (i + 1) + ": " + la + " vs " + lb);
            }
        }
    }
}
