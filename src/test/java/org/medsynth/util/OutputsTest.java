package org.medsynth.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.ErrorMatrix;
import org.medsynth.util.AtomicFiles;
import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class OutputsTest {

    @TempDir
    Path dir;

    @Test
    void anOutputFolderIsCreatedAndChecked() {
        Path out = dir.resolve("a/b/out");
        assertEquals(out, Outputs.folder(out, "output"));
        assertTrue(Files.isDirectory(out));
        try (var s = Files.list(out)) {
            assertEquals(0, s.count(), "the write test leaves nothing behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFileWhereAFolderIsMeantIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("out"), "x");
        ErrorMatrix.check("output-folder-is-file", assertThrows(UserInputException.class, () -> Outputs.folder(file, "output")));
        UserInputException under = assertThrows(UserInputException.class, () -> Outputs.folder(file.resolve("sub"), "output"));
        ErrorMatrix.check("output-folder-cannot-create", under);
        UserInputException model = assertThrows(UserInputException.class, () -> Outputs.file(file.resolve("m.zip"), "model"));
        assertTrue(model.getMessage().contains("is a file, not a folder"), model.getMessage());
    }

    @Test
    void aFolderWithoutWritePermissionIsFoundBeforeAnyWork() throws IOException {
        Path ro = Files.createDirectories(dir.resolve("readonly"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(ro), "running as root: permissions do not stop root");
            UserInputException e = assertThrows(UserInputException.class, () -> Outputs.folder(ro, "output"));
            ErrorMatrix.check("output-folder-not-writable", e);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void writeFailuresBecomeOneLineThatSaysWhatToDo() {
        Path t = dir.resolve("out/image_0003.png");
        OutputWriteException full = Outputs.writeFailed(t, new IOException("No space left on device"));
        ErrorMatrix.check("disk-full", full);
        assertTrue(full.stopsRun());
        // the reason may hide in a cause (ImageIO wraps it) or in a FileSystemException's reason
        assertTrue(Outputs.isDiskFull(new javax.imageio.IIOException("I/O error writing PNG file!", new IOException("No space left on device"))));
        assertTrue(Outputs.isDiskFull(new FileSystemException("/x", null, "Disk quota exceeded")));
        OutputWriteException exists = Outputs.writeFailed(t, new FileAlreadyExistsException(t.toString()));
        ErrorMatrix.check("output-exists", exists);
        assertFalse(exists.stopsRun(), "a batch goes on with the next file");
        ErrorMatrix.check("output-permission-denied", Outputs.writeFailed(t, new AccessDeniedException(t.toString())));
        ErrorMatrix.check("output-read-only", Outputs.writeFailed(t, new FileSystemException(t.toString(), null, "Read-only file system")));
    }

    @Test
    void temporaryFilesOfInterruptedWritesAreRemovedOnTheNextRunOfTheSameOutput() throws Exception {
        Path out = Files.createDirectories(dir.resolve("models"));
        long dead = deadPid();
        String host = hostTag();
        Path killed = Files.write(out.resolve(".liver.zip.ckpt.ms" + dead + "h" + host + "-0badf00d.part"), new byte[4096]);
        Path live = Files.write(out.resolve(".liver.zip.ckpt.ms" + ProcessHandle.current().pid() + "h" + host + "-12345678.part"), new byte[1]);
        Path legacyOld = Files.write(out.resolve(".liver.zip.1b4e28ba-2fa1-11d2-883f-0016d3cca427.part"), new byte[1]);
        Files.setLastModifiedTime(legacyOld, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        Path legacyNew = Files.write(out.resolve(".tmp-1b4e28ba-2fa1-11d2-883f-0016d3cca428.tif"), new byte[1]);
        Path foreignNew = Files.write(out.resolve(".a.tif.ms" + dead + "hffffff-00000000.part"), new byte[1]);
        Path foreignOld = Files.write(out.resolve(".b.tif.ms" + dead + "hffffff-00000000.part"), new byte[1]);
        Files.setLastModifiedTime(foreignOld, FileTime.from(Instant.now().minus(3, ChronoUnit.DAYS)));
        Path userFile = Files.write(out.resolve(".hidden-notes.part"), new byte[1]);

        Outputs.file(out.resolve("liver.zip"), "model");

        assertFalse(Files.exists(killed), "the writer was killed: removed");
        assertTrue(Files.exists(live), "the writer still runs: kept");
        assertFalse(Files.exists(legacyOld), "an old temporary file of an earlier version: removed");
        assertTrue(Files.exists(legacyNew), "a recent one may still be written: kept");
        assertTrue(Files.exists(foreignNew), "another machine's recent temporary file: kept");
        assertFalse(Files.exists(foreignOld), "another machine's file of three days ago: removed");
        assertTrue(Files.exists(userFile), "files that are not MedSynth's temporary files are never touched");
    }

    /** The pid of a process that has ended. */
    public static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    /** This machine's tag in temporary file names. */
    static String hostTag() throws IOException {
        Path probe = dir0();
        try {
            AtomicFiles.writeVia(probe.resolve("x.bin"), tmp -> {
                String n = tmp.getFileName().toString();
                Files.writeString(probe.resolve("name"), n);
                Files.write(tmp, new byte[1]);
            });
            String n = Files.readString(probe.resolve("name"));
            return n.substring(n.indexOf(".ms") + 3).replaceFirst("^\\d+h", "").substring(0, 6);
        } finally {
            for (Path p : new Path[]{probe.resolve("x.bin"), probe.resolve("name"), probe}) Files.deleteIfExists(p);
        }
    }

    private static Path dir0() throws IOException {
        return Files.createTempDirectory("medsynth-host");
    }
}
