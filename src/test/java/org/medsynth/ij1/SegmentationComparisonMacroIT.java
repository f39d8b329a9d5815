package org.medsynth.ij1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** macros/MedSynth_Segmentation_Comparison.ijm run headless with tiny phantoms and 2 steps per network. */
class SegmentationComparisonMacroIT {

    private static final List<String> NETWORKS = org.medsynth.nn.networks.SegmentationNetworkFamily.names();

    @TempDir
    Path tmp;

    private static Path macro() {
        return Path.of(System.getProperty("medsynth.basedir", ".")).resolve("macros/MedSynth_Segmentation_Comparison.ijm");
    }

    @Test
    void everyNetworkGetsOneRowWithDiceBetweenZeroAndOne() throws Exception {
        Path out = tmp.resolve("comparison");
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro(),
                out + " 2 32x32x8 train=2 test=2 patch=32x32x8 width=2 lr=0.001");
        assertEquals(0, run.exit(), run.out());
        Path csv = out.resolve("segmentation-comparison.csv");
        assertTrue(Files.exists(csv), run.out());
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.removeIf(String::isBlank);
        List<String> header = List.of(lines.get(0).split(","));
        int net = header.indexOf("network"), liver = header.indexOf("Dice liver"), tumour = header.indexOf("Dice tumour"),
                mean = header.indexOf("Dice mean"), pl = header.indexOf("Dice liver pooled"), pt = header.indexOf("Dice tumour pooled"),
                time = header.indexOf("training s"), params = header.indexOf("parameters"), all = header.indexOf("training parameters"),
                iterations = header.indexOf("iterations"), mode = header.indexOf("mode"), window = header.indexOf("window");
        for (int i : new int[]{net, liver, tumour, mean, pl, pt, time, params, all, iterations, mode, window}) assertTrue(i >= 0, header.toString());
        assertEquals(1 + NETWORKS.size(), lines.size(), "one row per network: " + lines);
        List<String> seen = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            seen.add(f[net]);
            for (int c : new int[]{liver, tumour, mean, pl, pt}) {
                double d = Double.parseDouble(f[c]);
                assertTrue(d >= 0 && d <= 1, header.get(c) + " of " + f[net] + " = " + f[c]);
            }
            assertEquals((Double.parseDouble(f[liver]) + Double.parseDouble(f[tumour])) / 2, Double.parseDouble(f[mean]), 1e-4);
            assertTrue(Double.parseDouble(f[time]) > 0);
            assertEquals("2", f[iterations], "the same budget for every network");
            assertEquals("3D", f[mode]);
            assertEquals("-160..240", f[window], "the abdominal CT window is the macro's default");
            long p = Long.parseLong(f[params]), a = Long.parseLong(f[all]);
            assertTrue(p > 0);
            if (f[net].startsWith("info-max") || f[net].startsWith("im-")) assertTrue(a > p, "MI encoder and critic: " + line);
            else assertEquals(p, a, line);
        }
        assertEquals(NETWORKS, seen);
        // every network was really trained, applied to both test phantoms and evaluated
        for (String n : NETWORKS) {
            assertTrue(Files.exists(out.resolve("models/" + n + ".zip")), n);
            assertTrue(Files.exists(out.resolve("predictions/" + n + "/case001-labels.tif")), n);
            assertTrue(Files.exists(out.resolve("predictions/" + n + "/case002-labels.tif")), n);
            assertTrue(Files.exists(out.resolve("evaluation/" + n + "/segmentation-metrics.csv")), n);
        }
        assertTrue(run.out().contains("| network | Dice liver | Dice tumour | mean |"), run.out());
        assertTrue(run.out().contains("window_low=-160 window_high=240 normalization=-1to1"), run.out());
        assertTrue(run.out().contains("intensity preprocessing window -160..240 -> -1to1"), "Train Segmenter logs the window: " + run.out());
        assertTrue(run.out().contains("Train Segmenter 100% step 2/2 im-mlu-net"), "progress on the console: " + run.out());
    }

    @Test
    void badArgumentsStopWithTheReason() throws Exception {
        HeadlessMacroIT.Run run = HeadlessMacroIT.headless(macro(), tmp.resolve("x") + " 2 epochs=3");
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("Unknown argument 'epochs'"), run.out());
        run = HeadlessMacroIT.headless(macro(), tmp.resolve("y") + " 2 64x64 train=2");
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("SIZE must be WxHxD"), run.out());
        assertFalse(Files.exists(tmp.resolve("y")), "nothing written before the arguments are checked");
        run = HeadlessMacroIT.headless(macro(), tmp.resolve("z") + " 2 32x32x8 window=240..-160");
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("window must be LOW..HIGH"), run.out());
        assertFalse(Files.exists(tmp.resolve("z")), "nothing written before the window is checked");
    }
}
