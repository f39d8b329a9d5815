package org.medsynth.nn.engine.libtorch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.EngineOptions;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.layers.SpectralNorm;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.losses.WganGp;
import org.medsynth.nn.networks.Dcgan;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.networks.PgganGenerator;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.ConditionalGan;
import org.medsynth.nn.engine.dl4j.GradientPass;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GAN graphs on both engines (float64): for pix2pix's U-Net and PatchGAN (2D and 3D, batch norm with dropout,
 * instance norm with spectral norm as 3D-MedGAN, both up-sampling modes), PGGAN's G and D at two resolutions during
 * fade-in, DCGAN's G and D, the D-step and G-step losses, outputs and the gradient of every parameter on libtorch equal
 * SameDiff's within 1e-7 relative; so do the inference graphs that generate images, and the WGAN-GP critic step (libtorch's
 * double backpropagation against DL4J's tangent surrogate).
 */
class GanParityTest {

    /** The random feeds and running statistics below come from ND4J's global generator: the same draws in every run. */
    @BeforeEach
    void seedNd4j() {
        Nd4j.getRandom().setSeed(20261205L);
    }

    @ParameterizedTest(name = "{0}D {1} sn={2} {3} {4} {5}")
    @CsvSource({
            "2, BATCH, false, TRANSPOSED, VANILLA, channels-last",
            "2, BATCH, false, NEAREST, VANILLA, channels-first",
            "2, BATCH, false, NEAREST_INPUT_SKIP, VANILLA, channels-last",
            "3, INSTANCE, true, NEAREST_INPUT_SKIP, LSGAN, channels-first",
            "3, BATCH, false, TRANSPOSED, LSGAN, channels-first",
            "2, INSTANCE, true, NEAREST, LSGAN, channels-last",
            "3, INSTANCE, true, NEAREST, LSGAN, channels-first",
            "3, INSTANCE, true, TRANSPOSED, VANILLA, channels-last"})
    void pix2pixStepsMatchSameDiff(int dims, Norm norm, boolean spectral, UNet.Upsample up, ConditionalGan.GanLoss loss, String layout) {
        withLayout(layout, () -> {
            UNet g = UNet.builder().spatialDims(dims).inChannels(2).outChannels(1).width(2).depth(3).norm(norm).spectralNorm(spectral)
                    .dropoutBlocks(norm == Norm.BATCH ? 1 : 0).upSlope(norm == Norm.INSTANCE ? 0.2 : 0).upsample(up).build();
            PatchGan d = PatchGan.builder().spatialDims(dims).inChannels(3).width(2).layers(1).norm(norm).spectralNorm(spectral).build();
            int[] sp = dims == 2 ? new int[]{16, 8} : new int[]{8, 8, 8};
            ParamStore store = new ParamStore(5, DataType.DOUBLE);
            ConditionalGan gan = new ConditionalGan(store, g::apply, d::apply, 2, 1, sp, loss, 100, Adam.pix2pix(), Adam.pix2pix());
            powerIterate(gan.discriminatorStep(), gan.generatorStep());
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put(ConditionalGan.CONDITION, random(new SplittableRandom(1), 2, 2, sp));
            feeds.put(ConditionalGan.REAL, random(new SplittableRandom(2), 2, 1, sp));
            feeds = gan.generatorStep().graph().withRandomFeeds(feeds, new SplittableRandom(3));
            assertStepParity(gan.discriminatorStep(), feeds);
            assertStepParity(gan.generatorStep(), feeds, gan.fakeName(), "lossG_adv", "lossG_L1");
            return null;
        });
    }

