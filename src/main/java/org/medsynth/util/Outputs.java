package org.medsynth.util;

import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where MedSynth writes: output folders and files are checked <em>before</em> any work starts
 * (created if missing, writable, not a file where a folder is meant), temporary files of interrupted
 * writes there are removed ({@link AtomicFiles#cleanStale}), and a failed write becomes one line that
 * names the file and says what to do ({@link #writeFailed}).
 */
public final class Outputs {

    private Outputs() { }

    /**
     * Prepares an output folder: creates it if needed, checks that files can be created in it, and
     * removes temporary files that interrupted runs left there.
     *
     * @param key the parameter that named it (e.g. "output"), for the message
     * @return the folder
     * @throws UserInputException naming the folder and the reason
     */
    public static Path folder(Path folder, String key) {
        if (folder == null) throw new UserInputException("Choose an output folder (" + key + "=...).");
        String what = "the output folder " + folder + " (" + key + "=...)";
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new UserInputException("Cannot use " + what + ": it is a file, not a folder. Choose a folder.");
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UserInputException("Cannot create " + what + ": " + reason(e) + ". " + advice(e, "folder"), e);
        }
        try {
            AtomicFiles.probeWritable(folder);
        } catch (IOException e) {
            throw new UserInputException("Cannot write into " + what + ": " + reason(e) + ". " + advice(e, "folder"), e);
        }
        try {
            AtomicFiles.cleanStale(folder);
        } catch (IOException e) {
            // leftovers that cannot be removed do no harm: they are hidden and never read
        }
        return folder;
    }

    /**
     * Prepares the folder of an output file such as a model: as {@link #folder}, and refuses a path
     * that is a folder.
     *
     * @return the file as an absolute path
     */
    public static Path file(Path file, String key) {
        if (file == null) throw new UserInputException("Choose the file to write (" + key + "=...).");
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new UserInputException("The " + key + " path " + file + " is a folder; give a file name in it, such as "
                    + abs.resolve(exampleName(key)) + ".");
        }
        Path dir = abs.getParent();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserInputException("Cannot write " + file + " (" + key + "=...): " + dir + " is a file, not a folder.");
        }
        String what = "the folder " + dir + " of " + key + "=" + abs.getFileName();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserInputException("Cannot create " + what + ": " + reason(e) + ". " + advice(e, "folder"), e);
        }
        try {
            AtomicFiles.probeWritable(dir);
        } catch (IOException e) {
            throw new UserInputException("Cannot write into " + what + ": " + reason(e) + ". " + advice(e, "folder"), e);
        }
        try {
            AtomicFiles.cleanStale(dir);
        } catch (IOException e) {
            // see folder()
        }
        return abs;
    }

    private static String exampleName(String key) {
        return key.contains("model") ? "model.zip" : "output.tif";
    }

    /**
     * The user-facing error for a failed write of {@code target}: the output exists already (never
     * overwritten), the disk is full, no permission, a read-only disk, or else the system's reason.
     * Messages are one line; no stack trace is needed to act on them.
     */
    public static OutputWriteException writeFailed(Path target, Throwable e) {
        String name = target.getFileName().toString();
        Path dir = target.toAbsolutePath().getParent();
        if (e instanceof FileAlreadyExistsException) {
            return new OutputWriteException(name + " exists already in " + dir + ": MedSynth never overwrites an output. "
                    + "Choose an empty or new output folder, or move the old file away.", false, e);
        }
        if (isDiskFull(e)) {
            return new OutputWriteException("Could not write " + name + " in " + dir + ": the disk is full (" + diskFullReason(e)
                    + "). Free space on that disk or choose another output folder; " + name
                    + " was not written, and files written before it are complete.", true, e);
        }
        if (find(e, AccessDeniedException.class) != null) {
            return new OutputWriteException("Could not write " + name + " in " + dir + ": permission denied. Choose a folder you "
                    + "can write to.", true, e);
        }
        if (isReadOnly(e)) {
            return new OutputWriteException("Could not write " + name + " in " + dir + ": the disk is read-only. Choose a folder "
                    + "on a writable disk.", true, e);
        }
        if (find(e, NoSuchFileException.class) != null) {
            return new OutputWriteException("Could not write " + name + ": the folder " + dir + " does not exist (any more). "
                    + "Choose an existing output folder.", true, e);
        }
        return new OutputWriteException("Could not write " + target + ": " + reason(e)
                + ". Check that the folder exists, is writable and the disk is not full.", true, e);
    }

    /** True for "No space left on device", "Disk quota exceeded" and their Windows forms, anywhere in the causes. */
    public static boolean isDiskFull(Throwable e) {
        return diskFullReason(e) != null;
    }

    private static String diskFullReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : t.getMessage();
            if (m == null) continue;
            String l = m.toLowerCase(Locale.ROOT);
            if (l.contains("no space left")) return "No space left on device";
            if (l.contains("quota exceeded")) return "Disk quota exceeded";
            if (l.contains("not enough space") || l.contains("disk is full")) return m.trim();
        }
        return null;
    }

    private static boolean isReadOnly(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.file.ReadOnlyFileSystemException) return true;
            String m = t instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("read-only file system")) return true;
        }
        return false;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** The reason of an I/O failure in words, without the Java class name. */
    static String reason(Throwable e) {
        if (isDiskFull(e)) return "the disk is full (" + diskFullReason(e) + ")";
        if (find(e, AccessDeniedException.class) != null) return "permission denied";
        if (isReadOnly(e)) return "the disk is read-only";
        if (e instanceof FileAlreadyExistsException f) return f.getFile() + " exists and is not a folder";
        if (e instanceof FileSystemException f) {
            String r = f.getReason();
            return (f.getFile() == null ? "" : f.getFile() + ": ") + (r == null ? "file system error" : r.toLowerCase(Locale.ROOT));
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String advice(Throwable e, String what) {
        if (isDiskFull(e)) return "Free space on that disk or choose a " + what + " on another disk.";
        if (isReadOnly(e)) return "Choose a " + what + " on a writable disk.";
        return "Choose a " + what + " you can write to.";
    }
}
