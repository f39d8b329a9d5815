package org.medsynth.workflow.hybrid;

import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.medgan.AugmentTrainingSet;
import org.medsynth.workflow.medgan.MedGanModel;
import org.medsynth.workflow.segment.SegmenterTraining;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The first stage of the paper's two-stage hybrids (IM-MedGAN, MLU-MedGAN, IM-MLU-MedGAN, section VI):
 * synthetic 3D-MedGAN pairs mixed into the training set of a segmenter, as {@link SegmenterTraining.Augmentation}.
 *
 * <p>The source is either a folder written by "MedSynth Augment Training Set" (used as it is) or a
 * 3D-MedGAN model archive: then {@code fakeRatio} synthetic pairs per real <em>training</em> pair are
 * written into {@code <segmenter model name>-synthetic/} beside the segmenter model (random label-map
 * edits + synthesis, {@link AugmentTrainingSet#extend}); a folder that already holds enough copies made
 * by the same model file (SHA-256 in its manifest) and settings is reused, one with fewer copies is
 * completed. Copies of the validation cases are neither made nor used.
 *
 * <p>Mixing follows the paper's Table 1: {@code fakeRatio} synthetic pairs per real pair together with
 * the real pairs ("100% F + 100% R" = 1, "300% F + 100% R" = 3), or the synthetic pairs alone
 * ({@code syntheticOnly}, "100% F" with ratio 1).
 */
public final class SyntheticTrainingData implements SegmenterTraining.Augmentation {

    /** Where the synthetic pairs come from. */
    public enum Kind { FOLDER, MODEL }

    private final Path source;
    private final Kind kind;
    private final SyntheticMix mix;
    private final Path folder;
    private final AugmentTrainingSet.Options generation;
    private final List<String> notes = new ArrayList<>();
    private boolean reused;

    private SyntheticTrainingData(Path source, Kind kind, SyntheticMix mix, Path folder, AugmentTrainingSet.Options generation) {
        this.source = source;
        this.kind = kind;
        this.mix = mix;
        this.folder = folder;
        this.generation = generation;
    }

    /**
     * Checks the source and returns the augmentation, or null for real data only ({@code augmentWith}
     * null, or a fake ratio of 0 without synthetic-only: then {@code notes} says the folder is not used).
     *
     * @param augmentWith    a folder written by Augment Training Set, or a 3D-MedGAN model .zip; null = none
     * @param mix            synthetic pairs per real training pair, with the real pairs or alone
     * @param segmenterModel the segmenter model file (a model source writes its pairs beside it)
     * @param classes        the segmenter's classes: label values of the synthetic maps must be below it
     * @param generation     edit and synthesis settings for a number of copies, used when {@code augmentWith} is a model
     * @param notes          receives a line when the source is given but not used
     * @throws UserInputException for a missing source, a folder without manifest, a file that is not a
     *                            3D-MedGAN model, labels that do not fit {@code classes}, or inconsistent ratios
     */
    public static SyntheticTrainingData of(Path augmentWith, SyntheticMix mix, Path segmenterModel, int classes,
                                           IntFunction<AugmentTrainingSet.Options> generation, List<String> notes) {
        int fakeRatio = mix.fakeRatio();
        boolean syntheticOnly = mix.syntheticOnly();
        if (augmentWith == null) {
            if (fakeRatio > 0 || syntheticOnly) {
                throw new UserInputException((syntheticOnly ? "synthetic_only" : "fake_ratio=" + fakeRatio) + " needs synthetic data: set augment_with"
                        + " to a 3D-MedGAN model (.zip from MedSynth Train 3D-MedGAN) or to a folder written by MedSynth Augment Training Set.");
            }
            return null;
        }
        if (syntheticOnly && fakeRatio < 1) {
            throw new UserInputException("synthetic_only trains on synthetic pairs alone and needs fake_ratio >= 1 (1 = the paper's \"100% F\").");
        }
        if (fakeRatio == 0) {
            notes.add("fake_ratio=0: trained on the real pairs only; augment_with (" + augmentWith + ") is not used.");
            return null;
        }
        if (Files.isDirectory(augmentWith)) {
            if (!Files.isRegularFile(augmentWith.resolve(AugmentedPairs.MANIFEST))) {
                throw new UserInputException("The folder " + augmentWith + " has no " + AugmentedPairs.MANIFEST + ", so it was not written by"
                        + " MedSynth Augment Training Set. augment_with takes that command's output folder or a 3D-MedGAN model (.zip).");
            }
            AugmentTrainingSet.readManifest(augmentWith); // readable and of the right format; labels are checked per pair on loading
            return new SyntheticTrainingData(augmentWith, Kind.FOLDER, mix, augmentWith, null);
        }
        if (!Files.isRegularFile(augmentWith)) {
            throw new UserInputException("augment_with " + augmentWith + " does not exist. Give a 3D-MedGAN model (.zip) or a folder written by"
                    + " MedSynth Augment Training Set.");
        }
        if (!augmentWith.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            throw new UserInputException("augment_with " + augmentWith + " is neither a folder nor a model .zip. Give a 3D-MedGAN model (.zip)"
                    + " or a folder written by MedSynth Augment Training Set.");
        }
        Map<String, Object> meta = manifestMetadata(augmentWith);
        Object kind = meta.get("kind");
        if (!MedGanModel.KIND.equals(kind)) {
            String what = org.medsynth.workflow.validate.ModelKind.describe(meta, false, augmentWith);
            throw new UserInputException(augmentWith.getFileName() + " is " + what + "; augment_with needs a 3D-MedGAN model made by"
                    + " Train 3D-MedGAN (not its .ckpt checkpoint) or a folder written by Augment Training Set.");
        }
        List<Integer> values = new ArrayList<>();
        if (meta.get("labelValues") instanceof List<?> l) for (Object o : l) if (o instanceof Number n) values.add(n.intValue());
        checkLabels(values, classes, "The 3D-MedGAN model " + augmentWith.getFileName());
        if (generation == null) throw new IllegalArgumentException("generation settings needed for a model source");
        return new SyntheticTrainingData(augmentWith, Kind.MODEL, mix, syntheticFolder(segmenterModel), generation.apply(fakeRatio));
    }

    /**
     * Train Segmenter's edits and synthesis when {@code augment_with} is a 3D-MedGAN model: label {@code editLabel}
     * (0 = a random one) edited within {@link LabelMapEditor.RandomRanges#DEFAULT}, automatic host, the model's
     * default tiling; {@code editLabel} is checked now, whatever the source.
     */
    public static IntFunction<AugmentTrainingSet.Options> generation(int editLabel, long seed) {
        AugmentTrainingSet.Options.checkEditLabel(editLabel);
        return copies -> new AugmentTrainingSet.Options(copies, editLabel, LabelMapEditor.AUTO_HOST, LabelMapEditor.RandomRanges.DEFAULT,
                seed, MedGanModel.Options.defaults(seed));
    }

    /** {@code dir/liver.zip} -> {@code dir/liver-synthetic}: where a model source writes its pairs. */
    public static Path syntheticFolder(Path segmenterModel) {
        return segmenterModel.toAbsolutePath().resolveSibling(ImageFiles.baseName(segmenterModel) + "-synthetic");
    }

    private static void checkLabels(List<Integer> values, int classes, String what) {
        List<Integer> bad = values.stream().filter(v -> v < 0 || v >= classes).toList();
        if (!bad.isEmpty()) {
            throw new UserInputException(what + " uses the labels " + values + " (" + values.size() + " labels) but the segmenter has classes="
                    + classes + " (labels 0.." + (classes - 1) + "). Set classes to " + (values.stream().mapToInt(Integer::intValue).max().orElse(0) + 1)
                    + " or use a 3D-MedGAN model trained on label maps with the segmenter's labels.");
        }
    }

    /** The manifest metadata of a model archive, read without loading the weights (empty when there is none). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> manifestMetadata(Path zip) {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry e = z.getEntry("manifest.json");
            if (e == null) return Map.of();
            try (InputStream in = z.getInputStream(e)) {
                Map<String, Object> m = new ObjectMapper().readValue(in.readAllBytes(), Map.class);
                return m.get("metadata") instanceof Map<?, ?> md ? (Map<String, Object>) md : Map.of();
            }
        } catch (IOException ex) {
            throw new UserInputException(zip.getFileName() + " is not a readable model archive (" + ex.getMessage() + "). Give a 3D-MedGAN model"
                    + " (.zip) written by MedSynth Train 3D-MedGAN or a folder written by MedSynth Augment Training Set.");
        }
    }

    @Override
    public AugmentedPairs trainingSet(PairedDataset realTraining, Progress progress) {
        if (kind == Kind.MODEL) {
            boolean enough = false;
            if (Files.isRegularFile(folder.resolve(AugmentedPairs.MANIFEST))) {
                AugmentTrainingSet.Manifest m = AugmentTrainingSet.readManifest(folder);
                Map<String, Integer> have = m.copiesPerSource();
                enough = AugmentTrainingSet.sha256(source).equals(m.modelSha256());
                for (PairedDataset.Pair p : realTraining.pairs()) enough &= have.getOrDefault(p.name(), 0) >= mix.fakeRatio();
            }
            if (enough) {
                reused = true;
                notes.add("Reused the synthetic pairs in " + folder + " (made by the same 3D-MedGAN model).");
            } else {
                progress.report(0, "synthesising " + mix.fakeRatio() + " pair(s) per training pair with " + source.getFileName() + " into " + folder);
                List<AugmentTrainingSet.Written> w = AugmentTrainingSet.extend(realTraining, source, folder, generation, progress);
                notes.add("Synthetic pairs in " + folder + ": " + w.size() + " (written by " + source.getFileName() + ").");
            }
        }
        try {
            return mix.syntheticOnly() ? AugmentedPairs.syntheticOnly(realTraining, folder, mix.fakeRatio())
                    : AugmentedPairs.mix(realTraining, folder, mix.fakeRatio());
        } catch (AugmentedPairs.TooFewCopies e) {
            throw new UserInputException("augment_with: fake_ratio=" + e.wanted() + " needs " + e.wanted() + " synthetic pairs per real pair, but "
                    + e.folder() + " has fewer for " + AugmentedPairs.TooFewCopies.describe(e.cases()) + ". Run MedSynth Augment Training Set"
                    + " with copies=" + e.wanted() + " (into a new folder), or lower fake_ratio." + completeFolderHint(), e);
        } catch (UserInputException e) {
            throw new UserInputException("augment_with: " + e.getMessage() + completeFolderHint(), e);
        }
    }

    private String completeFolderHint() {
        return kind == Kind.FOLDER ? " Or give the 3D-MedGAN model itself as augment_with: it writes the missing copies." : "";
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source.toAbsolutePath().toString());
        m.put("sourceKind", kind == Kind.MODEL ? "3d-medgan-model" : "augmentation-folder");
        if (kind == Kind.MODEL) m.put("sourceSha256", AugmentTrainingSet.sha256(source));
        m.put("fakeRatio", mix.fakeRatio());
        m.put("syntheticOnly", mix.syntheticOnly());
        m.put("syntheticFolder", folder.toAbsolutePath().toString());
        m.put("mix", mix.label());
        return m;
    }

    public Path folder() { return folder; }
    public Kind kind() { return kind; }
    public SyntheticMix mix() { return mix; }
    /** True when the pairs of a model source were already in the folder. */
    public boolean reused() { return reused; }
    /** What happened to the synthetic folder (written, reused). */
    public List<String> notes() { return notes; }
}
