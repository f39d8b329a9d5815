package org.medsynth.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One unit of work of a job (a file to segment, a batch of images to generate, a training run): its inputs
 * (locations), the outputs it writes (paths relative to the job's output folder; all or none of them exist after the
 * job) and job-specific parameters.
 */
public record Item(int index, String id, List<String> inputs, List<String> outputs, Map<String, String> params) implements Serializable {
    public Item {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }

    public String input(int i) {
        return inputs.get(i);
    }

    public String param(String key) {
        return params.get(key);
    }
}
