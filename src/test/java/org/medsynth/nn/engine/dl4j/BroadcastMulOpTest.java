package org.medsynth.nn.engine.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BroadcastMulOpTest {

    /** Output and gradients of sum((full * factor - t)^2), with the op under test or with ND4J's own multiply. */
    private static Map<String, INDArray> run(long[] fullShape, long[] factorShape, int[] axes, boolean ours) {
        Nd4j.getRandom().setSeed(7);
        INDArray full = Nd4j.randn(DataType.DOUBLE, fullShape);
        INDArray factor = Nd4j.randn(DataType.DOUBLE, factorShape);
        INDArray upstream = Nd4j.randn(DataType.DOUBLE, fullShape);
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("full", full), f = sd.var("factor", factor);
        SDVariable y = ours ? BroadcastMulOp.apply(sd, "y", a, f, axes) : a.mul("y", f);
        // sum((y - t)^2): a non-uniform upstream gradient without a multiply of its own
        SDVariable loss = sd.math().square(y.sub(sd.constant("t", upstream))).sum();
        sd.setLossVariables(loss);
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), List.of("full", "factor"));
        // the gradient graph must use this op's backward pass, not ND4J's multiply_bp (it would give the same numbers)
        boolean nd4jBackward = sd.getFunction("grad").getOps().values().stream().anyMatch(o -> o.getOp().opName().equals("multiply_bp"));
        assertEquals(!ours, nd4jBackward, "multiply_bp in the gradient graph");
        return Map.of("y", sd.output(Map.of(), "y").get("y"), "full", g.get("full"), "factor", g.get("factor"));
    }

    private static void assertSameAsNd4j(long[] fullShape, long[] factorShape, int... axes) {
        Map<String, INDArray> ours = run(fullShape, factorShape, axes, true), ref = run(fullShape, factorShape, axes, false);
        for (String k : List.of("y", "full", "factor")) {
            assertTrue(ours.get(k).equalsWithEps(ref.get(k), 1e-12), k + ": " + ours.get(k) + " vs " + ref.get(k));
        }
        assertEquals(List.of(factorShape.length), List.of(ours.get("factor").rank()));
    }

    @Test
    void perChannelScaleMatchesNd4jMultiply() {
        assertSameAsNd4j(new long[]{2, 3, 4, 5}, new long[]{2, 3, 1, 1}, 2, 3);
    }

    @Test
    void perPixelScaleMatchesNd4jMultiply() {
        assertSameAsNd4j(new long[]{2, 3, 4, 5}, new long[]{2, 1, 4, 5}, 1);
    }

    @Test
    void sharedParameterIn3dMatchesNd4jMultiply() {
        assertSameAsNd4j(new long[]{2, 3, 2, 3, 4}, new long[]{1, 3, 1, 1, 1}, 0, 2, 3, 4);
    }

    @Test
    void sameShapeMatchesNd4jMultiply() {
        assertSameAsNd4j(new long[]{2, 3, 4}, new long[]{2, 3, 4});
    }

    @Test
    void handComputedFactorGradient() {
        // full = [[1, 2], [3, 4]] (1 x 2 x 2), factor = [[5], [7]] (per row): d sum(y)/d factor = row sums [3, 7]
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("full", Nd4j.createFromArray(new double[][]{{1, 2}, {3, 4}}).reshape(1, 2, 2));
        SDVariable f = sd.var("factor", Nd4j.createFromArray(new double[]{5, 7}).reshape(1, 2, 1));
        BroadcastMulOp.apply(sd, "y", a, f, 2).sum("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> g = sd.calculateGradients(Map.of(), List.of("full", "factor"));
        assertEquals(Nd4j.createFromArray(new double[]{3, 7}).reshape(1, 2, 1), g.get("factor"));
        assertEquals(Nd4j.createFromArray(new double[][]{{5, 5}, {7, 7}}).reshape(1, 2, 2), g.get("full"));
    }

    @Test
    void refusesRepeatedOrNegativeAxes() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("a", Nd4j.ones(2, 2)), f = sd.var("f", Nd4j.ones(2, 1));
        assertThrows(IllegalArgumentException.class, () -> BroadcastMulOp.apply(sd, "y", a, f, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> BroadcastMulOp.apply(sd, "z", a, f, -1));
    }
}
