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

/** Every trainable variable of every network receives a non-zero gradient. */
class GradientFlowTest {

    /** U-Net (batch norm, dropout, spectral norm) + conditional PatchGAN in one graph. */
    @Test
    void unetAndPatchGan() {
        ParamStore store = new ParamStore(21);
        NetBuilder b = NetBuilder.forTraining(store, "G", "D");
        Tensor a = b.input("a", 1, 64, 64);
        Tensor g = UNet.builder().inChannels(1).outChannels(1).width(4).depth(6).spectralNorm(true).build().apply(b.network("G"), a);
        Tensor d = PatchGan.builder().inChannels(2).width(4).spectralNorm(true).build().apply(b.network("D"), a, g);
        assertTrue(b.dropoutMasks().size() == 1 && b.spectralNorms().size() > 10);
        INDArray ain = Nd4j.randn(DataType.FLOAT, 2, 1, 64, 64);
        NetTestSupport.assertAllGradientsNonZero(b, d.var().mul(d.var()).mean().rename("loss"), Map.of("a", ain), "G", "D");
    }

    /** PGGAN G + D at 16x16 in the middle of a fade-in. */
    @Test
    void pggan() {
        PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(16).fmapBase(64).fmapMax(16).build();
        ParamStore ps = new ParamStore(22);
        NetBuilder pb = NetBuilder.forTraining(ps, "G", "D");
        SDVariable alpha = pb.scalarInput("alpha");
        Tensor img = new PgganGenerator(cfg).apply(pb.network("G"), pb.vectorInput("z", cfg.latentSize()), 16, alpha);
        Tensor score = new PgganDiscriminator(cfg).apply(pb.network("D"), img, alpha);
        Map<String, INDArray> f = new HashMap<>();
        f.put("z", Nd4j.randn(DataType.FLOAT, 4, cfg.latentSize()));
        f.put("alpha", Nd4j.scalar(DataType.FLOAT, 0.5));
        NetTestSupport.assertAllGradientsNonZero(pb, score.var().mean().rename("loss"), f, "G", "D");
    }

    /** 3D DCGAN. */
    @Test
    void dcgan3d() {
        ParamStore ds = new ParamStore(23);
        NetBuilder db = NetBuilder.forTraining(ds, "G", "D");
        Dcgan dc = new Dcgan(3, 1, 16, 8, 2, 2);
        Tensor v = dc.generate(db.network("G"), db.vectorInput("z", 8));
        Tensor l = dc.discriminate(db.network("D"), v);
        NetTestSupport.assertAllGradientsNonZero(db, l.var().mean().rename("loss"), Map.of("z", Nd4j.randn(DataType.FLOAT, 2, 8)), "G", "D");
    }
}
