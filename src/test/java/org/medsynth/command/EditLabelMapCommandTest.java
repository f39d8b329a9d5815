package org.medsynth.command;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.testutil.TestImages;
import org.medsynth.core.UserInputException;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class EditLabelMapCommandTest {

    @TempDir
    Path dir;

    private static ImagePlus map() {
        ImagePlus imp = TestImages.labelVolume(30, 30, 20, (x, y, z) -> x >= 10 && x < 16 && y >= 10 && y < 14 && z >= 5 && z < 8 ? 2 : 1);
        imp.setTitle("case07");
        imp.getCalibration().pixelDepth = 3;
        return imp;
    }

    private static EditLabelMapCommand command(ImagePlus imp, String op) {
        EditLabelMapCommand c = new EditLabelMapCommand();
        c.image = imp;
        c.label = 2;
        c.operation = op;
        return c;
    }

    @Test
    void everyOperationProducesANewCalibratedLabelMapAndASummaryRow() {
        ImagePlus imp = map();
        EditLabelMapCommand t = command(imp, "translate");
        t.dx = 3; t.dy = -2; t.dz = 1;
        t.run();
        LabelVolume moved = LabelVolume.from(t.edited);
        assertEquals(2, moved.get(13, 8, 6));
        assertEquals(1, moved.get(10, 10, 5));
        assertEquals(3.0, t.edited.getCalibration().pixelDepth);
        assertEquals("case07-edited", t.edited.getTitle());
        assertEquals(72, (int) t.summary.getValue("voxels after", 0));
        assertEquals(1, (int) t.summary.getValue("host label", 0));
        assertNotSame(imp, t.edited);
        assertEquals(2, LabelVolume.from(imp).get(10, 10, 5), "input unchanged");

        EditLabelMapCommand s = command(imp, "scale");
        s.factor = 2;
        imp.setProp(org.medsynth.image.nifti.NiftiImages.PROPERTY, "header of case07");
        s.run();
        assertEquals(8 * 72, (int) s.summary.getValue("voxels after", 0));
        assertEquals("header of case07", s.edited.getProp(org.medsynth.image.nifti.NiftiImages.PROPERTY),
                "a NIfTI map's orientation goes with the edited map, which then saves in the same space");

        EditLabelMapCommand d = command(imp, "dilate");
        d.radius = 1;
        d.run();
        assertTrue(d.summary.getValue("voxels after", 0) > 72);

        EditLabelMapCommand r1 = command(imp, "random"), r2 = command(imp, "random");
        r1.seed = r2.seed = 17;
        r1.run();
        r2.run();
        assertArrayEquals(LabelVolume.from(r1.edited).values(), LabelVolume.from(r2.edited).values());
    }

    @Test
    void pasteReadsTheSourceFileAndMistakesAreExplained() {
        ImagePlus src = TestImages.labelVolume(30, 30, 20, (x, y, z) -> x < 3 && y < 3 && z < 3 ? 2 : 0);
        Path file = dir.resolve("other.tif");
        ImageFiles.saveTiff(src, file);
        EditLabelMapCommand p = command(map(), "paste");
        p.source = file.toFile();
        p.run();
        assertEquals(72 + 27, (int) p.summary.getValue("voxels after", 0));

        EditLabelMapCommand noSource = command(map(), "paste");
        assertTrue(assertThrows(UserInputException.class, noSource::run).getMessage().contains("source"));
        EditLabelMapCommand bad = command(map(), "twist");
        assertTrue(assertThrows(UserInputException.class, bad::run).getMessage().contains("scale, translate"));
        EditLabelMapCommand missing = command(map(), "scale");
        missing.label = 9;
        assertTrue(assertThrows(UserInputException.class, missing::run).getMessage().contains("does not occur"));
    }
}
