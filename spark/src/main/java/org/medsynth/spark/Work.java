package org.medsynth.spark;

import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A task's view of one item on an executor: local copies of the inputs, and the folder for its outputs. */
public final class Work {
    private final Storage storage;
    private final Path folder;
    private final Path inputs;

    Work(Storage storage, Path folder, Path inputs) {
        this.storage = storage;
        this.folder = folder;
        this.inputs = inputs;
    }

    public Storage storage() {
        return storage;
    }

    /** A local copy of an input location (the path itself when local). */
    public Path local(String location) {
        return storage.fetch(location, inputs);
    }

    /** A local copy of a folder of inputs (the folder itself when local). */
    public Path localFolder(String location) {
        return storage.fetchFolder(location, inputs.resolve("folder-" + Integer.toHexString(location.hashCode())));
    }

    /** Where to write the output {@code relative} (a path relative to the job's output folder); its folder exists. */
    public Path output(String relative) {
        Path p = folder.resolve(relative);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UserInputException("Cannot create " + p.getParent() + ": " + e.getMessage());
        }
        return p;
    }

    /** A scratch folder of this item (deleted afterwards). */
    public Path scratch() {
        try {
            return Files.createDirectories(inputs.resolve("scratch"));
        } catch (IOException e) {
            throw new UserInputException("Cannot create a scratch folder: " + e.getMessage());
        }
    }
}
