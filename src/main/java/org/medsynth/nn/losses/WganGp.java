package org.medsynth.nn.losses;

import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The WGAN-GP critic step of PGGAN (Gulrajani et al. 2017; tkarras/progressive_growing_of_gans
 * {@code D_wgangp_acgan}):
 * <pre>
 *   L_D = mean D(fake) - mean D(real) + drift mean D(real)^2 + lambda mean_i (||g_i|| - 1)^2,
 *   g = grad_x S(x_hat),  S = sum_j D(x_hat_j),  x_hat = real + t (fake - real),  t ~ U(0, 1) per sample
 * </pre>
 *
 * <h2>How the penalty is differentiated without second-order gradients</h2>
 * SameDiff 1.0.0-M2.1 cannot differentiate a gradient ("Unable to take derivative of derivative",
 * see Nd4jFactsTest). The gradient of the penalty P w.r.t. the critic parameters theta is
 * <pre>
 *   dP/dtheta = sum_i c_i g_i^T (d g_i / d theta),   c_i = 2 lambda (||g_i|| - 1) / (N ||g_i||)
 *             = d/dtheta [ grad_x S(x_hat; theta) . w ]   with w = c * g held fixed
 *             = d/dtheta [ J_S(x_hat; theta) w ]          (a Jacobian-vector product)
 * </pre>
 * The JVP is computed exactly in forward mode: {@link Tensor} carries a tangent through the critic
 * (each supported layer adds its derivative rule, e.g. conv(t, W), t * LReLU'(x), the tangent of the
 * minibatch standard deviation), and its theta-gradient is an ordinary first-order SameDiff gradient.
 * Each step runs (1) a probe graph that returns g (critic frozen, x_hat a variable) and (2) the step
 * graph with D applied to real, fake and x_hat with tangent w, whose loss {@code L_main + sum(JVP)}
 * has exactly the WGAN-GP gradient. The reported loss is the true L_D, not this surrogate. Tested
 * against PyTorch's double backprop (WganGpTest). An earlier central-difference version was dropped:
 * crossing an activation kink within the step gives O(1) errors per unit, small steps lose float32
 * precision.
 *
 * <p>Both graphs run on the engine of the critic's {@link TrainStep} ({@link Engine#selected()} when this is made).
 * On libtorch they are the same graphs replayed op by op (the tangent pass included), so the penalty gradient is the
 * same JVP surrogate; libtorch's own double backprop ({@code create_graph}) is not used.
 *
 * <p>Supported critic layers: Conv, ConvTranspose, Dense, LeakyReLU/ReLU/tanh/sigmoid, resampling,
 * minibatch stddev, instance/pixel norm, and the PatchGAN condition concatenation and PGGAN fade-in
 * (so PatchGAN without batch norm and the PGGAN discriminator work as critics). Batch norm and dropout are rejected (WGAN-GP forbids them), as is any layer that does not
 * propagate the tangent. Minibatch stddev couples the samples exactly as in PGGAN, which
 * differentiates S.
 */
public final class WganGp {

    /** Builds the critic on an image inside the D scope; returns scores [N, 1] (or any shape: S sums them). */
    @FunctionalInterface
    public interface Critic {
        Tensor apply(NetBuilder d, Tensor image);
    }

    /** Outcome of a critic step. */
    public record Result(double loss, double wassersteinEstimate, double penalty, double meanGradientNorm,
                         TrainStep.Result step) { }

    public static final String REAL = "real";
    public static final String FAKE = "fake";
    private static final String DIR = "gp_direction";
    private static final String XHAT = "gp_xhat";

    private final ParamStore store;
    private final String dGroup;
    private final double lambda;
    private final double drift;
    private final NetBuilder probe;
    private final SDVariable probeSum;
    private final NetBuilder stepGraph;
    private final TrainStep step;
    private final String dRealName;
    private final String dFakeName;
    private final String surrogateName;
    private final int channels;
    private final int[] spatial;
    private GraphRunner probeRunner;

