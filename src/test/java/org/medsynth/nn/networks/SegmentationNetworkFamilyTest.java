package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.layers.Norm;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationNetworkFamilyTest {

    @Test
    void everyFamilyBuildsANetworkThatIsNamedBackAfterIt() {
        SegConfig c = new SegConfig(2, 1, 3, 2, 2, Norm.NONE);
        assertEquals(List.of("unet", "attention-unet", "unet++", "mlu-net", "info-max-net", "im-mlu-net"), SegmentationNetworkFamily.names());
        for (SegmentationNetworkFamily f : SegmentationNetworkFamily.values()) {
            SegmentationNetwork n = f.create(c);
            assertEquals(f.userName(), SegmentationNetworkFamily.nameOf(n));
            assertEquals(f.mutualInformation(), n.usesMutualInformation(), f.userName());
            assertEquals(f.mutualInformation(), !n.trainingOnlyScopes().isEmpty(), f.userName());
        }
    }

    @Test
    void otherSpellingsFindTheirFamily() {
        assertEquals(SegmentationNetworkFamily.IM_MLU_NET, SegmentationNetworkFamily.find(" IMMLUNet ").orElseThrow());
        assertEquals(SegmentationNetworkFamily.UNET, SegmentationNetworkFamily.find("seg-unet").orElseThrow());
        assertTrue(SegmentationNetworkFamily.find("resnet").isEmpty());
    }
}
