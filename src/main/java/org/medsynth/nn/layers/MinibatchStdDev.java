package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PGGAN minibatch standard deviation: the batch is split into groups of G = min(groupSize, N)
 * samples (sample n belongs to group member n / M, M = N / G); for each group the standard deviation
 * over its members is averaged over channels and pixels, and appended as one extra constant channel
 * to every sample of the group (tkarras/progressive_growing_of_gans {@code minibatch_stddev_layer}).
 * N must be divisible by G. The group size is computed in the graph, so any batch size works.
 */
public final class MinibatchStdDev {
    public static final double EPS = 1e-8;

    private MinibatchStdDev() { }

    public static Tensor apply(NetBuilder b, Tensor x, int groupSize) {
        if (x.spatialDims() == 0) throw new IllegalArgumentException("minibatch stddev needs a spatial input, got " + x);
        if (groupSize < 1) throw new IllegalArgumentException("group size must be >= 1");
        var sd = b.sd();
        int d = x.spatialDims();
        SDVariable shape = sd.shape(b.opName("mbsShape"), x.var()).castTo(b.opName("mbsShapeL"), DataType.LONG);
        SDVariable n = sd.gather(b.opName("mbsN"), shape, new int[]{0}, 0);
        SDVariable g = sd.math().min(b.opName("mbsG"), n, sd.constant(b.opName("mbsGmax"), Nd4j.createFromArray((long) groupSize)));
        SDVariable m = sd.math().floorDiv(b.opName("mbsM"), n, g);
        long[] rest = new long[1 + d];
        rest[0] = x.channels();
        for (int i = 0; i < d; i++) rest[1 + i] = x.spatial(i);
        SDVariable shape5 = sd.concat(b.opName("mbsShape5"), 0, g, m, sd.constant(b.opName("mbsRest"), Nd4j.createFromArray(rest)));
        SDVariable y = sd.reshape(b.opName("mbsGroups"), x.var(), shape5);                  // [G, M, C, sp...]
        SDVariable yc = y.sub(b.opName("mbsCentred"), y.mean(b.opName("mbsMean"), true, 0));
        SDVariable var = sd.math().square(b.opName("mbsSq"), yc).mean(b.opName("mbsVar"), false, 0); // [M, C, sp...]
        SDVariable std = sd.math().sqrt(b.opName("mbsStd"), var.add(EPS));
        int[] axes = new int[1 + d];
        for (int i = 0; i < axes.length; i++) axes[i] = 1 + i;
        SDVariable s = std.mean(b.opName("mbsAvg"), false, axes);                           // [M]
        long[] bshape = new long[3 + d];
        java.util.Arrays.fill(bshape, 1);
        bshape[1] = -1;
        SDVariable s5 = sd.reshape(b.opName("mbsB"), s, bshape);                            // [1, M, 1, 1...]
        long[] one = new long[1 + d];
        one[0] = 1;
        for (int i = 0; i < d; i++) one[1 + i] = x.spatial(i);
        SDVariable zshape = sd.concat(b.opName("mbsZShape"), 0, g, m, sd.constant(b.opName("mbsOne"), Nd4j.createFromArray(one)));
        SDVariable zeros = sd.fill(b.opName("mbsZeros"), zshape, b.dataType(), 0.0);        // [G, M, 1, sp...]
        long[] flat = new long[2 + d];
        flat[0] = -1;
        flat[1] = 1;
        for (int i = 0; i < d; i++) flat[2 + i] = x.spatial(i);
        SDVariable feat = sd.reshape(b.opName("mbsFeature"), zeros.add(s5), flat);           // [N, 1, sp...]
        SDVariable out = sd.concat(b.opName("mbsConcat"), 1, x.var(), feat);
        Tensor result = x.with(out, x.channels() + 1, x.spatial());
        if (!x.hasTangent()) return result;
        // forward-mode tangent of the appended feature
        SDVariable ty = sd.reshape(b.opName("mbsGroupsT"), x.tangent(), shape5);
        SDVariable tyc = ty.sub(ty.mean(true, 0));
        SDVariable tvar = yc.mul(tyc).mean(false, 0).mul(2.0);
        SDVariable tstd = tvar.mul(0.5).mul(sd.math().reciprocal(std));
        SDVariable ts = tstd.mean(false, axes);
        SDVariable tfeat = sd.reshape(b.opName("mbsFeatureT"), zeros.add(sd.reshape(ts, bshape)), flat);
        return result.withTangent(sd.concat(b.opName("mbsConcatT"), 1, x.tangent(), tfeat));
    }
}
