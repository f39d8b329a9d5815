package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.labels.TissueClassSplitTest;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command as a macro calls it: the intensity image by path, thresholds as text, one table row per class. */
class SplitTissueClassesCommandTest {

    @TempDir
    Path dir;

    @Test
    void splitsTheActiveLabelMapByTheImageAtAPath() {
        Path t1 = dir.resolve("t1.tif");
        ImageFiles.saveTiff(TissueClassSplitTest.t1(), t1);
        SplitTissueClassesCommand c = new SplitTissueClassesCommand();
        c.image = TissueClassSplitTest.atlas();
        c.image.setTitle("atlas.nii.gz");
        c.intensity = t1.toString();
        c.white_label = 60;
        c.run();
        assertEquals("atlas-tissue", c.split.getTitle());
        LabelVolume v = LabelVolume.from(c.split);
        assertEquals(60, v.get(TissueClassSplitTest.N / 2 + 8, TissueClassSplitTest.N / 2, 1), "enclosed white matter");
        assertEquals(4, c.summary.size());
        assertEquals(60, c.summary.getValue("label", 0));
        assertEquals(3, c.summary.getValue("label", 1), "CSF: the next free number");
        double white = c.summary.getValue("white threshold", 0);
        assertTrue(white >= 100 && white < 200, "threshold " + white);

        c.white_threshold = "bright";
        assertTrue(assertThrows(UserInputException.class, c::run).getMessage().contains("white_threshold must be a number"));
        c.white_threshold = "";
        c.intensity = dir.resolve("missing.tif").toString();
        assertThrows(UserInputException.class, c::run);
    }
}
