package org.medsynth.nn.losses;

import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
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
 * The penalty depends on the critic parameters theta through a gradient, so its theta-gradient is a second-order
 * derivative. How it is computed depends on the engine of the critic's {@link TrainStep} ({@link Engine#selected()}
 * when this is made); either way the loss and the gradient are the same (GanParityTest: 1e-7 relative in float64), and
 * the update is the same {@link TrainStep#apply} Adam step of the critic's group.
 *
 * <h2>libtorch: double backpropagation</h2>
 * One graph applies D to real, fake and x_hat; each pass sets a placeholder to g = grad_x S(x_hat) by libtorch's autograd
 * with {@code create_graph} ({@link TrainStep#feedGradient}), the graph computes the whole L_D from D(real), D(fake) and
 * g ({@link Losses#wganD}, {@link Losses#gradientPenalty}), and its parameter gradient goes back through g, as
 * PyTorch's {@code torch.autograd.grad(..., create_graph=True)} (WganGpDoubleBackprop).
 *
 * <h2>DL4J: a forward-mode (tangent) surrogate</h2>
 * SameDiff 1.0.0-M2.1 cannot differentiate a gradient ("Unable to take derivative of derivative",
 * see Nd4jFactsTest). The gradient of the penalty P w.r.t. theta is
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
 * has exactly the WGAN-GP gradient. The reported loss is the true L_D, not this surrogate (WganGpTangent).
 * An earlier central-difference version was dropped: crossing an activation kink within the step gives O(1) errors
 * per unit, small steps lose float32 precision.
 *
 * <p>Both are tested against PyTorch's double backprop (WganGpTest). Supported critic layers: Conv, ConvTranspose,
 * Dense, LeakyReLU/ReLU/tanh/sigmoid, resampling, minibatch stddev, instance/pixel norm, and the PatchGAN condition
 * concatenation and PGGAN fade-in (so PatchGAN without batch norm and the PGGAN discriminator work as critics). Batch
 * norm and dropout are rejected (WGAN-GP forbids them); on DL4J so is any layer that does not propagate the tangent.
 * Minibatch stddev couples the samples exactly as in PGGAN, which differentiates S.
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

    /** How the loss and the gradients of a critic step are computed (one way per engine). */
    interface Method {
        /** The step graph. */
        NetBuilder graph();

        TrainStep trainStep();

        /** Loss, penalty and gradients at the interpolates {@code xhat} (all arrays of the store's type), changing nothing. */
        Result compute(INDArray real, INDArray fake, INDArray xhat, Map<String, INDArray> extraFeeds);
    }

    public static final String REAL = "real";
    public static final String FAKE = "fake";
    static final String XHAT = "gp_xhat";

    private final ParamStore store;
    private final String dGroup;
    private final double lambda;
    private final double drift;
    private final Method method;

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
        int[] sp = spatial.clone();
        method = Engine.selected() == Engine.LIBTORCH
                ? new WganGpDoubleBackprop(store, dGroup, critic, channels, sp, lambda, drift, adam)
                : new WganGpTangent(store, dGroup, critic, channels, sp, lambda, drift, adam);
    }

    /** A WGAN-GP critic must not use batch norm or dropout. */
    static void requireNoBatchNormOrDropout(NetBuilder graph) {
        if (!graph.batchNorms().isEmpty() || !graph.dropoutMasks().isEmpty()) {
            throw new IllegalArgumentException("a WGAN-GP critic must not use batch norm or dropout");
        }
    }

    /** The step graph (inputs "real" and "fake"; add the critic's own extra placeholders to the feeds). */
    public NetBuilder stepGraph() { return method.graph(); }

    public TrainStep trainStep() { return method.trainStep(); }

    /** One critic update with interpolation factors drawn from {@code rng}. */
    public Result step(INDArray real, INDArray fake, Map<String, INDArray> extraFeeds, SplittableRandom rng) {
        long n = real.size(0);
        INDArray t = Nd4j.create(store.dataType(), n);
        for (int i = 0; i < n; i++) t.putScalar(i, rng.nextDouble());
        TrainStep step = method.trainStep();
        step.powerIterate();
        Result r = compute(real, fake, t, extraFeeds);
        step.apply(r.step());
        r.step().closeGradients();
        MemoryGuard.global(step.engine()).afterStep();
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
        return method.compute(real, fake, xhat, extraFeeds);
    }

    /** The step graph's feeds: the critic's own extra feeds plus real, fake and the interpolates. */
    static Map<String, INDArray> stepFeeds(INDArray real, INDArray fake, INDArray xhat, Map<String, INDArray> extraFeeds) {
        Map<String, INDArray> feeds = new HashMap<>(extraFeeds);
        feeds.put(REAL, real);
        feeds.put(FAKE, fake);
        feeds.put(XHAT, xhat);
        return feeds;
    }

    /** mean D(real) - mean D(fake) of a step's outputs. */
    static double wassersteinEstimate(TrainStep.Result r, String dReal, String dFake) {
        return r.outputs().get(dReal).meanNumber().doubleValue() - r.outputs().get(dFake).meanNumber().doubleValue();
    }

    public double lambda() { return lambda; }

    public double drift() { return drift; }

    public String group() { return dGroup; }

    List<String> variables() { return method.trainStep().variables(); }
}
