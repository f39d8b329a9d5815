package org.medsynth.nn.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On libtorch the G step back-propagates through the fake the D step computed (G forward once per iteration): the
 * training is bit for bit the one that computes the fake again, with batch norm, dropout and its running statistics.
 */
class ConditionalGanTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void reusingTheDStepsFakeTrainsExactlyAsComputingItAgain(DataType type) {
        ConditionalGan shared = gan(Engine.LIBTORCH, type, false);
        ConditionalGan replayed = gan(Engine.LIBTORCH, type, false).shareGeneratorPass(false);
        assertTrue(shared.sharesGeneratorPass());
        assertFalse(replayed.sharesGeneratorPass());
        for (int i = 0; i < 3; i++) {
            INDArray c = Nd4j.rand(type, 2, 2, 16, 8).subi(0.5), real = Nd4j.rand(type, 2, 1, 16, 8).subi(0.5);
            ConditionalGan.StepLosses a = shared.step(c, real, new SplittableRandom(10 + i));
            ConditionalGan.StepLosses b = replayed.step(c, real, new SplittableRandom(10 + i));
            assertEquals(b, a, "losses of iteration " + i);
        }
        int compared = 0;
        for (ParamStore.Param p : replayed.store().all()) {
            assertArrayEquals(p.value().dup('c').data().asDouble(), shared.store().array(p.name()).dup('c').data().asDouble(), p.name());
            compared++;
        }
        assertTrue(compared > 20, "G's and D's weights, moments of batch norm and running statistics: " + compared);
    }

    @Test
    void dl4jAndSpectrallyNormalisedGeneratorsComputeTheFakeAgain() {
        assertFalse(gan(Engine.DL4J, DataType.FLOAT, false).sharesGeneratorPass());
        // G's power iteration comes between the D step and the G step: the D step's fake would be stale
        assertFalse(gan(Engine.LIBTORCH, DataType.FLOAT, true).sharesGeneratorPass());
    }

    private static ConditionalGan gan(Engine engine, DataType type, boolean spectral) {
        try (Engine.Scope s = Engine.use(engine)) {
            UNet g = UNet.builder().spatialDims(2).inChannels(2).outChannels(1).width(2).depth(3).norm(Norm.BATCH).spectralNorm(spectral)
                    .dropoutBlocks(1).upsample(UNet.Upsample.NEAREST_INPUT_SKIP).build();
            PatchGan d = PatchGan.builder().spatialDims(2).inChannels(3).width(2).layers(1).norm(Norm.BATCH).build();
            return new ConditionalGan(new ParamStore(5, type), g::apply, d::apply, 2, 1, new int[]{16, 8}, ConditionalGan.GanLoss.VANILLA,
                    100, Adam.pix2pix(), Adam.pix2pix());
        }
    }
}
