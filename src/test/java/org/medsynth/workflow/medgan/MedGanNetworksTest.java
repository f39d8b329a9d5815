package org.medsynth.workflow.medgan;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.InstanceNorm;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.layers.SpectralNorm;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 3D-MedGAN networks are what the paper describes: a 3D U-Net generator with instance norm in
 * the down and up blocks, LeakyReLU, tanh output and spectral norm on every convolution; a 3D patch
 * discriminator with spectral norm. (Instance norm and spectral norm themselves are checked against
 * PyTorch in nn/layers/LayersReferenceTest and SpectralNormTest; here: that G and D use them.)
 */
class MedGanNetworksTest {

    static final MedGanConfig CFG = MedGanConfig.defaults().withNetworks(4, 3, 4, 2).withPatch(32);

    @Test
    void theGeneratorIsAn3dUNetWithInstanceNormLeakyReluSpectralNormAndTanh() {
        UNet g = CFG.generator(3);
        assertEquals(3, g.spatialDims());
        assertEquals(4, g.inChannels(), "3 one-hot labels + 1 noise channel");
        assertEquals(Norm.INSTANCE, g.norm());
        assertTrue(g.spectralNorm());
        assertEquals(0.2, g.upSlope());
        assertEquals(0, g.dropoutBlocks());

        ParamStore store = new ParamStore(3);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor in = b.input("x", 4, 32, 32, 32);
        Tensor out = g.apply(b.network("G"), in);
        // LeakyReLU (not ReLU) before every decoder convolution, as before every encoder convolution but the first
        for (int i = 0; i < 3; i++) {
            assertTrue(b.sd().hasVariable("G/up" + i + "/lrelu"), "LeakyReLU in up block " + i);
            assertFalse(b.sd().hasVariable("G/up" + i + "/relu"), "no ReLU in up block " + i);
        }
        for (int i = 1; i < 3; i++) assertTrue(b.sd().hasVariable("G/down" + i + "/lrelu"), "LeakyReLU in down block " + i);

        // spectral norm on every convolution: one (u, v) state per weight
        List<String> weights = new ArrayList<>();
        for (ParamStore.Param p : store.group("G")) if (p.name().endsWith("/W")) weights.add(p.name());
        assertEquals(7, weights.size(), "3 down- and 3 up-sampling convolutions + the output convolution on [input, features]: " + weights);
        assertEquals(weights.size(), b.spectralNorms().size());
        for (String w : weights) {
            String scope = w.substring(0, w.length() - 1);
            assertTrue(store.contains(scope + "u") && store.contains(scope + "v"), "spectral norm state of " + w);
        }

        // instance norm: every normalised feature map has mean 0 and variance 1 per sample and channel
        INDArray x = randomInput(2, 4, 32, 7);
        List<String> norms = new ArrayList<>(List.of("G/down1/norm/normalized", "G/up2/norm/normalized", "G/up1/norm/normalized"));
        norms.add(out.var().name());
        Map<String, INDArray> r = b.sd().output(Map.of("x", x), norms.toArray(new String[0]));
        for (String n : norms.subList(0, 3)) {
            INDArray a = r.get(n);
            // inside the network the feature maps are channels last (NDHWC) unless that layout is switched off
            if (org.medsynth.nn.EngineOptions.fromSystemProperties().channelsLast()) a = a.permute(0, 4, 1, 2, 3);
            assertEquals(2, a.size(0));
            for (int s = 0; s < a.size(0); s++)
                for (int c = 0; c < a.size(1); c++) {
                    INDArray m = a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(s), org.nd4j.linalg.indexing.NDArrayIndex.point(c));
                    double mean = m.meanNumber().doubleValue();
                    double var = m.sub(mean).mul(m.sub(mean)).meanNumber().doubleValue();
                    assertEquals(0, mean, 1e-4, n + " sample " + s + " channel " + c);
                    assertEquals(1, var, 5e-3, n + " sample " + s + " channel " + c);
                }
        }
        INDArray y = r.get(out.var().name());
        assertArrayEquals(new long[]{2, 1, 32, 32, 32}, y.shape());
        assertTrue(y.amaxNumber().doubleValue() <= 1, "tanh output");
        assertTrue(b.sd().hasVariable("G/up0/tanh"), "tanh output layer");
        assertEquals(InstanceNorm.EPS, 1e-5);
    }

    @Test
    void threeDimensionalConfigurationsKeepTheInnermostLevelAtLeastFourVoxelsWide() {
        var e = assertThrows(org.medsynth.core.UserInputException.class, () -> MedGanConfig.defaults().withPatch(32));
        assertTrue(e.getMessage().contains("patch=64") && e.getMessage().contains("depth=3"), e.getMessage());
        assertEquals(2, MedGanConfig.defaults().withSpatialDims(2).withNetworks(16, 4, 16, 1).withPatch(32).patch() / 16, "2D is not affected");
    }

    @Test
    void theDecoderSlopeSurvivesTheManifestAndOldManifestsMeanRelu() {
        UNet g = CFG.generator(2);
        assertEquals(0.2, ((UNet) org.medsynth.nn.networks.Networks.fromMap("unet", g.toMap())).upSlope());
        Map<String, Object> old = new java.util.HashMap<>(g.toMap());
        old.remove("upSlope");
        assertEquals(0.0, UNet.fromMap(old).upSlope(), "models saved before the option: ReLU, as pix2pix");
        assertFalse(UNet.pix2pix(3, 3).build().toMap().containsKey("upSlope"), "pix2pix manifests unchanged");
    }

    @Test
    void spectralNormBoundsEveryWeightOfGeneratorAndDiscriminator() {
        ParamStore store = new ParamStore(5, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor in = b.input("x", 4, 32, 32, 32);
        Tensor lab = b.input("c", 3, 32, 32, 32);
        Tensor fake = CFG.generator(3).apply(b.network("G"), in);
        CFG.discriminator(3).apply(b.network("D"), lab, fake);
        assertEquals(7 + 4, b.spectralNorms().size(), "G: 7 convolutions, D (2 layers): 4");
        for (SpectralNorm.State st : b.spectralNorms()) {
            SpectralNorm.powerIteration(store, st, 60);
            INDArray w = SpectralNorm.matrix(store.array(st.weightName()), st.rowAxis());
            double svd = new SingularValueDecomposition(new Array2DRowRealMatrix(w.toDoubleMatrix())).getSingularValues()[0];
            double sigma = SpectralNorm.sigma(store, st);
            assertEquals(svd, sigma, 0.02 * svd, st.weightName() + ": sigma = largest singular value, so W / sigma has spectral norm 1");
        }
    }

    @Test
    void theDiscriminatorIsAConditionalPatchDiscriminator() {
        PatchGan d = CFG.discriminator(3);
        assertEquals(3, d.spatialDims());
        assertEquals(4, d.inChannels(), "3 one-hot labels + the image");
        assertTrue(d.spectralNorm());
        assertEquals(Norm.INSTANCE, d.norm());
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forInference(store);
        Tensor out = d.apply(b.network("D"), b.input("c", 3, 32, 32, 32), b.input("x", 1, 32, 32, 32));
        assertArrayEquals(new int[]{6, 6, 6}, out.spatial(), "one logit per patch: 32 / 2^2 - 2");
        assertEquals(1, out.channels());
    }

    static INDArray randomInput(int batch, int channels, int size, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[batch * channels * size * size * size];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.create(v, new long[]{batch, channels, size, size, size}, 'c');
    }
}
