package org.medsynth.ij1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** macros/MedSynth_Hybrid_Liver.ijm headless with tiny sizes: the paper's pipeline end to end, and the Table 1 mixes. */
class HybridMacroIT {

    @TempDir
    Path tmp;

    static final String TINY = " cases=3 test=2 size=32 depth=8 gan_iterations=2 seg_iterations=2 width=4 seg_depth=2";

    static Path macro() {
        return Path.of(System.getProperty("medsynth.basedir", ".")).resolve("macros/MedSynth_Hybrid_Liver.ijm");
    }

    static void checkDiceTable(Path csv, List<String> rows) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("model,training data,Dice liver,Dice tumour", lines.get(0));
        assertEquals(rows.size() + 1, lines.size(), lines.toString());
        for (int i = 0; i < rows.size(); i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(rows.get(i), f[1], lines.get(i + 1));
            for (int k = 2; k <= 3; k++) {
                double d = Double.parseDouble(f[k]);
                assertTrue(d >= 0 && d <= 1, lines.get(i + 1));
            }
        }
    }

    @Test
    void defaultPipelineTrainsRealAndHybridSegmentersAndChecksTheSynthesis() throws Exception {
        Path out = tmp.resolve("out");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro(), out + TINY);
        assertEquals(0, run.exit(), run.out());
        checkDiceTable(out.resolve("hybrid-dice.csv"), List.of("100% R", "100% F + 100% R"));
        // the hybrid segmenter made its synthetic pairs from the 3D-MedGAN model beside itself (2 training cases, 1 validation)
        Path syn = out.resolve("models/im-mlu-net-fake1+real-synthetic");
        assertTrue(Files.exists(syn.resolve("augmentation.json")), run.out());
        assertEquals(2, Files.list(syn.resolve("images")).count());
        List<String> quality = Files.readAllLines(out.resolve("synthesis-quality.csv"));
        assertTrue(quality.get(0).contains("Dice synthetic") && quality.get(0).contains("Dice real"), quality.get(0));
        assertEquals(1 + 2 * 2 + 2, quality.size(), "2 test maps x 2 labels + 2 mean rows: " + quality);
        assertTrue(run.out().contains("quality check, class 2"), run.out());
        assertTrue(run.out().contains("Hybrid: done in"), run.out());
        // default 3D-MedGAN: slice-wise on the whole 32 x 32 slice (a 16^3 generator cannot tell air from body)
        assertTrue(run.out().contains("3D-MedGAN (2D, patch 32, depth 3)"), run.out());
        // the segmenters use the abdominal CT window by default; a second run reuses the models only with the same window
        assertTrue(run.out().contains("Hybrid: segmenter preprocessing: window_low=-160 window_high=240 normalization=-1to1"), run.out());
        HeadlessMacroIT.Run again = HeadlessMacroIT.headless(macro(), out + TINY + " window=none");
        assertNotEquals(0, again.exit());
        assertTrue(again.out().contains("was trained with the intensity preprocessing 'window -160..240 -> -1to1', not window=none"), again.out());
    }

    @Test
    void theTable1MixesShareOneSyntheticFolder() throws Exception {
        Path out = tmp.resolve("exp");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro(), out + TINY + " network=unet mixes=R,F,F+R,3F+R");
        assertEquals(0, run.exit(), run.out());
        checkDiceTable(out.resolve("hybrid-dice.csv"), List.of("100% R", "100% F", "100% F + 100% R", "300% F + 100% R"));
        assertEquals(9, Files.list(out.resolve("synthetic/images")).count(), "3 copies of the 3 training cases");
        assertTrue(run.out().contains("Training on 0 real + 2 synthetic pairs"), run.out());
        assertTrue(run.out().contains("Training on 2 real + 6 synthetic pairs"), run.out());
    }
}
