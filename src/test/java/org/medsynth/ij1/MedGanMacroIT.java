package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.LiverPhantom;
import org.medsynth.image.io.ImageFiles;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** 3D-MedGAN from a headless macro: train (2 iterations), synthesise from the label map, augment. */
class MedGanMacroIT {

    @TempDir
    Path tmp;

    @Test
    void macroTrainsSynthesisesAndAugments() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images")), labels = Files.createDirectories(tmp.resolve("labels"));
        LiverPhantom.Sample s = LiverPhantom.generate(32, 32, 8, 5);
        ImageFiles.saveTiff(s.ct(), images.resolve("liver.tif"));
        ImageFiles.saveTiff(s.labels(), labels.resolve("liver.tif"));
        Path model = tmp.resolve("medgan.zip"), out = tmp.resolve("synthetic.tif"), syn = tmp.resolve("augmented");
        Path macro = tmp.resolve("medgan.ijm");
        Files.writeString(macro, String.join("\n",
                "run(\"MedSynth Train 3D-MedGAN\", \"images=[" + images + "] labels=[" + labels + "] model=[" + model
                        + "] mode=3D patch=16 iterations=2 pool=2 seed=1 width=2 depth=2 d_width=2 d_layers=1\");",
                "print(\"TRAINED=\" + getResult(\"iterations\", 0) + \" labels=\" + getResultString(\"labels\", 0));",
                "open(\"" + labels.resolve("liver.tif") + "\");",
                "run(\"MedSynth Synthesize Volume\", \"model=[" + model + "] seed=3\");",
                "getVoxelSize(w, h, d, unit);",
                "print(\"SYNTH=\" + getWidth() + \"x\" + getHeight() + \"x\" + nSlices + \" bits=\" + bitDepth() + \" voxel=\" + w + \",\" + d + \" \" + unit);",
                "saveAs(\"Tiff\", \"" + out + "\");",
                "run(\"MedSynth Augment Training Set\", \"images=[" + images + "] labels=[" + labels + "] model=[" + model
                        + "] output=[" + syn + "] copies=1 edit_label=2 seed=2\");",
                "print(\"AUGMENTED=\" + nResults + \" \" + getResultString(\"pair\", 0));", ""));
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("TRAINED=2 labels=0, 1, 2"), run.out());
        assertTrue(run.out().contains("SYNTH=32x32x8 bits=32 voxel=0.8,2.5 mm"), run.out());
        assertTrue(run.out().contains("AUGMENTED=1 liver_syn01"), run.out());
        ImagePlus synthetic = IJ.openImage(out.toString());
        assertEquals(8, synthetic.getNSlices());
        assertTrue(Files.exists(syn.resolve("augmentation.json")));
    }

    @Test
    void aMissingModelStopsTheMacroWithTheReason() throws Exception {
        Path macro = tmp.resolve("bad.ijm");
        Files.writeString(macro, "newImage(\"labels\", \"8-bit black\", 16, 16, 4);\n"
                + "run(\"MedSynth Synthesize Volume\", \"model=[" + tmp.resolve("missing.zip") + "] seed=1\");\n");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("not found"), run.out());
    }
}
