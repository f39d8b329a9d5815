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

/** Output shapes in 2D and 3D, TRAIN and INFERENCE graphs; hyper-parameter maps; errors. */
class NetworkShapesTest {

    @ParameterizedTest(name = "{0}D")
    @CsvSource({"2", "3"})
    void outputShapes(int dims) {
        int s = dims == 2 ? 32 : 16;
        int[] sp = dims == 2 ? new int[]{s, s} : new int[]{s, s, s};
        for (NetBuilder.Mode mode : NetBuilder.Mode.values()) {
            ParamStore store = new ParamStore(5);
            NetBuilder b = NetBuilder.create(store, mode, "G", "D");
            Tensor x = b.input("x", 2, sp);
            UNet unet = UNet.builder().spatialDims(dims).inChannels(2).outChannels(3).width(2).depth(dims == 2 ? 5 : 3)
                    .dropoutBlocks(1).norm(Norm.INSTANCE).build();
            Tensor g = unet.apply(b.network("G"), x);
            PatchGan pg = PatchGan.builder().spatialDims(dims).inChannels(5).width(2).layers(2).spectralNorm(true).build();
            Tensor d = pg.apply(b.network("D"), x, g);
            INDArray xin = Nd4j.rand(DataType.FLOAT, x.shape(2)).subi(0.5);
            Map<String, INDArray> feeds = Map.of("x", xin);
            INDArray gOut = NetTestSupport.run(b, g, feeds);
            INDArray dOut = NetTestSupport.run(b, d, feeds);
            assertArrayEquals(g.shape(2), gOut.shape());
            assertTrue(gOut.amaxNumber().doubleValue() <= 1.0, "tanh output");
            int ps = pg.outputSize(s);
            assertArrayEquals(dims == 2 ? new long[]{2, 1, ps, ps} : new long[]{2, 1, ps, ps, ps}, dOut.shape());
        }
        // DCGAN
        ParamStore store = new ParamStore(5);
        NetBuilder b = NetBuilder.forTraining(store, "G", "D");
        Dcgan dc = new Dcgan(dims, 1, dims == 2 ? 32 : 16, 10, 2, 2);
        Tensor z = b.vectorInput("z", 10);
        Tensor img = dc.generate(b.network("G"), z);
        Tensor logit = dc.discriminate(b.network("D"), img);
        INDArray zin = Nd4j.randn(DataType.FLOAT, 3, 10);
        assertArrayEquals(img.shape(3), NetTestSupport.run(b, img, Map.of("z", zin)).shape());
        assertArrayEquals(new long[]{3, 1}, NetTestSupport.run(b, logit, Map.of("z", zin)).shape());
        // PGGAN at 4, 8 and 16
        PgganConfig cfg = PgganConfig.builder().spatialDims(dims).channels(2).maxResolution(16).fmapBase(64).fmapMax(16).build();
        for (int r : new int[]{4, 16}) {
            ParamStore ps = new ParamStore(5);
            NetBuilder pb = NetBuilder.forTraining(ps, "G", "D");
            SDVariable alpha = pb.scalarInput("alpha");
            Tensor pz = pb.vectorInput("z", cfg.latentSize());
            Tensor pimg = new PgganGenerator(cfg).apply(pb.network("G"), pz, r, alpha);
            Tensor score = new PgganDiscriminator(cfg).apply(pb.network("D"), pimg, alpha);
            Map<String, INDArray> f = Map.of("z", Nd4j.randn(DataType.FLOAT, 4, cfg.latentSize()), "alpha", Nd4j.scalar(DataType.FLOAT, 0.5));
            long[] expect = new long[2 + dims];
            expect[0] = 4;
            expect[1] = 2;
            for (int i = 0; i < dims; i++) expect[2 + i] = r;
            assertArrayEquals(expect, NetTestSupport.run(pb, pimg, f).shape());
            assertArrayEquals(new long[]{4, 1}, NetTestSupport.run(pb, score, f).shape());
        }
    }
    @Test
    void specsRoundTripThroughMaps() {
        List<NetworkSpec> specs = List.of(
                UNet.builder().spatialDims(3).inChannels(4).outChannels(2).width(8).depth(4).norm(Norm.INSTANCE).spectralNorm(true)
                        .output(Activations.Output.SOFTMAX).build(),
                PatchGan.builder().spatialDims(3).inChannels(5).layers(2).norm(Norm.NONE).spectralNorm(true).build(),
                new PgganGenerator(PgganConfig.builder().maxResolution(512).width(0.5).channels(1).build()),
                new PgganDiscriminator(PgganConfig.builder().maxResolution(256).mbstdGroupSize(2).build()),
                new Dcgan(2, 1, 64, 100, 64, 64));
        for (NetworkSpec s : specs) {
            NetworkSpec back = Networks.fromMap(s.kind(), s.toMap());
            assertEquals(s.toMap(), back.toMap(), s.kind());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Networks.fromMap("resnet", Map.of()));
        assertTrue(e.getMessage().contains("unknown network kind"));
        Map<String, Object> bad = new HashMap<>(specs.get(0).toMap());
        bad.remove("depth");
        e = assertThrows(IllegalArgumentException.class, () -> Networks.fromMap("unet", bad));
        assertTrue(e.getMessage().contains("depth"), e.getMessage());
    }
    @Test
    void unetRejectsBadSizesClearly() {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forInference(store);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UNet.pix2pix(1, 1).build().apply(b.network("G"), b.input("x", 1, 200, 200)));
        assertTrue(e.getMessage().contains("divisible by 256"), e.getMessage());
    }
}
