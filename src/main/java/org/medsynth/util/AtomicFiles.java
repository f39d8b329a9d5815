package org.medsynth.util;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files so that a reader never sees half a file and a failed write never destroys an
 * existing one: the content goes to a temporary file in the same folder, which is then renamed.
 *
 * <p>Two ways to put the file in place:
 * <ul>
 *   <li>{@link #write}/{@link #writeVia} <em>replace</em> the target: for files a run owns and
 *       rewrites (checkpoints, the best model so far, loss curves);</li>
 *   <li>{@link #create}/{@link #createVia} <em>create or fail</em>: the finished temporary file is
 *       hard-linked to the target name, which the operating system refuses atomically when the name
 *       exists ({@link FileAlreadyExistsException}), so a second run can never overwrite the first
 *       one's output, not even when both run at the same moment. Where the file system has no hard
 *       links, a rename without replace is used (the JDK checks and renames; a race of two writers
 *       within microseconds could then still replace).</li>
 * </ul>
 *
 * <p>Temporary files are hidden and named after the target and the writing process:
 * {@code .<target>.ms<pid>h<host>-<random>.part[.<ext>]}. A process killed during a write (kill -9,
 * power cut) leaves one behind; {@link #cleanStale} removes those whose writer is no longer running,
 * and MedSynth calls it when a run starts writing into a folder.
 */
public final class AtomicFiles {

    /** Writes the content produced by {@code writer}. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    @FunctionalInterface
    public interface PathWriter {
        void write(Path tmp) throws IOException;
    }

    /** Temporary files of this version: .NAME.ms<pid>h<host>-<random>.part[.ext] */
    private static final Pattern TEMPORARY = Pattern.compile("^\\.(.+)\\.ms(\\d+)h([0-9a-f]{6})-[0-9a-f]{8}\\.part(\\..*)?$");
    /** Temporary files of earlier versions: .NAME.<uuid>.part and .tmp-<uuid>[.ext] */
    private static final Pattern LEGACY = Pattern.compile(
            "^\\.(.+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.part|tmp-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\\..*)?)$");
    /** Writers on other machines (shared folders) cannot be asked whether they still run: their files expire. */
    static final Duration FOREIGN_EXPIRY = Duration.ofHours(24);
    /** Files of earlier versions carry no writer; one this old is not being written any more. */
    static final Duration LEGACY_EXPIRY = Duration.ofMinutes(10);

    private static volatile String hostTag;
    private static volatile long simulatedSpace = -1;

    private AtomicFiles() { }

    /** Writes {@code target}, replacing an existing file atomically. */
    public static void write(Path target, Writer writer) throws IOException {
        put(target, writer, true);
    }

    /**
     * Writes {@code target} only if it does not exist: create-or-fail.
     *
     * @throws FileAlreadyExistsException when the target exists (before or after the content was written);
     *                                    the existing file is left untouched
     */
    public static void create(Path target, Writer writer) throws IOException {
        put(target, writer, false);
    }

    /** Writes via a temporary path for APIs that insist on writing to a path themselves; replaces. */
    public static void writeVia(Path target, PathWriter writer) throws IOException {
        putVia(target, writer, true);
    }

    /** As {@link #writeVia}, create-or-fail as {@link #create}. */
    public static void createVia(Path target, PathWriter writer) throws IOException {
        putVia(target, writer, false);
    }

    private static void put(Path target, Writer writer, boolean replace) throws IOException {
        Path dir = folderOf(target);
        if (!replace && Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target.toString());
        Path tmp = temporarySibling(dir, target, "");
        try {
            try (OutputStream out = limited(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW))) {
                writer.write(out);
            }
            putInPlace(tmp, target, replace);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void putVia(Path target, PathWriter writer, boolean replace) throws IOException {
        Path dir = folderOf(target);
        if (!replace && Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target.toString());
        String name = target.getFileName().toString();
        int dot = name.indexOf('.', 1);
        Path tmp = temporarySibling(dir, target, dot >= 0 ? name.substring(dot) : "");
        try {
            writer.write(tmp);
            if (!Files.exists(tmp)) throw new IOException("nothing was written to " + tmp.getFileName());
            checkSimulatedSpace(Files.size(tmp));
            putInPlace(tmp, target, replace);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path folderOf(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A fresh name in the target's folder (same file system, so the final rename is atomic). Not
     * created here: Files.createTempFile would make it owner-only (0600), and the output would keep
     * those permissions, which is wrong for results shared on a server.
     */
    private static Path temporarySibling(Path dir, Path target, String extension) {
        String random = String.format("%08x", ThreadLocalRandom.current().nextInt());
        return dir.resolve("." + target.getFileName() + ".ms" + ProcessHandle.current().pid() + "h" + hostTag() + "-" + random
                + ".part" + extension);
    }

    private static void putInPlace(Path tmp, Path target, boolean replace) throws IOException {
        if (replace) {
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return;
        }
        try {
            // link(2) fails with EEXIST if the name exists: an atomic create-or-fail of a complete file
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof FileSystemException fse && !linksUnsupported(fse)) throw fse;
            Files.move(tmp, target); // no REPLACE_EXISTING: fails if the target exists
        }
    }

    private static boolean linksUnsupported(FileSystemException e) {
        String r = String.valueOf(e.getReason()).toLowerCase(java.util.Locale.ROOT);
        return r.contains("not permitted") || r.contains("not supported") || r.contains("too many links")
                || r.contains("cross-device") || r.contains("incorrect function");
    }

    /**
     * Checks that files can be created in {@code dir} (which must exist) by writing and deleting a
     * one-byte temporary file; throws the file system's exception (permission denied, read-only
     * file system, no space left on device) otherwise.
     */
    public static void probeWritable(Path dir) throws IOException {
        Path tmp = temporarySibling(dir, dir.resolve(".medsynth-write-test"), "");
        try {
            try (OutputStream out = limited(Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW))) {
                out.write(0);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** True if the file name is a temporary file of {@link #write}/{@link #create} (of any version). */
    public static boolean isTemporary(Path file) {
        String n = file.getFileName().toString();
        return TEMPORARY.matcher(n).matches() || LEGACY.matcher(n).matches();
    }

    /**
     * Deletes the temporary files that interrupted writes left in {@code folder}: those of processes on
     * this machine that no longer run, those of other machines older than a day, those of earlier
     * MedSynth versions older than ten minutes. Files of running writers are kept.
     *
     * @return the files deleted
     */
    public static List<Path> cleanStale(Path folder) throws IOException {
        if (folder == null || !Files.isDirectory(folder)) return List.of();
        List<Path> candidates;
        try (Stream<Path> s = Files.list(folder)) {
            candidates = s.filter(p -> p.getFileName().toString().startsWith(".")).filter(AtomicFiles::isTemporary).toList();
        }
        List<Path> deleted = new java.util.ArrayList<>();
        for (Path p : candidates) {
            if (isStale(p) && Files.deleteIfExists(p)) deleted.add(p);
        }
        return deleted;
    }

    static boolean isStale(Path p) throws IOException {
        String n = p.getFileName().toString();
        Matcher m = TEMPORARY.matcher(n);
        Instant modified;
        try {
            modified = Files.getLastModifiedTime(p).toInstant();
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        Duration age = Duration.between(modified, Instant.now());
        if (!m.matches()) return age.compareTo(LEGACY_EXPIRY) > 0;
        if (!m.group(3).equals(hostTag())) return age.compareTo(FOREIGN_EXPIRY) > 0;
        long pid = Long.parseLong(m.group(2));
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /** Six hex digits of a hash of this machine's name (same name = same machine). */
    static String hostTag() {
        String t = hostTag;
        if (t != null) return t;
        String host = null;
        try {
            Path h = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(h)) host = Files.readString(h).trim();
        } catch (IOException | RuntimeException e) {
            host = null;
        }
        if (host == null || host.isEmpty()) host = System.getenv("HOSTNAME");
        if (host == null || host.isEmpty()) host = System.getenv("COMPUTERNAME");
        if (host == null) host = "";
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(host.getBytes(StandardCharsets.UTF_8));
            t = HexFormat.of().formatHex(d, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        hostTag = t;
        return t;
    }

    // ------------------------------------------------------------------ a full disk, for tests

    /**
     * For tests: from now on, writes through this class fail as on a full disk ("No space left on
     * device") once {@code bytes} more bytes have been written in all. Closing the returned handle
     * ends the simulation.
     */
    public static AutoCloseable simulateFullDiskAfter(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("bytes < 0");
        simulatedSpace = bytes;
        return () -> simulatedSpace = -1;
    }

    private static OutputStream limited(OutputStream out) {
        if (simulatedSpace < 0) return out;
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                checkSimulatedSpace(1);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                checkSimulatedSpace(len);
                out.write(b, off, len);
            }
        };
    }

    private static synchronized void checkSimulatedSpace(long bytes) throws IOException {
        if (simulatedSpace < 0) return;
        if (bytes > simulatedSpace) {
            simulatedSpace = 0;
            throw new IOException("No space left on device");
        }
        simulatedSpace -= bytes;
    }
}
