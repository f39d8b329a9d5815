package org.medsynth.data;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Images and their label maps in two folders, matched by base name ({@link ImageFiles#baseName}):
 * {@code images/case01.tif} goes with {@code labels/case01.nii.gz}. Files without a partner and
 * names that occur twice in one folder are left out and listed in {@link #problems()}; each pair's
 * sizes and label values are checked when it is loaded ({@link #load}) or all at once ({@link #check}).
 */
public final class PairedDataset {

    /** One matched pair of files. */
    public record Pair(String name, Path image, Path labels) { }

    /** One loaded, checked pair; both images are titled with the pair's name. */
    public record Case(String name, ImagePlus image, ImagePlus labels) { }

    private final Path imageFolder, labelFolder;
    private final int classes;
    private final List<Pair> pairs;
    private final List<String> problems;

    private PairedDataset(Path imageFolder, Path labelFolder, int classes, List<Pair> pairs, List<String> problems) {
        this.imageFolder = imageFolder;
        this.labelFolder = labelFolder;
        this.classes = classes;
        this.pairs = Collections.unmodifiableList(pairs);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Matches the image files of two folders by base name.
     *
     * @param classes number of classes including the background; label values must be 0..classes-1
     * @throws UserInputException when a folder is missing or no pair matches
     */
    public static PairedDataset scan(Path imageFolder, Path labelFolder, int classes) {
        if (classes < 2) throw new UserInputException("The number of classes must be at least 2 (background + one class), not " + classes + ".");
        List<String> problems = new ArrayList<>();
        Set<String> ambiguous = new HashSet<>();
        Map<String, Path> images = byBaseName(imageFolder, "image", problems, ambiguous);
        Map<String, Path> labels = byBaseName(labelFolder, "label map", problems, ambiguous);
        List<Pair> pairs = new ArrayList<>();
        for (Map.Entry<String, Path> e : images.entrySet()) {
            Path label = labels.get(e.getKey());
            if (label == null) {
                if (!ambiguous.contains(e.getKey())) problems.add("Image " + e.getValue().getFileName() + " has no label map named " + e.getKey() + ".* in "
                        + labelFolder + "; it is left out.");
            } else {
                pairs.add(new Pair(e.getKey(), e.getValue(), label));
            }
        }
        for (Map.Entry<String, Path> e : labels.entrySet()) {
            if (!images.containsKey(e.getKey()) && !ambiguous.contains(e.getKey())) {
                problems.add("Label map " + e.getValue().getFileName() + " has no image named " + e.getKey() + ".* in "
                        + imageFolder + "; it is left out.");
            }
        }
        if (pairs.isEmpty()) {
            throw new UserInputException("No image in " + imageFolder + " has a label map with the same name in " + labelFolder
                    + ". Images and label maps are matched by file name without extension (case01.tif <-> case01.nii.gz)."
                    + (problems.isEmpty() ? "" : " " + String.join(" ", problems.subList(0, Math.min(3, problems.size())))));
        }
        return new PairedDataset(imageFolder, labelFolder, classes, pairs, problems);
    }

    private static Map<String, Path> byBaseName(Path folder, String what, List<String> problems, Set<String> ambiguous) {
        Map<String, List<Path>> groups = new TreeMap<>();
        for (Path p : ImageFiles.listFiles(folder)) {
            if (ImageFiles.looksLikeImage(p)) groups.computeIfAbsent(ImageFiles.baseName(p), k -> new ArrayList<>()).add(p);
        }
        Map<String, Path> map = new TreeMap<>();
        groups.forEach((base, files) -> {
            if (files.size() == 1) {
                map.put(base, files.get(0));
            } else {
                ambiguous.add(base);
                problems.add("Several " + what + " files are named " + base + " in " + folder + " ("
                        + String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList())
                        + "); rename all but one. They are left out.");
            }
        });
        return map;
    }

    public List<Pair> pairs() { return pairs; }
    public List<String> problems() { return problems; }
    public int classes() { return classes; }
    public int size() { return pairs.size(); }
    public Path imageFolder() { return imageFolder; }
    public Path labelFolder() { return labelFolder; }

    /**
     * The pairs whose names are in {@code names}, in this data set's order (e.g. the training part of
     * a split); the folders, classes and problems are kept.
     *
     * @throws IllegalArgumentException when a name is not a pair of this data set
     */
    public PairedDataset subset(java.util.Collection<String> names) {
        Set<String> wanted = new HashSet<>(names);
        List<Pair> kept = new ArrayList<>();
        for (Pair p : pairs) if (wanted.remove(p.name())) kept.add(p);
        if (!wanted.isEmpty()) throw new IllegalArgumentException("not pairs of this data set: " + wanted);
        return new PairedDataset(imageFolder, labelFolder, classes, kept, problems);
    }

    /** Opens pair {@code i} and checks it; throws {@link UserInputException} naming the files on a problem. */
    public Case load(int i) {
        Pair p = pairs.get(i);
        ImagePlus image = ImageFiles.open(p.image());
        ImagePlus labels = ImageFiles.open(p.labels());
        checkPair(p, image, labels, classes);
        image.setTitle(p.name());
        labels.setTitle(p.name());
        return new Case(p.name(), image, labels);
    }

    /** Loads every pair and returns all problems found (unmatched files included); empty = all good. */
    public List<String> check(Progress progress) {
        List<String> all = new ArrayList<>(problems);
        for (int i = 0; i < pairs.size(); i++) {
            progress.checkCancelled();
            progress.report((double) i / pairs.size(), "checking " + pairs.get(i).name());
            try {
                load(i);
            } catch (UserInputException e) {
                all.add(e.getMessage());
            }
        }
        progress.report(1, "checked " + pairs.size() + " pairs");
        return all;
    }

    /** Checks that image and label map have the same size and that labels are 0..classes-1. */
    public static void checkPair(Pair p, ImagePlus image, ImagePlus labels, int classes) {
        String img = p.image().getFileName().toString(), lab = p.labels().getFileName().toString();
        if (image.getNFrames() > 1) {
            throw new UserInputException("Image " + img + " has " + image.getNFrames() + " time frames; give one volume per file.");
        }
        if (image.getWidth() != labels.getWidth() || image.getHeight() != labels.getHeight()
                || image.getNSlices() != labels.getNSlices()) {
            throw new UserInputException("Image " + img + " is " + size(image) + " but its label map " + lab + " is "
                    + size(labels) + "; they must have the same width, height and number of slices.");
        }
        LabelVolume lv;
        try {
            lv = LabelVolume.from(labels);
        } catch (UserInputException e) {
            throw new UserInputException("Label map " + lab + ": " + e.getMessage(), e);
        }
        int[] v = lv.values();
        for (int k = 0; k < v.length; k++) {
            if (v[k] < 0 || v[k] >= classes) {
                int x = k % lv.width(), y = (k / lv.width()) % lv.height(), z = k / (lv.width() * lv.height());
                throw new UserInputException("Label map " + lab + " has the label " + v[k] + " (first at x=" + x + ", y=" + y
                        + ", z=" + z + "), but with " + classes + " classes labels must be 0.." + (classes - 1)
                        + ". Set the number of classes (background included) or relabel the map (e.g. BraTS label 4 -> 3).");
            }
        }
    }

    private static String size(ImagePlus imp) {
        return imp.getWidth() + " x " + imp.getHeight() + " x " + imp.getNSlices() + " slices";
    }
}
