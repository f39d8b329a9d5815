package org.medsynth.workflow.skrgan;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.losses.WganGp;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.networks.PgganGenerator;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Progressive-growing GAN training (PGGAN: WGAN-GP with drift, Adam 0.001 / (0, 0.99), fade-in of
 * new resolutions, optimiser state reset at each new resolution as in tkarras' code). SkrGAN's
 * sketch guidance module G_S / D_S is this on sketch drafts, with the latent z multiplied
 * element-wise by a learned latent code l before G (paper Eq. 1); the PGGAN baseline is the same on
 * the images themselves, without the code.
 * <p>
 * Each step is a pure function of (seed, step) and the current weights and optimiser state, so a
 * run resumed from a checkpoint continues exactly as an uninterrupted one.
 */
public final class ProgressiveGanTraining {

    /** Where real training batches come from: N samples at a given resolution, in [-1, 1]. */
    @FunctionalInterface
    public interface RealSource {
        INDArray batch(int n, int resolution, SplittableRandom random);
    }

    public static final String LATENT = "z";
    public static final String ALPHA = "alpha";
    public static final String CODE = "latentCode";

    private final ParamStore store;
    private final PgganConfig config;
    private final ProgressiveSchedule schedule;
    private final RealSource reals;
    private final String gGroup;
    private final String dGroup;
    private final boolean latentCode;
    private final long seed;
    private final double learningRate;
    /** The engine of every level's steps: {@link Engine#selected()} when this was made. */
    private final Engine engine = Engine.selected();

    private int level = -1;
    private TrainStep gStep;
    private WganGp critic;
    private String fakeName;
    private String gLossName;

    /**
     * @param gGroup     parameter group (and name scope) of the generator, e.g. "GS"
     * @param dGroup     of the discriminator, e.g. "DS"
     * @param latentCode true for SkrGAN's z (.) l; false for plain PGGAN
     */
    public ProgressiveGanTraining(ParamStore store, PgganConfig config, ProgressiveSchedule schedule, RealSource reals,
                                  String gGroup, String dGroup, boolean latentCode, double learningRate, long seed) {
        this.store = store;
        this.config = config;
        this.schedule = schedule;
        this.reals = reals;
        this.gGroup = gGroup;
        this.dGroup = dGroup;
        this.latentCode = latentCode;
        this.learningRate = learningRate;
        this.seed = seed;
    }

    public ProgressiveSchedule schedule() { return schedule; }

    public Engine engine() { return engine; }

    /** One D step then one G step; returns the losses (D: critic loss, G: generator loss, W: Wasserstein estimate). */
    public Map<String, Double> step(int step) {
        ProgressiveSchedule.Phase phase = schedule.at(step);
        useLevel(Integer.numberOfTrailingZeros(phase.resolution()) - 2);
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        int n = phase.batch();
        INDArray alpha = Nd4j.scalar(store.dataType(), phase.alpha());

        INDArray real = fadedReals(reals.batch(n, phase.resolution(), rng), phase);
        Map<String, INDArray> gFeeds = new LinkedHashMap<>();
        gFeeds.put(LATENT, latents(n, rng));
        gFeeds.put(ALPHA, alpha);
        INDArray fake = gStep.output(gFeeds, fakeName).get(fakeName);
        WganGp.Result d = critic.step(real, fake, Map.of(ALPHA, alpha), rng);

        gFeeds.put(LATENT, latents(n, rng));
        TrainStep.Result g = gStep.run(gFeeds);
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("D", d.loss());
        losses.put("G", g.loss());
        losses.put("W", d.wassersteinEstimate());
        return losses;
    }

    /**
     * During a fade-in PGGAN also blends the real images: the new resolution is mixed with the
     * up-sampled previous one by the same alpha, so D sees reals and fakes of the same kind.
     */
    static INDArray fadedReals(INDArray real, ProgressiveSchedule.Phase phase) {
        if (!phase.fading()) return real;
        long n = real.size(0), c = real.size(1), r = real.size(2);
        INDArray low = real.dup('c').reshape(n, c, r / 2, 2, r / 2, 2).mean(3, 5);
        INDArray up = low.reshape(n, c, r / 2, 1, r / 2, 1).broadcast(n, c, r / 2, 2, r / 2, 2).dup('c').reshape(n, c, r, r);
        return up.muli(1 - phase.alpha()).addi(real.mul(phase.alpha()));
    }

    /** Standard normal latents [n, latentSize] from the step's own random source. */
    INDArray latents(int n, SplittableRandom rng) {
        int k = config.latentSize();
        double[] z = new double[n * k];
        for (int i = 0; i < z.length; i++) z[i] = gaussian(rng);
        return Nd4j.create(z, new long[]{n, k}, store.dataType());
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2);
    }

    /** Builds the graphs of a resolution level (on the first step there, and after a resume). */
    private void useLevel(int newLevel) {
        if (newLevel == level) return;
        try (Engine.Scope s = Engine.use(engine)) {
            buildLevel(newLevel);
        }
    }

    private void buildLevel(int newLevel) {
        int resolution = 4 << newLevel;
        PgganGenerator generator = new PgganGenerator(config);
        PgganDiscriminator discriminator = new PgganDiscriminator(config);
        Adam gAdam = new Adam(learningRate, 0.0, 0.99, 1e-8);
        Adam dAdam = new Adam(learningRate, 0.0, 0.99, 1e-8);

        NetBuilder gGraph = NetBuilder.forTraining(store, gGroup);
        Tensor fake = generate(gGraph, generator, resolution);
        SDVariable score = discriminator.apply(gGraph.network(dGroup), fake, gGraph.scalarInput(ALPHA)).var();
        SDVariable gLoss = Losses.wganG(gGraph.sd(), score);
        fakeName = fake.var().name();
        gLossName = gLoss.name();
        gStep = new TrainStep(gGraph, gLoss, gGroup, gAdam);

        int[] spatial = {resolution, resolution};
        critic = new WganGp(store, dGroup,
                (d, image) -> discriminator.apply(d, image, d.scalarInput(ALPHA)),
                config.channels(), spatial, 10.0, 0.001, dAdam);
        level = newLevel;
    }

    /** G(z) or, with the latent code, G(z (.) l), in a graph; returns the generated batch. */
    Tensor generate(NetBuilder graph, PgganGenerator generator, int resolution) {
        Tensor z = graph.vectorInput(LATENT, config.latentSize());
        NetBuilder g = graph.network(gGroup);
        if (latentCode) {
            SDVariable l = g.param(CODE, new long[]{1, config.latentSize()}, WeightInit.constant(1.0), 1);
            z = z.with(z.var().mul(l), config.latentSize());
        }
        return generator.apply(g, z, resolution, graph.scalarInput(ALPHA));
    }

    public Adam generatorOptimizer() { return gStep == null ? null : gStep.optimizer(); }

    public Adam discriminatorOptimizer() { return critic == null ? null : critic.trainStep().optimizer(); }

    /** Makes sure the graphs for {@code step} exist (before restoring optimiser state on resume). */
    public void prepare(int step) {
        useLevel(Integer.numberOfTrailingZeros(schedule.at(Math.min(step, schedule.totalSteps() - 1)).resolution()) - 2);
    }

    String gLossName() { return gLossName; }
}
