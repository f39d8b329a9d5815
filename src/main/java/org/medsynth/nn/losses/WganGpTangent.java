package org.medsynth.nn.losses;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
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

/**
 * The WGAN-GP critic step with the penalty's parameter gradient as a forward-mode tangent (JVP) surrogate, for an
 * engine without second-order gradients (DL4J; see {@link WganGp}): (1) a probe graph returns g = grad_x S(x_hat);
 * (2) the step graph applies D to real, fake and x_hat with tangent w = c g, and its loss {@code L_main + sum(JVP)} has
 * exactly the WGAN-GP gradient. The reported loss is the true L_D, not the surrogate.
 */
final class WganGpTangent implements WganGp.Method {
    private static final String DIR = "gp_direction";

    private final DataType dataType;
    private final double lambda;
    private final NetBuilder probe;
    private final SDVariable probeSum;
    private final NetBuilder stepGraph;
    private final TrainStep step;
    private final String dRealName;
    private final String dFakeName;
    private final String surrogateName;
    private GraphRunner probeRunner;

    WganGpTangent(ParamStore store, String dGroup, WganGp.Critic critic, int channels, int[] spatial, double lambda, double drift, Adam adam) {
        this.dataType = store.dataType();
        this.lambda = lambda;
        // (1) probe: critic frozen, x_hat a VARIABLE (SameDiff only returns gradients of placeholders that lie on the path to a variable)
        probe = NetBuilder.forTraining(store);
        long[] shape = new long[2 + spatial.length];
        shape[0] = 1;
        shape[1] = channels;
        for (int i = 0; i < spatial.length; i++) shape[2 + i] = spatial[i];
        SDVariable xhat = probe.sd().var(WganGp.XHAT, Nd4j.zeros(store.dataType(), shape));
        Tensor scores = critic.apply(probe.network(dGroup), new Tensor(xhat, channels, spatial));
        probeSum = scores.var().sum().rename("gp_S");
        probe.sd().setLossVariables(probeSum);
        WganGp.requireNoBatchNormOrDropout(probe);
        // (2) step graph: critic trainable
        stepGraph = NetBuilder.forTraining(store, dGroup);
        SameDiff sd = stepGraph.sd();
        NetBuilder d = stepGraph.network(dGroup);
        SDVariable dReal = critic.apply(d, stepGraph.input(WganGp.REAL, channels, spatial)).var();
        SDVariable dFake = critic.apply(d, stepGraph.input(WganGp.FAKE, channels, spatial)).var();
        Tensor xh = stepGraph.input(WganGp.XHAT, channels, spatial);
        Tensor dir = stepGraph.input(DIR, channels, spatial);
        Tensor dHat = critic.apply(d, xh.withTangent(dir.var()));
        if (!dHat.hasTangent()) {
            throw new IllegalArgumentException("the critic uses a layer without forward-mode (tangent) support, which the "
                    + "gradient penalty needs on DL4J; supported: Conv, ConvTranspose, Dense, activations, resampling, minibatch stddev, "
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

    @Override
    public NetBuilder graph() { return stepGraph; }

    @Override
    public TrainStep trainStep() { return step; }

    @Override
    public WganGp.Result compute(INDArray real, INDArray fake, INDArray xhat, Map<String, INDArray> extraFeeds) {
        long n = real.size(0);
        long[] bshape = new long[real.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[0] = n;
        // (1) g = grad_x S(x_hat)
        probe.sd().getVariable(WganGp.XHAT).setArray(xhat);
        Map<String, INDArray> pf = new HashMap<>(extraFeeds);
        INDArray g = probeGradient(TrainStep.onlyPlaceholders(probe.sd(), pf));
        INDArray gFlat = g.reshape(n, g.length() / n);
        INDArray norms = gFlat.norm2(1);
        double penalty = 0;
        double meanNorm = 0;
        INDArray c = Nd4j.create(dataType, n);
        for (int i = 0; i < n; i++) {
            double ni = norms.getDouble(i);
            penalty += (ni - 1) * (ni - 1);
            meanNorm += ni;
            c.putScalar(i, ni > 0 ? 2 * lambda * (ni - 1) / (n * ni) : 0.0);
        }
        penalty *= lambda / n;
        meanNorm /= n;
        INDArray w = g.mul(c.reshape(bshape));
        Map<String, INDArray> feeds = WganGp.stepFeeds(real, fake, xhat, extraFeeds);
        feeds.put(DIR, w);
        TrainStep.Result r = step.compute(feeds, dRealName, dFakeName, surrogateName);
        double surrogate = r.outputs().get(surrogateName).getDouble(0);
        double loss = r.loss() - surrogate + penalty;
        return new WganGp.Result(loss, WganGp.wassersteinEstimate(r, dRealName, dFakeName), penalty, meanNorm, r);
    }

    /** grad_x S(x_hat) on the engine of the critic step (the probe graph's x_hat holds the interpolates). */
    private INDArray probeGradient(Map<String, INDArray> feeds) {
        if (probeRunner == null) probeRunner = new GraphRunner(probe.sd(), step.engine());
        return probeRunner.gradients(feeds, List.of(), probeSum.name(), List.of(WganGp.XHAT)).gradients().get(WganGp.XHAT);
    }
}
