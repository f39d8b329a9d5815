package org.medsynth.workflow;

import org.medsynth.core.UserInputException;
import org.medsynth.core.CancelledException;
import org.medsynth.core.Progress;

import ij.ImagePlus;
import ij.io.Opener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.data.FundusPhantom;
import org.medsynth.data.LiverPhantom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhantomDatasetTest {

    @TempDir
    Path tmp;

    @Test
    void writesFundusImagesLabelsAndMasks() throws IOException {
        for (String format : new String[] {"tif", "png"}) {
            Path out = tmp.resolve("fundus-" + format);
            List<PhantomDataset.Case> cases = PhantomDataset.writeFundus(out, 3, 96, 10, format, Progress.NONE);
            assertEquals(3, cases.size());
            assertEquals(List.of("case001", "case002", "case003"), cases.stream().map(PhantomDataset.Case::name).toList());
            for (String folder : new String[] {"images", "labels", "masks"}) {
                assertEquals(List.of("case001." + format, "case002." + format, "case003." + format), names(out.resolve(folder)));
            }
            assertTrue(Files.isRegularFile(out.resolve("dataset.json")));
            assertEquals(List.of("dataset.json", "images", "labels", "masks"), names(out), "no stray files");
            // case 2 is the phantom of seed 11, pixel for pixel
            PhantomDataset.Case c = cases.get(1);
            assertEquals(11, c.seed());
            FundusPhantom.Sample expected = FundusPhantom.generate(96, 11);
            ImagePlus image = open(c.image()), label = open(c.label()), mask = open(c.mask());
            assertEquals(ImagePlus.COLOR_RGB, image.getType());
            assertArrayEquals((int[]) expected.image().getProcessor().getPixels(), (int[]) image.getProcessor().getPixels());
            assertEquals(ImagePlus.GRAY8, label.getType());
            assertArrayEquals((byte[]) expected.vessels().getProcessor().getPixels(), (byte[]) label.getProcessor().getPixels());
            assertArrayEquals((byte[]) expected.fov().getProcessor().getPixels(), (byte[]) mask.getProcessor().getPixels());
        }
    }

    @Test
    void writesLiverVolumesWithCalibrationThatSurvivesTheFile() throws IOException {
        Path out = tmp.resolve("liver");
        List<PhantomDataset.Case> cases = PhantomDataset.writeLiver(out, 2, 48, 40, 6, 3, Progress.NONE);
        assertEquals(List.of("case001.tif", "case002.tif"), names(out.resolve("images")));
        assertEquals(List.of("case001.tif", "case002.tif"), names(out.resolve("labels")));
        assertFalse(Files.exists(out.resolve("masks")));
        assertNull(cases.get(0).mask());
        LiverPhantom.Sample expected = LiverPhantom.generate(48, 40, 6, 4);
        ImagePlus ct = open(cases.get(1).image()), labels = open(cases.get(1).label());
        assertEquals(6, ct.getStackSize());
        assertEquals(ImagePlus.GRAY16, ct.getType());
        assertTrue(ct.getCalibration().isSigned16Bit(), "signed 16-bit calibration lost");
        assertEquals("HU", ct.getCalibration().getValueUnit());
        assertEquals(0.8, ct.getCalibration().pixelWidth, 1e-9);
        assertEquals(2.5, ct.getCalibration().pixelDepth, 1e-9);
        assertEquals("mm", ct.getCalibration().getUnit());
        for (int z = 1; z <= 6; z++) {
            assertArrayEquals((short[]) expected.ct().getStack().getPixels(z), (short[]) ct.getStack().getPixels(z));
            assertArrayEquals((byte[]) expected.labels().getStack().getPixels(z), (byte[]) labels.getStack().getPixels(z));
        }
        String manifest = Files.readString(out.resolve("dataset.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"kind\": \"liver\""), manifest);
        assertTrue(manifest.contains("{\"name\": \"case002\", \"seed\": 4}"), manifest);
    }

    @Test
    void neverOverwritesAnExistingFile() throws IOException {
        Path out = tmp.resolve("existing");
        Files.createDirectories(out.resolve("labels"));
        Path mine = out.resolve("labels").resolve("case002.png");
        byte[] content = "my own annotation".getBytes(StandardCharsets.UTF_8);
        Files.write(mine, content);
        UserInputException e = assertThrows(UserInputException.class,
                () -> PhantomDataset.writeFundus(out, 3, 64, 1, "png", Progress.NONE));
        assertTrue(e.getMessage().contains("case002.png") && e.getMessage().contains("never overwrites"), e.getMessage());
        assertArrayEquals(content, Files.readAllBytes(mine));
        assertFalse(Files.exists(out.resolve("images")), "nothing may be written when a target exists");
        // a different format does not collide and leaves the file alone too
        PhantomDataset.writeFundus(out, 3, 64, 1, "tif", Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(mine));
        // a second run into the same folder is refused
        assertThrows(UserInputException.class, () -> PhantomDataset.writeFundus(out, 3, 64, 1, "tif", Progress.NONE));
    }

    @Test
    void cancelLeavesTheFinishedCasesCompleteAndListed() throws IOException {
        Path out = tmp.resolve("cancelled");
        Progress cancelAfterTwo = new Progress() {
            int reports;

            @Override
            public void report(double fraction, String message) {
                reports++;
            }

            @Override
            public boolean isCancelled() {
                return reports >= 2;
            }
        };
        assertThrows(CancelledException.class, () -> PhantomDataset.writeFundus(out, 5, 64, 1, "png", cancelAfterTwo));
        assertEquals(List.of("case001.png", "case002.png"), names(out.resolve("images")));
        assertEquals(List.of("case001.png", "case002.png"), names(out.resolve("masks")));
        String manifest = Files.readString(out.resolve("dataset.json"));
        assertTrue(manifest.contains("\"written\": 2"), manifest);
        assertEquals(64, open(out.resolve("images/case002.png")).getWidth());
    }

    @Test
    void reportsProgressUpToOne() {
        double[] last = {-1};
        Progress p = new Progress() {
            @Override
            public void report(double fraction, String message) {
                assertTrue(fraction >= last[0], "progress went backwards");
                last[0] = fraction;
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
        PhantomDataset.writeLiver(tmp.resolve("p"), 2, 32, 32, 4, 1, p);
        assertEquals(1.0, last[0]);
    }

    @Test
    void badParametersAreUserErrors() {
        assertThrows(UserInputException.class, () -> PhantomDataset.writeFundus(tmp.resolve("a"), 0, 64, 1, "tif", Progress.NONE));
        assertThrows(UserInputException.class, () -> PhantomDataset.writeFundus(tmp.resolve("b"), 1, 64, 1, "jpg", Progress.NONE));
        assertThrows(UserInputException.class, () -> PhantomDataset.writeFundus(tmp.resolve("c"), 1, 20, 1, "tif", Progress.NONE));
        assertThrows(UserInputException.class, () -> PhantomDataset.writeLiver(tmp.resolve("d"), 1, 64, 64, 1, 1, Progress.NONE));
        assertThrows(UserInputException.class, () -> PhantomDataset.writeLiver(null, 1, 64, 64, 8, 1, Progress.NONE));
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("b")) || Files.exists(tmp.resolve("c"))
                || Files.exists(tmp.resolve("d")), "a refused job must not create folders");
    }

    @Test
    void caseNamesGrowWithTheCount() {
        assertEquals("case001", PhantomDataset.caseName(0, 5));
        assertEquals("case999", PhantomDataset.caseName(998, 999));
        assertEquals("case0001", PhantomDataset.caseName(0, 1000));
        assertEquals(17, PhantomDataset.caseSeed(10, 7));
    }

    private static ImagePlus open(Path p) {
        ImagePlus imp = new Opener().openImage(p.toString());
        assertTrue(imp != null, "cannot open " + p);
        return imp;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
