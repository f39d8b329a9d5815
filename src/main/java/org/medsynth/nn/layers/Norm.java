package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;

import java.util.Locale;

/** Choice of feature normalisation for the networks. */
public enum Norm {
    NONE, BATCH, INSTANCE, PIXEL;

    /** Applies the normalisation; batch norm gets gain initialisation N(1, 0.02) as in pix2pix. */
    public Tensor apply(NetBuilder b, String name, Tensor x) {
        return switch (this) {
            case NONE -> x;
            case BATCH -> BatchNorm.apply(b, name, x, WeightInit.normal(1.0, 0.02));
            case INSTANCE -> InstanceNorm.apply(b, name, x, false);
            case PIXEL -> PixelNorm.apply(b, x);
        };
    }

    /** pix2pix: convolutions before a batch norm have no bias (the norm's beta replaces it). */
    public boolean convBias() {
        return this != BATCH;
    }

    public static Norm parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown normalisation '" + s + "' (use none, batch, instance or pixel)");
        }
    }
}