    /**
     * pix2pix's steps in float32, where libtorch runs the maps in channels-last memory (TorchOps.conv): among others the
     * decoder's batch norms whose outputs are concatenated, which TorchOps.concat views through as_strided so that their
     * gradients come back contiguous. Within 2e-4 relative, as the float32 rows of TorchGraphParityTest.
     */
    @Test
    void float32Pix2pixStepsMatchSameDiff() {
        withLayout("channels-first", () -> {
            UNet g = UNet.builder().spatialDims(2).inChannels(2).outChannels(1).width(4).depth(3).norm(Norm.BATCH)
                    .dropoutBlocks(1).upsample(UNet.Upsample.NEAREST_INPUT_SKIP).build();
            PatchGan d = PatchGan.builder().spatialDims(2).inChannels(3).width(4).layers(1).norm(Norm.BATCH).build();
            int[] sp = {16, 8};
            ParamStore store = new ParamStore(5, DataType.FLOAT);
            ConditionalGan gan = new ConditionalGan(store, g::apply, d::apply, 2, 1, sp, ConditionalGan.GanLoss.VANILLA, 100,
                    Adam.pix2pix(), Adam.pix2pix());
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put(ConditionalGan.CONDITION, random(new SplittableRandom(1), 2, 2, sp).castTo(DataType.FLOAT));
            feeds.put(ConditionalGan.REAL, random(new SplittableRandom(2), 2, 1, sp).castTo(DataType.FLOAT));
            feeds = gan.generatorStep().graph().withRandomFeeds(feeds, new SplittableRandom(3));
            assertStepParityWithin(gan.discriminatorStep(), feeds, 2e-4);
            assertStepParityWithin(gan.generatorStep(), feeds, 2e-4, gan.fakeName(), "lossG_adv", "lossG_L1");
            return null;
        });
    }

    /** 3D-MedGAN's own graphs (MedGanTrainer): G step LSGAN + L1 with D frozen, D step on the real and a pooled pair. */
    @ParameterizedTest(name = "{0}D {1}")
    @CsvSource({"3, NEAREST", "2, TRANSPOSED", "3, NEAREST_INPUT_SKIP"})
    void medganStepsMatchSameDiff(int dims, UNet.Upsample up) {
        // 3D: the smallest patch the trainer accepts (innermost level 4 voxels); 2D: depth 3 down to one pixel
        org.medsynth.workflow.medgan.MedGanConfig cfg = org.medsynth.workflow.medgan.MedGanConfig.defaults().withSpatialDims(dims)
                .withNetworks(2, dims == 3 ? 2 : 3, 2, 1).withPatch(dims == 3 ? 16 : 8).withUpsample(up).withNoise(true);
        UNet g = cfg.generator(3);
        PatchGan d = cfg.discriminator(3);
        int[] sp = cfg.patchShape();
        ParamStore store = new ParamStore(7, DataType.DOUBLE);
        NetBuilder gg = NetBuilder.forTraining(store, "G");
        Tensor fake = g.apply(gg.network("G"), gg.input("g_input", 4, sp));
        SDVariable dFake = d.apply(gg.network("D"), gg.input("labels", 3, sp), fake).var();
        SDVariable adv = Losses.lsganG(gg.sd(), dFake);
        SDVariable l1 = Losses.l1(gg.sd(), fake.var(), gg.input("real", 1, sp).var());
        TrainStep gStep = new TrainStep(gg, adv.add(l1.mul(10.0)).rename("lossG"), "G", Adam.pix2pix());
        NetBuilder dg = NetBuilder.forTraining(store, "D");
        SDVariable dReal = d.apply(dg.network("D"), dg.input("labels", 3, sp), dg.input("real", 1, sp)).var();
        SDVariable dPool = d.apply(dg.network("D"), dg.input("pool_labels", 3, sp), dg.input("pool_fake", 1, sp)).var();
        TrainStep dStep = new TrainStep(dg, Losses.lsganD(dg.sd(), dReal, dPool).rename("lossD"), "D", Adam.pix2pix());
        powerIterate(dStep, gStep);
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put("g_input", random(new SplittableRandom(1), 1, 4, sp));
        feeds.put("labels", random(new SplittableRandom(2), 1, 3, sp));
        feeds.put("real", random(new SplittableRandom(3), 1, 1, sp));
        feeds.put("pool_labels", random(new SplittableRandom(4), 1, 3, sp));
        feeds.put("pool_fake", random(new SplittableRandom(5), 1, 1, sp));
        assertStepParity(gStep, feeds, fake.var().name(), dFake.name(), adv.name(), l1.name());
        assertStepParity(dStep, feeds, dReal.name(), dPool.name());
    }

