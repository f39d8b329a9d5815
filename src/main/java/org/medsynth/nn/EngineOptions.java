package org.medsynth.nn;

import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.engine.dl4j.GradientPass;
import org.medsynth.nn.engine.dl4j.FusedBatchNormOp;
import org.medsynth.nn.layers.BatchNorm;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Which of two equivalent code paths the toolkit runs, for comparisons and benchmarks: the results do not
 * depend on them (the tests check each pair), only speed and memory do. The defaults are the fast paths;
 * each option is set with a system property ({@code -Dmedsynth.nn.layout=channels-first}), read here and
 * nowhere else. A {@link NetBuilder} takes the options when it is created, so a graph is built with one
 * set throughout; the training classes read them when they start a pass.
 *
 * @param batchNorm              {@value #BATCH_NORM}: {@code fused} (libnd4j's kernels) or {@code composed}
 *                               (element-wise SameDiff ops); see {@link BatchNorm}
 * @param nativeBatchNormBackward {@value #BATCH_NORM_BACKWARD}: {@code composed} (vectorised kernels) or
 *                               {@code native} (libnd4j's batchnorm_bp); see
 *                               {@link org.medsynth.nn.engine.dl4j.FusedBatchNormOp}
 * @param channelsLast           {@value #LAYOUT}: {@code channels-last} or {@code channels-first} feature maps
 *                               inside the networks that support both; see {@link org.medsynth.nn.layers.Layout}
 * @param freeEarly              {@value #FREE_EARLY}: {@code true} frees each intermediate array of a gradient
 *                               pass after its last use, {@code false} runs ND4J's own pass; see
 *                               {@link org.medsynth.nn.engine.dl4j.GradientPass}
 * @param gcOverhead             {@value #GC_OVERHEAD}: the share of wall time the garbage collections after
 *                               training steps may take, in [0, 1) (0 disables them); see
 *                               {@link org.medsynth.nn.engine.dl4j.MemoryGuard}
 */
public record EngineOptions(BatchNorm.Implementation batchNorm, boolean nativeBatchNormBackward, boolean channelsLast,
                            boolean freeEarly, double gcOverhead) {
    public static final String BATCH_NORM = "medsynth.batchnorm";
    public static final String BATCH_NORM_BACKWARD = "medsynth.batchnorm.backward";
    public static final String LAYOUT = "medsynth.nn.layout";
    public static final String FREE_EARLY = "medsynth.nn.freeEarly";
    public static final String GC_OVERHEAD = "medsynth.nn.gcOverhead";

    public static final EngineOptions DEFAULTS = new EngineOptions(BatchNorm.Implementation.FUSED, false, true, true, 0.1);

    public EngineOptions {
        if (batchNorm == null) throw new IllegalArgumentException("batchNorm must not be null");
        if (!(gcOverhead >= 0 && gcOverhead < 1)) throw new IllegalArgumentException(GC_OVERHEAD + " must be in [0, 1), got " + gcOverhead);
    }

    /** Collections' share of wall time after libtorch's steps unless {@value #GC_OVERHEAD} is set (see MemoryGuard). */
    public static final double LIBTORCH_GC_OVERHEAD = 0.02;

    /**
     * These options for graphs that {@code engine} runs: libtorch's graphs are channels first unless {@value #LAYOUT} says
     * otherwise (a channels-last graph adds a transposition around every convolution; libtorch gives the maps
     * channels-last memory itself), and its steps collect garbage for {@link #LIBTORCH_GC_OVERHEAD} of the time unless
     * {@value #GC_OVERHEAD} says otherwise.
     */
    public EngineOptions forEngine(org.medsynth.nn.engine.Engine engine) {
        if (engine != org.medsynth.nn.engine.Engine.LIBTORCH) return this;
        return new EngineOptions(batchNorm, nativeBatchNormBackward, System.getProperty(LAYOUT) != null && channelsLast, freeEarly,
                System.getProperty(GC_OVERHEAD) != null ? gcOverhead : LIBTORCH_GC_OVERHEAD);
    }

    /** The options the system properties set now (unset ones at their defaults). */
    public static EngineOptions fromSystemProperties() {
        return from(System::getProperty);
    }

    /**
     * The options given by {@code property} (property name to value; null = unset).
     *
     * @throws IllegalArgumentException naming the property and its allowed values when a value is not one of them
     */
    public static EngineOptions from(UnaryOperator<String> property) {
        return new EngineOptions(
                choice(property, BATCH_NORM, "fused", "composed") ? BatchNorm.Implementation.FUSED : BatchNorm.Implementation.COMPOSED,
                !choice(property, BATCH_NORM_BACKWARD, "composed", "native"),
                choice(property, LAYOUT, "channels-last", "channels-first"),
                choice(property, FREE_EARLY, "true", "false"),
                fraction(property, GC_OVERHEAD, DEFAULTS.gcOverhead));
    }

    /** True for {@code first} (the default), false for {@code second}, case and surrounding blanks ignored. */
    private static boolean choice(UnaryOperator<String> property, String name, String first, String second) {
        String v = property.apply(name);
        if (v == null) return true;
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.equals(first)) return true;
        if (s.equals(second)) return false;
        throw new IllegalArgumentException(name + " must be " + first + " (the default) or " + second + ", got '" + v + "'");
    }

    private static double fraction(UnaryOperator<String> property, String name, double dflt) {
        String v = property.apply(name);
        if (v == null) return dflt;
        try {
            double f = Double.parseDouble(v.trim());
            if (f >= 0 && f < 1) return f;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number in [0, 1) (0 disables the collections; default " + dflt
                + "), got '" + v + "'");
    }
}
