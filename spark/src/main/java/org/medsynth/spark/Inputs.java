package org.medsynth.spark;

import org.medsynth.util.AtomicFiles;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Input lists and model files of the jobs. */
public final class Inputs {
    private Inputs() { }

    /**
     * The files of {@code input}: a folder (its regular, non-hidden files in name order, as the commands' folder mode),
     * or a list file with one path or URI per line (blank lines and lines starting with # left out; relative paths are
     * relative to the list file's folder).
     */
    public static List<String> list(Storage storage, String input, String key) {
        if (storage.isDirectory(input)) {
            List<String> out = new ArrayList<>();
            for (String n : storage.listFiles(input)) out.add(Storage.resolve(input, n));
            return out;
        }
        if (!storage.exists(input)) {
            throw new UserInputException(key + "=" + input + " does not exist. Give a folder of images or a text file that lists one file per line.");
        }
        List<String> out = new ArrayList<>();
        String base = Storage.parent(input);
        for (String line : storage.readString(input).split("\\R")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            boolean absolute = Storage.scheme(l) != null || l.startsWith("/");
            out.add(absolute ? Storage.absolute(l) : Storage.resolve(base, l));
        }
        if (out.isEmpty()) throw new UserInputException("The list file " + input + " names no file (one path or URI per line).");
        return out;
    }

    /** Refuses an output folder equal to the input folder (as the commands do), so that no input is overwritten. */
    public static void checkOutput(Storage storage, String input, String output) {
        if (storage.isDirectory(input) && Storage.absolute(input).replaceAll("/+$", "").equals(output.replaceAll("/+$", ""))) {
            throw new UserInputException("The output folder must differ from the input folder, so that no input image can be overwritten.");
        }
    }

    /** A model file as the driver sees it: a local copy and the SHA-256 of its bytes. */
    public record Model(String location, String localCopy, String sha256) implements java.io.Serializable {
        /** The driver's local copy. */
        public Path local() {
            return Path.of(localCopy);
        }
    }

    /** Checks that the model exists and fingerprints it (fetching a remote one into {@code tmp}). */
    public static Model model(Storage storage, String location, Path tmp, String what) {
        String loc = Storage.absolute(location);
        if (!storage.exists(loc) || storage.isDirectory(loc)) {
            throw new UserInputException("The model file " + loc + " does not exist. Give " + what + " (model=/path/to/model.zip).");
        }
        Path local = storage.fetch(loc, tmp.resolve("model"));
        return new Model(loc, local.toString(), AugmentTrainingSet.sha256(local));
    }

    /** On an executor: the model file, local (fetched once per executor when remote). */
    public static Path localModel(Storage storage, Model m) {
        if (Storage.isLocal(m.location())) return Storage.localPath(m.location());
        return ExecutorCache.get("model-file:" + m.sha256(), () -> {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "medsynth-models", m.sha256());
            Path target = dir.resolve(Storage.name(m.location()));
            if (Files.isRegularFile(target) && AugmentTrainingSet.sha256(target).equals(m.sha256())) return target;
            Path fetched = storage.fetch(m.location(), dir.resolve("download-" + java.util.UUID.randomUUID()));
            try {
                AtomicFiles.writeVia(target, tmp -> Files.move(fetched, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING));
                Storage.deleteLocal(fetched.getParent());
            } catch (IOException e) {
                throw new UserInputException("Cannot keep the model file in " + dir + ": " + e.getMessage());
            }
            return target;
        });
    }
}
