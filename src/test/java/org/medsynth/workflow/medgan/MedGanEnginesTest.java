package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.Progress;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.nn.ModelArchive;
import org.medsynth.nn.engine.Engine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same 3D-MedGAN training on both engines (float32): the same losses step by step (instance norm, spectral norm,
 * LSGAN with L1, image pool), each model records its engine, and a model trained on libtorch synthesises the same
 * volume on both engines.
 */
class MedGanEnginesTest {

    @TempDir
    Path dir;

    private MedGanTraining.Result train(Engine engine, MedGanTraining.Data data, MedGanConfig cfg, Path model) {
        try (Engine.Scope scope = Engine.use(engine)) {
            return MedGanTraining.train(data, model, cfg, false, Progress.NONE);
        }
    }

    @Test
    void dl4jAndLibtorchTrainAlike() {
        MedGanTraining.Data data = MedGanPhantoms.data(16, 16, 16, 5);
        MedGanConfig cfg = MedGanTrainerTest.tiny().withL1Weight(3).withIterations(5).withCheckpointEvery(100);
        Path a = dir.resolve("dl4j.zip"), b = dir.resolve("libtorch.zip");
        MedGanTraining.Result onDl4j = train(Engine.DL4J, data, cfg, a);
        MedGanTraining.Result onTorch = train(Engine.LIBTORCH, data, cfg, b);
        for (String k : List.of("D", "G", "G_L1")) {
            List<Double> la = onDl4j.history().values(k), lb = onTorch.history().values(k);
            assertEquals(5, lb.size(), k);
            for (int i = 0; i < la.size(); i++) {
                assertEquals(la.get(i), lb.get(i), 1e-4 * Math.max(1, Math.abs(la.get(i))),
                        k + " at step " + (i + 1) + ": dl4j " + la + " libtorch " + lb);
            }
        }
        assertEquals("dl4j", ModelArchive.load(a).manifest().metadata().get("engine"));
        assertEquals("libtorch", ModelArchive.load(b).manifest().metadata().get("engine"));

        // the libtorch model synthesises the same volume on both engines
        ImagePlus labels = MedGanPhantoms.labelImage(data.cases().get(0).labels(), 16, 16, 16, "ball");
        float[][] volumes = new float[2][];
        int k = 0;
        for (Engine e : Engine.values()) {
            try (Engine.Scope scope = Engine.use(e)) {
                MedGanModel m = MedGanModel.load(b);
                assertEquals(e, m.engine());
                volumes[k++] = m.synthesizeNormalized(LabelVolume.from(labels), MedGanModel.Options.defaults(3), Progress.NONE);
            }
        }
        double diff = 0;
        for (int i = 0; i < volumes[0].length; i++) diff = Math.max(diff, Math.abs(volumes[0][i] - volumes[1][i]));
        assertTrue(diff < 1e-4, "the volumes differ by " + diff);
    }
}
