package org.medsynth.nn.layers;

import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
import org.medsynth.nn.engine.dl4j.FusedBatchNormOp;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Batch normalisation over (N, spatial) per channel, as PyTorch's BatchNorm2d/3d: in TRAIN graphs
 * the batch mean and biased variance normalise, and after each training step
 * {@link org.medsynth.nn.train.TrainStep} updates the running statistics with momentum 0.1 and the
 * unbiased variance; INFERENCE graphs use the running statistics.
 * Parameters: {@code gamma}, {@code beta} (trainable, [C]); {@code runningMean}, {@code runningVar}
 * (state, [C]).
 *
 * <p>Computed by libnd4j's fused kernels ({@link FusedBatchNormOp}: oneDNN batch normalisation
 * forward and backward for float32), with the batch statistics from the native {@code moments}
 * op; the earlier composition of element-wise SameDiff ops is kept as
 * {@link Implementation#COMPOSED} ({@link org.medsynth.nn.EngineOptions#batchNorm()}) for
 * comparisons. Both match PyTorch's values and gradients (LayersReferenceTest); in double precision
 * the fused backward pass is accurate to about 1e-8 relative (the generic kernel), the
 * composition to 1e-15.
 */
public final class BatchNorm {
    public static final double EPS = 1e-5;
    public static final double MOMENTUM = 0.1;

    /** One use of a batch-norm layer in a TRAIN graph: where to read the batch statistics from. */
    public record Application(String runningMean, String runningVar, String batchMean, String batchVar,
                              String count, double momentum) { }

    private BatchNorm() { }

    /** Batch norm with gamma = 1, beta = 0 initially. */
    public static Tensor apply(NetBuilder b, String name, Tensor x) {
        return apply(b, name, x, WeightInit.constant(1));
    }

    /** @param gammaInit initialisation of the gain (pix2pix/DCGAN: N(1, 0.02)) */
    public static Tensor apply(NetBuilder b, String name, Tensor x, WeightInit gammaInit) {
        if (x.spatialDims() == 0) throw new IllegalArgumentException("BatchNorm needs a spatial input, got " + x);
        NetBuilder s = b.sub(name);
        int c = x.channels();
        long[] shape = {c};
        SDVariable gamma = s.param("gamma", shape, gammaInit, c);
        SDVariable beta = s.param("beta", shape, WeightInit.constant(0), c);
        SDVariable rm = s.param("runningMean", shape, WeightInit.constant(0), c, ParamStore.Role.STATE);
        SDVariable rv = s.param("runningVar", shape, WeightInit.constant(1), c, ParamStore.Role.STATE);
        SDVariable y;
        if (b.options().batchNorm() == Implementation.COMPOSED) {
            y = composed(b, s, x, gamma, beta, rm, rv);
        } else if (b.training()) {
            // batch statistics over all axes but the channels, [C]; batchnorm_bp includes their derivative
            SDVariable[] m = x.channelsLast() ? channelsLastMoments(b, x)
                    : new FusedBatchNormOp.Moments(b.sd(), x.var(), reductionAxes(x)).outputVariables();
            SDVariable mean = m[0].rename(s.opName("batchMean"));
            SDVariable var = m[1].rename(s.opName("batchVar"));
            y = FusedBatchNormOp.apply(b.sd(), s.opName("out"), x.var(), x.spatial(), x.channelAxis(), mean, var, gamma, beta, EPS,
                    b.options().nativeBatchNormBackward());
            register(b, s, x, mean, var);
        } else {
            y = FusedBatchNormOp.apply(b.sd(), s.opName("out"), x.var(), x.spatial(), x.channelAxis(), rm, rv, gamma, beta, EPS,
                    b.options().nativeBatchNormBackward());
        }
        return x.with(y);
    }

    /** How the layer is computed; both give the same values and gradients (see the class comment). */
    public enum Implementation {
        /** libnd4j's batchnorm / batchnorm_bp kernels ({@link FusedBatchNormOp}); the default */
        FUSED,
        /** element-wise SameDiff ops (mean, subtract, square, rsqrt, multiply, add); slower (more passes over the data) */
        COMPOSED
    }

    private static SDVariable composed(NetBuilder b, NetBuilder s, Tensor x, SDVariable gamma, SDVariable beta, SDVariable rm, SDVariable rv) {
        long[] bshape = broadcastShape(x);
        SDVariable g = b.sd().reshape(s.opName("gammaB"), gamma, bshape);
        SDVariable be = b.sd().reshape(s.opName("betaB"), beta, bshape);
        if (b.training()) {
            int[] axes = reductionAxes(x);
            SDVariable mean = x.var().mean(s.opName("batchMean"), true, axes);
            SDVariable xc = x.var().sub(s.opName("centred"), mean);
            SDVariable var = b.sd().math().square(s.opName("sq"), xc).mean(s.opName("batchVar"), true, axes);
            SDVariable inv = b.sd().math().rsqrt(s.opName("invStd"), var.add(EPS));
            register(b, s, x, mean, var);
            SDVariable norm = BroadcastMulOp.apply(b.sd(), s.opName("normalized"), xc, inv, axes);
            return BroadcastMulOp.apply(b.sd(), s.opName("scaled"), norm, g, axes).add(s.opName("out"), be);
        }
        SDVariable m = b.sd().reshape(s.opName("meanB"), rm, bshape);
        SDVariable v = b.sd().reshape(s.opName("varB"), rv, bshape);
        SDVariable inv = b.sd().math().rsqrt(s.opName("invStd"), v.add(EPS));
        return x.var().sub(m).mul(inv).mul(g).add(s.opName("out"), be);
    }

    /**
     * Biased mean and variance per channel [C] of a channels-last x, exactly as the native moments over all axes but
     * the last, without its slow strided reduction (see {@link Layout#channelSum}): the native moments over the
     * batch and first spatial axis give G equal-sized groups per channel ([W, C] in 2D, [H, W, C] in 3D), which
     * combine exactly as mean = mean_g(m_g), var = mean_g(v_g) + mean_g((m_g - mean)^2); the combination works on
     * the small group arrays only.
     */
    private static SDVariable[] channelsLastMoments(NetBuilder b, Tensor x) {
        SameDiff sd = b.sd();
        SDVariable[] g = new FusedBatchNormOp.Moments(sd, x.var(), new int[]{0, 1}).outputVariables();
        // the groups' shape: the spatial sizes after the first without unit sizes (a SameDiff sum over a unit axis of
        // these arrays fails in the training graph), then the channels
        List<Long> dims = new ArrayList<>();
        double groups = 1;
        for (int i = 1; i < x.spatialDims(); i++) {
            if (x.spatial(i) > 1) dims.add((long) x.spatial(i));
            groups *= x.spatial(i);
        }
        dims.add((long) x.channels());
        long[] groupShape = dims.stream().mapToLong(Long::longValue).toArray();
        SDVariable mg = sd.reshape(g[0], groupShape), vg = sd.reshape(g[1], groupShape);
        int[] groupAxes = new int[groupShape.length - 1];                 // all but the channels
        for (int i = 0; i < groupAxes.length; i++) groupAxes[i] = i;
        SDVariable mean = Layout.sumAxisByAxis(mg, false, groupAxes).div(groups);
        SDVariable spread = sd.math().square(mg.sub(mean));
        SDVariable var = Layout.sumAxisByAxis(vg.add(spread), false, groupAxes).div(groups);
        return new SDVariable[]{mean, var};
    }

    /** Registers the running-statistics update of this layer (TRAIN graphs). */
    private static void register(NetBuilder b, NetBuilder s, Tensor x, SDVariable mean, SDVariable var) {
        SDVariable shapeV = b.sd().shape(s.opName("shape"), x.var());
        SDVariable count = b.sd().prod(s.opName("count"), b.sd().gather(s.opName("redDims"), shapeV, reductionAxes(x), 0));
        b.register(new Application(s.prefix() + "runningMean", s.prefix() + "runningVar", mean.name(), var.name(), count.name(), MOMENTUM));
    }

    /** 0 and the spatial axes (all axes but the channels). */
    static int[] reductionAxes(Tensor x) {
        int[] axes = new int[1 + x.spatialDims()];
        System.arraycopy(x.spatialAxes(), 0, axes, 1, x.spatialDims());
        return axes;
    }

    /** [1, C, 1, 1(, 1)], or [1, 1, 1(, 1), C] when channels last */
    static long[] broadcastShape(Tensor x) {
        return x.channelShape(1, x.channels());
    }

    /**
     * Running-statistics update after a training step, as PyTorch:
     * {@code running = (1 - m) running + m batch}, with the unbiased variance {@code var n / (n - 1)}.
     */
    public static void updateRunningStats(ParamStore store, Application app, INDArray batchMean, INDArray batchVar, double count) {
        INDArray rm = store.array(app.runningMean());
        INDArray rv = store.array(app.runningVar());
        double m = app.momentum();
        double unbias = count > 1 ? count / (count - 1) : 1.0;
        INDArray bm = batchMean.reshape(rm.shape()).castTo(rm.dataType());
        INDArray bv = batchVar.reshape(rv.shape()).castTo(rv.dataType());
        rm.muli(1 - m).addi(bm.mul(m));
        rv.muli(1 - m).addi(bv.mul(m * unbias));
    }
}
