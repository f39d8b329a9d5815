package org.medsynth.nn.layers;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.losses.WganGp;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.train.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medsynth.nn.ReferenceCase.assertClose;

/** Forward-mode tangents of every layer that supports them equal central differences (float64). */
class TangentTest {

    /** Builds f on input "x" with tangent "t" and compares the tangent with (f(x + h t) - f(x - h t)) / 2h. */
    static void check(String what, int channels, int[] spatial, long batch, BiFunction<NetBuilder, Tensor, Tensor> f,
                      Map<String, INDArray> extra) {
        ParamStore store = new ParamStore(17, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor x = b.input("x", channels, spatial);
        Tensor t = b.input("t", channels, spatial);
        Tensor y = f.apply(b.network("D"), x.withTangent(t.var()));
        assertTrue(y.hasTangent(), what + " propagates the tangent");
        long[] shape = x.shape(batch);
        Nd4j.getRandom().setSeed(what.hashCode());
        INDArray xv = Nd4j.randn(DataType.DOUBLE, shape);
        INDArray tv = Nd4j.randn(DataType.DOUBLE, shape);
        double h = 1e-6;
        Map<String, INDArray> feeds = new HashMap<>(extra);
        feeds.put("x", xv);
        feeds.put("t", tv);
        INDArray jvp = b.sd().output(feeds, y.tangent().name()).get(y.tangent().name());
        feeds.put("x", xv.add(tv.mul(h)));
        INDArray plus = b.sd().output(feeds, y.var().name()).get(y.var().name()).dup();
        feeds.put("x", xv.sub(tv.mul(h)));
        INDArray minus = b.sd().output(feeds, y.var().name()).get(y.var().name()).dup();
        INDArray fd = plus.sub(minus).divi(2 * h);
        assertClose(what, fd, jvp, 1e-6, 1e-8);
    }

    static Map<String, INDArray> none() {
        return Map.of();
    }

    @Test
    void layers() {
        int[] sp2 = {6, 6};
        int[] sp3 = {4, 4, 4};
        check("conv2d", 2, sp2, 2, (b, x) -> Conv.of(3).stride(2).padding(1).init(WeightInit.normal(0.5)).apply(b, "c", x, 3), none());
        check("conv3d+sn", 2, sp3, 2, (b, x) -> Conv.of(3).samePadding().spectralNorm(true).apply(b, "c", x, 3), none());
        check("convT2d", 2, sp2, 2, (b, x) -> ConvTranspose.of(4).stride(2).padding(1).apply(b, "c", x, 3), none());
        check("convT3d", 2, sp3, 1, (b, x) -> ConvTranspose.of(4).stride(2).padding(1).apply(b, "c", x, 2), none());
        check("dense", 2, sp2, 3, (b, x) -> Dense.create().apply(b, "fc", x, 4), none());
        check("equalized conv", 2, sp2, 2, (b, x) -> Conv.of(3).samePadding().init(WeightInit.equalized(Math.sqrt(2))).apply(b, "c", x, 3), none());
        check("lrelu", 3, sp2, 2, (b, x) -> Activations.leakyRelu(b, x, 0.2), none());
        check("relu", 3, sp2, 2, Activations::relu, none());
        check("tanh", 3, sp2, 2, Activations::tanh, none());
        check("sigmoid", 3, sp2, 2, Activations::sigmoid, none());
        check("up2d", 2, sp2, 2, (b, x) -> Resample.upNearest(b, x, 2), none());
        check("down3d", 2, sp3, 2, (b, x) -> Resample.downAverage(b, x, 2), none());
        check("instance norm", 3, sp2, 2, (b, x) -> InstanceNorm.apply(b, "in", x, false), none());
        check("instance norm affine 3d", 2, sp3, 2, (b, x) -> InstanceNorm.apply(b, "in", x, true), none());
        check("pixel norm", 4, sp2, 2, PixelNorm::apply, none());
        check("minibatch stddev n8", 3, sp2, 8, (b, x) -> MinibatchStdDev.apply(b, x, 4), none());
        check("minibatch stddev n2 3d", 2, sp3, 2, (b, x) -> MinibatchStdDev.apply(b, x, 4), none());
        check("flatten", 2, sp2, 2, (b, x) -> Dense.flatten(b, x), none());
    }

    @Test
    void critics() {
        // conditional PatchGAN with instance norm and spectral norm: the condition is a plain input
        check("patchgan", 1, new int[]{16, 16}, 2, (b, x) -> {
            Tensor cond = b.input("cond", 1, 16, 16);
            return PatchGan.builder().inChannels(2).width(3).layers(2).norm(Norm.INSTANCE).spectralNorm(true).build().apply(b, cond, x);
        }, Map.of("cond", Nd4j.randn(DataType.DOUBLE, 2, 1, 16, 16)));
        // PGGAN discriminator in the middle of a fade-in
        PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(8).fmapBase(16).fmapMax(4).build();
        check("pggan D", 1, new int[]{8, 8}, 4, (b, x) -> new PgganDiscriminator(cfg).apply(b, x, b.scalarInput("alpha")),
                Map.of("alpha", Nd4j.scalar(DataType.DOUBLE, 0.3)));
    }

    @Test
    void layersWithoutTangentsAreDetected() {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor x = b.input("x", 2, 4, 4).withTangent(b.input("t", 2, 4, 4).var());
        assertFalse(ChannelSoftmax.apply(b, x).hasTangent());
        // a critic with batch norm is rejected with a clear message, on either engine
        for (Engine engine : Engine.values()) {
            try (Engine.Scope scope = Engine.use(engine)) {
                ParamStore s2 = new ParamStore(1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WganGp(s2, "D",
                        (d, img) -> Dense.create().apply(d, "fc", BatchNorm.apply(d, "bn", img), 1), 1, new int[]{8, 8}, 10, 0.001, Adam.pggan()));
                assertTrue(e.getMessage().contains("batch norm"), engine + ": " + e.getMessage());
            }
        }
        // DL4J's penalty gradient is a tangent pass (libtorch's is double backprop, which needs no tangents)
        try (Engine.Scope scope = Engine.use(Engine.DL4J)) {
            ParamStore s3 = new ParamStore(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WganGp(s3, "D",
                    (d, img) -> Dense.create().apply(d, "fc", ChannelSoftmax.apply(d, img), 1), 2, new int[]{8, 8}, 10, 0.001, Adam.pggan()));
            assertTrue(e.getMessage().contains("tangent"), e.getMessage());
        }
    }
}
