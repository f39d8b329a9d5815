package org.medsynth.workflow;

import org.medsynth.core.UserInputException;

import ij.ImagePlus;
import ij.ImageStack;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.metrics.ImageChannels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of 2D images for the synthesis metrics: the image files of a folder (name order), or
 * the slices of a stack (an open image or a multi-page file), each slice one image. Images are
 * read when asked for, so large folders are never held in memory at once.
 */
public final class ImageSet {

    /** One image with its name and bit depth (8, 16, 24 = RGB, 32). */
    public record Item(String name, ImageChannels image, int bitDepth) { }

    private final String description;
    private final List<Path> files;
    private final ImagePlus stack;

    private ImageSet(String description, List<Path> files, ImagePlus stack) {
        this.description = description;
        this.files = files;
        this.stack = stack;
    }

    /** The image files of a folder (files that are not images are ignored). */
    public static ImageSet folder(Path dir) {
        List<Path> images = new ArrayList<>();
        for (Path p : ImageFiles.listFiles(dir)) if (ImageFiles.looksLikeImage(p)) images.add(p);
        if (images.isEmpty()) {
            throw new UserInputException("The folder " + dir + " contains no image files (TIFF, PNG, JPEG, ...).");
        }
        return new ImageSet("folder " + dir.getFileName(), images, null);
    }

    /** The slices of an image (a single 2D image gives a set of one). */
    public static ImageSet stack(ImagePlus imp) {
        if (imp.getNChannels() > 1 && imp.getBitDepth() != 24) {
            throw new UserInputException(imp.getTitle() + " is a multi-channel image; give a stack of single-channel "
                    + "or RGB slices (one image per slice), or a folder of images.");
        }
        return new ImageSet("stack " + imp.getTitle(), null, imp);
    }

    /** A folder, or a file whose slices are the images. */
    public static ImageSet of(Path path) {
        if (Files.isDirectory(path)) return folder(path);
        return stack(ImageFiles.open(path));
    }

    public int size() {
        return files != null ? files.size() : stack.getStackSize();
    }

    public String description() {
        return description;
    }

    /** The name of image i: the file's base name, or the slice label / number. */
    public String name(int i) {
        if (files != null) return ImageFiles.baseName(files.get(i));
        String label = stack.getStack().getShortSliceLabel(i + 1);
        return label == null || label.isBlank() ? "slice " + (i + 1) : label;
    }

    public Item get(int i) {
        if (files != null) {
            ImagePlus imp = ImageFiles.open(files.get(i));
            return new Item(name(i), ImageChannels.of(imp, files.get(i).getFileName().toString()), imp.getBitDepth());
        }
        ImageStack s = stack.getStack();
        return new Item(name(i), ImageChannels.of(s.getProcessor(i + 1), stack.getTitle() + " slice " + (i + 1)),
                stack.getBitDepth());
    }
}
