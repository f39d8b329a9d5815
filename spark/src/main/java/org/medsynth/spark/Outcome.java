package org.medsynth.spark;

import java.util.Map;

/**
 * What {@link SparkJob#process} did with an item: {@link ItemResult#WRITTEN} (its outputs are in the work folder,
 * to be committed), {@link ItemResult#SKIPPED} or {@link ItemResult#FAILED}, a detail for the status table
 * (the same text the command's batch table shows), and job-specific values.
 */
public record Outcome(String status, String detail, Map<String, String> values) {
    public static Outcome written(String detail) {
        return new Outcome(ItemResult.WRITTEN, detail, Map.of());
    }

    public static Outcome written(String detail, Map<String, String> values) {
        return new Outcome(ItemResult.WRITTEN, detail, values);
    }

    public static Outcome failed(String reason) {
        return new Outcome(ItemResult.FAILED, reason, Map.of());
    }

    public static Outcome skipped(String reason) {
        return new Outcome(ItemResult.SKIPPED, reason, Map.of());
    }
}
