package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Norm;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Full-size pix2pix networks have exactly the parameter counts of the PyTorch originals. */
class Pix2pixSizeTest {
    @Test
    void fullSizeParameterCountsEqualPix2pix() throws Exception {
        Map<?, ?> counts;
        try (var in = getClass().getResourceAsStream("/nn/pix2pix_param_counts.json")) {
            counts = new ObjectMapper().readValue(in, Map.class);
        }
        ParamStore s1 = new ParamStore(1);
        NetBuilder b1 = NetBuilder.forInference(s1);
        UNet.pix2pix(3, 3).build().apply(b1.network("G"), b1.input("x", 3, 256, 256));
        assertEquals(((Number) counts.get("unet256_batch_3to3")).longValue(), s1.countTrainable("G"));
        ParamStore s2 = new ParamStore(1);
        NetBuilder b2 = NetBuilder.forInference(s2);
        UNet.pix2pix(1, 1).norm(Norm.INSTANCE).build().apply(b2.network("G"), b2.input("x", 1, 256, 256));
        assertEquals(((Number) counts.get("unet256_instance_1to1")).longValue(), s2.countTrainable("G"));
        ParamStore s3 = new ParamStore(1);
        NetBuilder b3 = NetBuilder.forInference(s3);
        Tensor logits = PatchGan.builder().build().apply(b3.network("D"), b3.input("a", 3, 256, 256), b3.input("b", 3, 256, 256));
        assertEquals(((Number) counts.get("patchgan70_batch_6")).longValue(), s3.countTrainable("D"));
        assertArrayEquals(new int[]{30, 30}, logits.spatial(), "70x70 PatchGAN on 256x256 gives 30x30 logits");
    }

}