    /** PGGAN G step (WGAN G loss through the frozen D, SkrGAN's latent code) during the fade-in of two resolutions. */
    @ParameterizedTest(name = "{0}D {1} px")
    @CsvSource({"2, 8", "2, 16", "3, 8"})
    void pgganGeneratorStepMatchesSameDiff(int dims, int resolution) {
        PgganConfig cfg = pggan(dims);
        ParamStore store = new ParamStore(9, DataType.DOUBLE);
        NetBuilder gg = NetBuilder.forTraining(store, "GS");
        Tensor z = gg.vectorInput("z", cfg.latentSize());
        NetBuilder g = gg.network("GS");
        SDVariable code = g.param("latentCode", new long[]{1, cfg.latentSize()}, WeightInit.normal(1.0), 1);
        z = z.with(z.var().mul(code), cfg.latentSize());
        Tensor fake = new PgganGenerator(cfg).apply(g, z, resolution, gg.scalarInput("alpha"));
        SDVariable score = new PgganDiscriminator(cfg).apply(gg.network("DS"), fake, gg.scalarInput("alpha")).var();
        TrainStep step = new TrainStep(gg, Losses.wganG(gg.sd(), score), "GS", Adam.pggan());
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put("z", Nd4j.rand(DataType.DOUBLE, 4, cfg.latentSize()).subi(0.5).muli(4));
        feeds.put("alpha", Nd4j.scalar(DataType.DOUBLE, 0.3));
        assertStepParity(step, feeds, fake.var().name(), score.name());
    }

