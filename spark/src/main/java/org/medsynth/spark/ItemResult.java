package org.medsynth.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A row of a job's status table: what happened to one item.
 *
 * @param status   {@link #WRITTEN}, {@link #COMPLETE} (done by an earlier run, not redone), {@link #SKIPPED} (not
 *                 something this job processes, e.g. not an image file) or {@link #FAILED} (with the reason)
 * @param outputs  the outputs of the item (relative to the output folder), when written or complete
 * @param seconds  time the task spent on it (0 when not run)
 * @param executor the executor (and host) that ran it
 * @param attempt  the Spark task attempt that produced the row (0 = first)
 * @param values   job-specific results (e.g. the metrics of a training run) for the job's own tables
 */
public record ItemResult(int index, String item, String status, String detail, List<String> outputs, double seconds,
                         String executor, int attempt, Map<String, String> values) implements Serializable {

    public static final String WRITTEN = "written";
    public static final String COMPLETE = "complete";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";

    public ItemResult {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
        values = values == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        detail = detail == null ? "" : detail;
    }

    public static ItemResult driver(Item item, String status, String detail) {
        return new ItemResult(item.index(), item.id(), status, detail, status.equals(COMPLETE) ? item.outputs() : List.of(), 0, "", 0, Map.of());
    }

    public boolean ok() {
        return status.equals(WRITTEN) || status.equals(COMPLETE);
    }
}
