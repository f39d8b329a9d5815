package org.medsynth.nn.losses;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Loss values against numbers computed by hand, gradients against central differences. */
class LossesTest {

    static double eval(INDArray a, INDArray b, BiFunction<SameDiff, SDVariable[], SDVariable> f) {
        SameDiff sd = SameDiff.create();
        SDVariable va = sd.var("a", a);
        SDVariable vb = b == null ? null : sd.var("b", b);
        SDVariable l = f.apply(sd, new SDVariable[]{va, vb}).rename("l");
        return sd.output(Map.of(), "l").get("l").getDouble(0);
    }

    static INDArray v(double... d) {
        return Nd4j.createFromArray(d).reshape(d.length, 1);
    }

    @Test
    void regressionLosses() {
        // |1-0| + |2-4| + |-1-(-1)| = 3 over 3 -> 1
        assertEquals(1.0, eval(v(1, 2, -1), v(0, 4, -1), (sd, x) -> Losses.l1(sd, x[0], x[1])), 1e-12);
        // (1 + 4 + 0) / 3
        assertEquals(5.0 / 3, eval(v(1, 2, -1), v(0, 4, -1), (sd, x) -> Losses.mse(sd, x[0], x[1])), 1e-12);
    }

    @Test
    void binaryCrossEntropyWithLogits() {
        // logits 0 -> log 2 for either target
        assertEquals(Math.log(2), eval(v(0, 0), null, (sd, x) -> Losses.bceWithLogits(sd, x[0], 1.0)), 1e-12);
        // x = 2, t = 1: log(1 + e^-2); x = -3, t = 1: 3 + log(1 + e^-3)
        double e1 = Math.log1p(Math.exp(-2));
        double e2 = 3 + Math.log1p(Math.exp(-3));
        assertEquals((e1 + e2) / 2, eval(v(2, -3), null, (sd, x) -> Losses.bceWithLogits(sd, x[0], 1.0)), 1e-12);
        // target 0: x = 2 -> 2 + log(1 + e^-2); x = -3 -> log(1 + e^-3)
        assertEquals((2 + e1 + Math.log1p(Math.exp(-3))) / 2, eval(v(2, -3), null, (sd, x) -> Losses.bceWithLogits(sd, x[0], 0.0)), 1e-12);
        // no overflow for large logits
        assertEquals(1000, eval(v(-1000), null, (sd, x) -> Losses.bceWithLogits(sd, x[0], 1.0)), 1e-9);
        assertEquals(0, eval(v(1000), null, (sd, x) -> Losses.bceWithLogits(sd, x[0], 1.0)), 1e-12);
        // soft targets: t = 0.25, x = 1: 1 - 0.25 + log(1 + e^-1)
        assertEquals(0.75 + Math.log1p(Math.exp(-1)), eval(v(1), v(0.25), (sd, x) -> Losses.bceWithLogits(sd, x[0], x[1])), 1e-12);
        // non-saturating: D = BCE(real, 1) + BCE(fake, 0); G = BCE(fake, 1)
        double d = eval(v(2), v(-3), (sd, x) -> Losses.nonSaturatingD(sd, x[0], x[1]));
        assertEquals(Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-3)), d, 1e-12);
        assertEquals(3 + Math.log1p(Math.exp(-3)), eval(v(-3), null, (sd, x) -> Losses.nonSaturatingG(sd, x[0])), 1e-12);
    }

    @Test
    void leastSquaresGan() {
        // D: 0.5 [mean((1-1)^2, (0.5-1)^2) + mean(0^2, 0.5^2)] = 0.5 [0.125 + 0.125] = 0.125
        assertEquals(0.125, eval(v(1, 0.5), v(0, 0.5), (sd, x) -> Losses.lsganD(sd, x[0], x[1])), 1e-12);
        // G: 0.5 mean((0-1)^2, (0.5-1)^2) = 0.5 * 0.625
        assertEquals(0.3125, eval(v(0, 0.5), null, (sd, x) -> Losses.lsganG(sd, x[0])), 1e-12);
    }

    @Test
    void wasserstein() {
        // mean fake (0.5) - mean real (2) + 0.001 mean(real^2) (= 0.001 * (1 + 9) / 2)
        assertEquals(0.5 - 2 + 0.005, eval(v(1, 3), v(0, 1), (sd, x) -> Losses.wganD(sd, x[0], x[1], 0.001)), 1e-12);
        assertEquals(-0.5, eval(v(0, 1), null, (sd, x) -> Losses.wganG(sd, x[0])), 1e-12);
    }

    static INDArray probs2x2() {
        // [N=1, L=2, 2, 2]
        return Nd4j.createFromArray(new double[]{0.9, 0.2, 0.6, 0.0, 0.1, 0.8, 0.4, 1.0}).reshape(1, 2, 2, 2);
    }

    static INDArray onehot2x2() {
        return Nd4j.createFromArray(new double[]{1, 0, 1, 0, 0, 1, 0, 1}).reshape(1, 2, 2, 2);
    }

    @Test
    void softDiceEquation1() {
        // class 0: sum pg = 0.9 + 0.6 = 1.5; sum p^2 = 0.81 + 0.04 + 0.36 + 0 = 1.21; sum g^2 = 2
        // class 1: sum pg = 0.8 + 1.0 = 1.8; sum p^2 = 0.01 + 0.64 + 0.16 + 1 = 1.81; sum g^2 = 2
        double c0 = 1 - 2 * 1.5 / (1.21 + 2);
        double c1 = 1 - 2 * 1.8 / (1.81 + 2);
        double got = eval(probs2x2(), onehot2x2(), (sd, x) -> Losses.softDice(sd, x[0], x[1], 2, 0.0));
        assertEquals((c0 + c1) / 2, got, 1e-12);
        // perfect prediction -> 0; with eps the value stays finite for an empty class
        assertEquals(0.0, eval(onehot2x2(), onehot2x2(), (sd, x) -> Losses.softDice(sd, x[0], x[1], 2, 0.0)), 1e-12);
        INDArray empty = Nd4j.zeros(DataType.DOUBLE, 1, 2, 2, 2);
        assertEquals(1.0, eval(empty, empty, (sd, x) -> Losses.softDice(sd, x[0], x[1], 2, 1e-5)), 1e-12);
        // sums run over the batch too: two copies of the same sample give the same loss
        INDArray p2 = Nd4j.concat(0, probs2x2(), probs2x2());
        INDArray g2 = Nd4j.concat(0, onehot2x2(), onehot2x2());
        double c0b = 1 - 2 * 3.0 / (2.42 + 4);
        double c1b = 1 - 2 * 3.6 / (3.62 + 4);
        assertEquals((c0b + c1b) / 2, eval(p2, g2, (sd, x) -> Losses.softDice(sd, x[0], x[1], 2, 0.0)), 1e-12);
    }

    /** d loss / d input by SameDiff vs central differences (float64). */
    static void checkGradient(INDArray a, INDArray b, BiFunction<SameDiff, SDVariable[], SDVariable> f) {
        SameDiff sd = SameDiff.create();
        SDVariable va = sd.var("a", a.dup());
        SDVariable vb = b == null ? null : sd.constant("b", b);
        sd.setLossVariables(f.apply(sd, new SDVariable[]{va, vb}).rename("l"));
        INDArray g = sd.calculateGradients(Map.of(), "a").get("a");
        double h = 1e-6;
        for (long i = 0; i < a.length(); i++) {
            INDArray ap = a.dup();
            ap.putScalar(i, a.getDouble(i) + h);
            INDArray am = a.dup();
            am.putScalar(i, a.getDouble(i) - h);
            double fd = (eval(ap, b, f) - eval(am, b, f)) / (2 * h);
            assertEquals(fd, g.getDouble(i), 1e-7, "element " + i);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        checkGradient(probs2x2(), onehot2x2(), (sd, x) -> Losses.softDice(sd, x[0], x[1], 2, 1e-5));
        checkGradient(v(2, -3, 0.5), v(1, 0, 0.3), (sd, x) -> Losses.bceWithLogits(sd, x[0], x[1]));
        checkGradient(v(2, -3, 0.5), v(1, 0, 0.3), (sd, x) -> Losses.l1(sd, x[0], x[1]));
    }
}