    /**
     * The WGAN-GP critic step on both engines, PGGAN's D (minibatch stddev, fade-in) and a conditional PatchGAN (instance
     * norm, spectral norm): libtorch's double backpropagation ({@code create_graph}) gives the loss, the penalty and every
     * parameter gradient of DL4J's forward-mode tangent surrogate (checked against PyTorch in WganGpTest). The penalty's
     * share of the gradient is far above the tolerance, so a penalty left out of the gradient (g without its graph) fails.
     */
    @ParameterizedTest(name = "{0} {1}D {2} px")
    @CsvSource({"pggan, 2, 8", "pggan, 2, 16", "pggan, 3, 8", "patchgan, 2, 16", "patchgan, 3, 12"})
    void wganGpCriticStepMatchesSameDiff(String network, int dims, int resolution) {
        ParamStore store = new ParamStore(11, DataType.DOUBLE);
        int[] sp = dims == 2 ? new int[]{resolution, resolution} : new int[]{resolution, resolution, resolution};
        WganGp.Critic critic;
        Map<String, INDArray> extra;
        if (network.equals("pggan")) {
            PgganDiscriminator d = new PgganDiscriminator(pggan(dims));
            critic = (b, image) -> d.apply(b, image, b.scalarInput("alpha"));
            extra = Map.of("alpha", Nd4j.scalar(DataType.DOUBLE, 0.6));
        } else {
            PatchGan d = PatchGan.builder().spatialDims(dims).inChannels(2).width(3).layers(2).norm(Norm.INSTANCE).spectralNorm(true).build();
            critic = (b, image) -> d.apply(b, b.input("cond", 1, sp), image);
            extra = Map.of("cond", random(new SplittableRandom(3), 4, 1, sp));
        }
        WganGp onDl4j = critic(Engine.DL4J, store, critic, sp, 10.0);
        WganGp onTorch = critic(Engine.LIBTORCH, store, critic, sp, 10.0);
        WganGp withoutPenalty = critic(Engine.LIBTORCH, store, critic, sp, 0.0);
        assertEquals(Engine.LIBTORCH, onTorch.trainStep().engine());
        powerIterate(onDl4j.trainStep());
        INDArray real = random(new SplittableRandom(1), 4, 1, sp);
        INDArray fake = random(new SplittableRandom(2), 4, 1, sp);
        INDArray t = Nd4j.createFromArray(0.1, 0.4, 0.7, 0.95);
        WganGp.Result a = onDl4j.compute(real, fake, t, extra);
        WganGp.Result b = onTorch.compute(real, fake, t, extra);
        assertEquals(a.loss(), b.loss(), 1e-7 * Math.max(1, Math.abs(a.loss())), "critic loss");
        assertEquals(a.penalty(), b.penalty(), 1e-7 * Math.max(1, a.penalty()), "gradient penalty");
        assertEquals(a.meanGradientNorm(), b.meanGradientNorm(), 1e-7 * Math.max(1, a.meanGradientNorm()), "mean gradient norm");
        assertEquals(a.wassersteinEstimate(), b.wassersteinEstimate(), 1e-7 * Math.max(1, Math.abs(a.wassersteinEstimate())), "W estimate");
        assertTrue(a.penalty() > 1e-6, "the penalty is not trivially zero");
        List<String> wrt = onDl4j.trainStep().variables();
        assertEquals(wrt.size(), b.step().gradients().size(), "a gradient for every parameter");
        double largest = 0;
        for (String v : wrt) largest = Math.max(largest, a.step().gradients().get(v).amaxNumber().doubleValue());
        for (String v : wrt) {
            // as assertStepParity: a gradient that is 0 in exact arithmetic (a conv bias before instance norm) is rounding noise
            assertClose(a.step().gradients().get(v), b.step().gradients().get(v), "d L_D / d " + v, 1e-6 * largest);
        }
        // the penalty's part of the gradient: what a double backprop that lost g's graph would leave out
        WganGp.Result main = withoutPenalty.compute(real, fake, t, extra);
        assertEquals(0.0, main.penalty());
        double penaltyPart = 0;
        for (String v : wrt) {
            penaltyPart = Math.max(penaltyPart, a.step().gradients().get(v).sub(main.step().gradients().get(v)).amaxNumber().doubleValue());
        }
        assertTrue(penaltyPart > 1e-3 * largest, "the penalty moves the gradient by " + penaltyPart + " (largest " + largest + ")");
    }

    /** A WGAN-GP critic of one channel made on {@code engine}. */
    private static WganGp critic(Engine engine, ParamStore store, WganGp.Critic critic, int[] spatial, double lambda) {
        try (Engine.Scope s = Engine.use(engine)) {
            return new WganGp(store, "DS", critic, 1, spatial, lambda, 0.001, Adam.pggan());
        }
    }

    /** DCGAN (batch norm in G and D, transposed convolutions, non-saturating loss) as DcganTraining builds it. */
    @ParameterizedTest(name = "{0}D {1}")
    @CsvSource({"2, channels-last", "3, channels-first"})
    void dcganStepsMatchSameDiff(int dims, String layout) {
        withLayout(layout, () -> {
            Dcgan net = new Dcgan(dims, 1, 8, 5, 2, 2);
            int[] sp = dims == 2 ? new int[]{8, 8} : new int[]{8, 8, 8};
            ParamStore store = new ParamStore(13, DataType.DOUBLE);
            NetBuilder dg = NetBuilder.forTraining(store, "DS");
            Tensor fakeD = net.generate(dg.network("GS"), dg.vectorInput("z", 5));
            SDVariable dReal = net.discriminate(dg.network("DS"), dg.input("real", 1, sp)).var();
            SDVariable dFake = net.discriminate(dg.network("DS"), fakeD).var();
            TrainStep dStep = new TrainStep(dg, Losses.nonSaturatingD(dg.sd(), dReal, dFake), "DS", Adam.pix2pix());
            NetBuilder gg = NetBuilder.forTraining(store, "GS");
            Tensor fake = net.generate(gg.network("GS"), gg.vectorInput("z", 5));
            SDVariable score = net.discriminate(gg.network("DS"), fake).var();
            TrainStep gStep = new TrainStep(gg, Losses.nonSaturatingG(gg.sd(), score), "GS", Adam.pix2pix());
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put("z", Nd4j.rand(DataType.DOUBLE, 3, 5).subi(0.5).muli(4));
            feeds.put("real", random(new SplittableRandom(1), 3, 1, sp));
            assertStepParity(dStep, feeds, dReal.name(), dFake.name());
            assertStepParity(gStep, feeds, fake.var().name(), score.name());
            return null;
        });
    }

