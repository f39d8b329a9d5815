package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.core.Progress;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.nn.ModelArchive;
import org.medsynth.nn.engine.Engine;
import org.medsynth.testutil.RecordingProgress;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same 3D-MedGAN training on both engines (float32): the same losses step by step (instance norm, spectral norm,
 * LSGAN with L1, image pool), each model records its engine, and a model trained on libtorch synthesises the same
 * volume on both engines; a run stopped on one engine resumes on the other as if uninterrupted.
 */
class MedGanEnginesTest {

    @TempDir
    Path dir;

    private MedGanTraining.Result train(Engine engine, MedGanTraining.Data data, MedGanConfig cfg, Path model) {
        return train(engine, data, cfg, model, false, Progress.NONE);
    }

    private MedGanTraining.Result train(Engine engine, MedGanTraining.Data data, MedGanConfig cfg, Path model, boolean resume,
                                        Progress progress) {
        try (Engine.Scope scope = Engine.use(engine)) {
            return MedGanTraining.train(data, model, cfg, resume, progress);
        }
    }

    /** The model's volume for the phantom's labels, synthesised on DL4J (noise seed 3). */
    private static float[] synthesis(Path model, MedGanTraining.Data data) {
        ImagePlus labels = MedGanPhantoms.labelImage(data.cases().get(0).labels(), 16, 16, 16, "ball");
        try (Engine.Scope scope = Engine.use(Engine.DL4J)) {
            return MedGanModel.load(model).synthesizeNormalized(LabelVolume.from(labels), MedGanModel.Options.defaults(3), Progress.NONE);
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

    /**
     * Train 3D-MedGAN stopped after 3 of 6 iterations on one engine (its checkpoint: weights, spectral-norm vectors, both
     * Adam states, the image pool) and resumed on the other gives the losses of an uninterrupted run on the first engine
     * for iterations 4-6, and a model that synthesises the same volume.
     */
    @ParameterizedTest
    @CsvSource({"DL4J, LIBTORCH", "LIBTORCH, DL4J"})
    void aRunStoppedOnOneEngineResumesOnTheOther(Engine first, Engine second) {
        MedGanTraining.Data data = MedGanPhantoms.data(16, 16, 16, 5);
        MedGanConfig cfg = MedGanTrainerTest.tiny().withL1Weight(3).withPool(2).withIterations(6).withCheckpointEvery(100);
        MedGanTraining.Result straight = train(first, data, cfg, dir.resolve("straight.zip"));

        Path model = dir.resolve("mixed.zip");
        MedGanTraining.Result cut = train(first, data, cfg, model, false, new RecordingProgress().stopAfter(3));
        assertTrue(cut.cancelled());
        assertEquals(3, cut.completedIterations(), "stopped after 3 iterations, with the pool full and swapping");
        assertEquals(first.userName(), ModelArchive.load(model).manifest().metadata().get("engine"));
        RecordingProgress rest = new RecordingProgress();
        MedGanTraining.Result resumed = train(second, data, cfg, model, true, rest);
        assertFalse(resumed.cancelled());
        assertEquals(6, resumed.completedIterations());
        assertEquals(3, rest.updates.size(), "the resumed run made iterations 4-6");
        assertEquals(second.userName(), ModelArchive.load(model).manifest().metadata().get("engine"));

        for (String k : List.of("D", "G", "G_L1")) {
            List<Double> la = straight.history().values(k), lb = resumed.history().values(k);
            assertEquals(6, lb.size(), k);
            for (int i = 0; i < la.size(); i++) {
                assertEquals(la.get(i), lb.get(i), 1e-4 * Math.max(1, Math.abs(la.get(i))),
                        k + " at step " + (i + 1) + ": " + first.userName() + " " + la + ", resumed on " + second.userName() + " " + lb);
            }
        }
        float[] a = synthesis(straight.model(), data), b = synthesis(model, data);
        double diff = 0;
        for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
        assertTrue(diff < 1e-4, "the volumes differ by " + diff);
    }
}
