package org.medsynth.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Nd4jBackendProbeTest {
    @Test
    void convolutionRuns() {
        System.out.println("ND4J backend: " + Nd4j.getBackend().getClass().getName() + " env " + Nd4j.getExecutioner().getEnvironmentInformation());
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, 1, 1, 4, 4);
        SDVariable w = sd.constant("w", Nd4j.ones(DataType.FLOAT, 3, 3, 1, 1));
        SDVariable out = sd.cnn().conv2d("out", in, w, Conv2DConfig.builder().kH(3).kW(3).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.SAME).build());
        INDArray r = sd.output(java.util.Map.of("in", Nd4j.ones(DataType.FLOAT, 1, 1, 4, 4)), "out").get("out");
        assertEquals(9.0, r.getDouble(0, 0, 1, 1), 1e-6);
        assertEquals(4.0, r.getDouble(0, 0, 0, 0), 1e-6);
    }
}
