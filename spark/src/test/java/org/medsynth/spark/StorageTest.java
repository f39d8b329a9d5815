package org.medsynth.spark;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commits (files and folders, local and through a Hadoop file system), listing, fetching; Storage travels to executors. */
class StorageTest {

    @TempDir
    Path dir;

    private static Storage remote() throws Exception {
        Configuration conf = new Configuration(false);
        conf.set("fs.testfs.impl", SparkTests.TestFs.class.getName());
        conf.setBoolean("fs.testfs.impl.disable.cache", true);
        // as to an executor: serialised with its configuration
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Storage(conf));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Storage) in.readObject();
        }
    }

    @Test
    void commitsFilesAndFoldersInOneRename() throws Exception {
        for (boolean isRemote : new boolean[]{false, true}) {
            Storage s = isRemote ? remote() : Storage.local();
            String out = (isRemote ? "testfs://" : "") + dir.resolve(isRemote ? "remote" : "local");
            Path work = s.workFolder(out, dir.resolve("tmp"));
            Files.writeString(work.resolve("a.txt"), "a");
            Files.createDirectories(work.resolve("run/sub"));
            Files.writeString(work.resolve("run/sub/b.txt"), "b");
            assertTrue(s.commit(work.resolve("a.txt"), Storage.resolve(out, "a.txt"), true));
            assertTrue(s.commit(work.resolve("run"), Storage.resolve(out, "runs/run"), true));
            Path local = Path.of(out.replace("testfs://", ""));
            assertEquals("a", Files.readString(local.resolve("a.txt")));
            assertEquals("b", Files.readString(local.resolve("runs/run/sub/b.txt")));
            // a second attempt: kept without replace, replaced with it
            Path again = s.workFolder(out, dir.resolve("tmp"));
            Files.writeString(again.resolve("a.txt"), "a2");
            assertFalse(s.commit(again.resolve("a.txt"), Storage.resolve(out, "a.txt"), false));
            assertEquals("a", Files.readString(local.resolve("a.txt")));
            Files.writeString(again.resolve("a.txt"), "a2");
            assertTrue(s.commit(again.resolve("a.txt"), Storage.resolve(out, "a.txt"), true));
            assertEquals("a2", Files.readString(local.resolve("a.txt")));
            assertEquals(List.of("a.txt"), s.listFiles(out));
            assertTrue(s.isDirectory(Storage.resolve(out, "runs/run")));
            s.writeString(Storage.resolve(out, "t.csv"), "x,y\n", dir.resolve("tmp"));
            assertEquals("x,y\n", s.readString(Storage.resolve(out, "t.csv")));
            Path fetched = s.fetch(Storage.resolve(out, "t.csv"), dir.resolve("fetched"));
            assertEquals("x,y\n", Files.readString(fetched));
            s.deleteRecursively(Storage.resolve(out, Storage.STAGING));
            try (var files = Files.walk(local)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".") && !p.equals(local)), "no staging or .crc files left");
            }
        }
    }
}