    /**
     * The inference graphs that make images: SkrGAN's sampler (PGGAN G with its latent code, clipped, rendered by the
     * batch-norm U-Net with running statistics), DCGAN's G and 3D-MedGAN's G.
     */
    @Test
    void generatorInferenceGraphsMatchSameDiff() {
        ParamStore store = new ParamStore(17, DataType.DOUBLE);
        PgganConfig cfg = pggan(2);
        UNet render = UNet.pix2pix(1, 1).width(2).depth(3).upsample(UNet.Upsample.NEAREST_INPUT_SKIP).build();
        // the U-Net's running statistics, as after some training
        NetBuilder train = NetBuilder.forTraining(store, "G");
        render.apply(train.network("G"), train.input("s", 1, 16, 16));
        for (ParamStore.Param p : store.all()) {
            if (p.name().endsWith("runningMean")) p.value().assign(Nd4j.rand(DataType.DOUBLE, p.value().shape()).subi(0.5));
            if (p.name().endsWith("runningVar")) p.value().assign(Nd4j.rand(DataType.DOUBLE, p.value().shape()).addi(0.5));
        }
        NetBuilder b = NetBuilder.forInference(store);
        Tensor z = b.vectorInput("z", cfg.latentSize());
        NetBuilder gs = b.network("GS");
        SDVariable code = gs.param("latentCode", new long[]{1, cfg.latentSize()}, WeightInit.normal(1.0), 1);
        Tensor sketch = new PgganGenerator(cfg).apply(gs, z.with(z.var().mul(code), cfg.latentSize()), 16, null);
        Tensor clipped = sketch.with(b.sd().math().clipByValue(sketch.var(), -1, 1));
        Tensor image = render.apply(b.network("G"), clipped);
        Dcgan dcgan = new Dcgan(2, 1, 16, cfg.latentSize(), 2, 2);
        Tensor dcganImage = dcgan.generate(b.network("DG"), z);
        UNet medgan = org.medsynth.workflow.medgan.MedGanConfig.defaults().withSpatialDims(3).withNetworks(2, 2, 2, 1).withPatch(16)
                .generator(3);
        Tensor volume = medgan.apply(b.network("MG"), b.input("g_input", 4, 16, 8, 8));
        Map<String, INDArray> feeds = Map.of("z", Nd4j.rand(DataType.DOUBLE, 3, cfg.latentSize()).subi(0.5).muli(6),
                "g_input", random(new SplittableRandom(4), 2, 4, 16, 8, 8));
        List<String> outs = List.of(clipped.var().name(), image.var().name(), dcganImage.var().name(), volume.var().name());
        Map<String, INDArray> sd = b.sd().output(feeds, outs.toArray(String[]::new));
        Map<String, INDArray> torch = new TorchGraph(b.sd()).output(feeds, outs);
        for (String o : outs) assertClose(sd.get(o), torch.get(o), o);
        INDArray c = torch.get(clipped.var().name());
        assertTrue(c.maxNumber().doubleValue() <= 1 && c.minNumber().doubleValue() >= -1, "clipped to [-1, 1]");
    }

