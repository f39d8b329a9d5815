package org.medsynth.image.io;

import ij.ImagePlus;
import ij.io.Opener;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.util.AtomicFiles;
import org.medsynth.util.OutputWriteException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real full disk, not a simulated one: runs only with -Dmedsynth.smallDisk=FOLDER, a folder on a small file
 * system, e.g. as root {@code mount -t tmpfs -o size=256k tmpfs /tmp/full} and
 * {@code mvn test -Dtest=RealDiskFullTest -Dmedsynth.smallDisk=/tmp/full}.
 */
@EnabledIfSystemProperty(named = "medsynth.smallDisk", matches = ".+")
class RealDiskFullTest {

    @Test
    void tiffAndPngWritesStopWithTheDiskFullMessageAndLeaveOnlyCompleteFiles() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("medsynth.smallDisk")).resolve("out-" + System.nanoTime()));
        FloatProcessor noise = new FloatProcessor(64, 64);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 64 * 64; i++) noise.setf(i, r.nextFloat());
        ImagePlus imp = new ImagePlus("noise", noise);
        OutputWriteException e = null;
        int written = 0;
        for (int i = 0; i < 10_000 && e == null; i++) {
            try {
                if (i % 2 == 0) ImageFiles.createTiff(imp, dir.resolve("image_" + i + ".tif"));
                else ImageFiles.createPng(new ImagePlus("p", imp.getProcessor().convertToByte(true)), dir.resolve("image_" + i + ".png"));
                written++;
            } catch (OutputWriteException x) {
                e = x;
            }
        }
        assertNotNull(e, "the disk filled up");
        ErrorMatrix.check("disk-full", e);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(written, files.size(), "no half-written or temporary file: " + files);
        for (Path f : files) {
            assertTrue(!AtomicFiles.isTemporary(f));
            assertNotNull(new Opener().openImage(f.toString()), f + " opens");
        }
        System.out.println("real disk full after " + written + " files: " + e.getMessage());
        for (Path f : files) Files.delete(f);
        Files.delete(dir);
    }

    @Test
    void csvTablesAreWrittenWholeOrNotAtAll() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("medsynth.smallDisk")).resolve("csv-" + System.nanoTime()));
        org.medsynth.util.Table t = new org.medsynth.util.Table(3, "file", "dice");
        for (int i = 0; i < 2000; i++) t.add("case" + i + ".tif", i / 2000.0);
        org.medsynth.core.UserInputException e = null;
        int written = 0;
        for (int i = 0; i < 10_000 && e == null; i++) {
            try {
                org.medsynth.util.CsvFiles.write(t, dir.resolve("table_" + i + ".csv"));
                written++;
            } catch (org.medsynth.core.UserInputException x) {
                e = x;
            }
        }
        assertNotNull(e, "the disk filled up");
        System.out.println("csv: real disk full after " + written + " tables: " + e.getMessage());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertEquals(written, files.size(), files.toString());
        for (Path f : files) assertEquals(2001, Files.readAllLines(f).size(), f + " is complete");
        for (Path f : files) Files.delete(f);
        Files.delete(dir);
    }
}
