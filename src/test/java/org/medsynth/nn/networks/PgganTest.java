package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Norm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medsynth.nn.ReferenceCase.assertClose;

/** PGGAN feature-map schedule and progressive-growing continuity. */
class PgganTest {

    @Test
    void pgganFeatureMapsFollowFmapBase() {
        PgganConfig full = PgganConfig.builder().build();
        assertEquals(512, full.nf(1));
        assertEquals(512, full.nf(4));
        assertEquals(256, full.nf(5));
        assertEquals(32, full.nf(8));     // 512x512 stage
        assertEquals(16, full.nf(9));     // 1024x1024
        assertEquals(512, full.latentSize());
        PgganConfig quarter = PgganConfig.builder().width(0.25).build();
        assertEquals(128, quarter.nf(1));
        assertEquals(128, quarter.latentSize());
    }
    /**
     * Fade-in continuity: at alpha = 0 the network grown to 2R reproduces the network at R (alpha = 1)
     * with the same weights: G's output is its nearest up-sampling, D's score equals D_R on the
     * average-pooled image.
     */
    @ParameterizedTest(name = "{0}D")
    @CsvSource({"2", "3"})
    void pgganFadeInIsContinuous(int dims) {
        PgganConfig cfg = PgganConfig.builder().spatialDims(dims).channels(1).maxResolution(16).fmapBase(32).fmapMax(8).build();
        ParamStore store = new ParamStore(9);
        int r = 8;
        NetBuilder small = NetBuilder.forInference(store);
        Tensor zs = small.vectorInput("z", cfg.latentSize());
        Tensor gs = new PgganGenerator(cfg).apply(small.network("G"), zs, r, small.scalarInput("alpha"));
        Tensor ds = new PgganDiscriminator(cfg).apply(small.network("D"), small.input("img", 1, NetTestSupport.cube(dims, r)), small.scalarInput("alpha"));
        int before = store.all().size();
        NetBuilder big = NetBuilder.forInference(store);
        Tensor zb = big.vectorInput("z", cfg.latentSize());
        Tensor gb = new PgganGenerator(cfg).apply(big.network("G"), zb, 2 * r, big.scalarInput("alpha"));
        Tensor db = new PgganDiscriminator(cfg).apply(big.network("D"), big.input("img", 1, NetTestSupport.cube(dims, 2 * r)), big.scalarInput("alpha"));
        assertTrue(store.all().size() > before, "growing adds parameters");

        INDArray z = Nd4j.randn(DataType.FLOAT, 4, cfg.latentSize());
        INDArray one = Nd4j.scalar(DataType.FLOAT, 1.0);
        INDArray zero = Nd4j.scalar(DataType.FLOAT, 0.0);
        INDArray imgSmall = small.sd().output(Map.of("z", z, "alpha", one), gs.var().name()).get(gs.var().name());
        INDArray imgBig = big.sd().output(Map.of("z", z, "alpha", zero), gb.var().name()).get(gb.var().name());
        INDArray up = imgSmall;
        for (int axis = 2; axis < 2 + dims; axis++) up = up.repeat(axis, 2);
        assertClose("G_2R(alpha=0) = up(G_R(alpha=1))", up, imgBig, 1e-5, 1e-6);
        INDArray imgBigAlpha1 = big.sd().output(Map.of("z", z, "alpha", one), gb.var().name()).get(gb.var().name());
        assertTrue(imgBigAlpha1.sub(imgBig).amaxNumber().doubleValue() > 1e-3, "alpha matters");

        INDArray x = Nd4j.randn(DataType.FLOAT, new long[]{4, 1}).reshape(4, 1); // placeholder, replaced below
        long[] bigShape = new long[2 + dims];
        bigShape[0] = 4;
        bigShape[1] = 1;
        for (int i = 0; i < dims; i++) bigShape[2 + i] = 2 * r;
        x = Nd4j.randn(DataType.FLOAT, bigShape);
        INDArray pooled = NetTestSupport.avgPool(x, dims);
        INDArray sBig = big.sd().output(Map.of("img", x, "alpha", zero), db.var().name()).get(db.var().name());
        INDArray sSmall = small.sd().output(Map.of("img", pooled, "alpha", one), ds.var().name()).get(ds.var().name());
        assertClose("D_2R(alpha=0)(x) = D_R(alpha=1)(avgpool(x))", sSmall, sBig, 1e-5, 1e-6);
    }
}
