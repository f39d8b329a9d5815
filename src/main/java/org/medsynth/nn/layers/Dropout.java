package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Inverted dropout, only in TRAIN graphs (identity in INFERENCE graphs): each value is zeroed with
 * probability {@code rate} and the rest scaled by 1 / (1 - rate).
 *
 * <p>The mask is a placeholder that is fed from outside ({@link NetBuilder#withRandomFeeds}; done
 * automatically by {@link org.medsynth.nn.train.TrainStep}). Reasons, measured with ND4J 1.0.0-M2.1:
 * its dropout ops have no gradient; legacy random ops need a static shape (the batch is dynamic); and
 * the shape-driven {@code DistributionUniform} op returns the same numbers on every run whatever the
 * seed. A mask drawn from a seeded Java generator is reproducible and independent of ND4J's global
 * random state.
 */
public final class Dropout {

    /** A dropout mask placeholder: [batch, shape...] with values 0 or 1 / keep. */
    public record Mask(String placeholder, long[] shapeWithoutBatch, double keep) { }

    private Dropout() { }

    public static Tensor apply(NetBuilder b, Tensor x, double rate) {
        if (rate < 0 || rate >= 1) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        if (!b.training() || rate == 0) return x;
        String name = b.opName("dropMask");
        long[] shape = x.shape(-1);
        SDVariable mask = b.sd().placeHolder(name, b.dataType(), shape);
        long[] rest = new long[shape.length - 1];
        System.arraycopy(shape, 1, rest, 0, rest.length);
        b.register(new Mask(name, rest, 1 - rate));
        return x.with(x.var().mul(b.opName("dropout"), mask));
    }
}
