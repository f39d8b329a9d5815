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

/** U-Net and PatchGAN against pix2pix's PyTorch networks with the same weights (src/test/python/nn_reference.py). */
class Pix2pixEquivalenceTest {

    /** The U-Net equals pix2pix's UnetGenerator (PyTorch, same weights): output and every gradient. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"unet_d5_instance,DOUBLE", "unet_d6_batch,DOUBLE", "unet_d5_instance,FLOAT", "unet_d6_batch,FLOAT"})
    void unetMatchesPix2pix(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        var m = c.meta();
        UNet unet = UNet.builder().inChannels(m.get("inChannels").asInt()).outChannels(m.get("outChannels").asInt())
                .width(m.get("width").asInt()).depth(m.get("depth").asInt()).norm(Norm.valueOf(m.get("norm").asText()))
                .dropoutBlocks(0).build();
        ParamStore store = NetTestSupport.storeFrom(c, dt, "G");
        NetBuilder b = NetBuilder.forTraining(store, "G");
        Tensor y = unet.apply(b.network("G"), NetTestSupport.varInput(b, "x", c.input("x").castTo(dt)));
        assertEquals(store.all().size(), c.params().size(), "the Java U-Net has exactly pix2pix's parameters");
        NetTestSupport.compare(c, NetTestSupport.outAndGrads(b, y, c.upstream(), "G", Map.of()), y.var().name(), dt);
    }
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"patchgan_n3_batch,DOUBLE", "patchgan_n2_instance,DOUBLE", "patchgan_n3_batch,FLOAT"})
    void patchGanMatchesPix2pix(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        var m = c.meta();
        PatchGan d = PatchGan.builder().inChannels(m.get("inChannels").asInt()).width(m.get("width").asInt())
                .layers(m.get("layers").asInt()).norm(Norm.valueOf(m.get("norm").asText())).build();
        ParamStore store = NetTestSupport.storeFrom(c, dt, "D");
        NetBuilder b = NetBuilder.forTraining(store, "D");
        Tensor y = d.apply(b.network("D"), null, NetTestSupport.varInput(b, "x", c.input("x").castTo(dt)));
        assertEquals(store.all().size(), c.params().size());
        NetTestSupport.compare(c, NetTestSupport.outAndGrads(b, y, c.upstream(), "D", Map.of()), y.var().name(), dt);
    }
}