    /**
     * The activations' derivatives at their kinks as SameDiff takes them (LeakyReLU: 1 at 0; ReLU: 0 at 0; |x|: 0 at 0):
     * exact zeros occur, e.g. a first-layer bias of 0 on a sketch pixel of value 0.
     */
    @Test
    void activationKinksAreDifferentiatedAsSameDiff() {
        ParamStore store = new ParamStore(1, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "x");
        SDVariable x = b.network("x").param("v", new long[]{2, 5}, WeightInit.constant(0), 1);
        store.array("x/v").assign(Nd4j.createFromArray(new double[][]{{-1.5, -0.0, 0.0, 0.5, 2}, {0, 0, -3, 0, 1e-300}}));
        Tensor t = new Tensor(x, 5);
        SDVariable w = b.sd().constant("w", Nd4j.createFromArray(new double[][]{{1, 2, 3, 4, 5}, {-1, -2, -3, -4, -5}}));
        SDVariable sum = org.medsynth.nn.layers.Activations.leakyRelu(b, t, 0.2).var().mul(w)
                .add(org.medsynth.nn.layers.Activations.relu(b, t).var().mul(w).mul(10.0))
                .add(b.sd().nn().relu(x, 0.0).mul(w).mul(100.0))
                .add(b.sd().math().abs(x).mul(w).mul(1000.0)).sum().rename("kinks");
        b.sd().setLossVariables(sum);
        OutAndGrad sd = GradientPass.run(b.sd(), Map.of(), List.of(sum.name()), List.of("x/v"));
        TorchGraph.Pass torch = new TorchGraph(b.sd()).gradients(Map.of(), List.of(sum.name()), sum.name(), List.of("x/v"));
        assertClose(sd.getOutputs().get(sum.name()), torch.outputs().get(sum.name()), "value");
        assertClose(sd.getGradients().get("x/v"), torch.gradients().get("x/v"), "gradient " + sd.getGradients().get("x/v"));
    }

    /**
     * Nearest-neighbour up-sampling (PGGAN's and the U-Nets' x2): values and the gradient, which sums each block, as
     * SameDiff; factors that are powers of two run on libtorch's up-sampling kernel, others (3) by repeat_interleave.
     */
    @ParameterizedTest(name = "{0}D x{1}")
    @CsvSource({"2, 2", "3, 2", "2, 4", "2, 3", "3, 3"})
    void nearestUpSamplingMatchesSameDiff(int dims, int factor) {
        ParamStore store = new ParamStore(1, DataType.DOUBLE);
        NetBuilder b = NetBuilder.forTraining(store, "x");
        int[] sp = dims == 2 ? new int[]{3, 5} : new int[]{3, 2, 5};
        long[] shape = dims == 2 ? new long[]{2, 3, 3, 5} : new long[]{2, 3, 3, 2, 5};
        SDVariable v = b.network("x").param("v", shape, WeightInit.normal(1), 1);
        Tensor up = org.medsynth.nn.layers.Resample.upNearest(b, new Tensor(v, 3, sp), factor);
        long[] upShape = up.var().eval().shape();
        SDVariable w = b.sd().constant("w", Nd4j.rand(DataType.DOUBLE, upShape).subi(0.5));
        SDVariable sum = up.var().mul(w).sum().rename("weighted");
        b.sd().setLossVariables(sum);
        List<String> outs = List.of(sum.name(), up.var().name());
        OutAndGrad sd = GradientPass.run(b.sd(), Map.of(), outs, List.of("x/v"));
        TorchGraph.Pass torch = new TorchGraph(b.sd()).gradients(Map.of(), outs, sum.name(), List.of("x/v"));
        for (String o : outs) assertClose(sd.getOutputs().get(o), torch.outputs().get(o), o);
        assertClose(sd.getGradients().get("x/v"), torch.gradients().get("x/v"), "gradient");
    }

