package org.medsynth.nn.layers;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.medsynth.nn.ReferenceCase.assertClose;

class SpectralNormTest {

    /** PyTorch reference: sigma and u after n power iterations from a given u0, then y = layer(x; W / sigma) and its gradients. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"spectral_conv_n1,DOUBLE", "spectral_conv_n5,DOUBLE", "spectral_convT_n3,DOUBLE", "spectral_linear_n2,DOUBLE",
            "spectral_conv_n5,FLOAT", "spectral_convT_n3,FLOAT", "spectral_linear_n2,FLOAT"})
    void matchesPyTorch(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        ParamStore store = new ParamStore(3, dt);
        store.put("layer/W", NetBuilder.DEFAULT_GROUP, ParamStore.Role.TRAINABLE, c.param("layer/W").castTo(dt));
        store.put("layer/u", NetBuilder.DEFAULT_GROUP, ParamStore.Role.STATE, c.param("u0").castTo(dt));
        NetBuilder b = NetBuilder.forTraining(store, NetBuilder.DEFAULT_GROUP);
        INDArray xArr = c.input("x").castTo(dt);
        long[] xs = xArr.shape();
        Tensor x = xs.length == 2 ? new Tensor(b.sd().var("x", xArr), (int) xs[1])
                : new Tensor(b.sd().var("x", xArr), (int) xs[1], (int) xs[2], (int) xs[3]);
        String kind = c.meta().get("kind").asText();
        Tensor y = switch (kind) {
            case "conv" -> Conv.of(3).samePadding().bias(false).spectralNorm(true).apply(b, "layer", x, 5);
            case "convT" -> ConvTranspose.of(4).stride(2).padding(1).bias(false).spectralNorm(true).apply(b, "layer", x, 3);
            case "linear" -> Dense.create().bias(false).spectralNorm(true).apply(b, "layer", x, 6);
            default -> throw new IllegalArgumentException(kind);
        };
        assertEquals(1, b.spectralNorms().size());
        SpectralNorm.State st = b.spectralNorms().get(0);
        assertEquals("layer/W", st.weightName());
        double sigma = SpectralNorm.powerIteration(store, st, c.meta().get("iterations").asInt());
        double tol = dt == DataType.DOUBLE ? 1e-10 : 2e-5;
        assertEquals(c.output("sigma").getDouble(0), sigma, tol * 10);
        assertClose("u", c.output("u"), store.array("layer/u"), tol, 1e-12);

        SDVariable loss = y.var().mul(b.sd().constant(c.upstream().castTo(dt))).sum().rename("loss");
        b.sd().setLossVariables(loss);
        List<String> gv = new ArrayList<>(List.of("x"));
        gv.addAll(b.trainableVariables(NetBuilder.DEFAULT_GROUP));
        OutAndGrad og = b.sd().calculateGradientsAndOutputs(Map.of(), List.of(y.var().name()), gv);
        assertClose("y", c.output("y"), og.getOutputs().get(y.var().name()), tol, 1e-12);
        assertClose("dL/dx", c.grad("x"), og.getGradients().get("x"), tol, 1e-12);
        assertClose("dL/dW", c.grad("layer/W"), og.getGradients().get("layer/W"), tol, 1e-12);
    }

    static double largestSingularValue(INDArray m) {
        return new SingularValueDecomposition(new Array2DRowRealMatrix(m.castTo(DataType.DOUBLE).toDoubleMatrix())).getSingularValues()[0];
    }

    /**
     * Property: with one power iteration per training step (persistent u) sigma converges to the
     * largest singular value (SVD, commons-math3), so W / sigma has spectral norm ~1 — also while W
     * keeps changing slowly as in training.
     */
    @Test
    void boundsLargestSingularValueNearOne() {
        ParamStore store = new ParamStore(11, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "D");
        NetBuilder d = b.network("D");
        Tensor x = d.input("x", 4, 6, 6);
        Conv.of(3).samePadding().init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "c1", x, 8);
        SpectralNorm.State st = b.spectralNorms().get(0);
        INDArray w = store.array("D/c1/W");
        Random rnd = new Random(5);
        double svdInitial = largestSingularValue(SpectralNorm.matrix(w, 3));
        assertTrue(svdInitial > 2, "a random weight is far from spectral norm 1: " + svdInitial);
        for (int step = 0; step < 60; step++) {
            SpectralNorm.powerIteration(store, st, 1);
            if (step >= 20) {
                INDArray normalized = SpectralNorm.matrix(w, 3).div(SpectralNorm.sigma(store, st));
                double s = largestSingularValue(normalized);
                assertEquals(1.0, s, 0.02, "step " + step + ": largest singular value of W / sigma");
            }
            // a small "optimiser update"
            INDArray noise = Nd4j.create(DataType.DOUBLE, w.shape());
            for (long i = 0; i < noise.length(); i++) noise.putScalar(i, 0.002 * rnd.nextGaussian());
            w.addi(noise);
        }
        // with a fixed weight many iterations converge to the SVD value
        for (int i = 0; i < 200; i++) SpectralNorm.powerIteration(store, st, 1);
        assertEquals(largestSingularValue(SpectralNorm.matrix(w, 3)), SpectralNorm.sigma(store, st), 1e-8);
        // the graph's sigma (sum(W * uv)) is the same number
        INDArray uv = store.array("D/c1/uv");
        assertEquals(SpectralNorm.sigma(store, st), w.mul(uv).sumNumber().doubleValue(), 1e-10);
    }

    /**
     * The faster matrix copy and outer product (row axis last: a 2D transposition, uv written in place) give exactly the
     * u, v and uv of the permutation of all axes that computed them before, in float32 (training's type) as in float64:
     * the same products in the same order, so DL4J's and libtorch's training are unchanged.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"conv, FLOAT", "conv, DOUBLE", "deconv, FLOAT", "dense, FLOAT", "conv3d, FLOAT"})
    void iterationGivesExactlyThePermutedComputation(String layer, DataType dt) {
        ParamStore store = new ParamStore(3, dt);
        NetBuilder b = NetBuilder.forTraining(store, "D");
        NetBuilder d = b.network("D");
        switch (layer) {
            case "conv" -> Conv.of(3).samePadding().init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 5, 6, 6), 7);
            case "conv3d" -> Conv.of(4).stride(2).padding(1).init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 3, 4, 4, 4), 6);
            case "deconv" -> ConvTranspose.of(4).stride(2).padding(1).init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 5, 4, 4), 3);
            default -> Dense.create().init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.vectorInput("x", 9), 4);
        }
        SpectralNorm.State st = b.spectralNorms().get(0);
        INDArray w = store.array(st.weightName());
        INDArray u = store.array(st.uName()).dup(), v = store.array(st.vName()).dup();
        for (int step = 0; step < 3; step++) {
            // the computation before, written out: permuted copy of W, products, outer product through a permuted view
            int rank = w.rank(), row = st.rowAxis();
            int[] perm = new int[rank];
            perm[0] = row;
            for (int i = 0, k = 1; i < rank; i++) if (i != row) perm[k++] = i;
            INDArray wm = w.permute(perm).dup('c').reshape('c', w.size(row), w.length() / w.size(row));
            INDArray nv = wm.transpose().mmul(u.reshape(u.length(), 1));
            nv.divi(Math.max(nv.norm2Number().doubleValue(), SpectralNorm.EPS));
            v.assign(nv);
            INDArray nu = wm.mmul(v.reshape(v.length(), 1));
            nu.divi(Math.max(nu.norm2Number().doubleValue(), SpectralNorm.EPS));
            u.assign(nu);
            long[] permShape = new long[rank];
            int[] inverse = new int[rank];
            for (int i = 0; i < rank; i++) {
                permShape[i] = w.size(perm[i]);
                inverse[perm[i]] = i;
            }
            INDArray uv = u.reshape(u.length(), 1).mmul(v.reshape(1, v.length())).reshape('c', permShape).permute(inverse).dup('c');

            SpectralNorm.iterate(store, st, 1);
            // bit for bit (INDArray.equals allows 1e-5)
            assertArrayEquals(u.dup('c').data().asDouble(), store.array(st.uName()).dup('c').data().asDouble(), "u, step " + step);
            assertArrayEquals(v.dup('c').data().asDouble(), store.array(st.vName()).dup('c').data().asDouble(), "v, step " + step);
            assertArrayEquals(uv.data().asDouble(), store.array(st.uvName()).dup('c').data().asDouble(), "uv, step " + step);
            w.addi(Nd4j.rand(dt, w.shape()).muli(0.01));   // an "optimiser update"
        }
    }

    /**
     * On libtorch's kernels (row axis last: the weight read in place) the power iteration gives DL4J's u, v and uv up to
     * float rounding, over several steps with the weight changing in between; a weight with another row axis takes DL4J's
     * path (bit for bit).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"conv, FLOAT", "conv, DOUBLE", "conv3d, FLOAT", "deconv, FLOAT", "dense, DOUBLE"})
    void libtorchIterationMatchesDl4j(String layer, DataType dt) {
        ParamStore[] stores = new ParamStore[2];
        SpectralNorm.State st = null;
        for (int k = 0; k < 2; k++) {
            stores[k] = new ParamStore(3, dt);
            NetBuilder d = NetBuilder.forTraining(stores[k], "D").network("D");
            switch (layer) {
                case "conv" -> Conv.of(3).samePadding().init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 5, 6, 6), 7);
                case "conv3d" -> Conv.of(4).stride(2).padding(1).init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 3, 4, 4, 4), 6);
                case "deconv" -> ConvTranspose.of(4).stride(2).padding(1).init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.input("x", 5, 4, 4), 3);
                default -> Dense.create().init(WeightInit.normal(0.5)).spectralNorm(true).apply(d, "l", d.vectorInput("x", 9), 4);
            }
            st = d.spectralNorms().get(0);
        }
        double tol = dt == DataType.FLOAT ? 1e-6 : 1e-13;
        for (int step = 0; step < 4; step++) {
            SpectralNorm.iterate(stores[0], st, 1, org.medsynth.nn.engine.Engine.DL4J);
            SpectralNorm.iterate(stores[1], st, 1, org.medsynth.nn.engine.Engine.LIBTORCH);
            for (String name : new String[]{st.uName(), st.vName(), st.uvName()}) {
                INDArray a = stores[0].array(name), b = stores[1].array(name);
                double diff = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
                assertTrue(diff <= tol * a.amaxNumber().doubleValue(), name + ", step " + step + ": max difference " + diff);
            }
            INDArray change = Nd4j.rand(dt, stores[0].array(st.weightName()).shape()).muli(0.05);   // an "optimiser update"
            stores[0].array(st.weightName()).addi(change);
            stores[1].array(st.weightName()).addi(change);
        }
        assertTrue(Math.abs(SpectralNorm.sigma(stores[1], st)) > 0.1, "a non-trivial weight");
    }
}
