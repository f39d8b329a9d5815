package org.medsynth.nn;

import org.medsynth.core.UserInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What loading a model archive refuses before allocating anything, and how it says so. */
class ModelArchiveValidationTest {

    @TempDir
    Path dir;

    @Test
    void aWeightFileThatDeclaresAnAbsurdShapeIsRefusedBeforeAllocation() throws Exception {
        Path good = ArchiveFixtures.archive(dir.resolve("good.zip"), Map.of());
        Map<String, byte[]> z = ArchiveFixtures.read(Files.readAllBytes(good));
        // a forged header: 10^5 x 10^5 x 10^3 floats (40 TB) over the entry's few bytes, checksums recomputed
        byte[] npy = z.get("params/0.npy");
        String header = new String(npy, 10, (npy[8] & 0xff) | (npy[9] & 0xff) << 8, StandardCharsets.ISO_8859_1);
        String forged = header.replaceFirst("'shape': \\([^)]*\\)", "'shape': (100000, 100000, 1000)");
        forged = forged.trim();
        StringBuilder padded = new StringBuilder(forged);
        while ((10 + padded.length() + 1) % 64 != 0) padded.append(' ');
        padded.append('\n');
        byte[] h = padded.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = java.util.Arrays.copyOfRange(npy, 10 + header.length(), npy.length);
        byte[] out = new byte[10 + h.length + data.length];
        System.arraycopy(npy, 0, out, 0, 8);
        out[8] = (byte) h.length;
        out[9] = (byte) (h.length >> 8);
        System.arraycopy(h, 0, out, 10, h.length);
        System.arraycopy(data, 0, out, 10 + h.length, data.length);
        z.put("params/0.npy", out);
        // the manifest agrees with the forged shape, so only the entry's own size can tell
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new org.nd4j.shade.jackson.databind.ObjectMapper().readValue(z.get("manifest.json"), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> p0 = ((java.util.List<Map<String, Object>>) m.get("params")).get(0);
        p0.put("shape", java.util.List.of(100000, 100000, 1000));
        z.put("manifest.json", new org.nd4j.shade.jackson.databind.ObjectMapper().writeValueAsBytes(m));
        Path forgedFile = ArchiveFixtures.writeTo(dir.resolve("forged.zip"), ArchiveFixtures.resign(z));
        UserInputException e = assertThrows(UserInputException.class, () -> ModelArchive.load(forgedFile));
        ErrorMatrix.check("model-absurd-shape", e);
    }

    @Test
    void aFileThatIsNoZipSaysWhatItLooksLike() throws Exception {
        Path tif = dir.resolve("liver.zip");
        Files.write(tif, new byte[]{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 2});
        ErrorMatrix.check("model-not-zip", assertThrows(UserInputException.class, () -> ModelArchive.load(tif)));
        Path gz = Files.write(dir.resolve("ct.nii.gz"), new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0});
        assertTrue(assertThrows(UserInputException.class, () -> ModelArchive.load(gz)).getMessage().contains("gzip-compressed"));
        Path empty = Files.write(dir.resolve("empty.zip"), new byte[0]);
        ErrorMatrix.check("model-empty", assertThrows(UserInputException.class, () -> ModelArchive.load(empty)));
    }

    @Test
    void anEntryThatUnpacksBeyondTheMemoryIsRefused() throws Exception {
        // a zip bomb in small: 3 MB of zeros deflate to a few KB; with a budget of 1 MB reading stops at 1 MB
        Path bomb = dir.resolve("bomb.zip");
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
            z.setLevel(9);
            z.putNextEntry(new java.util.zip.ZipEntry("params/0.npy"));
            z.write(new byte[3 << 20]);
            z.closeEntry();
        }
        assertTrue(Files.size(bomb) < 64 << 10);
        ModelArchive.budgetForTests = 1 << 20;
        try {
            UserInputException e = assertThrows(UserInputException.class, () -> ModelArchive.load(bomb));
            ErrorMatrix.check("model-too-large", e);
        } finally {
            ModelArchive.budgetForTests = -1;
        }
    }

    @Test
    void npyHeadersAreParsedWithoutTheArray() {
        Npy.Header h = Npy.header(org.nd4j.linalg.factory.Nd4j.toNpyByteArray(org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 4)));
        assertEquals(java.util.List.of(2L, 3L, 4L), java.util.Arrays.stream(h.shape()).boxed().toList());
        assertEquals(4, h.itemSize());
        assertEquals(96, h.bytes());
        assertThrows(IllegalArgumentException.class, () -> Npy.header("not an array".getBytes(StandardCharsets.US_ASCII)));
    }
}
