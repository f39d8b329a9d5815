package org.medsynth.workflow.validate;

import org.medsynth.core.UserInputException;
import org.medsynth.util.Outputs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Keeps two runs from writing the same output at the same time: a training claims its model file by
 * creating {@code .<model>.lock} beside it (create-or-fail, so of two runs started at the same moment
 * exactly one gets it) and removes it when it ends. A lock whose process no longer runs (kill -9, power
 * cut) is taken over by the next run.
 */
public final class RunLock implements AutoCloseable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    private final Path lock;
    private boolean held = true;

    private RunLock(Path lock) {
        this.lock = lock;
    }

    /** The lock file of an output. */
    public static Path lockFile(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".lock");
    }

    /**
     * Claims {@code target} for this run.
     *
     * @param command the command, for the message another run gets
     * @throws UserInputException when a running process holds it
     */
    public static RunLock acquire(Path target, String command) {
        Path lock = lockFile(target);
        ProcessHandle me = ProcessHandle.current();
        String content = me.pid() + "\n" + me.info().startInstant().map(Instant::toString).orElse("") + "\n" + command + "\n"
                + Instant.now() + "\n";
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Files.createDirectories(lock.getParent());
                Files.writeString(lock, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new RunLock(lock);
            } catch (FileAlreadyExistsException e) {
                Holder h = holder(lock);
                if (h.alive()) {
                    throw new UserInputException("Another MedSynth run (" + h.describe() + ") is writing " + target.getFileName()
                            + " right now. Wait until it has finished, or choose another file. If no such run is going on any more, delete "
                            + lock + ".");
                }
                try {
                    Files.deleteIfExists(lock); // left by a run that was killed
                } catch (IOException ignored) {
                    // another run took it over first: try again
                }
            } catch (IOException e) {
                throw Outputs.writeFailed(lock, e);
            }
        }
        throw new UserInputException("Could not claim " + target.getFileName() + " for this run: another run keeps taking it. Try again.");
    }

    /** Who holds a lock file, as far as it says. */
    private record Holder(long pid, String start, String command, Instant since, boolean alive) {
        String describe() {
            return command + ", process " + pid + (since == null ? "" : ", started " + TIME.format(since));
        }
    }

    private static Holder holder(Path lock) {
        try {
            String[] f = Files.readString(lock, StandardCharsets.UTF_8).split("\n", -1);
            Instant modified = Files.getLastModifiedTime(lock).toInstant();
            if (f.length < 4) {
                // being written this very moment, or garbage: young ones count as alive
                boolean young = Duration.between(modified, Instant.now()).compareTo(Duration.ofMinutes(1)) < 0;
                return new Holder(-1, "", "a MedSynth command", modified, young);
            }
            long pid = Long.parseLong(f[0].trim());
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            boolean alive = p.isPresent() && p.get().isAlive()
                    && (f[1].isEmpty() || p.get().info().startInstant().map(i -> i.toString().equals(f[1])).orElse(true));
            Instant since = f[3].isBlank() ? modified : Instant.parse(f[3].trim());
            return new Holder(pid, f[1], f[2], since, alive);
        } catch (java.nio.file.NoSuchFileException e) {
            return new Holder(-1, "", "", null, false);
        } catch (IOException | RuntimeException e) {
            return new Holder(-1, "", "a MedSynth command", null, true);
        }
    }

    /** Removes the lock. */
    @Override
    public void close() {
        if (!held) return;
        held = false;
        try {
            Files.deleteIfExists(lock);
        } catch (IOException e) {
            // a stale lock is taken over by the next run
        }
    }
}
