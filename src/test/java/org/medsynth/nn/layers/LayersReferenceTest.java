package org.medsynth.nn.layers;

import org.medsynth.nn.EngineOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.medsynth.nn.ReferenceCase.assertClose;

/**
 * Every layer against PyTorch float64 reference values (src/test/python/nn_reference.py): forward
 * output and gradients of L = sum(out * upstream) w.r.t. inputs and parameters. Run in double
 * precision (ND4J's reference kernels) and in float32 (the oneDNN kernels used in production).
 */
class LayersReferenceTest {

    static Stream<Arguments> dtypes(String... cases) {
        List<Arguments> l = new ArrayList<>();
        for (String c : cases) {
            l.add(Arguments.of(c, DataType.DOUBLE));
            l.add(Arguments.of(c, DataType.FLOAT));
        }
        return l.stream();
    }

    static double rtol(DataType dt) {
        return dt == DataType.DOUBLE ? 1e-10 : 2e-5;
    }

    static void compareAll(ReferenceCase c, LayerHarness.Result r, DataType dt) {
        double tol = rtol(dt);
        // ND4J's lrelu_bp keeps the slope as a float32 (0.2f = 0.2 + 3e-9), even for double arrays
        if (c.name().equals("leakyrelu") && dt == DataType.DOUBLE) tol = 1e-8;
        double atol = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
        for (String k : c.names("outputs")) {
            if (r.outputs().containsKey(k)) assertClose(c.name() + " output " + k + " " + dt, c.output(k), r.outputs().get(k), tol, atol);
        }
        for (String k : c.names("grads")) {
            assertClose(c.name() + " grad " + k + " " + dt, c.grad(k), r.grads().get(k), tol, atol);
        }
    }

