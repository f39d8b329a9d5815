package org.medsynth.workflow.segment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.Progress;
import org.medsynth.data.PairedDataset;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingSetBuilderTest {

    @Test
    void theSeededSplitHoldsOutRealCasesAndTheRestIsLoadedForTraining(@TempDir Path tmp) throws Exception {
        SegmentationFixtures.writePairs(tmp, 4, 16, 1, 3);
        PairedDataset data = PairedDataset.scan(tmp.resolve("images"), tmp.resolve("labels"), 3);
        SegmenterSettings s = SegmenterTrainingTest.tiny("unet", new int[]{16, 16}, 2).withValidation(0.25, 0);
        TrainingSet set = TrainingSetBuilder.build(s, data, null, false, Progress.NONE);
        List<String> held = TrainingSetBuilder.validationNames(s, data);
        assertEquals(1, held.size());
        assertEquals(held, set.validation().stream().map(TrainingSet.ValidationCase::name).toList());
        assertEquals(3, set.cases().size());
        assertEquals(3, set.files().size());
        assertTrue(set.files().stream().noneMatch(f -> f.startsWith(held.get(0))), set.files().toString());
        assertEquals(new SegmenterTraining.TrainingData(3, 0, 1, null), set.summary());
        assertNull(set.augmentationRecord());
        assertEquals(3L * 16 * 16, set.voxels());
    }

    @Test
    void theValidationShareKeepsAtLeastOneCaseOnEachSide() {
        assertEquals(0, TrainingSetBuilder.validationCount(0.2, 1));
        assertEquals(1, TrainingSetBuilder.validationCount(0.01, 2));
        assertEquals(1, TrainingSetBuilder.validationCount(0.9, 2));
        assertEquals(0, TrainingSetBuilder.validationCount(0, 10));
    }
}
