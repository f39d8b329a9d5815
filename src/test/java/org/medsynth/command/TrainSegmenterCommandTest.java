package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.scijava.plugin.Parameter;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainSegmenterCommandTest {

    /** An annotation can only hold constants, so the choice list is written out; it must be the registry's. */
    @Test
    void theNetworkChoicesAreTheRegisteredFamilies() throws Exception {
        Parameter p = TrainSegmenterCommand.class.getField("network").getAnnotation(Parameter.class);
        assertEquals(SegmentationNetworkFamily.names(), List.of(p.choices()));
    }
}
