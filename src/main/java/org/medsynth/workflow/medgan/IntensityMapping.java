package org.medsynth.workflow.medgan;

import org.medsynth.image.preprocess.IntensityNormalizer;
import org.medsynth.image.preprocess.Normalization;
import org.medsynth.util.RecordMaps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How image intensities are put into the GAN's range [-1, 1] and back. Each training volume is
 * clipped at its own {@code lowPercentile} / {@code highPercentile} and mapped linearly onto
 * [-1, 1] ({@link Normalization#SYMMETRIC}); a generated volume is mapped back with the median of
 * the training volumes' clipping bounds ({@link #sourceLow()}, {@link #sourceHigh()}), so synthetic
 * volumes come out in the units of the training images (e.g. Hounsfield units, MR grey values).
 */
public record IntensityMapping(double lowPercentile, double highPercentile, double sourceLow, double sourceHigh,
                               String valueUnit, List<Map<String, Object>> cases) {

    public IntensityMapping {
        if (!(sourceHigh > sourceLow)) {
            throw new IllegalArgumentException("intensity range [" + sourceLow + ", " + sourceHigh + "] is empty");
        }
        valueUnit = valueUnit == null ? "" : valueUnit;
        cases = List.copyOf(cases);
    }

    /** The normaliser that prepares one training volume. */
    public static IntensityNormalizer normalizer(double lowPercentile, double highPercentile) {
        return new IntensityNormalizer(lowPercentile, highPercentile, Normalization.SYMMETRIC);
    }

    /** The mapping for a training set whose volumes had the given clipping bounds (per case: name, low, high). */
    public static IntensityMapping of(double lowPercentile, double highPercentile, List<String> names, double[] lows, double[] highs,
                                      String valueUnit) {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", names.get(i));
            m.put("low", lows[i]);
            m.put("high", highs[i]);
            cases.add(m);
        }
        double lo = median(lows), hi = median(highs);
        if (!(hi > lo)) hi = lo + 1;
        return new IntensityMapping(lowPercentile, highPercentile, lo, hi, valueUnit, cases);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** A model value in [-1, 1] in source units. */
    public double toSource(double y) {
        return sourceLow + (y + 1) * 0.5 * (sourceHigh - sourceLow);
    }

    /** A source value in model units (clipped to [-1, 1]). */
    public double toModel(double v) {
        double y = 2 * (v - sourceLow) / (sourceHigh - sourceLow) - 1;
        return Math.max(-1, Math.min(1, y));
    }

    /** Maps model values to source units in place. */
    public void toSource(float[] values) {
        double scale = 0.5 * (sourceHigh - sourceLow);
        for (int i = 0; i < values.length; i++) values[i] = (float) (sourceLow + (values[i] + 1) * scale);
    }

    /** The model's normalisation entry: the components plus the kind of mapping and the model's value range. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "percentile");
        m.put("range", List.of(-1, 1));
        m.putAll(RecordMaps.toMap(this));
        return m;
    }

    public static IntensityMapping fromMap(Map<String, Object> m) {
        if (!"percentile".equals(m.get("type"))) throw new IllegalArgumentException("unknown intensity normalisation " + m.get("type"));
        return RecordMaps.fromMap(IntensityMapping.class, "normalisation field", m, Map.of("valueUnit", "", "cases", List.of()));
    }
}
