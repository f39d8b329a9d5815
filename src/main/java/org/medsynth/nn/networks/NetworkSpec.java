package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;
import java.util.Map;

/**
 * Hyper-parameters of a network: enough to rebuild its graph (see
 * {@link org.medsynth.nn.ModelArchive}). Implementations are immutable and JSON-friendly:
 * {@link #toMap()} holds only strings, numbers, booleans and lists of those.
 */
public interface NetworkSpec {
    /** A stable identifier such as {@code "unet"}, used in model manifests. */
    String kind();

    /**
     * Hyper-parameters; {@link Networks#fromMap(String, Map)} turns them back into a spec. A spec that is a record
     * writes its components ({@link RecordMaps}); others say how.
     */
    default Map<String, Object> toMap() {
        return RecordMaps.toMap((Record) this);
    }
}
