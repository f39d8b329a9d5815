package org.medsynth.nn;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a parameter is initialised, and whether a constant scale is applied to it at run time.
 *
 * <ul>
 *   <li>{@link #normal(double, double)}: stored N(mean, std) (pix2pix/DCGAN use N(0, 0.02) for
 *       convolutions and N(1, 0.02) for batch-norm gains);</li>
 *   <li>{@link #heNormal()}: stored N(0, 2 / fanIn);</li>
 *   <li>{@link #equalized(double)}: PGGAN's equalised learning rate — stored N(0, 1) and multiplied by
 *       {@code gain / sqrt(fanIn)} inside the graph, so Adam sees unit-scale parameters;</li>
 *   <li>{@link #constant(double)}: biases (0) and the like.</li>
 * </ul>
 * Values come from a {@link SplittableRandom} seeded per parameter (see {@link ParamStore}), so the
 * result does not depend on the order in which parameters are created.
 */
public final class WeightInit {
    private enum Kind { NORMAL, HE_NORMAL, EQUALIZED, CONSTANT, UNIFORM_FAN_IN }

    private final Kind kind;
    private final double a;
    private final double b;

    private WeightInit(Kind kind, double a, double b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
    }

    public static WeightInit normal(double mean, double std) {
        return new WeightInit(Kind.NORMAL, mean, std);
    }

    /** N(0, std). */
    public static WeightInit normal(double std) {
        return normal(0, std);
    }

    public static WeightInit heNormal() {
        return new WeightInit(Kind.HE_NORMAL, 0, 0);
    }

    /** PGGAN equalised learning rate with the given gain (sqrt(2) for LReLU layers, 1 for linear outputs). */
    public static WeightInit equalized(double gain) {
        return new WeightInit(Kind.EQUALIZED, gain, 0);
    }

    public static WeightInit constant(double value) {
        return new WeightInit(Kind.CONSTANT, value, 0);
    }

    /** PyTorch's default for conv/linear layers: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (kaiming_uniform with a = sqrt 5). */
    public static WeightInit pytorchDefault() {
        return new WeightInit(Kind.UNIFORM_FAN_IN, 0, 0);
    }

    /** Multiplier applied in the graph (1 except for equalised learning rate). */
    public double runtimeScale(long fanIn) {
        return kind == Kind.EQUALIZED ? a / Math.sqrt(fanIn) : 1.0;
    }

    public boolean isEqualized() {
        return kind == Kind.EQUALIZED;
    }

    /** Fills {@code out} with initial values. */
    public void fill(double[] out, SplittableRandom rng, long fanIn) {
        switch (kind) {
            case CONSTANT -> java.util.Arrays.fill(out, a);
            case NORMAL -> { for (int i = 0; i < out.length; i++) out[i] = a + b * rng.nextGaussian(); }
            case HE_NORMAL -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < out.length; i++) out[i] = std * rng.nextGaussian();
            }
            case EQUALIZED -> { for (int i = 0; i < out.length; i++) out[i] = rng.nextGaussian(); }
            case UNIFORM_FAN_IN -> {
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < out.length; i++) out[i] = bound * (2 * rng.nextDouble() - 1);
            }
            default -> throw new IllegalStateException(kind.name());
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NORMAL -> String.format(Locale.ROOT, "normal(%g,%g)", a, b);
            case HE_NORMAL -> "heNormal";
            case EQUALIZED -> String.format(Locale.ROOT, "equalized(gain=%g)", a);
            case CONSTANT -> String.format(Locale.ROOT, "constant(%g)", a);
            case UNIFORM_FAN_IN -> "pytorchDefault";
        };
    }
}
