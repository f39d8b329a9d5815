package org.medsynth.nn.losses;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The WGAN-GP critic step by double backpropagation, for an engine that differentiates gradients (libtorch; see
 * {@link WganGp}). One graph: D applied to real, fake and x_hat, S = sum D(x_hat), and the whole loss
 * {@code L_D = wganD(D(real), D(fake)) + lambda mean_i (||g_i|| - 1)^2} on a placeholder g that each pass sets to
 * grad_x S(x_hat) with its graph kept ({@link TrainStep#feedGradient}); the parameter gradient of L_D goes through g.
 */
final class WganGpDoubleBackprop implements WganGp.Method {
    private static final String GRADIENT = "gp_gradient";

    private final NetBuilder stepGraph;
    private final TrainStep step;
    private final String dRealName;
    private final String dFakeName;
    private final String normsName;
    private final String penaltyName;

    WganGpDoubleBackprop(ParamStore store, String dGroup, WganGp.Critic critic, int channels, int[] spatial, double lambda, double drift, Adam adam) {
        stepGraph = NetBuilder.forTraining(store, dGroup);
        SameDiff sd = stepGraph.sd();
        NetBuilder d = stepGraph.network(dGroup);
        SDVariable dReal = critic.apply(d, stepGraph.input(WganGp.REAL, channels, spatial)).var();
        SDVariable dFake = critic.apply(d, stepGraph.input(WganGp.FAKE, channels, spatial)).var();
        SDVariable s = critic.apply(d, stepGraph.input(WganGp.XHAT, channels, spatial)).var().sum().rename("gp_S");
        WganGp.requireNoBatchNormOrDropout(stepGraph);
        Losses.Penalty gp = Losses.gradientPenalty(sd, stepGraph.input(GRADIENT, channels, spatial).var(), lambda);
        SDVariable loss = Losses.wganD(sd, dReal, dFake, drift).add(gp.penalty()).rename("wgan_gp_loss");
        dRealName = dReal.name();
        dFakeName = dFake.name();
        normsName = gp.norms().name();
        penaltyName = gp.penalty().name();
        step = new TrainStep(stepGraph, loss, dGroup, adam).feedGradient(GRADIENT, s.name(), WganGp.XHAT);
    }

    @Override
    public NetBuilder graph() { return stepGraph; }

    @Override
    public TrainStep trainStep() { return step; }

    @Override
    public WganGp.Result compute(INDArray real, INDArray fake, INDArray xhat, Map<String, INDArray> extraFeeds) {
        TrainStep.Result r = step.compute(WganGp.stepFeeds(real, fake, xhat, extraFeeds), dRealName, dFakeName, normsName, penaltyName);
        double penalty = r.outputs().get(penaltyName).getDouble(0);
        double meanNorm = r.outputs().get(normsName).meanNumber().doubleValue();
        return new WganGp.Result(r.loss(), WganGp.wassersteinEstimate(r, dRealName, dFakeName), penalty, meanNorm, r);
    }
}