    /**
     * @param dGroup  parameter group of the critic (its scope name)
     * @param spatial image size, e.g. {16, 16}
     * @param lambda  penalty weight (PGGAN 10)
     * @param drift   drift weight (PGGAN 0.001)
     */
    public WganGp(ParamStore store, String dGroup, Critic critic, int channels, int[] spatial, double lambda, double drift, Adam adam) {
        this.store = store;
        this.dGroup = dGroup;
        this.lambda = lambda;
        this.drift = drift;
        this.channels = channels;
        this.spatial = spatial.clone();
        // (1) probe: critic frozen, x_hat a VARIABLE (SameDiff only returns gradients of placeholders that lie on the path to a variable)
        probe = NetBuilder.forTraining(store);
        long[] shape = new long[2 + spatial.length];
        shape[0] = 1;
        shape[1] = channels;
        for (int i = 0; i < spatial.length; i++) shape[2 + i] = spatial[i];
        SDVariable xhat = probe.sd().var(XHAT, Nd4j.zeros(store.dataType(), shape));
        Tensor scores = critic.apply(probe.network(dGroup), new Tensor(xhat, channels, spatial));
        probeSum = scores.var().sum().rename("gp_S");
        probe.sd().setLossVariables(probeSum);
        if (!probe.batchNorms().isEmpty() || !probe.dropoutMasks().isEmpty()) {
            throw new IllegalArgumentException("a WGAN-GP critic must not use batch norm or dropout");
        }
        // (2) step graph: critic trainable
        stepGraph = NetBuilder.forTraining(store, dGroup);
        SameDiff sd = stepGraph.sd();
        NetBuilder d = stepGraph.network(dGroup);
        SDVariable dReal = critic.apply(d, stepGraph.input(REAL, channels, spatial)).var();
        SDVariable dFake = critic.apply(d, stepGraph.input(FAKE, channels, spatial)).var();
        Tensor xh = stepGraph.input(XHAT, channels, spatial);
        Tensor dir = stepGraph.input(DIR, channels, spatial);
        Tensor dHat = critic.apply(d, xh.withTangent(dir.var()));
        if (!dHat.hasTangent()) {
            throw new IllegalArgumentException("the critic uses a layer without forward-mode (tangent) support, which the "
                    + "gradient penalty needs; supported: Conv, ConvTranspose, Dense, activations, resampling, minibatch stddev, "
                    + "instance/pixel norm");
        }
        SDVariable main = Losses.wganD(sd, dReal, dFake, drift);
        SDVariable surrogate = dHat.tangent().sum().rename("gp_surrogate");
        SDVariable loss = main.add(surrogate).rename("wgan_gp_loss");
        dRealName = dReal.name();
        dFakeName = dFake.name();
        surrogateName = surrogate.name();
        step = new TrainStep(stepGraph, loss, dGroup, adam);
    }

    /** The step graph (inputs "real" and "fake"; add the critic's own extra placeholders to the feeds). */
    public NetBuilder stepGraph() { return stepGraph; }

    public TrainStep trainStep() { return step; }

    /** One critic update with interpolation factors drawn from {@code rng}. */
    public Result step(INDArray real, INDArray fake, Map<String, INDArray> extraFeeds, SplittableRandom rng) {
        long n = real.size(0);
        INDArray t = Nd4j.create(store.dataType(), n);
        for (int i = 0; i < n; i++) t.putScalar(i, rng.nextDouble());
        step.powerIterate();
        Result r = compute(real, fake, t, extraFeeds);
        step.apply(r.step());
        r.step().closeGradients();
        MemoryGuard.global().afterStep();
        return r;
    }

    /** Loss and gradients for given interpolation factors t [N], without updating anything. */
    public Result compute(INDArray real, INDArray fake, INDArray t, Map<String, INDArray> extraFeeds) {
        DataType dt = store.dataType();
        real = real.castTo(dt);
        fake = fake.castTo(dt);
        long n = real.size(0);
        long[] bshape = new long[real.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[0] = n;
        INDArray tb = t.castTo(dt).reshape(bshape);
        INDArray xhat = real.add(fake.sub(real).muli(tb));
        // (1) g = grad_x S(x_hat)
        probe.sd().getVariable(XHAT).setArray(xhat);
        Map<String, INDArray> pf = new HashMap<>(extraFeeds);
        INDArray g = probeGradient(TrainStep.onlyPlaceholders(probe.sd(), pf));
        INDArray gFlat = g.reshape(n, g.length() / n);
        INDArray norms = gFlat.norm2(1);
        double penalty = 0;
        double meanNorm = 0;
        INDArray c = Nd4j.create(dt, n);
        for (int i = 0; i < n; i++) {
            double ni = norms.getDouble(i);
            penalty += (ni - 1) * (ni - 1);
            meanNorm += ni;
            c.putScalar(i, ni > 0 ? 2 * lambda * (ni - 1) / (n * ni) : 0.0);
        }
        penalty *= lambda / n;
        meanNorm /= n;
        INDArray w = g.mul(c.reshape(bshape));
        Map<String, INDArray> feeds = new HashMap<>(extraFeeds);
        feeds.put(REAL, real);
        feeds.put(FAKE, fake);
        feeds.put(XHAT, xhat);
        feeds.put(DIR, w);
        TrainStep.Result r = step.compute(feeds, dRealName, dFakeName, surrogateName);
        double dReal = r.outputs().get(dRealName).meanNumber().doubleValue();
        double dFake = r.outputs().get(dFakeName).meanNumber().doubleValue();
        double surrogate = r.outputs().get(surrogateName).getDouble(0);
        double loss = r.loss() - surrogate + penalty;
        return new Result(loss, dReal - dFake, penalty, meanNorm, r);
    }

    /** grad_x S(x_hat) on the engine of the critic step (the probe graph's x_hat holds the interpolates). */
    private INDArray probeGradient(Map<String, INDArray> feeds) {
        if (probeRunner == null) probeRunner = new GraphRunner(probe.sd(), step.engine());
        return probeRunner.gradients(feeds, List.of(), probeSum.name(), List.of(XHAT)).gradients().get(XHAT);
    }

    public double lambda() { return lambda; }

    public double drift() { return drift; }

    public String group() { return dGroup; }

    List<String> variables() { return step.variables(); }
}