    static Stream<Arguments> convCases() {
        return dtypes("conv2d_k3s1p1_bias", "conv2d_k4s2p1_nobias", "conv2d_k4s1p1_bias", "conv3d_k3s2p1_bias", "conv3d_k4s2p1_nobias");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("convCases")
    void convolution(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        var m = c.meta();
        Conv conv = Conv.of(m.get("kernel").asInt()).stride(m.get("stride").asInt()).padding(m.get("padding").asInt())
                .bias(m.get("bias").asBoolean());
        var r = LayerHarness.run(c, dt, NetBuilder.Mode.TRAIN,
                (b, in) -> LayerHarness.one("y", conv.apply(b, "conv", in.get("x"), m.get("cOut").asInt())));
        compareAll(c, r, dt);
    }

    static Stream<Arguments> convTCases() {
        return dtypes("convT2d_k4s2p1_bias", "convT2d_k4s1p0_nobias", "convT3d_k4s2p1_nobias", "convT3d_k3s1p1_bias");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("convTCases")
    void transposedConvolution(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        var m = c.meta();
        ConvTranspose conv = ConvTranspose.of(m.get("kernel").asInt()).stride(m.get("stride").asInt())
                .padding(m.get("padding").asInt()).bias(m.get("bias").asBoolean());
        var r = LayerHarness.run(c, dt, NetBuilder.Mode.TRAIN,
                (b, in) -> LayerHarness.one("y", conv.apply(b, "convT", in.get("x"), m.get("cOut").asInt())));
        compareAll(c, r, dt);
    }

    static Stream<Arguments> simpleCases() {
        return dtypes("dense", "conv2d_equalized", "instancenorm2d", "instancenorm3d_affine", "pixelnorm", "mbstd_n8", "mbstd_n2",
                "mbstd3d_n4", "leakyrelu", "relu", "upnearest2d", "upnearest3d", "avgdown2d", "avgdown3d", "softmax2d", "softmax3d");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("simpleCases")
    void simpleLayers(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        var r = LayerHarness.run(c, dt, NetBuilder.Mode.TRAIN, (b, in) -> {
            Tensor x = in.get("x");
            Tensor y = switch (name) {
                case "dense" -> Dense.create().apply(b, "fc", x, 4);
                case "conv2d_equalized" -> Conv.of(3).samePadding().init(WeightInit.equalized(Math.sqrt(2))).apply(b, "conv", x, 5);
                case "instancenorm2d" -> InstanceNorm.apply(b, "in", x, false);
                case "instancenorm3d_affine" -> InstanceNorm.apply(b, "in", x, true);
                case "pixelnorm" -> PixelNorm.apply(b, x);
                case "mbstd_n8", "mbstd_n2", "mbstd3d_n4" -> MinibatchStdDev.apply(b, x, 4);
                case "leakyrelu" -> Activations.leakyRelu(b, x, 0.2);
                case "relu" -> Activations.relu(b, x);
                case "upnearest2d", "upnearest3d" -> Resample.upNearest(b, x, 2);
                case "avgdown2d", "avgdown3d" -> Resample.downAverage(b, x, 2);
                case "softmax2d", "softmax3d" -> ChannelSoftmax.apply(b, x);
                default -> throw new IllegalArgumentException(name);
            };
            return LayerHarness.one("y", y);
        });
        compareAll(c, r, dt);
    }

    static Stream<Arguments> bnCases() {
        List<Arguments> l = new ArrayList<>();
        for (BatchNorm.Implementation impl : BatchNorm.Implementation.values()) {
            for (String c : List.of("batchnorm2d", "batchnorm3d", "batchnorm2d_n1_offset")) {
                l.add(Arguments.of(c, DataType.DOUBLE, impl));
                l.add(Arguments.of(c, DataType.FLOAT, impl));
            }
        }
        return l.stream();
    }

    /**
     * Batch norm against PyTorch (F.batch_norm, float64): training-mode output and gradients w.r.t.
     * x, gamma, beta (batch statistics, including their derivative), running-statistics update, and
     * inference-mode output; 2D, 3D and a batch of one with a large mean; both implementations.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("bnCases")
    void batchNormTrainingInferenceAndRunningStats(String name, DataType dt, BatchNorm.Implementation impl) {
        String before = System.getProperty(EngineOptions.BATCH_NORM);
        System.setProperty(EngineOptions.BATCH_NORM, impl.name().toLowerCase(java.util.Locale.ROOT));
        try {
            checkBatchNorm(name, dt, impl);
        } finally {
            if (before == null) System.clearProperty(EngineOptions.BATCH_NORM);
            else System.setProperty(EngineOptions.BATCH_NORM, before);
        }
    }

    private static void checkBatchNorm(String name, DataType dt, BatchNorm.Implementation impl) {
        ReferenceCase c = ReferenceCase.load(name);
        var r = LayerHarness.run(c, dt, NetBuilder.Mode.TRAIN,
                (b, in) -> LayerHarness.one("y", BatchNorm.apply(b, "bn", in.get("x"))));
        // libnd4j's generic (double) batchnorm_bp kernel is accurate to ~5e-9 relative, not 1e-15
        double tol = dt == DataType.DOUBLE && impl == BatchNorm.Implementation.FUSED ? 1e-7 : rtol(dt);
        double atol = dt == DataType.DOUBLE ? 1e-12 : 1e-6;
        for (String k : c.names("grads")) {
            assertClose(name + " grad " + k + " " + dt + " " + impl, c.grad(k), r.grads().get(k), tol, atol);
        }
        assertClose(name + " output " + dt + " " + impl, c.output("y"), r.outputs().get("y"), rtol(dt), atol);
        // running statistics update from the batch statistics of the training graph
        List<BatchNorm.Application> apps = r.builder().batchNorms();
        assertEquals(1, apps.size());
        BatchNorm.Application app = apps.get(0);
        Map<String, INDArray> stats = r.builder().sd().output(Map.of(), app.batchMean(), app.batchVar(), app.count());
        BatchNorm.updateRunningStats(r.store(), app, stats.get(app.batchMean()), stats.get(app.batchVar()), stats.get(app.count()).getDouble(0));
        assertClose("running mean", c.output("runningMeanAfter"), r.store().array("bn/runningMean"), rtol(dt), 1e-7);
        assertClose("running var", c.output("runningVarAfter"), r.store().array("bn/runningVar"), rtol(dt), 1e-7);
        // inference graph with the original running statistics
        var ri = LayerHarness.run(c, dt, NetBuilder.Mode.INFERENCE,
                (b, in) -> LayerHarness.one("yInference", BatchNorm.apply(b, "bn", in.get("x"))));
        assertClose("inference output", c.output("yInference"), ri.outputs().get("yInference"), rtol(dt), 1e-7);
        assertEquals(0, ri.builder().batchNorms().size(), "inference graphs register no running-stat updates");
    }

    static Stream<Arguments> agCases() {
        return dtypes("attention_gate");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("agCases")
    void attentionGate(String name, DataType dt) {
        ReferenceCase c = ReferenceCase.load(name);
        ParamStore store = LayerHarness.storeWith(c, dt, NetBuilder.DEFAULT_GROUP);
        NetBuilder b = NetBuilder.forTraining(store, NetBuilder.DEFAULT_GROUP);
        Tensor x = new Tensor(b.sd().var("x", c.input("x").castTo(dt)), 4, 8, 8);
        Tensor g = new Tensor(b.sd().var("g", c.input("g").castTo(dt)), 6, 4, 4);
        AttentionGate.Result res = AttentionGate.apply(b, "ag", x, g, c.meta().get("inter").asInt(), Norm.BATCH, WeightInit.normal(0.02));
        assertEquals(4, res.output().channels());
        assertEquals(1, res.coefficients().channels());
        var sd = b.sd();
        SDVariable loss = res.output().var().mul(sd.constant(c.upstream().castTo(dt))).sum()
                .add(res.coefficients().var().mul(sd.constant(c.array("upstreamAlpha").castTo(dt))).sum()).rename("loss");
        sd.setLossVariables(loss);
        List<String> gv = new ArrayList<>(List.of("x", "g"));
        gv.addAll(b.trainableVariables(NetBuilder.DEFAULT_GROUP));
        Map<String, INDArray> feeds = new HashMap<>();
        OutAndGrad og = sd.calculateGradientsAndOutputs(feeds, List.of(res.output().var().name(), res.coefficients().var().name()), gv);
        Map<String, INDArray> outs = new LinkedHashMap<>();
        outs.put("y", og.getOutputs().get(res.output().var().name()));
        outs.put("alpha", og.getOutputs().get(res.coefficients().var().name()));
        compareAll(c, new LayerHarness.Result(outs, og.getGradients(), b, store), dt);
    }
}
