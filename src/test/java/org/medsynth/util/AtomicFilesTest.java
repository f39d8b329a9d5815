package org.medsynth.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesContentAndLeavesNoTemporaryFiles() throws IOException {
        Path target = dir.resolve("out.bin");
        AtomicFiles.write(target, out -> out.write(new byte[]{1, 2, 3}));
        assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(target));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFileIntact() throws IOException {
        Path target = dir.resolve("model.zip");
        Files.write(target, new byte[]{9, 9});
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[]{1});
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[]{9, 9}, Files.readAllBytes(target));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "the temporary file is removed");
        }
    }

    @Test
    void outputsGetTheUsualPermissionsNotOwnerOnly() throws IOException {
        Path target = dir.resolve("shared.tif");
        AtomicFiles.write(target, out -> out.write(1));
        AtomicFiles.writeVia(dir.resolve("via.tif"), tmp -> Files.write(tmp, new byte[]{1}));
        // the same permissions as any plainly created file (the umask decides), never createTempFile's 0600
        Path plain = Files.write(dir.resolve("plain.tif"), new byte[]{1});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(dir.resolve("via.tif")));
    }
}
