package org.medsynth.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Create-or-fail, a full disk, and what a kill -9 during a write leaves (and who removes it). */
class AtomicFilesCreateTest {

    @TempDir
    Path dir;

    @Test
    void createNeverReplacesAnExistingFile() throws IOException {
        Path target = dir.resolve("labels.tif");
        Files.write(target, new byte[]{7});
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.create(target, out -> out.write(new byte[]{1, 2})));
        assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.createVia(target, tmp -> Files.write(tmp, new byte[]{1})));
        assertArrayEquals(new byte[]{7}, Files.readAllBytes(target));
        assertEquals(List.of(target), list());
    }

    @Test
    void ofTwoRunsCreatingTheSameFileAtOnceExactlyOneWinsAndNothingIsOverwritten() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path target = dir.resolve("image_" + round + ".png");
            int writers = 4;
            CountDownLatch ready = new CountDownLatch(writers), go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte id = (byte) w;
                results.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        // each writer passes the early existence check, then all race for the name
                        AtomicFiles.create(target, out -> {
                            out.write(new byte[]{id, id, id});
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                        return true;
                    } catch (FileAlreadyExistsException e) {
                        return false;
                    }
                }));
            }
            ready.await();
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : results) if (f.get(30, TimeUnit.SECONDS)) won++;
            pool.shutdown();
            assertEquals(1, won, "exactly one run creates the file");
            byte[] content = Files.readAllBytes(target);
            assertEquals(3, content.length);
            assertTrue(content[0] == content[1] && content[1] == content[2], "one writer's complete content");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(AtomicFiles::isTemporary), "no temporary file is left");
        }
    }

    @Test
    void aFullDiskFailsTheWriteAndKeepsWhatWasWrittenBefore() throws Exception {
        Path a = dir.resolve("a.bin"), b = dir.resolve("b.bin");
        try (AutoCloseable full = AtomicFiles.simulateFullDiskAfter(150)) {
            AtomicFiles.create(a, out -> out.write(new byte[100]));
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.create(b, out -> out.write(new byte[100])));
            assertEquals("No space left on device", e.getMessage());
        }
        assertEquals(100, Files.size(a));
        assertEquals(List.of(a), list(), "the failed file and its temporary file are gone");
    }

    @Test
    void aKillDuringAWriteLeavesOnlyAHiddenTemporaryFileThatTheNextRunRemoves() throws Exception {
        Path target = dir.resolve("model.zip.ckpt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(), target.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null && !line.equals("writing")) {
                // JVM start-up output
            }
            assertEquals("writing", line, "the child process started writing");
        } finally {
            p.destroyForcibly(); // SIGKILL: no finally block of the writer runs
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        List<Path> left = list();
        assertFalse(Files.exists(target), "no half-written checkpoint under the real name");
        assertEquals(1, left.size(), left.toString());
        assertTrue(AtomicFiles.isTemporary(left.get(0)) && left.get(0).getFileName().toString().startsWith(".model.zip.ckpt."));
        assertEquals(1 << 20, Files.size(left.get(0)));
        assertEquals(left, AtomicFiles.cleanStale(dir), "the next run removes it");
        assertEquals(List.of(), list());
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
