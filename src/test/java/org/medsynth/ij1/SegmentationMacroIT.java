package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.Phantoms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "MedSynth Train Segmenter" and "MedSynth Segment" from headless macros on generated phantoms. */
class SegmentationMacroIT {

    @TempDir
    Path tmp;

    private void writePhantoms(int n) throws Exception {
        Path img = Files.createDirectories(tmp.resolve("images")), lab = Files.createDirectories(tmp.resolve("labels"));
        Random r = new Random(3);
        for (int k = 0; k < n; k++) {
            Phantoms.Phantom p = Phantoms.phantom2d(32, 0.15, r);
            new FileSaver(Phantoms.image(p, "c" + k)).saveAsTiff(img.resolve("c" + k + ".tif").toString());
            new FileSaver(Phantoms.labels(p, "c" + k)).saveAsTiff(lab.resolve("c" + k + ".tif").toString());
        }
        Phantoms.Phantom test = Phantoms.phantom2d(40, 0.15, new Random(9));
        new FileSaver(Phantoms.image(test, "test")).saveAsTiff(tmp.resolve("test.tif").toString());
    }

    @Test
    void macroTrainsATinyModelAndSegmentsAnImage() throws Exception {
        writePhantoms(4);
        Path model = tmp.resolve("models/tiny.zip"), out = tmp.resolve("test-labels.tif");
        Path macro = tmp.resolve("seg.ijm");
        Files.writeString(macro, String.join("\n",
                "run(\"MedSynth Train Segmenter\", \"network=mlu-net images=[" + tmp.resolve("images") + "] labels=["
                        + tmp.resolve("labels") + "] classes=3 model=[" + model + "] iterations=8 patch=16 batch=2 "
                        + "learning_rate=0.002 seed=1 validation=0.25 width=2 depth=2 validate_every=4\");",
                "print(\"ROWS=\" + nResults + \" STEP=\" + getResult(\"step\", nResults - 1) + \" MEAN=\" + getResult(\"Dice mean\", nResults - 1));",
                "open(\"" + tmp.resolve("test.tif") + "\");",
                "run(\"MedSynth Segment\", \"model=[" + model + "] probabilities tile=16 overlap=0.5\");",
                "selectImage(\"test-labels\");",
                "print(\"LABELS=\" + getTitle() + \" \" + getWidth() + \"x\" + getHeight() + \" bits=\" + bitDepth());",
                "saveAs(\"Tiff\", \"" + out + "\");",
                "selectImage(\"test-probabilities\");",
                "print(\"CHANNELS=\" + nSlices);", ""));
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("ROWS=2 STEP=8 MEAN="), run.out());
        assertTrue(run.out().contains("LABELS=test-labels 40x40 bits=8"), run.out());
        assertTrue(run.out().contains("CHANNELS=3"), run.out());
        assertTrue(run.out().contains("Train Segmenter") && run.out().contains("step 8/8"), "progress on the console: " + run.out());
        assertTrue(Files.exists(model) && Files.exists(tmp.resolve("models/tiny.zip.validation.csv")));
        ImagePlus labels = IJ.openImage(out.toString());
        int max = (int) labels.getStatistics().max;
        assertTrue(max <= 2, "labels are class indices 0..2");
    }

    /** engine=libtorch trains from a macro in the installed layout; the model segments on DL4J and records its engine. */
    @Test
    void macroTrainsOnLibtorchAndSegmentsOnDl4j() throws Exception {
        writePhantoms(3);
        Path model = tmp.resolve("torch.zip");
        Path macro = tmp.resolve("engines.ijm");
        Files.writeString(macro, String.join("\n",
                "run(\"MedSynth Train Segmenter\", \"network=unet images=[" + tmp.resolve("images") + "] labels=["
                        + tmp.resolve("labels") + "] classes=3 model=[" + model + "] iterations=3 patch=16 batch=2 "
                        + "seed=1 validation=0 width=2 depth=1 engine=libtorch\");",
                "open(\"" + tmp.resolve("test.tif") + "\");",
                "run(\"MedSynth Segment\", \"model=[" + model + "] tile=16 overlap=0.5 engine=dl4j\");",
                "selectImage(\"test-labels\");",
                "print(\"LABELS=\" + getWidth() + \"x\" + getHeight());", ""));
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("LABELS=40x40"), run.out());
        assertEquals("libtorch", org.medsynth.workflow.segment.SegmenterModel.load(model).training().get("engine"));
    }

    /** A macro value outside a key's choices stops the macro (the headless dialog would silently take the default). */
    @Test
    void aMisspeltChoiceStopsTheMacroWithTheValidOnes() throws Exception {
        writePhantoms(2);
        Path macro = tmp.resolve("choice.ijm");
        Files.writeString(macro, "run(\"MedSynth Train Segmenter\", \"network=unet images=[" + tmp.resolve("images") + "] labels=["
                + tmp.resolve("labels") + "] classes=3 model=[" + tmp.resolve("m.zip") + "] iterations=1 patch=16 width=2 depth=1 "
                + "validation=0 window=kidney\");\n");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("'kidney' is not a valid choice for window") && run.out().contains("abdomen"), run.out());
        assertTrue(!Files.exists(tmp.resolve("m.zip")), "nothing trained");
    }

    @Test
    void aMissingModelStopsTheMacroWithTheReason() throws Exception {
        writePhantoms(0);
        Path macro = tmp.resolve("bad.ijm");
        Files.writeString(macro, "open(\"" + tmp.resolve("test.tif") + "\");\nrun(\"MedSynth Segment\", \"model=["
                + tmp.resolve("nope.zip") + "]\");\n");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro, null);
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("not found"), run.out());
    }
}
