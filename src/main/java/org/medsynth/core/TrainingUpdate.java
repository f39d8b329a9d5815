package org.medsynth.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One finished training step as a trainer reports it through {@link Progress#reportTraining}: how far
 * the run is, the step's losses, and its timing. Plain data, so trainers stay free of UI code.
 *
 * @param step           steps completed so far (1-based: 1 after the first step)
 * @param total          steps of the whole training
 * @param losses         the step's losses by name, in the trainer's order (as in its loss history)
 * @param stage          what the trainer is doing now, e.g. "sketch 32 px fade 0.40" (may be empty)
 * @param elapsedSeconds wall time of this run so far (since it started or resumed)
 * @param secondsLeft    estimated time to the end, NaN while unknown
 */
public record TrainingUpdate(int step, int total, Map<String, Double> losses, String stage,
                             double elapsedSeconds, double secondsLeft) {

    public TrainingUpdate {
        losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
        stage = stage == null ? "" : stage;
    }

    /** 0..1 of the whole training. */
    public double fraction() {
        return total <= 0 ? 1 : Math.min(1, (double) step / total);
    }

    /** "step 140/600, 3 min 02 s left": what the status line has room for. */
    public String stepAndTimeLeft() {
        return "step " + step + "/" + total + (Double.isNaN(secondsLeft) || step >= total ? "" : ", " + duration(secondsLeft) + " left");
    }

    /** "D=0.1234 G=1.234" (4 significant digits). */
    public String lossText() {
        return losses.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s=%.4g", e.getKey(), e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** The console line: "step 140/600 sketch 32 px D=0.1234 G=1.234, 3 min 02 s left". */
    public String line() {
        StringBuilder sb = new StringBuilder("step ").append(step).append('/').append(total);
        if (!stage.isEmpty()) sb.append(' ').append(stage);
        if (!losses.isEmpty()) sb.append(' ').append(lossText());
        if (!Double.isNaN(secondsLeft) && step < total) sb.append(", ").append(duration(secondsLeft)).append(" left");
        return sb.toString();
    }

    /** A duration as people read it: "42 s", "2 min 05 s", "1 h 01 min"; "?" when unknown. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) return "?";
        if (Double.isInfinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
