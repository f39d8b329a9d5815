package org.medsynth.nn.train;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each step updates exactly its own group. */
class GroupIsolationTest {

    /** U-Net with batch norm + dropout, PatchGAN with spectral norm + batch norm: every kind of state. */
    static ConditionalGan tinyGan(long seed) {
        return tinyGan(seed, Adam.pix2pix(), Adam.pix2pix());
    }

    static ConditionalGan tinyGan(long seed, Adam g, Adam d) {
        UNet unet = UNet.builder().inChannels(1).outChannels(1).width(4).depth(4).dropoutBlocks(1).build();
        PatchGan pg = PatchGan.builder().inChannels(2).width(4).layers(2).spectralNorm(true).build();
        return new ConditionalGan(new ParamStore(seed), unet::apply, pg::apply, 1, 1, new int[]{16, 16},
                ConditionalGan.GanLoss.VANILLA, 100, g, d);
    }

    static Map<String, INDArray> snapshot(ParamStore store) {
        Map<String, INDArray> m = new HashMap<>();
        store.all().forEach(p -> m.put(p.name(), p.value().dup()));
        return m;
    }

    /** Bit-identical (equals on INDArray compares with a tolerance, so compare the raw bits). */
    static boolean identical(INDArray a, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) return false;
        float[] x = a.castTo(DataType.FLOAT).data().asFloat();
        float[] y = b.castTo(DataType.FLOAT).data().asFloat();
        for (int i = 0; i < x.length; i++) if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) return false;
        return true;
    }

    static Map<String, INDArray> batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> f = new HashMap<>();
        f.put(ConditionalGan.CONDITION, Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16).subi(0.5));
        f.put(ConditionalGan.REAL, Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16).subi(0.5));
        return f;
    }

    @Test
    void dStepChangesOnlyDAndGStepOnlyG() {
        ConditionalGan gan = tinyGan(3);
        ParamStore store = gan.store();
        Map<String, INDArray> feeds = batch(1);
        Map<String, INDArray> before = snapshot(store);
        gan.discriminatorStep().run(feeds);
        int dChanged = 0;
        for (ParamStore.Param p : store.all()) {
            boolean same = identical(before.get(p.name()), p.value());
            if (p.group().equals("G")) assertTrue(same, "a D step changed " + p.name());
            else if (!same) dChanged++;
        }
        assertTrue(dChanged > 10, "D step updated D (" + dChanged + " arrays)");
        // D's running statistics and spectral-norm vectors are part of D's state and did change
        assertFalse(identical(before.get("D/conv1/norm/runningMean"), store.array("D/conv1/norm/runningMean")));
        assertFalse(identical(before.get("D/conv0/conv/u"), store.array("D/conv0/conv/u")));

        Map<String, INDArray> afterD = snapshot(store);
        gan.generatorStep().run(feeds);
        int gChanged = 0;
        for (ParamStore.Param p : store.all()) {
            boolean same = identical(afterD.get(p.name()), p.value());
            if (p.group().equals("D")) assertTrue(same, "a G step changed " + p.name());
            else if (!same) gChanged++;
        }
        assertTrue(gChanged > 10, "G step updated G (" + gChanged + " arrays)");
        assertEquals(1, gan.discriminatorStep().optimizer().steps());
        assertEquals(1, gan.generatorStep().optimizer().steps());
    }

    /** The same holds with G and D trainable in one graph and two losses (loss switching). */
    @Test
    void oneGraphTwoLosses() {
        ParamStore store = new ParamStore(4);
        NetBuilder b = NetBuilder.forTraining(store, "G", "D");
        Tensor c = b.input("c", 1, 16, 16);
        Tensor real = b.input("real", 1, 16, 16);
        Tensor fake = UNet.builder().inChannels(1).outChannels(1).width(4).depth(4).norm(Norm.INSTANCE).build().apply(b.network("G"), c);
        PatchGan pg = PatchGan.builder().inChannels(2).width(4).layers(2).norm(Norm.NONE).build();
        SDVariable dReal = pg.apply(b.network("D"), c, real).var();
        SDVariable dFake = pg.apply(b.network("D"), c, fake).var();
        SDVariable lossD = Losses.lsganD(b.sd(), dReal, dFake).rename("lossD");
        SDVariable lossG = Losses.lsganG(b.sd(), dFake).add(Losses.l1(b.sd(), fake.var(), real.var())).rename("lossG");
        TrainStep dStep = new TrainStep(b, lossD, "D", Adam.pix2pix());
        TrainStep gStep = new TrainStep(b, lossG, "G", Adam.pix2pix());
        Map<String, INDArray> feeds = Map.of("c", Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16), "real", Nd4j.rand(DataType.FLOAT, 2, 1, 16, 16));
        for (int i = 0; i < 2; i++) {
            Map<String, INDArray> s0 = snapshot(store);
            dStep.run(feeds);
            for (ParamStore.Param p : store.group("G")) assertTrue(identical(s0.get(p.name()), p.value()), p.name());
            Map<String, INDArray> s1 = snapshot(store);
            gStep.run(feeds);
            for (ParamStore.Param p : store.group("D")) assertTrue(identical(s1.get(p.name()), p.value()), p.name());
            assertFalse(identical(s1.get("G/down0/conv/W"), store.array("G/down0/conv/W")));
            assertFalse(identical(s0.get("D/out/W"), store.array("D/out/W")));
        }
    }




    @Test
    void clearErrorForAGroupWithoutVariables() {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forTraining(store, "D");
        Tensor x = b.input("x", 1, 16, 16);
        Tensor y = UNet.builder().inChannels(1).outChannels(1).width(2).depth(2).build().apply(b.network("G"), x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainStep(b, y.var().mean(), "G", Adam.pix2pix()));
        assertTrue(e.getMessage().contains("forTraining"), e.getMessage());
    }


    @Test
    void maskDrawsAreReproducible() {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forTraining(store, "G");
        UNet.builder().inChannels(1).outChannels(1).width(2).depth(6).build().apply(b.network("G"), b.input("x", 1, 64, 64));
        assertEquals(1, b.dropoutMasks().size());
        Map<String, INDArray> f = Map.of("x", Nd4j.zeros(DataType.FLOAT, 1, 1, 64, 64));
        String m = b.dropoutMasks().get(0).placeholder();
        assertTrue(identical(b.withRandomFeeds(f, new SplittableRandom(5)).get(m), b.withRandomFeeds(f, new SplittableRandom(5)).get(m)));
        assertNotEquals(b.withRandomFeeds(f, new SplittableRandom(5)).get(m), b.withRandomFeeds(f, new SplittableRandom(6)).get(m));
    }
}
