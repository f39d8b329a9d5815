package org.medsynth.workflow.segment;

import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.LabeledImage;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.InputChecks;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Preprocessor;
import org.medsynth.image.preprocess.SliceCrop;
import org.medsynth.metrics.SegmentationMetrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Makes the {@link TrainingSet} of a segmenter training: splits the real pairs (seeded) into validation and
 * training cases, lets the augmentation make its pairs of the training cases (synthesis happens here, before
 * any training step), then loads, checks and preprocesses every case.
 */
public final class TrainingSetBuilder {

    private TrainingSetBuilder() { }

    /** A case to load: validation cases are real; training pairs may be synthetic. */
    private record Loader(PairedDataset.Pair pair, Supplier<PairedDataset.Case> load, boolean validation, boolean synthetic) {
        String name() {
            return pair.name();
        }
    }

    /**
     * @param augmentation     makes the training pairs of the real training pairs; null = the real training pairs.
     *                         Validation cases are always real pairs of {@code data}, split off as without augmentation
     * @param replaceNonFinite NaN and infinite pixel values become each image's lowest value (the option
     *                         {@code replace_nan}); otherwise such an image is refused with the count and first position
     */
    public static TrainingSet build(SegmenterSettings settings, PairedDataset data, SegmenterTraining.Augmentation augmentation,
                             boolean replaceNonFinite, Progress progress) {
        if (data.classes() != settings.classes()) {
            throw new IllegalArgumentException("dataset has " + data.classes() + " classes, settings " + settings.classes());
        }
        List<String> notes = new ArrayList<>(data.problems());
        List<Integer> order = shuffledOrder(settings, data);
        int nVal = validationCount(settings.validation(), data.size());
        if (settings.validation() > 0 && data.size() < 2) {
            notes.add("Only one image pair: no validation (all data is used for training).");
        }
        // the cases to load, in order: validation cases (real) first, then the training pairs
        List<Loader> loaders = new ArrayList<>();
        Set<String> validationNames = new HashSet<>();
        for (int k = 0; k < nVal; k++) {
            int i = order.get(k);
            validationNames.add(data.pairs().get(i).name());
            loaders.add(new Loader(data.pairs().get(i), () -> data.load(i), true, false));
        }
        if (augmentation == null) {
            for (int k = nVal; k < order.size(); k++) {
                int i = order.get(k);
                loaders.add(new Loader(data.pairs().get(i), () -> data.load(i), false, false));
            }
        } else {
            List<String> trainingNames = new ArrayList<>();
            for (int k = nVal; k < order.size(); k++) trainingNames.add(data.pairs().get(order.get(k)).name());
            AugmentedPairs set = augmentation.trainingSet(data.subset(trainingNames), progress);
            for (int j = 0; j < set.size(); j++) {
                AugmentedPairs.Entry e = set.entries().get(j);
                if (validationNames.contains(e.source()) || !trainingNames.contains(e.source())) {
                    throw new IllegalStateException("training pair " + e.pair().name() + " comes from " + e.source()
                            + (validationNames.contains(e.source()) ? ", a validation case" : ", which is not a training case"));
                }
                int jj = j;
                loaders.add(new Loader(e.pair(), () -> loadSynthetic(set, jj), false, e.synthetic()));
            }
            notes.add("Training on " + set.describe() + "; validation on " + nVal + " real pair(s).");
        }
        return load(settings, data, loaders, augmentation == null ? null : new LinkedHashMap<>(augmentation.describe()),
                replaceNonFinite, notes, progress);
    }

