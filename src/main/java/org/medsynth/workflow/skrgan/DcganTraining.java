package org.medsynth.workflow.skrgan;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.networks.Dcgan;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The DCGAN baseline (Radford et al.): non-saturating GAN loss, Adam 2e-4 (0.5, 0.999), at full
 * resolution. D step on real and G(z), then G step on fresh latents; seeded per step.
 */
public final class DcganTraining {

    public static final String LATENT = "z";
    public static final String REAL = "real";

    private final Dcgan net;
    private final ProgressiveGanTraining.RealSource reals;
    private final int batch;
    private final long seed;
    private final ParamStore store;
    private final TrainStep dStep;
    private final TrainStep gStep;
    private final String fakeName;

    public DcganTraining(ParamStore store, Dcgan net, ProgressiveGanTraining.RealSource reals, int batch, long seed) {
        this.store = store;
        this.net = net;
        this.reals = reals;
        this.batch = batch;
        this.seed = seed;
        NetBuilder dg = NetBuilder.forTraining(store, SkrGanNetworks.SKETCH_D);
        Tensor fakeD = net.generate(dg.network(SkrGanNetworks.SKETCH_G), dg.vectorInput(LATENT, net.latentSize()));
        SDVariable dReal = net.discriminate(dg.network(SkrGanNetworks.SKETCH_D),
                dg.input(REAL, net.channels(), net.resolution(), net.resolution())).var();
        SDVariable dFake = net.discriminate(dg.network(SkrGanNetworks.SKETCH_D), fakeD).var();
        dStep = new TrainStep(dg, Losses.nonSaturatingD(dg.sd(), dReal, dFake), SkrGanNetworks.SKETCH_D, Adam.pix2pix());
        NetBuilder gg = NetBuilder.forTraining(store, SkrGanNetworks.SKETCH_G);
        Tensor fake = net.generate(gg.network(SkrGanNetworks.SKETCH_G), gg.vectorInput(LATENT, net.latentSize()));
        SDVariable score = net.discriminate(gg.network(SkrGanNetworks.SKETCH_D), fake).var();
        gStep = new TrainStep(gg, Losses.nonSaturatingG(gg.sd(), score), SkrGanNetworks.SKETCH_G, Adam.pix2pix());
        fakeName = fake.var().name();
    }

    public Map<String, Double> step(int step) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        dStep.seed(rng.nextLong());
        gStep.seed(rng.nextLong());
        Map<String, INDArray> feeds = new LinkedHashMap<>();
        feeds.put(REAL, reals.batch(batch, net.resolution(), rng));
        feeds.put(LATENT, latents(rng));
        double d = dStep.run(feeds).loss();
        feeds.put(LATENT, latents(rng));
        double g = gStep.run(feeds).loss();
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("D", d);
        losses.put("G", g);
        return losses;
    }

    private INDArray latents(SplittableRandom rng) {
        double[] z = new double[batch * net.latentSize()];
        for (int i = 0; i < z.length; i++) z[i] = ProgressiveGanTraining.gaussian(rng);
        return org.nd4j.linalg.factory.Nd4j.create(z, new long[]{batch, net.latentSize()}, store.dataType());
    }

    public Adam generatorOptimizer() { return gStep.optimizer(); }

    public Adam discriminatorOptimizer() { return dStep.optimizer(); }

    String fakeName() { return fakeName; }
}
