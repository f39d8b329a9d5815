package org.medsynth.testutil;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Model files written by an earlier build, committed under {@code src/test/resources/.../format1/}, with the
 * output that build produced from them. The compatibility tests load them with the current build and compare;
 * the fixtures are regenerated only when a model format's version number is raised (and then the old files
 * must keep being refused with a clear message, or converted).
 */
public final class FormatFixtures {
    private FormatFixtures() { }

    /** The committed fixture folder in the source tree, for the writers' main methods. */
    public static Path sourceFolder(Class<?> owner) {
        return Path.of("src/test/resources", owner.getPackageName().replace('.', '/'), "format1");
    }

    /** A committed fixture file, as the test class path sees it. */
    public static Path resource(Class<?> owner, String name) {
        URL url = owner.getResource("format1/" + name);
        if (url == null) fail("fixture format1/" + name + " is missing next to " + owner.getName());
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void saveTiff(ImagePlus imp, Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        FileSaver fs = new FileSaver(imp);
        boolean ok = imp.getStackSize() > 1 ? fs.saveAsTiffStack(file.toString()) : fs.saveAsTiff(file.toString());
        if (!ok) throw new java.io.IOException("could not write " + file);
    }

    public static ImagePlus openTiff(Path file) {
        ImagePlus imp = IJ.openImage(file.toString());
        if (imp == null) fail("could not open " + file);
        return imp;
    }

    /**
     * The current output equals the stored one: same dimensions and bit depth, every value within
     * {@code tolerance} (native convolution code may round differently on another CPU).
     */
    public static void assertSameImage(ImagePlus expected, ImagePlus actual, double tolerance) {
        assertArrayEquals(expected.getDimensions(), actual.getDimensions(), "dimensions");
        assertEquals(expected.getBitDepth(), actual.getBitDepth(), "bit depth");
        double worst = 0;
        for (int i = 1; i <= expected.getStackSize(); i++) {
            var e = expected.getStack().getProcessor(i);
            var a = actual.getStack().getProcessor(i);
            for (int p = 0; p < e.getPixelCount(); p++) worst = Math.max(worst, Math.abs(e.getf(p) - a.getf(p)));
        }
        assertTrue(worst <= tolerance, "largest difference from the stored output " + worst + " > " + tolerance);
    }
}