    // ------------------------------------------------------------------------------------------------

    /** The step's loss, the named outputs and every gradient of its group, on SameDiff and on libtorch. */
    static void assertStepParity(TrainStep step, Map<String, INDArray> feeds, String... outputs) {
        assertStepParityWithin(step, feeds, 1e-7, outputs);
    }

    /** {@link #assertStepParity} within {@code tolerance} relative (float32 steps: the engines round differently). */
    static void assertStepParityWithin(TrainStep step, Map<String, INDArray> feeds, double tolerance, String... outputs) {
        NetBuilder b = step.graph();
        Map<String, INDArray> f = new HashMap<>();
        feeds.forEach((k, v) -> { if (b.sd().hasVariable(k) && b.sd().getVariable(k).isPlaceHolder()) f.put(k, v); });
        String loss = step.lossName();
        List<String> outs = new ArrayList<>(List.of(loss));
        outs.addAll(List.of(outputs));
        List<String> wrt = step.variables();
        b.sd().setLossVariables(loss);
        OutAndGrad sd = GradientPass.run(b.sd(), f, outs, wrt);
        TorchGraph.Pass torch = new TorchGraph(b.sd()).gradients(f, outs, loss, wrt);
        for (String o : outs) assertClose(sd.getOutputs().get(o), torch.outputs().get(o), o, 1e-12, tolerance);
        assertEquals(wrt.size(), torch.gradients().size(), "a gradient for every parameter of " + step.group());
        double largest = 0;
        for (String v : wrt) largest = Math.max(largest, sd.getGradients().get(v).amaxNumber().doubleValue());
        assertTrue(largest > 1e-6, "the gradients are not all zero");
        for (String v : wrt) {
            // a gradient that is zero in exact arithmetic (the bias of a convolution right before instance norm) is
            // rounding noise on both engines: it is measured against the step's largest gradient
            assertClose(sd.getGradients().get(v), torch.gradients().get(v), "d " + loss + " / d " + v, 1e-6 * largest, tolerance);
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertClose(expected, actual, what, 1e-12);
    }

    /** Equal within 1e-7 of the larger of the expected values' magnitude and {@code floor}. */
    static void assertClose(INDArray expected, INDArray actual, String what, double floor) {
        assertClose(expected, actual, what, floor, 1e-7);
    }

    /** Equal within {@code tolerance} x the larger of the expected values' magnitude and {@code floor}. */
    static void assertClose(INDArray expected, INDArray actual, String what, double floor, double tolerance) {
        assertNotNull(actual, "libtorch gave no value for " + what);
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = Math.max(floor, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }

    static PgganConfig pggan(int dims) {
        return PgganConfig.builder().spatialDims(dims).channels(1).maxResolution(16).fmapBase(32).fmapMax(4).latentSize(6).build();
    }

    /** One power iteration of every spectral norm of the graphs (u, v from the weights, as before a training step). */
    static void powerIterate(TrainStep... steps) {
        for (TrainStep s : steps) for (SpectralNorm.State st : s.graph().spectralNorms()) SpectralNorm.powerIteration(s.graph().store(), st, 1);
    }

    static INDArray random(SplittableRandom r, int n, int channels, int... spatial) {
        long[] shape = new long[2 + spatial.length];
        shape[0] = n;
        shape[1] = channels;
        for (int i = 0; i < spatial.length; i++) shape[2 + i] = spatial[i];
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) a.putScalar(i, r.nextDouble() * 2 - 1);
        return a;
    }

    static <T> T withLayout(String layout, Supplier<T> body) {
        String old = System.getProperty(EngineOptions.LAYOUT);
        System.setProperty(EngineOptions.LAYOUT, layout);
        try {
            return body.get();
        } finally {
            if (old == null) System.clearProperty(EngineOptions.LAYOUT);
            else System.setProperty(EngineOptions.LAYOUT, old);
        }
    }

}
