package org.medsynth.data;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A training set of real image/label pairs mixed with synthetic pairs written by "MedSynth Augment
 * Training Set" (3D-MedGAN), in the proportions of the paper's Table 1: {@code fakeRatio} synthetic
 * pairs per real pair ("100% F + 100% R" = 1, "300% F + 100% R" = 3, "500% F + 100% R" = 5).
 *
 * <pre>{@code
 * PairedDataset real = PairedDataset.scan(images, labels, classes);
 * AugmentedPairs train = AugmentedPairs.mix(real, Path.of("synthetic"), 3);
 * for (int i = 0; i < train.size(); i++) { PairedDataset.Case c = train.load(i); ... }
 * }</pre>
 *
 * Only synthetic pairs made from the real pairs in {@code real} are used (the folder's
 * {@value #MANIFEST} names each pair's source case), so synthetic copies of validation or test cases
 * never leak into training; for each real pair its first {@code fakeRatio} copies are taken.
 */
public final class AugmentedPairs {
    public static final String MANIFEST = "augmentation.json";
    public static final String FORMAT = "medsynth-augmentation";
    public static final int VERSION = 1;

    /** One pair of the mixed set; {@code source} is the real case a synthetic pair was made from (its own name for real pairs). */
    public record Entry(PairedDataset.Pair pair, boolean synthetic, String source) { }

    private final List<Entry> entries;
    private final int classes;

    private AugmentedPairs(List<Entry> entries, int classes) {
        this.entries = Collections.unmodifiableList(entries);
        this.classes = classes;
    }

    /**
     * The real pairs followed by {@code fakeRatio} synthetic pairs per real pair.
     *
     * @param syntheticFolder a folder written by "MedSynth Augment Training Set", or null with fakeRatio 0
     * @param fakeRatio       synthetic pairs per real pair, 0 = the real pairs only
     */
    public static AugmentedPairs mix(PairedDataset real, Path syntheticFolder, int fakeRatio) {
        return build(real, syntheticFolder, fakeRatio, true);
    }

    /** Only the synthetic pairs ({@code fakeRatio} per real pair of {@code real}): the paper's "100% F" row. */
    public static AugmentedPairs syntheticOnly(PairedDataset real, Path syntheticFolder, int fakeRatio) {
        if (fakeRatio < 1) throw new IllegalArgumentException("a synthetic-only set needs at least one copy per pair, not " + fakeRatio);
        return build(real, syntheticFolder, fakeRatio, false);
    }

    private static AugmentedPairs build(PairedDataset real, Path folder, int fakeRatio, boolean withReal) {
        if (fakeRatio < 0) throw new IllegalArgumentException("copies per pair must be >= 0, not " + fakeRatio);
        List<Entry> out = new ArrayList<>();
        if (withReal) for (PairedDataset.Pair p : real.pairs()) out.add(new Entry(p, false, p.name()));
        if (fakeRatio == 0) return new AugmentedPairs(out, real.classes());
        Map<String, List<Synthetic>> bySource = read(folder);
        List<String> short_ = new ArrayList<>();
        for (PairedDataset.Pair p : real.pairs()) {
            List<Synthetic> s = bySource.getOrDefault(p.name(), List.of());
            if (s.size() < fakeRatio) {
                short_.add(p.name() + " (" + s.size() + ")");
                continue;
            }
            for (int k = 0; k < fakeRatio; k++) {
                Synthetic x = s.get(k);
                out.add(new Entry(new PairedDataset.Pair(x.name, x.image, x.labels), true, p.name()));
            }
        }
        if (!short_.isEmpty()) throw new TooFewCopies(fakeRatio, folder, short_);
        return new AugmentedPairs(out, real.classes());
    }

    /**
     * The folder holds fewer than the wanted copies for some real pairs; callers that know the user's option
     * for the number of copies say so in their terms ({@link #cases()} names them with the copies found).
     */
    public static final class TooFewCopies extends UserInputException {
        private final int wanted;
        private final Path folder;
        private final List<String> cases;

        TooFewCopies(int wanted, Path folder, List<String> cases) {
            super(wanted + " synthetic pairs per real pair are needed, but " + folder + " has fewer for " + describe(cases)
                    + ". Run MedSynth Augment Training Set with copies=" + wanted + " (into a new folder).");
            this.wanted = wanted;
            this.folder = folder;
            this.cases = List.copyOf(cases);
        }

        public int wanted() { return wanted; }
        public Path folder() { return folder; }
        public List<String> cases() { return cases; }

        /** "3 case(s): a (1), b (0), c (2)", at most five named. */
        public static String describe(List<String> cases) {
            return cases.size() + " case(s): " + String.join(", ", cases.subList(0, Math.min(5, cases.size())));
        }
    }

    private record Synthetic(String name, int copy, Path image, Path labels) { }

    private static Map<String, List<Synthetic>> read(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            throw new UserInputException("The synthetic-data folder " + folder + " does not exist. Give the output folder of MedSynth Augment Training Set.");
        }
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new UserInputException(folder + " has no " + MANIFEST + ": it was not written by MedSynth Augment Training Set."
                    + " Give the output folder of that command.");
        }
        Map<String, Object> m;
        try {
            m = new ObjectMapper().readValue(Files.readAllBytes(manifest), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UserInputException(manifest + " cannot be read (" + e.getMessage() + "); run MedSynth Augment Training Set again.", e);
        }
        if (!FORMAT.equals(m.get("format")) || !(m.get("version") instanceof Number v) || v.intValue() > VERSION) {
            throw new UserInputException(manifest + " is not an augmentation manifest this MedSynth version reads.");
        }
        Map<String, List<Synthetic>> by = new TreeMap<>();
        Object pairs = m.get("pairs");
        if (!(pairs instanceof List<?> list)) throw new UserInputException(manifest + " lists no pairs.");
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> p)) continue;
            String name = String.valueOf(p.get("name")), source = String.valueOf(p.get("source"));
            int copy = p.get("copy") instanceof Number n ? n.intValue() : 0;
            Path image = folder.resolve(String.valueOf(p.get("image"))), labels = folder.resolve(String.valueOf(p.get("labels")));
            if (!Files.isRegularFile(image) || !Files.isRegularFile(labels)) {
                throw new UserInputException("The synthetic pair " + name + " listed in " + manifest + " is missing ("
                        + (Files.isRegularFile(image) ? labels : image) + "). Do not move files out of the folder; run the augmentation again.");
            }
            by.computeIfAbsent(source, k -> new ArrayList<>()).add(new Synthetic(name, copy, image, labels));
        }
        for (List<Synthetic> l : by.values()) l.sort(Comparator.comparingInt(Synthetic::copy));
        return by;
    }

    public List<Entry> entries() { return entries; }

    public int size() { return entries.size(); }

    public int classes() { return classes; }

    public long realCount() { return entries.stream().filter(e -> !e.synthetic()).count(); }

    public long syntheticCount() { return entries.stream().filter(Entry::synthetic).count(); }

    /** Opens pair {@code i} and checks it as {@link PairedDataset#load} does (same size, labels 0..classes-1). */
    public PairedDataset.Case load(int i) {
        PairedDataset.Pair p = entries.get(i).pair();
        ImagePlus image = ImageFiles.open(p.image());
        ImagePlus labels = ImageFiles.open(p.labels());
        PairedDataset.checkPair(p, image, labels, classes);
        image.setTitle(p.name());
        labels.setTitle(p.name());
        return new PairedDataset.Case(p.name(), image, labels);
    }

    /** Counts per kind, e.g. "10 real + 30 synthetic pairs". */
    public String describe() {
        return realCount() + " real + " + syntheticCount() + " synthetic pairs";
    }

}
