package org.medsynth.nn.engine.libtorch;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A placeholder set by the pass to a gradient ({@link TorchGraph#feedGradient}) is differentiated itself (double
 * backpropagation), on a graph whose derivatives are known in closed form: S = sum w x^3, g = dS/dx = 3 w x^2,
 * L = sum g^2 = 9 sum w^2 x^4, dL/dw_i = 18 w_i sum_n x_ni^4 (zero if g were taken without its graph).
 */
class TorchGraphFeedGradientTest {

    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable w = sd.var("w", Nd4j.createFromArray(0.5, -1.5, 2.0));
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable cube = x.mul(x).mul(x);
        cube.mul(w).sum().rename("S");
        SDVariable g = sd.placeHolder("g", DataType.DOUBLE, -1, 3);
        sd.math().square(g).sum().rename("L");
        return sd;
    }

    @Test
    void aLossOnAGradientIsDifferentiatedThroughIt() {
        SameDiff sd = graph();
        TorchGraph torch = new TorchGraph(sd);
        torch.feedGradient("g", "S", "x");
        INDArray x = Nd4j.createFromArray(new double[][]{{1, 2, -1}, {0.5, -3, 0.25}});
        INDArray w = sd.getVariable("w").getArr();
        TorchGraph.Pass p = torch.gradients(Map.of("x", x), List.of("g", "L"), "L", List.of("w"));
        INDArray g = x.mul(x).muli(w.reshape(1, 3)).muli(3);
        assertClose(g, p.outputs().get("g"), "g = 3 w x^2");
        assertEquals(g.mul(g).sumNumber().doubleValue(), p.outputs().get("L").getDouble(0), 1e-12, "L");
        INDArray x4 = x.mul(x).muli(x).muli(x).sum(0);
        INDArray expected = w.mul(x4).muli(18);
        assertClose(expected, p.gradients().get("w"), "dL/dw");
        assertEquals(List.of("w"), List.copyOf(p.gradients().keySet()), "the gradients of wrt only, not of x");
        // output passes compute the gradient too
        assertClose(g, torch.output(Map.of("x", x), List.of("g")).get("g"), "g of an output pass");
    }

    @Test
    void misuseIsRefused() {
        SameDiff sd = graph();
        TorchGraph torch = new TorchGraph(sd);
        assertThrows(IllegalArgumentException.class, () -> torch.feedGradient("g", "S", "w"), "wrt must be a placeholder");
        assertThrows(IllegalArgumentException.class, () -> torch.feedGradient("L", "S", "x"), "only a placeholder is fed");
        assertThrows(IllegalArgumentException.class, () -> torch.feedGradient("g", "nothing", "x"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new GraphRunner(sd, Engine.DL4J).feedGradient("g", "S", "x"));
        assertTrue(e.getMessage().contains("libtorch"), e.getMessage());
        // g fed from a value the graph computes after its first use
        SameDiff late = SameDiff.create();
        SDVariable x = late.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable w = late.var("w", Nd4j.createFromArray(1.0, 2.0));
        late.placeHolder("g", DataType.DOUBLE, -1, 2).sum().rename("L");
        x.mul(w).sum().rename("S");
        TorchGraph t = new TorchGraph(late);
        t.feedGradient("g", "S", "x");
        IllegalStateException ise = assertThrows(IllegalStateException.class,
                () -> t.gradients(Map.of("x", Nd4j.ones(DataType.DOUBLE, 1, 2)), List.of(), "L", List.of("w")));
        assertTrue(ise.getMessage().contains("after its first use"), ise.getMessage());
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-12 * expected.amaxNumber().doubleValue(), what + ": " + actual + ", expected " + expected);
    }
}
