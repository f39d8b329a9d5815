package org.medsynth.workflow.medgan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IntensityMappingTest {

    @Test
    void mapsBackWithTheMedianBoundsOfTheTrainingVolumes() {
        IntensityMapping m = IntensityMapping.of(0.5, 99.5, List.of("a", "b", "c"), new double[]{-1000, -900, -950},
                new double[]{300, 500, 400}, "HU");
        assertEquals(-950, m.sourceLow(), 0);
        assertEquals(400, m.sourceHigh(), 0);
        assertEquals(-950, m.toSource(-1), 1e-9);
        assertEquals(400, m.toSource(1), 1e-9);
        assertEquals(-275, m.toSource(0), 1e-9);
        assertEquals(0.25, m.toModel(m.toSource(0.25)), 1e-12);
        assertEquals(1, m.toModel(5000), 0, "clipped");
        float[] v = {-1, 0, 1};
        m.toSource(v);
        assertArrayEquals(new float[]{-950, -275, 400}, v, 1e-3f);
    }

    @Test
    void survivesTheManifestRoundTrip() {
        IntensityMapping m = IntensityMapping.of(1, 99, List.of("x", "y"), new double[]{0, 2}, new double[]{10, 12}, "");
        IntensityMapping back = IntensityMapping.fromMap(m.toMap());
        assertEquals(m, back);
        assertEquals(1.0, back.sourceLow(), 0);
        assertEquals(11.0, back.sourceHigh(), 0);
    }
}
