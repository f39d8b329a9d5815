package org.medsynth.nn.train;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.losses.Losses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Conditional GAN training with pix2pix's recipe (junyanz/pytorch-CycleGAN-and-pix2pix
 * {@code pix2pix_model.py}), in 2D or 3D: G maps a condition (sketch, label map) to an image, D judges
 * (condition, image) pairs.
 * <pre>
 *   D step: L_D = 0.5 [GAN(D(c, real), 1) + GAN(D(c, G(c)), 0)]        (G frozen)
 *   G step: L_G = GAN(D(c, G(c)), 1) + lambdaL1 |G(c) - real|_1          (D frozen, after the D update)
 * </pre>
 * GAN = BCE with logits (vanilla) or least squares. Two graphs over one {@link ParamStore}: the D-step
 * graph holds G as constants, the G-step graph holds D as constants; both see every update at once.
 * Each iteration draws G's dropout masks once and feeds them to both graphs, so D judges exactly the
 * fake G is then trained on, as in pix2pix. On DL4J the G step computes that fake again (one extra G forward pass
 * per iteration); on libtorch the D step keeps it with its autograd graph and the G step back-propagates through it
 * ({@link TrainStep#runKeeping}), as PyTorch's pix2pix does: G runs forward once per iteration, with the same result.
 */
public final class ConditionalGan {

    /** G: condition -> image, built in the G scope. */
    @FunctionalInterface
    public interface Generator {
        Tensor apply(NetBuilder g, Tensor condition);
    }

    /** D: (condition, image) -> logits, built in the D scope. */
    @FunctionalInterface
    public interface Discriminator {
        Tensor apply(NetBuilder d, Tensor condition, Tensor image);
    }

    /** Adversarial loss. */
    public enum GanLoss { VANILLA, LSGAN }

    /** Losses of one iteration (before the updates). */
    public record StepLosses(double d, double gAdversarial, double gL1) { }

    public static final String CONDITION = "condition";
    public static final String REAL = "real";
    public static final String G = "G";
    public static final String D = "D";

    private final ParamStore store;
    private final Generator generator;
    private final int condChannels;
    private final int[] spatial;
    private final TrainStep dStep;
    private final TrainStep gStep;
    private final String gAdvName;
    private final String gL1Name;
    private final String fakeName;
    /** G's output in the D-step graph. */
    private final String dFakeName;
    private boolean sharedGeneratorPass = true;
    private final SplittableRandom maskRng;
    private GraphRunner inference;
    private String inferenceOut;

    /**
     * @param lambdaL1 weight of the L1 term (pix2pix 100)
     */
    public ConditionalGan(ParamStore store, Generator generator, Discriminator discriminator, int condChannels, int imageChannels,
                          int[] spatial, GanLoss ganLoss, double lambdaL1, Adam adamG, Adam adamD) {
        this.store = store;
        this.generator = generator;
        this.condChannels = condChannels;
        this.spatial = spatial.clone();
        this.maskRng = new SplittableRandom(store.seed() ^ 0x5DEECE66DL);

        NetBuilder dg = NetBuilder.forTraining(store, D);
        SameDiff sd = dg.sd();
        Tensor c = dg.input(CONDITION, condChannels, spatial);
        Tensor real = dg.input(REAL, imageChannels, spatial);
        Tensor fake = generator.apply(dg.network(G), c);
        check(fake, imageChannels);
        SDVariable dReal = discriminator.apply(dg.network(D), c, real).var();
        SDVariable dFake = discriminator.apply(dg.network(D), c, fake).var();
        SDVariable lossD = (ganLoss == GanLoss.VANILLA
                ? Losses.bceWithLogits(sd, dReal, 1.0).add(Losses.bceWithLogits(sd, dFake, 0.0))
                : Losses.mse(sd, dReal, sd.onesLike(dReal)).add(Losses.mse(sd, dFake, sd.zerosLike(dFake)))).mul(0.5).rename("lossD");
        dStep = new TrainStep(dg, lossD, D, adamD);
        dFakeName = fake.var().name();

        NetBuilder gg = NetBuilder.forTraining(store, G);
        SameDiff sg = gg.sd();
        Tensor c2 = gg.input(CONDITION, condChannels, spatial);
        Tensor real2 = gg.input(REAL, imageChannels, spatial);
        Tensor fake2 = generator.apply(gg.network(G), c2);
        SDVariable dFake2 = discriminator.apply(gg.network(D), c2, fake2).var();
        SDVariable adv = (ganLoss == GanLoss.VANILLA ? Losses.bceWithLogits(sg, dFake2, 1.0)
                : Losses.mse(sg, dFake2, sg.onesLike(dFake2))).rename("lossG_adv");
        SDVariable l1 = Losses.l1(sg, fake2.var(), real2.var()).rename("lossG_L1");
        SDVariable lossG = adv.add(l1.mul(lambdaL1)).rename("lossG");
        gStep = new TrainStep(gg, lossG, G, adamG);
        gAdvName = adv.name();
        gL1Name = l1.name();
        fakeName = fake2.var().name();
    }

    private static void check(Tensor fake, int channels) {
        if (fake.channels() != channels) {
            throw new IllegalArgumentException("the generator makes " + fake.channels() + " channels but the images have " + channels);
        }
    }

    /** One D step then one G step on a batch. */
    public StepLosses step(INDArray condition, INDArray real) {
        return step(condition, real, maskRng);
    }

    /**
     * One D step then one G step, with G's dropout masks drawn from {@code masks}: a caller that
     * derives it from (seed, step) makes a resumed training continue exactly.
     */
    public StepLosses step(INDArray condition, INDArray real, SplittableRandom masks) {
        Map<String, INDArray> feeds = new HashMap<>();
        feeds.put(CONDITION, condition);
        feeds.put(REAL, real);
        // same G dropout masks for the D step and the G step (one "fake" per iteration, as pix2pix)
        feeds = gStep.graph().withRandomFeeds(feeds, masks);
        TrainStep.Result d;
        TrainStep.Result g;
        if (sharesGeneratorPass()) {
            TrainStep.Keeping kd = dStep.runKeeping(feeds, dFakeName, G);
            d = kd.result();
            try (TrainStep.Carried fake = kd.carried()) {
                g = gStep.runFrom(feeds, fake, fakeName, gAdvName, gL1Name);
            }
        } else {
            d = dStep.run(feeds);
            g = gStep.run(feeds, gAdvName, gL1Name);
        }
        double adv = g.outputs().get(gAdvName).getDouble(0);
        double l1 = g.outputs().get(gL1Name).getDouble(0);
        g.outputs().values().forEach(a -> { if (a.closeable()) a.close(); });
        return new StepLosses(d.loss(), adv, l1);
    }

    /**
     * Whether the G step reuses the D step's forward pass of G ({@code true} by default; it does where the engine keeps
     * graphs, libtorch, and G's step does not power-iterate spectral norms of G, which would change G between the two
     * steps: {@link TrainStep#iteratesSpectralNorms}). {@code false} computes G's fake again in the G step, as on DL4J:
     * the same result, for comparisons.
     */
    public ConditionalGan shareGeneratorPass(boolean share) {
        sharedGeneratorPass = share;
        return this;
    }

    /** True when {@link #step} runs G forward once per iteration (see {@link #shareGeneratorPass}). */
    public boolean sharesGeneratorPass() {
        return sharedGeneratorPass && dStep.keepsGraphs() && gStep.keepsGraphs() && !gStep.iteratesSpectralNorms();
    }

    /** G(condition) with an INFERENCE graph (batch-norm running statistics, no dropout), on the engine of the training steps. */
    public INDArray generate(INDArray condition) {
        if (inference == null) {
            try (Engine.Scope s = Engine.use(gStep.engine())) {
                NetBuilder b = NetBuilder.forInference(store);
                inferenceOut = generator.apply(b.network(G), b.input(CONDITION, condChannels, spatial)).var().name();
                inference = new GraphRunner(b.sd(), gStep.engine());
            }
        }
        return inference.output(Map.of(CONDITION, condition), inferenceOut).get(inferenceOut);
    }

    public TrainStep discriminatorStep() { return dStep; }

    public TrainStep generatorStep() { return gStep; }

    public ParamStore store() { return store; }

    /** Name of G's output in the G-step graph (to fetch it from {@code generatorStep().run(feeds, name)}). */
    public String fakeName() { return fakeName; }
}
