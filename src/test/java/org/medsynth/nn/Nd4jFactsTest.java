package org.medsynth.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour of ND4J/SameDiff 1.0.0-M2.1 that the toolkit works around. If one of these tests fails
 * after an ND4J upgrade, the bug is fixed: update the note in docs/nn-toolkit.md and the workaround.
 */
class Nd4jFactsTest {

    /** Broadcast div: the gradient w.r.t. a scalar divisor is wrong; hence SpectralNorm multiplies by 1/sigma. */
    @Test
    void broadcastDivGradientOfDivisorIsWrong() {
        INDArray w0 = Nd4j.createFromArray(new double[][]{{1, 2}, {3, 4}});
        INDArray r0 = Nd4j.createFromArray(new double[][]{{1, -2}, {0.5, 3}});
        double expected = -r0.mul(w0).sumNumber().doubleValue() / 4; // d/dt sum(r * w / t) at t = 2
        for (boolean useDiv : new boolean[]{true, false}) {
            SameDiff sd = SameDiff.create();
            SDVariable w = sd.var("w", w0.dup());
            SDVariable t = sd.var("t", Nd4j.scalar(2.0));
            SDVariable y = useDiv ? w.div(t) : w.mul(sd.math().reciprocal(t));
            sd.setLossVariables(y.mul(sd.constant(r0)).sum().rename("loss"));
            double g = sd.calculateGradients(Map.of(), "t").get("t").getDouble(0);
            if (useDiv) assertTrue(Math.abs(g - expected) > 1, "div gradient is right now: " + g);
            else assertEquals(expected, g, 1e-12);
        }
    }

    /** SameDiff has no second-order gradients: the backward ops (conv2d_bp, ...) cannot be differentiated. */
    @Test
    void noSecondOrderGradients() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var("in", Nd4j.rand(DataType.DOUBLE, 1, 1, 4, 4));
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 2, 2, 1, 1));
        SDVariable c = sd.cnn().conv2d(in, w, org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(2).kW(2).build());
        sd.setLossVariables(sd.nn().leakyRelu(c, 0.2).sum().rename("o"));
        sd.calculateGradients(Map.of(), "in", "w");
        SameDiff gradFn = sd.getFunction("grad");
        gradFn.renameVariable("one-var", "one-var-first-order");
        SDVariable gin = gradFn.getVariable(sd.getVariable("in").getGradient().name());
        gradFn.setLossVariables(gin.norm2().rename("gradNorm"));
        Exception e = assertThrows(UnsupportedOperationException.class, () -> gradFn.calculateGradients(Map.of(), "w"));
        assertTrue(e.getMessage().contains("derivative of derivative"), e.getMessage());
    }

    /** Gradients w.r.t. placeholders are only returned when they lie on the path to a VARIABLE. */
    @Test
    void placeholderGradientsAreNotAlwaysReturned() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.ones(DataType.DOUBLE, 3, 2));
        sd.setLossVariables(sd.reshape(x, -1, 3).mmul(w).sum().rename("loss"));
        Map<String, INDArray> g = sd.calculateGradients(Map.of("x", Nd4j.ones(DataType.DOUBLE, 2, 3)), "x", "w");
        assertTrue(g.containsKey("w"));
        assertFalse(g.containsKey("x"), "placeholder gradients are returned now");
    }

    /** The oneDNN softmax over axis 1 of a rank-4 array is wrong; ChannelSoftmax permutes to the last axis. */
    @Test
    void softmaxAxis1Rank4() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 3, 5).muli(6).subi(3);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, -1, 4, 3, 5);
        SDVariable raw = sd.nn().softmax("raw", in, 1);
        INDArray r = sd.output(Map.of("x", x), "raw").get("raw");
        INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(x, true);
        INDArray byHand = e.div(e.sum(true, 1));
        double err = org.nd4j.linalg.ops.transforms.Transforms.abs(r.sub(byHand), true).maxNumber().doubleValue();
        assertTrue(err > 1e-2, "softmax over axis 1 of rank 4 is right now (max error " + err + ")");
    }
}
