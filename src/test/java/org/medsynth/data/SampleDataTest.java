package org.medsynth.data;

import ij.ImagePlus;
import ij.io.Opener;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed sample data under sample-data/ is exactly what the generators produce: this pins
 * the generators' output across JVMs and versions. After an intended change to a generator,
 * re-create the data with {@link SampleDataMaker}.
 */
class SampleDataTest {

    private static final Path ROOT = Path.of("sample-data");
    private static final String STALE = " differs from the generator: if the generator was changed on purpose, "
            + "delete sample-data/phantoms/{fundus,liver} and run org.medsynth.data.SampleDataMaker";

    @Test
    void fundusPhantomsMatchTheGenerator() {
        for (int i = 1; i <= 4; i++) {
            FundusPhantom.Sample s = FundusPhantom.generate(256, i);
            String name = "case00" + i + ".png";
            assertArrayEquals((int[]) s.image().getProcessor().getPixels(),
                    (int[]) open("phantoms/fundus/images/" + name).getProcessor().getPixels(), "images/" + name + STALE);
            assertArrayEquals((byte[]) s.vessels().getProcessor().getPixels(),
                    (byte[]) open("phantoms/fundus/labels/" + name).getProcessor().getPixels(), "labels/" + name + STALE);
            assertArrayEquals((byte[]) s.fov().getProcessor().getPixels(),
                    (byte[]) open("phantoms/fundus/masks/" + name).getProcessor().getPixels(), "masks/" + name + STALE);
        }
    }

    @Test
    void liverPhantomsMatchTheGeneratorAndHaveTumours() {
        for (int i = 1; i <= 2; i++) {
            LiverPhantom.Sample s = LiverPhantom.generate(96, 96, 24, 3 + i);
            assertTrue(!s.tumours().isEmpty(), "the sample liver volumes should show tumours");
            String name = "case00" + i + ".tif";
            ImagePlus ct = open("phantoms/liver/images/" + name), labels = open("phantoms/liver/labels/" + name);
            assertTrue(ct.getCalibration().isSigned16Bit());
            for (int z = 1; z <= 24; z++) {
                assertArrayEquals((short[]) s.ct().getStack().getPixels(z), (short[]) ct.getStack().getPixels(z), "images/" + name + STALE);
                assertArrayEquals((byte[]) s.labels().getStack().getPixels(z), (byte[]) labels.getStack().getPixels(z), "labels/" + name + STALE);
            }
        }
    }

    @Test
    void realRetinaPhotographIsPresent() {
        ImagePlus full = open("fundus/retina.jpg");
        assertEquals(ImagePlus.COLOR_RGB, full.getType());
        assertEquals(1411, full.getWidth());
        assertEquals(1411, full.getHeight());
        ImagePlus small = open("fundus/retina-512.png");
        assertEquals(512, small.getWidth());
        assertEquals(512, small.getHeight());
        assertTrue(Files.isRegularFile(ROOT.resolve("fundus/README.md")));
    }

    private static ImagePlus open(String relative) {
        Path p = ROOT.resolve(relative);
        assertTrue(Files.isRegularFile(p), p + " is missing");
        ImagePlus imp = new Opener().openImage(p.toString());
        assertNotNull(imp, "cannot open " + p);
        return imp;
    }
}
