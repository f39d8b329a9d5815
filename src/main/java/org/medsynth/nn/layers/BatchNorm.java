package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation over (N, spatial) per channel, as PyTorch's BatchNorm2d/3d: in TRAIN graphs
 * the batch mean and biased variance normalise, and after each training step
 * {@link org.medsynth.nn.train.TrainStep} updates the running statistics with momentum 0.1 and the
 * unbiased variance; INFERENCE graphs use the running statistics.
 * Parameters: {@code gamma}, {@code beta} (trainable, [C]); {@code runningMean}, {@code runningVar}
 * (state, [C]).
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
        long[] bshape = broadcastShape(x);
        SDVariable g = b.sd().reshape(s.opName("gammaB"), gamma, bshape);
        SDVariable be = b.sd().reshape(s.opName("betaB"), beta, bshape);
        SDVariable y;
        if (b.training()) {
            int[] axes = new int[1 + x.spatialDims()];
            axes[0] = 0;
            for (int i = 0; i < x.spatialDims(); i++) axes[i + 1] = 2 + i;
            SDVariable mean = x.var().mean(s.opName("batchMean"), true, axes);
            SDVariable xc = x.var().sub(s.opName("centred"), mean);
            SDVariable var = b.sd().math().square(s.opName("sq"), xc).mean(s.opName("batchVar"), true, axes);
            SDVariable inv = b.sd().math().rsqrt(s.opName("invStd"), var.add(EPS));
            y = xc.mul(inv).mul(g).add(s.opName("out"), be);
            SDVariable shapeV = b.sd().shape(s.opName("shape"), x.var());
            SDVariable count = b.sd().prod(s.opName("count"), b.sd().gather(s.opName("redDims"), shapeV, axes, 0));
            b.register(new Application(s.prefix() + "runningMean", s.prefix() + "runningVar", mean.name(), var.name(), count.name(), MOMENTUM));
        } else {
            SDVariable m = b.sd().reshape(s.opName("meanB"), rm, bshape);
            SDVariable v = b.sd().reshape(s.opName("varB"), rv, bshape);
            SDVariable inv = b.sd().math().rsqrt(s.opName("invStd"), v.add(EPS));
            y = x.var().sub(m).mul(inv).mul(g).add(s.opName("out"), be);
        }
        return x.with(y);
    }

    /** [1, C, 1, 1(, 1)] */
    static long[] broadcastShape(Tensor x) {
        long[] s = new long[2 + x.spatialDims()];
        java.util.Arrays.fill(s, 1);
        s[1] = x.channels();
        return s;
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
