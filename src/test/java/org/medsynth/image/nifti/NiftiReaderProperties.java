package org.medsynth.image.nifti;

import ij.ImagePlus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.medsynth.core.UserInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests of the NIfTI reader: random byte flips and truncations of a valid file's header,
 * of its gzip stream, and of the header inside a valid gzip stream always end in a readable image or in
 * MedSynth's user-facing error that names the file, never in another exception or an out-of-memory.
 */
class NiftiReaderProperties {

    static Path dir;
    static byte[] nii, niiGz;

    /** A byte position and the bits to flip there. */
    record Flip(int position, int mask) { }

    @BeforeContainer
    static void fixtures() throws IOException {
        dir = Files.createTempDirectory("nifti-properties");
        ImagePlus imp = NiftiTestSupport.phantom(16, 6, 5, 4, 1, 1, 0, 1000, 1);
        NiftiWriter.write(imp, dir.resolve("valid.nii"));
        NiftiWriter.write(imp, dir.resolve("valid.nii.gz"));
        nii = Files.readAllBytes(dir.resolve("valid.nii"));
        niiGz = Files.readAllBytes(dir.resolve("valid.nii.gz"));
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Provide
    Arbitrary<List<Flip>> headerFlips() {
        return flips(352);
    }

    @Provide
    Arbitrary<List<Flip>> gzipFlips() {
        return flips(niiGz.length);
    }

    static Arbitrary<List<Flip>> flips(int length) {
        Arbitrary<Flip> one = Combinators.combine(Arbitraries.integers().between(0, length - 1), Arbitraries.integers().between(1, 255))
                .as(Flip::new);
        return one.list().ofMinSize(1).ofMaxSize(6);
    }

    static byte[] flipped(byte[] valid, List<Flip> flips) {
        byte[] b = valid.clone();
        for (Flip f : flips) b[f.position()] ^= (byte) f.mask();
        return b;
    }

    /** Reads the bytes as a file of that name: an image, or MedSynth's error naming the file; nothing else. */
    static void readsOrExplains(byte[] bytes, String name) throws IOException {
        Path f = Files.createTempFile(dir, "case", "-" + name);
        try {
            Files.write(f, bytes);
            try {
                ImagePlus imp = NiftiReader.read(f);
                assertFalse(imp.getStackSize() < 1);
            } catch (UserInputException e) {
                assertFalse(e.getMessage() == null || e.getMessage().isBlank());
                if (!e.getMessage().contains(f.getFileName().toString())) fail("the message does not name the file: " + e.getMessage());
            } catch (OutOfMemoryError e) {
                fail("out of memory reading " + name + " with " + bytes.length + " bytes");
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 400)
    void flippedHeaderBytes(@ForAll("headerFlips") List<Flip> flips) throws IOException {
        readsOrExplains(flipped(nii, flips), "x.nii");
    }

    @Property(tries = 200)
    void truncatedFiles(@ForAll("truncation") int length) throws IOException {
        readsOrExplains(Arrays.copyOf(nii, length), "x.nii");
    }

    @Provide
    Arbitrary<Integer> truncation() {
        return Arbitraries.integers().between(0, nii.length - 1);
    }

    @Property(tries = 300)
    void flippedGzipStreams(@ForAll("gzipFlips") List<Flip> flips) throws IOException {
        readsOrExplains(flipped(niiGz, flips), "x.nii.gz");
    }

    @Property(tries = 200)
    void truncatedGzipStreams(@ForAll("gzTruncation") int length) throws IOException {
        readsOrExplains(Arrays.copyOf(niiGz, length), "x.nii.gz");
    }

    @Provide
    Arbitrary<Integer> gzTruncation() {
        return Arbitraries.integers().between(0, niiGz.length - 1);
    }

    /** Header flips inside an intact gzip stream: past the gzip checks, into the header parsing of the .gz path. */
    @Property(tries = 300)
    void flippedHeaderBytesInsideAValidGzipStream(@ForAll("headerFlips") List<Flip> flips) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(flipped(nii, flips));
        }
        readsOrExplains(bos.toByteArray(), "x.nii.gz");
    }
}
