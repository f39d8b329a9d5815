package org.medsynth.workflow.medgan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.training.TrainingRunner;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MedGanTrainerTest {

    @TempDir
    Path dir;

    /** Tiny: 16^3 patches, G of width 2 and depth 2, D with one stride-2 layer. */
    static MedGanConfig tiny() {
        return MedGanConfig.defaults().withNetworks(2, 2, 2, 1).withPatch(16).withPool(2).withIterations(6).withCheckpointEvery(3);
    }

    static MedGanTrainer trainer(MedGanConfig cfg) {
        MedGanTraining.Data d = MedGanPhantoms.data(12, 12, 12, 3);
        return new MedGanTrainer(cfg, d.cases(), d.names(), d.encoding(), d.mapping());
    }

    static double mean(INDArray a) {
        return a.meanNumber().doubleValue();
    }

    @Test
    void lossesAreThePapersLeastSquaresEquations() {
        MedGanTrainer t = trainer(tiny().withL1Weight(3));
        String[] names = t.outputNames();
        MedGanTrainer.Batch b = t.batch(0);
        // G: 1/2 mean (D(c, G(c)) - 1)^2 + l1 mean |G(c) - x|
        TrainStep.Result g = t.generatorStep().compute(b.generatorFeeds(), names[0], names[1]);
        INDArray fake = g.outputs().get(names[0]), dFake = g.outputs().get(names[1]);
        double adv = 0.5 * mean(Transforms.pow(dFake.sub(1.0), 2));
        double l1 = mean(Transforms.abs(fake.sub(b.real())));
        assertEquals(adv + 3 * l1, g.loss(), 1e-5 * (1 + g.loss()));
        g.closeGradients();
        // D: 1/2 mean (D(c, x) - 1)^2 + 1/2 mean D(c', y')^2 with the (pooled) fake pair
        TrainStep.Result d = t.discriminatorStep().compute(t.discriminatorFeeds(b, b.oneHot(), fake), names[2], names[3]);
        double want = 0.5 * mean(Transforms.pow(d.outputs().get(names[2]).sub(1.0), 2)) + 0.5 * mean(Transforms.pow(d.outputs().get(names[3]), 2));
        assertEquals(want, d.loss(), 1e-6 * (1 + Math.abs(want)));
        d.closeGradients();
    }

    /**
     * G is updated first in an iteration (CycleGAN's order), so D's spectral norm must already be
     * estimated when G's first update looks at D: with random u, v sigma is near 0 and D's scores are
     * of order 100 (a first G loss of thousands, measured on the brain sample before this was done).
     */
    @Test
    void theFirstGeneratorUpdateSeesASpectrallyNormalisedDiscriminator() {
        MedGanTrainer t = trainer(MedGanConfig.defaults().withNetworks(4, 2, 8, 2).withPatch(16).withIterations(1));
        for (org.medsynth.nn.layers.SpectralNorm.State st : t.discriminatorStep().graph().spectralNorms()) {
            INDArray w = org.medsynth.nn.layers.SpectralNorm.matrix(t.store().array(st.weightName()), st.rowAxis());
            double svd = new org.apache.commons.math3.linear.SingularValueDecomposition(
                    new org.apache.commons.math3.linear.Array2DRowRealMatrix(w.toDoubleMatrix())).getSingularValues()[0];
            double sigma = org.medsynth.nn.layers.SpectralNorm.sigma(t.store(), st);
            assertTrue(sigma > 0.5 * svd && sigma <= svd * (1 + 1e-5), st.weightName() + ": sigma " + sigma + ", largest singular value " + svd);
        }
        double g = t.step(0).get("G");
        assertTrue(g < 5, "first adversarial G loss " + g);
    }

    @Test
    void eachUpdateChangesOnlyItsOwnNetworkAndThePoolFillsUpToItsSize() {
        MedGanTrainer t = trainer(tiny().withPool(2));
        ParamStore s = t.store();
        t.step(0);
        INDArray g0 = s.array("G/down0/conv/W").dup(), d0 = s.array("D/conv0/conv/W").dup();
        INDArray gUnchanged = s.array("G/down0/conv/W").dup();
        Map<String, Double> l = t.step(1);
        assertTrue(l.containsKey("D") && l.containsKey("G") && !l.containsKey("G_L1"), l.toString());
        assertNotEquals(g0, s.array("G/down0/conv/W"), "G was updated");
        assertNotEquals(d0, s.array("D/conv0/conv/W"), "D was updated");
        assertEquals(g0, gUnchanged);
        assertEquals(2, t.poolSize());
        t.step(2);
        assertEquals(2, t.poolSize(), "the pool keeps its size");
        assertEquals(0, trainerWithoutPool().poolSize());
    }

    private static MedGanTrainer trainerWithoutPool() {
        MedGanTrainer t = trainer(tiny().withPool(0));
        t.step(0);
        return t;
    }

    @Test
    void cancelAndResumeGiveExactlyTheWeightsOfAnUninterruptedRun() throws IOException {
        MedGanConfig cfg = tiny().withPool(2).withIterations(6);
        MedGanTrainer straight = trainer(cfg);
        new TrainingRunner(dir.resolve("a.zip.ckpt"), 3, "3D-MedGAN").run(straight, false, Progress.NONE);

        TrainingRunner runner = new TrainingRunner(dir.resolve("b.zip.ckpt"), 100, "3D-MedGAN");
        MedGanTrainer first = trainer(cfg);
        TrainingRunner.Result cut = runner.run(first, false, cancelAfter(4));
        assertTrue(cut.cancelled());
        assertEquals(4, cut.completedSteps(), "cancelled after 4 iterations, with the pool full and swapping");
        MedGanTrainer resumed = trainer(cfg); // a new process: fresh weights, empty pool
        TrainingRunner.Result rest = runner.run(resumed, true, Progress.NONE);
        assertEquals(6, rest.completedSteps());
        List<String> differ = new ArrayList<>();
        for (ParamStore.Param p : straight.store().all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            if (!p.value().equals(resumed.store().array(p.name()))) differ.add(p.name());
        }
        assertEquals(List.of(), differ, "bit-identical weights and spectral-norm vectors after resume");
        assertEquals(straight.step(6), resumed.step(6), "and the same next iteration (pool and Adam state restored)");
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefusedWithWhatToDo() throws IOException {
        MedGanTrainer t = trainer(tiny());
        t.step(0);
        Path ckpt = dir.resolve("c.zip.ckpt");
        t.saveCheckpoint(ckpt, 1);
        MedGanTrainer other = trainer(tiny().withPool(5));
        UserInputException e = assertThrows(UserInputException.class, () -> other.loadCheckpoint(ckpt));
        assertTrue(e.getMessage().contains("pool 2 (now 5)") && e.getMessage().contains(TrainingRunner.NO_RESUME), e.getMessage());
        assertEquals(1, trainer(tiny()).loadCheckpoint(ckpt));
    }

    static Progress cancelAfter(int reports) {
        return new Progress() {
            int n;
            @Override public void report(double f, String m) { n++; }
            @Override public boolean isCancelled() { return n >= reports; }
        };
    }
}
