package org.medsynth.command;

import ij.ImagePlus;
import ij.WindowManager;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves a command argument that names an image: the title of an open image (also images
 * opened in a batch-mode macro), or else a file or folder path.
 */
final class ImageArguments {
    private ImageArguments() { }

    /** An open image, or a path; exactly one of the two is non-null. */
    record Resolved(ImagePlus image, Path path) { }

    /** Null for an empty value. */
    static Resolved resolve(String value, String key) {
        if (value == null || value.isBlank()) return null;
        String v = value.trim();
        ImagePlus open = WindowManager.getImage(v);
        if (open != null) return new Resolved(open, null);
        Path p;
        try {
            p = Path.of(v);
        } catch (java.nio.file.InvalidPathException e) {
            p = null;
        }
        if (p != null && Files.exists(p)) return new Resolved(null, p);
        throw new UserInputException(key + "=" + v + " is neither the title of an open image nor an existing file or "
                + "folder. Give an image title (e.g. " + key + "=[truth.tif]) or a full path.");
    }
}
