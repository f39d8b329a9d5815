package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** "MedSynth Edit Label Map" from a headless macro: keys, output image and Results table. */
class EditLabelMapMacroIT {

    @TempDir
    Path tmp;

    @Test
    void macroScalesALabelAndReadsTheSummary() throws Exception {
        ImageStack st = new ImageStack(20, 20);
        for (int z = 0; z < 6; z++) {
            ByteProcessor bp = new ByteProcessor(20, 20);
            bp.setValue(1);
            bp.fill();
            if (z >= 2 && z < 4) { bp.setValue(2); bp.setRoi(8, 8, 4, 4); bp.fill(); bp.resetRoi(); }
            st.addSlice(bp);
        }
        Path in = tmp.resolve("labels.tif"), out = tmp.resolve("edited.tif");
        new FileSaver(new ImagePlus("labels", st)).saveAsTiffStack(in.toString());
        Path macro = tmp.resolve("edit.ijm");
        Files.writeString(macro, "open(\"" + in + "\");\n"
                + "run(\"MedSynth Edit Label Map\", \"label=2 operation=scale factor=2\");\n"
                + "print(\"after=\" + getResult(\"voxels after\", 0) + \" host=\" + getResult(\"host label\", 0));\n"
                + "saveAs(\"Tiff\", \"" + out + "\");\n");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("after=256 host=1"), run.out());
        ImagePlus edited = IJ.openImage(out.toString());
        assertEquals(6, edited.getNSlices());
        assertEquals(2, edited.getStack().getProcessor(3).get(10, 10));
    }

    @Test
    void aMissingLabelStopsTheMacroWithTheReason() throws Exception {
        Path in = tmp.resolve("labels.tif");
        new FileSaver(new ImagePlus("labels", new ByteProcessor(8, 8))).saveAsTiff(in.toString());
        Path macro = tmp.resolve("bad.ijm");
        Files.writeString(macro, "open(\"" + in + "\");\nrun(\"MedSynth Edit Label Map\", \"label=3 operation=erode radius=1\");\n");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("Label 3 does not occur"), run.out());
    }
}
