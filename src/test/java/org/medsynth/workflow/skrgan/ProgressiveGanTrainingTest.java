package org.medsynth.workflow.skrgan;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.PgganConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProgressiveGanTrainingTest {

    static PgganConfig tiny(int resolution) {
        return PgganConfig.builder().channels(1).maxResolution(resolution).fmapBase(64).fmapMax(16).latentSize(8).build();
    }

    /** Bright squares at random places on a dark background. */
    static final ProgressiveGanTraining.RealSource SQUARES = (n, r, rng) -> {
        INDArray x = Nd4j.valueArrayOf(new long[]{n, 1, r, r}, -1f);
        for (int i = 0; i < n; i++) {
            int s = Math.max(1, r / 4), x0 = rng.nextInt(r - s + 1), y0 = rng.nextInt(r - s + 1);
            for (int y = y0; y < y0 + s; y++) for (int xx = x0; xx < x0 + s; xx++) x.putScalar(new long[]{i, 0, y, xx}, 1f);
        }
        return x;
    };

    private static ProgressiveGanTraining training(ParamStore store, int steps, boolean code) {
        return new ProgressiveGanTraining(store, tiny(8), new ProgressiveSchedule(8, steps, 4), SQUARES,
                "GS", "DS", code, 1e-3, 11);
    }

    @Test
    void growsThroughResolutionsWithFiniteLossesAndTrainsTheLatentCode() {
        ParamStore store = new ParamStore(5);
        ProgressiveGanTraining t = training(store, 6, true);
        for (int s = 0; s < 6; s++) {
            Map<String, Double> losses = t.step(s);
            for (double v : losses.values()) assertTrue(Double.isFinite(v), "step " + s + " " + losses);
        }
        assertTrue(store.contains("GS/toRGB8/W") || store.all().stream().anyMatch(p -> p.name().contains("toRGB8")),
                "the 8 px layers were created when the network grew");
        INDArray code = store.array("GS/" + ProgressiveGanTraining.CODE);
        assertNotEquals(Nd4j.ones(code.dataType(), code.shape()), code, "the latent code l is learned");
    }

    @Test
    void sameSeedGivesIdenticalWeights() {
        ParamStore a = new ParamStore(5), b = new ParamStore(5);
        ProgressiveGanTraining ta = training(a, 4, true), tb = training(b, 4, true);
        for (int s = 0; s < 4; s++) {
            assertEquals(ta.step(s), tb.step(s));
        }
        for (ParamStore.Param p : a.all()) assertEquals(p.value(), b.array(p.name()), p.name());
    }

    @Test
    void fadedRealsBlendTheUpsampledLowResolution() {
        INDArray real = Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{1, 1, 2, 2}).castTo(DataType.FLOAT);
        INDArray start = ProgressiveGanTraining.fadedReals(real, new ProgressiveSchedule.Phase(2, 0.0, 1, true));
        assertEquals(Nd4j.valueArrayOf(new long[]{1, 1, 2, 2}, 2.5f), start, "alpha 0: the 1x1 mean everywhere");
        INDArray half = ProgressiveGanTraining.fadedReals(real, new ProgressiveSchedule.Phase(2, 0.5, 1, true));
        assertEquals(0.5 * 1 + 0.5 * 2.5, half.getDouble(0, 0, 0, 0), 1e-6);
        assertSame(real, ProgressiveGanTraining.fadedReals(real, new ProgressiveSchedule.Phase(2, 1.0, 1, false)));
    }
}
