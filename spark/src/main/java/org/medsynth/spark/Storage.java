package org.medsynth.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where a job's inputs and outputs are: a local (or mounted shared) path, or any Hadoop file-system URI
 * ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code gs://} ... whatever the cluster's Hadoop has a connector
 * for). Locations are strings; local ones are plain paths or {@code file:} URIs.
 *
 * <p>MedSynth's workflow reads and writes local files (ImageJ opens paths), so a task works in a local folder:
 * remote inputs are copied there first, and outputs are written there and then <em>committed</em>: moved into place
 * with one rename (atomic on a local or POSIX shared file system and on HDFS; on object stores such as S3 the object
 * appears at once when its upload completes). A target therefore exists only when it is complete.
 */
public final class Storage implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Hidden folder in an output folder where task attempts put their outputs before the rename. */
    public static final String STAGING = ".medsynth-staging";

    private transient Configuration conf;

    public Storage(Configuration conf) {
        this.conf = conf;
    }

    /** Local file system only (tests, library use). */
    public static Storage local() {
        return new Storage(new Configuration(false));
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }

    /** True for a plain path or a {@code file:} URI. */
    public static boolean isLocal(String location) {
        return scheme(location) == null || "file".equals(scheme(location));
    }

    static String scheme(String location) {
        int c = location.indexOf(':');
        if (c < 2) return null; // no scheme, or a Windows drive letter
        String s = location.substring(0, c);
        return s.matches("[A-Za-z][A-Za-z0-9+.-]*") ? s.toLowerCase(Locale.ROOT) : null;
    }

    /** The local path of a local location. */
    public static Path localPath(String location) {
        if (!isLocal(location)) throw new IllegalArgumentException(location + " is not local");
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    }

    /** A location made absolute (local paths against the current folder); remote ones unchanged. */
    public static String absolute(String location) {
        if (location == null || location.isBlank()) return location;
        return isLocal(location) ? localPath(location).toAbsolutePath().normalize().toString() : location;
    }

    /** {@code parent/name} ({@code name} may contain '/'). */
    public static String resolve(String parent, String name) {
        if (isLocal(parent)) return localPath(parent).resolve(name).toString();
        return parent.endsWith("/") ? parent + name : parent + "/" + name;
    }

    /** The last part of a location. */
    public static String name(String location) {
        String s = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** The location's folder. */
    public static String parent(String location) {
        if (isLocal(location)) {
            Path p = localPath(location).toAbsolutePath().getParent();
            return p == null ? "/" : p.toString();
        }
        String s = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return s.substring(0, s.lastIndexOf('/'));
    }

    private FileSystem fs(String location) throws IOException {
        return FileSystem.get(URI.create(location), conf);
    }

    private static org.apache.hadoop.fs.Path hpath(String location) {
        return new org.apache.hadoop.fs.Path(location);
    }

    public boolean exists(String location) {
        try {
            return isLocal(location) ? Files.exists(localPath(location)) : fs(location).exists(hpath(location));
        } catch (IOException e) {
            throw new UserInputException("Cannot reach " + location + ": " + e.getMessage());
        }
    }

    public boolean isDirectory(String location) {
        try {
            if (isLocal(location)) return Files.isDirectory(localPath(location));
            FileSystem fs = fs(location);
            return fs.exists(hpath(location)) && fs.getFileStatus(hpath(location)).isDirectory();
        } catch (IOException e) {
            throw new UserInputException("Cannot reach " + location + ": " + e.getMessage());
        }
    }

    /** The names of the regular, non-hidden files of a folder, sorted (as ImageFiles.listFiles). */
    public List<String> listFiles(String folder) {
        List<String> names = new ArrayList<>();
        try {
            if (isLocal(folder)) {
                try (Stream<Path> s = Files.list(localPath(folder))) {
                    s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).forEach(names::add);
                }
            } else {
                for (FileStatus st : fs(folder).listStatus(hpath(folder))) if (st.isFile()) names.add(st.getPath().getName());
            }
        } catch (IOException e) {
            throw new UserInputException("Cannot list the folder " + folder + ": " + e.getMessage());
        }
        names.removeIf(n -> n.startsWith("."));
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The names of the entries (files and folders) of a folder; empty if it does not exist. */
    public List<String> listNames(String folder) {
        List<String> names = new ArrayList<>();
        try {
            if (isLocal(folder)) {
                Path p = localPath(folder);
                if (!Files.isDirectory(p)) return names;
                try (Stream<Path> s = Files.list(p)) {
                    s.map(x -> x.getFileName().toString()).forEach(names::add);
                }
            } else {
                FileSystem fs = fs(folder);
                if (!fs.exists(hpath(folder))) return names;
                for (FileStatus st : fs.listStatus(hpath(folder))) names.add(st.getPath().getName());
            }
        } catch (IOException e) {
            throw new UserInputException("Cannot list the folder " + folder + ": " + e.getMessage());
        }
        return names;
    }

    public String readString(String location) {
        try {
            if (isLocal(location)) return Files.readString(localPath(location), StandardCharsets.UTF_8);
            try (var in = fs(location).open(hpath(location))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UserInputException("Cannot read " + location + ": " + e.getMessage());
        }
    }

    public void mkdirs(String location) {
        try {
            if (isLocal(location)) Files.createDirectories(localPath(location));
            else fs(location).mkdirs(hpath(location));
        } catch (IOException e) {
            throw new UserInputException("Cannot create the folder " + location + ": " + e.getMessage());
        }
    }

    /** Deletes a file or a folder with everything in it (nothing if it does not exist). */
    public void deleteRecursively(String location) {
        try {
            if (isLocal(location)) deleteLocal(localPath(location));
            else fs(location).delete(hpath(location), true);
        } catch (IOException e) {
            throw new UserInputException("Cannot delete " + location + ": " + e.getMessage());
        }
    }

    static void deleteLocal(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }

    /**
     * A local copy of an input: the path itself when local; otherwise the file copied into {@code dir} (an Analyze
     * {@code .hdr} brings its {@code .img}).
     */
    public Path fetch(String location, Path dir) {
        if (isLocal(location)) return localPath(location);
        try {
            Files.createDirectories(dir);
            Path local = dir.resolve(name(location));
            FileSystem fs = fs(location);
            fs.copyToLocalFile(false, hpath(location), new org.apache.hadoop.fs.Path(local.toUri()), true);
            String n = name(location);
            if (n.toLowerCase(Locale.ROOT).endsWith(".hdr")) {
                String img = location.substring(0, location.length() - 4) + ".img";
                if (fs.exists(hpath(img))) {
                    fs.copyToLocalFile(false, hpath(img), new org.apache.hadoop.fs.Path(dir.resolve(name(img)).toUri()), true);
                }
            }
            return local;
        } catch (IOException e) {
            throw new UserInputException("Cannot copy " + location + " to this machine: " + e.getMessage());
        }
    }

    /** A local copy of a whole folder (its regular files): the folder itself when local. */
    public Path fetchFolder(String location, Path dir) {
        if (isLocal(location)) return localPath(location);
        for (String n : listFiles(location)) fetch(resolve(location, n), dir);
        return dir;
    }

    /**
     * A local folder for a task attempt's outputs before they are committed to {@code outputFolder}: inside the
     * output folder's staging folder when that is local (same file system: the commit is a rename), else in
     * {@code localTmp}.
     */
    public Path workFolder(String outputFolder, Path localTmp) {
        String id = UUID.randomUUID().toString();
        try {
            Path p = isLocal(outputFolder) ? localPath(outputFolder).resolve(STAGING).resolve(id) : localTmp.resolve("medsynth-" + id);
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UserInputException("Cannot create a work folder for " + outputFolder + ": " + e.getMessage());
        }
    }

    /**
     * Moves a finished local file or folder to {@code target} with one rename (uploading it to the staging folder
     * beside the target first when the target is remote). With {@code replace}, an existing target is replaced;
     * without, an existing target (complete by construction: written by another attempt of the same task) is kept.
     *
     * @return false when the target existed and was kept
     */
    public boolean commit(Path local, String target, boolean replace) {
        try {
            if (isLocal(target)) return commitLocal(local, localPath(target), replace);
            FileSystem fs = fs(target);
            org.apache.hadoop.fs.Path t = hpath(target);
            fs.mkdirs(t.getParent());
            org.apache.hadoop.fs.Path staged = new org.apache.hadoop.fs.Path(t.getParent(), STAGING + "-" + UUID.randomUUID() + "-" + t.getName());
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), staged);
            if (fs.exists(t)) {
                if (!replace) {
                    fs.delete(staged, true);
                    return false;
                }
                fs.delete(t, true);
            }
            if (!fs.rename(staged, t)) {
                fs.delete(staged, true);
                if (fs.exists(t)) return false;
                throw new IOException("rename of " + staged + " to " + t + " failed");
            }
            return true;
        } catch (IOException e) {
            throw new UserInputException("Cannot write " + target + ": " + e.getMessage());
        }
    }

    private static boolean commitLocal(Path local, Path target, boolean replace) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        boolean dir = Files.isDirectory(local);
        if (Files.exists(target)) {
            if (!replace) {
                deleteLocal(local);
                return false;
            }
            if (dir || Files.isDirectory(target)) {
                // a folder cannot replace a non-empty folder in one rename: move the old one aside first
                Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(local, target, StandardCopyOption.ATOMIC_MOVE);
                deleteLocal(old);
                return true;
            }
        }
        try {
            if (dir) Files.move(local, target, StandardCopyOption.ATOMIC_MOVE);
            else Files.move(local, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            deleteLocal(local);
            return false;
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(local, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return true;
    }

    /** Writes a small text file atomically (tables, manifests). */
    public void writeString(String target, String text, Path localTmp) {
        try {
            Path dir = Files.createDirectories(localTmp);
            Path tmp = dir.resolve("." + name(target) + "." + UUID.randomUUID() + ".part");
            if (isLocal(target)) {
                Path t = localPath(target);
                Files.createDirectories(t.toAbsolutePath().getParent());
                tmp = t.toAbsolutePath().getParent().resolve("." + t.getFileName() + "." + UUID.randomUUID() + ".part");
            }
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            commit(tmp, target, true);
        } catch (IOException e) {
            throw new UserInputException("Cannot write " + target + ": " + e.getMessage());
        }
    }
}
