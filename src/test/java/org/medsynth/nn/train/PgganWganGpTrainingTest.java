package org.medsynth.nn.train;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.losses.WganGp;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.networks.PgganGenerator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end PGGAN training with the toolkit (the pattern SkrGAN uses): per resolution one G-step
 * graph (D frozen), one WGAN-GP critic (G's fakes fed in), one G inference graph for the fakes; alpha
 * is a placeholder fed every step; growing = building the graphs of the next resolution over the same
 * store and resetting Adam.
 */
class PgganWganGpTrainingTest {

    /** The graphs of one resolution. */
    static final class Stage {
        final TrainStep gStep;
        final WganGp critic;
        final NetBuilder gForward;
        final String fakeName;

        Stage(ParamStore store, PgganConfig cfg, int r, Adam adamG, Adam adamD) {
            PgganGenerator g = new PgganGenerator(cfg);
            PgganDiscriminator d = new PgganDiscriminator(cfg);
            // G step: z -> G -> D (frozen) -> -mean D
            NetBuilder gg = NetBuilder.forTraining(store, "G");
            SDVariable alpha = gg.scalarInput("alpha");
            Tensor fake = g.apply(gg.network("G"), gg.vectorInput("z", cfg.latentSize()), r, alpha);
            SDVariable lossG = Losses.wganG(gg.sd(), d.apply(gg.network("D"), fake, alpha).var()).rename("lossG");
            gStep = new TrainStep(gg, lossG, "G", adamG);
            // D step: WGAN-GP with the PGGAN critic; alpha reaches it as an extra placeholder
            critic = new WganGp(store, "D", (db, img) -> d.apply(db, img, db.scalarInput("alpha")), cfg.channels(),
                    new int[]{r, r}, 10.0, 0.001, adamD);
            // G forward for the fakes of the D step (PGGAN's G has no dropout or batch norm)
            gForward = NetBuilder.forInference(store);
            fakeName = g.apply(gForward.network("G"), gForward.vectorInput("z", cfg.latentSize()), r, gForward.scalarInput("alpha"))
                    .var().name();
        }
    }

    static INDArray reals(int n, int r, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, 1, r, r).muli(2).subi(1);
    }

    @Test
    void trainsAndGrows() {
        PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(8).fmapBase(64).fmapMax(16).build();
        ParamStore store = new ParamStore(5);
        Adam adamG = Adam.pggan();
        Adam adamD = Adam.pggan();
        SplittableRandom rng = new SplittableRandom(9);
        int n = 4;
        for (int r = 4; r <= 8; r *= 2) {
            Stage s = new Stage(store, cfg, r, adamG, adamD);
            int steps = 2;
            for (int i = 0; i < steps; i++) {
                double a = r == 4 ? 1.0 : (i + 1.0) / steps;             // fade-in from 0 to 1 at the new resolution
                Map<String, INDArray> f = new HashMap<>();
                f.put("alpha", Nd4j.scalar(DataType.FLOAT, a));
                f.put("z", Nd4j.randn(DataType.FLOAT, n, cfg.latentSize()));
                INDArray fake = s.gForward.sd().output(f, s.fakeName).get(s.fakeName);
                Map<String, INDArray> dBefore = snapshot(store, "G");
                WganGp.Result d = s.critic.step(reals(n, r, i), fake, Map.of("alpha", f.get("alpha")), rng);
                assertTrue(Double.isFinite(d.loss()) && d.penalty() >= 0 && d.meanGradientNorm() > 0, "critic step " + d);
                dBefore.forEach((k, v) -> assertEquals(v, store.array(k), "a D step changed " + k));
                f.put("z", Nd4j.randn(DataType.FLOAT, n, cfg.latentSize()));
                Map<String, INDArray> gBefore = snapshot(store, "D");
                TrainStep.Result g = s.gStep.run(f);
                assertTrue(Double.isFinite(g.loss()));
                gBefore.forEach((k, v) -> assertEquals(v, store.array(k), "a G step changed " + k));
            }
            // PGGAN resets the optimiser state when the resolution grows
            adamG.reset();
            adamD.reset();
        }
        assertTrue(store.contains("G/toRGB8/W") && store.contains("D/fromRGB8/W"), "grown to 8x8");
    }

    static Map<String, INDArray> snapshot(ParamStore store, String group) {
        Map<String, INDArray> m = new HashMap<>();
        store.group(group).forEach(p -> m.put(p.name(), p.value().dup()));
        return m;
    }
}
