package org.medsynth.image.nifti;

import ij.ImagePlus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged and hostile files: each gives a UserInputException naming the file and the problem, quickly. */
@Timeout(20)
class NiftiCorruptInputTest {

    @TempDir
    Path dir;
    private byte[] valid;

    @BeforeEach
    void writeValid() throws IOException {
        ImagePlus imp = NiftiTestSupport.phantom(16, 8, 6, 5, 1, 1, 0, 1000, 1);
        Path f = dir.resolve("valid.nii");
        NiftiWriter.write(imp, f);
        valid = Files.readAllBytes(f);
    }

    private void expect(Path file, String... fragments) {
        UserInputException e = assertThrows(UserInputException.class, () -> NiftiReader.read(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.getFileName().toString()) || m.contains(file.toString()), "names the file: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message should contain '" + f + "': " + m);
    }

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(b);
        }
        return bos.toByteArray();
    }

    private byte[] patched(int offset, int... bytes) {
        byte[] b = valid.clone();
        for (int i = 0; i < bytes.length; i++) b[offset + i] = (byte) bytes[i];
        return b;
    }

    @Test
    void wrongMagic() throws IOException {
        expect(file("magic.nii", patched(344, 'x', 'y', 'z', 0)), "magic string", "xyz");
    }

    @Test
    void analyzeHeaderIsRecognised() throws IOException {
        expect(file("old.hdr", patched(344, 0, 0, 0, 0)), "Analyze 7.5");
    }

    @Test
    void notNiftiAtAll() throws IOException {
        expect(file("text.nii", "hello, this is a text file and not an image at all".getBytes(StandardCharsets.US_ASCII)),
                "not a NIfTI file", "sizeof_hdr");
        expect(file("tiny.nii", new byte[] {1, 2}), "not a NIfTI file");
        expect(file("empty.nii", new byte[0]), "not a NIfTI file");
    }

    @Test
    void truncatedHeader() throws IOException {
        expect(file("head.nii", Arrays.copyOf(valid, 200)), "truncated", "348");
    }

    @Test
    void truncatedData() throws IOException {
        expect(file("cut.nii", Arrays.copyOf(valid, valid.length - 100)), "truncated", "8 x 6 x 5");
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = gzip(valid);
        expect(file("cut.nii.gz", Arrays.copyOf(gz, gz.length / 2)), "damaged");
        // a complete gzip stream whose content is too short
        expect(file("short.nii.gz", gzip(Arrays.copyOf(valid, valid.length - 100))), "truncated", "ends after");
    }

    @Test
    void gzipGarbage() throws IOException {
        byte[] junk = new byte[5000];
        new Random(1).nextBytes(junk);
        junk[0] = 0x1f;
        junk[1] = (byte) 0x8b;
        expect(file("junk.nii.gz", junk), "damaged");
        byte[] gz = gzip(valid);
        for (int i = gz.length / 2; i < gz.length / 2 + 4; i++) gz[i] ^= 0x5a;
        expect(file("flipped.nii.gz", gz), "damaged");
        // damage that still decompresses is caught by the CRC in the gzip trailer
        byte[] crc = gzip(valid);
        crc[crc.length - 6] ^= 1;
        expect(file("crc.nii.gz", crc), "damaged");
    }

    @Test
    void dimsImplyingMoreBytesThanTheFileHas() throws IOException {
        NiftiHeader h = NiftiTestSupport.header(1, 32767, 32767, 32767);
        expect(NiftiTestSupport.writeFile(dir.resolve("huge.nii"), h, new byte[100]), "truncated", "32767 x 32767 x 32767");
        // compressed: refused before decompressing, since gzip cannot hold that much
        byte[] content = Arrays.copyOf(h.toBytes(), 352 + 100);
        expect(file("huge.nii.gz", gzip(content)), "cannot hold that much");
        // a data offset near 2^62 must not overflow the size arithmetic
        NiftiHeader far = NiftiTestSupport.header(2, 2, 2, 2);
        far.voxOffset = 1L << 62;
        expect(file("far.nii.gz", gzip(Arrays.copyOf(far.toBytes(), 600))), "cannot hold that much");
        expect(NiftiTestSupport.writeFile(dir.resolve("far.nii"), far, new byte[8]), "truncated");
    }

    @Test
    void absurdDimensions() throws IOException {
        expect(NiftiTestSupport.writeFile(dir.resolve("plane.nii"), NiftiTestSupport.header(2, 100000, 100000, 1),
                new byte[10]), "2^31 pixels per slice");
        expect(NiftiTestSupport.writeFile(dir.resolve("overflow.nii"), NiftiTestSupport.header(2, 1, 1, 1L << 62, 4),
                new byte[10]), "impossible size");
        expect(NiftiTestSupport.writeFile(dir.resolve("slices.nii"), NiftiTestSupport.header(2, 1, 1, 1L << 40),
                new byte[10]), "slices");
        expect(NiftiTestSupport.writeFile(dir.resolve("wide.nii"), NiftiTestSupport.header(2, 1L << 33, 1, 1),
                new byte[10]), "2^31 pixels per slice");
    }

    @Test
    void negativeOrZeroDimensions() throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(40 + 2 * 2, (short) -5);
        expect(file("neg.nii", bb.array()), "dim[2] = -5");
        bb = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(40 + 2 * 3, (short) 0);
        expect(file("zero.nii", bb.array()), "dim[3] = 0");
        bb = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(40, (short) 9);
        expect(file("ndim.nii", bb.array()), "dim[0] = 9");
    }

    @Test
    void unsupportedDatatype() throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putShort(70, (short) 32);
        expect(file("complex.nii", bb.array()), "complex64", "does not read");
        bb.putShort(70, (short) 1536);
        expect(file("f128.nii", bb.array()), "float128");
    }

    @Test
    void badVoxOffset() throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        bb.putFloat(108, 100f);
        expect(file("inside.nii", bb.array()), "points inside");
        bb.putFloat(108, Float.NaN);
        expect(file("nan.nii", bb.array()), "vox_offset");
        bb.putFloat(108, 352.5f);
        expect(file("half.nii", bb.array()), "whole number");
    }

    @Test
    void tooManyDimensions() throws IOException {
        NiftiHeader h = NiftiTestSupport.header(1, 2, 2, 2, 1, 1, 2);
        expect(NiftiTestSupport.writeFile(dir.resolve("six.nii"), h, new byte[16]), "up to 5 dimensions");
    }

    @Test
    void nifti2LineEndingDamage() throws IOException {
        NiftiHeader h = NiftiTestSupport.header(2, 2, 2, 2);
        Path f = NiftiTestSupport.writeFile(dir.resolve("ftp.nii"), h, new byte[8]);
        byte[] b = Files.readAllBytes(f);
        b[8] = '\n'; // \r\n became \n\n
        expect(file("ftp.nii", b), "text-mode transfer");
    }

    @Test
    void missingImageOrHeaderOfAPair() throws IOException {
        ImagePlus imp = NiftiTestSupport.phantom(8, 3, 3, 3, 1, 1, 0, 9, 1);
        NiftiWriter.write(imp, dir.resolve("pair.hdr"));
        Files.delete(dir.resolve("pair.img"));
        expect(dir.resolve("pair.hdr"), "pair.img", "missing");
        NiftiWriter.write(imp, dir.resolve("other.hdr"));
        Files.delete(dir.resolve("other.hdr"));
        UserInputException e = assertThrows(UserInputException.class, () -> NiftiReader.read(dir.resolve("other.img")));
        assertTrue(e.getMessage().contains("other.hdr") && e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> NiftiReader.read(dir.resolve("nothing.nii")));
        assertTrue(e.getMessage().contains("File not found"), e.getMessage());
    }

    @Test
    void memoryIsCheckedBeforeAllocating() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> NiftiReader.checkMemory(Long.MAX_VALUE / 4, "big.nii"));
        assertTrue(e.getMessage().contains("big.nii") && e.getMessage().contains("Memory"), e.getMessage());
        NiftiReader.checkMemory(1000, "small.nii"); // no exception
    }

    @Test
    void writerRefusesUnknownExtensionsAndEmptyImages() {
        ImagePlus imp = NiftiTestSupport.phantom(8, 3, 3, 1, 1, 1, 0, 9, 1);
        UserInputException e = assertThrows(UserInputException.class, () -> NiftiWriter.write(imp, dir.resolve("x.tif")));
        assertTrue(e.getMessage().contains(".nii.gz"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> NiftiWriter.write(null, dir.resolve("x.nii")));
        assertTrue(e.getMessage().contains("no image"), e.getMessage());
        ImagePlus rgb = NiftiTestSupport.phantom(24, 3, 3, 1, 1, 1, 0, 9, 1);
        e = assertThrows(UserInputException.class, () -> NiftiWriter.write(rgb, dir.resolve("x.nii"),
                NiftiWriter.Options.defaults().dataType(NiftiDataType.INT16)));
        assertTrue(e.getMessage().contains("RGB"), e.getMessage());
    }
}