    private static TrainingSet load(SegmenterSettings settings, PairedDataset data, List<Loader> loaders,
                                    Map<String, Object> augmentation, boolean replaceNonFinite, List<String> notes,
                                    Progress progress) {
        List<LabeledImage> train = new ArrayList<>();
        List<String> trainFiles = new ArrayList<>();
        List<TrainingSet.ValidationCase> validation = new ArrayList<>();
        List<String> syntheticNames = new ArrayList<>();
        int realPairs = 0;
        Preprocessor pre = new Preprocessor(settings.preprocessing());
        IntensityWindow window = settings.preprocessing().window();
        if (window != null) {
            notes.add("Intensity window " + window.describe() + " (calibrated values, HU for CT), then "
                    + settings.preprocessing().normalization().key() + "; stored in the model, so Segment applies it too.");
        }
        List<String> outsideWindow = new ArrayList<>();
        Random cropRandom = new Random(settings.seed() + 17);
        int channels = -1;
        int m = 1 << settings.depth();
        String minimum = InputChecks.networkMinimum("Train Segmenter", settings.depth(), settings.volumetric())
                + " with depth=" + settings.depth();
        int trainingMaps = 0, trainingMapsWithForeground = 0;
        for (int k = 0; k < loaders.size(); k++) {
            progress.checkCancelled();
            Loader loader = loaders.get(k);
            progress.report(0, "loading " + loader.name() + " (" + (k + 1) + "/" + loaders.size() + ")");
            PairedDataset.Case c = loader.load().get();
            String imageFile = loader.pair().image().getFileName().toString();
            InputChecks.minimumSize(c.image(), imageFile, m, settings.volumetric() ? m : 1, minimum);
            InputChecks.Checked finite = InputChecks.finiteValues(c.image(), imageFile, "replace_nan", replaceNonFinite);
            if (finite.note() != null) {
                notes.add(finite.note());
                c = new PairedDataset.Case(c.name(), finite.image(), c.labels());
            }
            boolean foreground = InputChecks.foregroundCount(LabelVolume.from(c.labels()).values()) > 0;
            if (!foreground) notes.add(InputChecks.noForegroundWarning(loader.pair().labels().getFileName().toString()));
            if (!loader.validation()) {
                trainingMaps++;
                if (foreground) trainingMapsWithForeground++;
            }
            if (window != null && window.shareInside(c.image()) < IntensityWindow.MIN_SHARE) outsideWindow.add(c.name());
            SliceCrop.Outcome o = pre.prepareTraining(c.image(), c.labels(), cropRandom);
            if (o.skipped()) {
                notes.add(c.name() + " skipped: " + o.message());
                continue;
            }
            int ch = o.image().getBitDepth() == 24 ? 3 : o.image().getNChannels();
            if (channels < 0) channels = ch;
            if (ch != channels) {
                throw new UserInputException("Image " + c.name() + " has " + ch + " channel(s) but the others have " + channels
                        + "; all training images must have the same channels (modalities).");
            }
            if (settings.volumetric() && o.image().getNSlices() < 2) {
                throw new UserInputException("A 3D patch (" + SegmenterSettings.format(settings.patch()) + ") needs volumes, but "
                        + c.name() + " is a single slice. Use a 2D patch size such as " + settings.patch()[0] + ".");
            }
            if (loader.validation()) {
                validation.add(new TrainingSet.ValidationCase(c.name(), o.image(), SegmentationMetrics.voxels(o.labels(), "label map " + c.name())));
            } else {
                train.add(LabeledImage.of(o.image(), o.labels()));
                trainFiles.add(imageFile);
                if (loader.synthetic()) syntheticNames.add(c.name());
                else realPairs++;
            }
        }
        if (!outsideWindow.isEmpty()) notes.add(outsideWindowWarning(outsideWindow, window));
        if (trainingMaps > 0 && trainingMapsWithForeground == 0) throw InputChecks.noForegroundAtAll(trainingMaps, data.labelFolder());
        if (train.isEmpty()) {
            throw new UserInputException("No training pair is left (all were skipped or held out for validation): "
                    + String.join(" ", notes));
        }
        return new TrainingSet(train, trainFiles, validation, channels, realPairs, syntheticNames, augmentation, notes);
    }

    private static String outsideWindowWarning(List<String> outsideWindow, IntensityWindow window) {
        String which = outsideWindow.size() <= 5 ? String.join(", ", outsideWindow)
                : String.join(", ", outsideWindow.subList(0, 5)) + " and " + (outsideWindow.size() - 5) + " more";
        return String.format(Locale.ROOT, "Warning: in %d image(s) (%s) less than %.0f%% of the voxels lie inside the intensity "
                + "window %s. Check that these images are calibrated (Analyze>Calibrate..., or Image>Show Info for the "
                + "calibration function; a CT should show HU) and that the window suits them.", outsideWindow.size(), which,
                100 * IntensityWindow.MIN_SHARE, window.describe());
    }

    private static PairedDataset.Case loadSynthetic(AugmentedPairs set, int j) {
        try {
            return set.load(j);
        } catch (UserInputException e) {
            throw new UserInputException("Synthetic training pair " + set.entries().get(j).pair().name() + " (made from "
                    + set.entries().get(j).source() + "): " + e.getMessage(), e);
        }
    }

    /** The pairs in the seeded order of the split: the first {@link #validationCount} are held out. */
    private static List<Integer> shuffledOrder(SegmenterSettings settings, PairedDataset data) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(settings.seed()));
        return order;
    }

    /** Number of validation cases for a share and a number of pairs (at least 1 when share > 0 and n > 1; at most n - 1). */
    static int validationCount(double share, int n) {
        return share > 0 && n > 1 ? Math.max(1, Math.min(n - 1, (int) Math.round(share * n))) : 0;
    }

    /** The names of the real pairs held out for validation (the seeded split of {@link #build}). */
    public static List<String> validationNames(SegmenterSettings settings, PairedDataset data) {
        List<Integer> order = shuffledOrder(settings, data);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < validationCount(settings.validation(), data.size()); k++) out.add(data.pairs().get(order.get(k)).name());
        return out;
    }
}
