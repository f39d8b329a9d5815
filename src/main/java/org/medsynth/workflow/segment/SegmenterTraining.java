package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.gui.Plot;
import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.Augmenter;
import org.medsynth.data.LabeledImage;
import org.medsynth.data.PairedDataset;
import org.medsynth.data.Patch;
import org.medsynth.data.PatchSampler;
import org.medsynth.data.Patches;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.image.preprocess.Preprocessor;
import org.medsynth.image.preprocess.SliceCrop;
import org.medsynth.image.bridge.TensorBridge;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.SegmentationMetrics;
import org.medsynth.nn.Backend;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworks;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.util.AtomicFiles;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.validate.RunLock;
import org.medsynth.workflow.training.LossHistory;
import org.medsynth.workflow.training.TrainingRunner;
import org.medsynth.workflow.training.TrainingTask;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Trains a segmentation network ({@link SegmentationNetworks}) on image/label-map pairs: a
 * {@link TrainingTask} for {@link TrainingRunner} (progress, cancel, checkpoints, exact resume,
 * loss curves).
 *
 * <ul>
 *   <li><b>Data</b>: the pairs of a {@link PairedDataset}, preprocessed by the settings'
 *       {@link org.medsynth.image.preprocess.PreprocessingSpec} (stored with the model, so
 *       segmentation repeats it); a seeded share of the cases is held out for validation.</li>
 *   <li><b>Steps</b>: each step draws {@code batch} patches ({@link PatchSampler}, with a share
 *       that contains the rarest label of the image), optionally flipped/rotated, and makes one
 *       Adam step on the network's loss (soft Dice eq. 1, + deep supervision, + MI BCE). All random
 *       choices of step s come from a generator seeded by (seed, s): a resumed run continues
 *       exactly as an uninterrupted one.</li>
 *   <li><b>Validation</b> every epoch (as many steps as it takes to draw as many voxels as the
 *       training cases have, or {@code validateEvery}) and after the last step: the held-out cases are
 *       segmented whole with the same tiling as {@link Segmenter} and scored with per-class Dice
 *       ({@link SegmentationMetrics}, voxels of all validation cases pooled). The model with the
 *       best mean foreground Dice is written to the model file at once.</li>
 *   <li><b>Files</b>: {@code model.zip} (best, or last without validation), {@code model.zip.ckpt}
 *       (weights + Adam state + step), {@code model.zip.ckpt.losses.csv/.png} (losses per step),
 *       {@code model.zip.validation.csv/.png} (Dice per class per validation).</li>
 * </ul>
 */
public final class SegmenterTraining implements TrainingTask {

    /** How a training ended. */
    public record Result(Path model, int completedSteps, boolean cancelled, LossHistory losses, LossHistory validation,
                         double bestDice, int bestStep, List<String> notes, TrainingData data) {
        /** Without the training-data summary (as before augmentation existed). */
        public Result(Path model, int completedSteps, boolean cancelled, LossHistory losses, LossHistory validation,
                      double bestDice, int bestStep, List<String> notes) {
            this(model, completedSteps, cancelled, losses, validation, bestDice, bestStep, notes, null);
        }
    }

    /**
     * Synthetic training data (the hybrid models of the paper: IM-MedGAN, MLU-MedGAN, IM-MLU-MedGAN):
     * given the real <em>training</em> pairs (after the validation cases are held out), the pairs to
     * train on, e.g. {@link AugmentedPairs#mix} of them with a folder of 3D-MedGAN pairs. Synthetic
     * pairs must be copies of these training pairs only, so that copies of validation cases never
     * reach training (checked).
     */
    public interface Augmentation {
        AugmentedPairs trainingSet(PairedDataset realTraining, Progress progress);

        /** What to record in the model and checkpoint (source, ratio, ...); a resume needs the same map. */
        Map<String, Object> describe();
    }

    /** What the network was trained and validated on. */
    public record TrainingData(int realTrainingPairs, int syntheticTrainingPairs, int validationPairs, Map<String, Object> augmentation) {
        public TrainingData {
            augmentation = augmentation == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(augmentation));
        }
    }

    private static final String GROUP = SegmenterModel.GROUP;

    private final SegmenterSettings settings;
    private final Path modelFile;
    private final SegmentationNetwork network;
    private final List<LabeledImage> train = new ArrayList<>();
    private final List<ValidationCase> validation = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final int inChannels;
    private final ParamStore store;
    private final NetBuilder graph;
    private final TrainStep step;
    private final Adam adam;
    private final List<String> termNames = new ArrayList<>();
    private final Map<String, String> termVars = new LinkedHashMap<>();
    private final int validateEvery;
    private final Augmenter augmenter;
    private LossHistory validationHistory = new LossHistory();
    private double bestDice = Double.NEGATIVE_INFINITY;
    private int bestStep = -1;
    private Segmenter validator;
    private final Map<String, Object> augmentationInfo;
    private int realTrainingPairs, syntheticTrainingPairs;
    private final List<String> syntheticNames = new ArrayList<>();
    /** Image file of every training case, and which of them the patches of the last step came from. */
    private final List<String> trainFiles = new ArrayList<>();
    private final java.util.Set<String> lastBatch = new java.util.LinkedHashSet<>();
    private int lastBatchStep = -1;

    /** A held-out case: preprocessed image and its labels (values 0..classes-1). */
    private record ValidationCase(String name, ImagePlus image, float[] labels) { }

    /**
     * Loads and preprocesses the data and builds the network.
     *
     * @param modelFile where the model goes (the checkpoint and curves go beside it)
     */
    public SegmenterTraining(SegmenterSettings settings, PairedDataset data, Path modelFile, Progress progress) {
        this(settings, data, null, modelFile, progress);
    }

    /**
     * As {@link #SegmenterTraining(SegmenterSettings, PairedDataset, Path, Progress)}, training on the
     * pairs {@code augmentation} makes of the real training pairs (null = the real training pairs).
     * Validation cases are always real pairs of {@code data}, split off as without augmentation.
     */
    public SegmenterTraining(SegmenterSettings settings, PairedDataset data, Augmentation augmentation, Path modelFile, Progress progress) {
        this(settings, data, augmentation, modelFile, false, progress);
    }

    /**
     * As {@link #SegmenterTraining(SegmenterSettings, PairedDataset, Augmentation, Path, Progress)}; with
     * {@code replaceNonFinite}, NaN and infinite pixel values become each image's lowest value (the option
     * {@code replace_nan}), otherwise such an image is refused with the count and first position.
     */
    public SegmenterTraining(SegmenterSettings settings, PairedDataset data, Augmentation augmentation, Path modelFile,
                             boolean replaceNonFinite, Progress progress) {
        this.settings = settings;
        this.modelFile = modelFile;
        this.augmentationInfo = augmentation == null ? null : new LinkedHashMap<>(augmentation.describe());
        if (data.classes() != settings.classes()) {
            throw new IllegalArgumentException("dataset has " + data.classes() + " classes, settings " + settings.classes());
        }
        notes.addAll(data.problems());
        // split the cases (seeded), then load and preprocess
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(settings.seed()));
        int nVal = validationCount(settings.validation(), data.size());
        if (settings.validation() > 0 && data.size() < 2) {
            notes.add("Only one image pair: no validation (all data is used for training).");
        }
        // the cases to load, in order: validation cases (real) first, then the training pairs
        List<Loader> loaders = new ArrayList<>();
        java.util.Set<String> validationNames = new java.util.HashSet<>();
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
            boolean foreground = InputChecks.foregroundCount(org.medsynth.image.labels.LabelVolume.from(c.labels()).values()) > 0;
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
                validation.add(new ValidationCase(c.name(), o.image(), SegmentationMetrics.voxels(o.labels(), "label map " + c.name())));
            } else {
                train.add(LabeledImage.of(o.image(), o.labels()));
                trainFiles.add(imageFile);
                if (loader.synthetic()) {
                    syntheticTrainingPairs++;
                    syntheticNames.add(c.name());
                } else {
                    realTrainingPairs++;
                }
            }
        }
        if (!outsideWindow.isEmpty()) {
            String which = outsideWindow.size() <= 5 ? String.join(", ", outsideWindow)
                    : String.join(", ", outsideWindow.subList(0, 5)) + " and " + (outsideWindow.size() - 5) + " more";
            notes.add(String.format(Locale.ROOT, "Warning: in %d image(s) (%s) less than %.0f%% of the voxels lie inside the intensity "
                    + "window %s. Check that these images are calibrated (Analyze>Calibrate..., or Image>Show Info for the "
                    + "calibration function; a CT should show HU) and that the window suits them.", outsideWindow.size(), which,
                    100 * IntensityWindow.MIN_SHARE, window.describe()));
        }
        if (trainingMaps > 0 && trainingMapsWithForeground == 0) throw InputChecks.noForegroundAtAll(trainingMaps, data.labelFolder());
        if (train.isEmpty()) {
            throw new UserInputException("No training pair is left (all were skipped or held out for validation): "
                    + String.join(" ", notes));
        }
        this.inChannels = channels;
        SegConfig config = new SegConfig(settings.volumetric() ? 3 : 2, inChannels, settings.classes(), settings.width(),
                settings.depth(), settings.norm());
        this.network = SegmentationNetworks.create(settings.network(), config);
        this.store = new ParamStore(settings.seed());
        this.graph = NetBuilder.forTraining(store, GROUP);
        int[] p = settings.patch();
        int[] spatial = settings.volumetric() ? new int[]{p[2], p[1], p[0]} : new int[]{p[1], p[0]};
        SegmentationNetwork.Training t = network.training(graph, GROUP, inChannels, spatial);
        for (Map.Entry<String, SDVariable> e : t.terms().entrySet()) {
            termNames.add(e.getValue().name());
            termVars.put(e.getKey(), e.getValue().name());
        }
        this.adam = new Adam(settings.learningRate(), 0.9, 0.999, 1e-8);
        this.step = new TrainStep(graph, t.loss(), GROUP, adam);
        if (settings.init() != null) initFrom(settings.init());
        long trainVoxels = 0;
        for (LabeledImage li : train) trainVoxels += (long) li.width() * li.height() * li.depth();
        long patchVoxels = (long) p[0] * p[1] * (p.length == 3 ? p[2] : 1);
        int epoch = (int) Math.max(1, Math.min(settings.iterations(), Math.ceil((double) trainVoxels / (settings.batch() * patchVoxels))));
        this.validateEvery = settings.validateEvery() > 0 ? settings.validateEvery() : epoch;
        this.augmenter = settings.augment() ? new Augmenter(true, true, false, true) : null;
    }

    /**
     * Copies every array of another model whose name and shape fit. Refused when less than half of
     * this network's trainable values would come from it (then it is a different network).
     */
    private void initFrom(Path file) {
        SegmenterModel other = SegmenterModel.load(file, "init (the model to start from)");
        long copied = 0, total = 0;
        int arrays = 0;
        for (ParamStore.Param p : store.all()) {
            if (p.role() == ParamStore.Role.TRAINABLE) total += p.value().length();
            ParamStore.Param o = other.store().get(p.name());
            if (o == null || !java.util.Arrays.equals(o.value().shape(), p.value().shape())) continue;
            p.value().assign(o.value());
            arrays++;
            if (p.role() == ParamStore.Role.TRAINABLE) copied += p.value().length();
        }
        if (copied * 2 < total) {
            throw new UserInputException("The initial model " + file + " (" + SegmentationNetworks.displayName(other.network())
                    + ", width " + other.network().width() + ", depth " + other.network().depth() + ") fits only " + copied + " of the "
                    + total + " weights of this " + settings.network() + " (width " + settings.width() + ", depth " + settings.depth()
                    + "). Use a model of the same network, width and depth, or leave init empty.");
        }
        notes.add(String.format(Locale.ROOT, "Started from %s: %d arrays, %.0f%% of the weights.", file.getFileName(), arrays,
                100.0 * copied / total));
    }

    private record Loader(PairedDataset.Pair pair, java.util.function.Supplier<PairedDataset.Case> load, boolean validation, boolean synthetic) {
        String name() {
            return pair.name();
        }
    }

    private static PairedDataset.Case loadSynthetic(AugmentedPairs set, int j) {
        try {
            return set.load(j);
        } catch (UserInputException e) {
            throw new UserInputException("Synthetic training pair " + set.entries().get(j).pair().name() + " (made from "
                    + set.entries().get(j).source() + "): " + e.getMessage(), e);
        }
    }

    /** Number of validation cases for a share and a number of pairs (at least 1 when share > 0 and n > 1; at most n - 1). */
    public static int validationCount(double share, int n) {
        return share > 0 && n > 1 ? Math.max(1, Math.min(n - 1, (int) Math.round(share * n))) : 0;
    }

    /** The names of the real pairs held out for validation (the seeded split of the constructor). */
    public static List<String> validationNames(SegmenterSettings settings, PairedDataset data) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(settings.seed()));
        List<String> out = new ArrayList<>();
        for (int k = 0; k < validationCount(settings.validation(), data.size()); k++) out.add(data.pairs().get(order.get(k)).name());
        return out;
    }

    /** Real and synthetic training pairs, validation pairs and the augmentation description. */
    public TrainingData trainingData() {
        return new TrainingData(realTrainingPairs, syntheticTrainingPairs, validation.size(), augmentationInfo);
    }

    public SegmentationNetwork network() { return network; }
    public ParamStore store() { return store; }
    public int validateEvery() { return validateEvery; }
    public int trainingCases() { return train.size(); }
    public int validationCases() { return validation.size(); }
    public List<String> notes() { return Collections.unmodifiableList(notes); }
    public LossHistory validationHistory() { return validationHistory; }
    public double bestDice() { return bestDice; }

    @Override
    public int totalSteps() {
        return settings.iterations();
    }

    @Override
    public String describe(int s) {
        return String.format(Locale.ROOT, "%s, lr %.0e", settings.network(), settings.learningRateAt(s));
    }

    /** The generator of all random choices of step {@code s}. */
    private long stepSeed(int s) {
        return settings.seed() * 0x9E3779B97F4A7C15L + 1_000_003L * (s + 1);
    }

    @Override
    public Map<String, Double> step(int s) {
        adam.setLearningRate(settings.learningRateAt(s));
        Random r = new Random(stepSeed(s));
        PatchSampler sampler = new PatchSampler(settings.patch(), settings.rareShare(), 0f, r.nextLong());
        lastBatch.clear();
        lastBatchStep = s;
        List<Patch> patches = sample(sampler, r, settings.batch());
        boolean vol = settings.volumetric();
        Map<String, INDArray> feeds = new HashMap<>();
        INDArray images = Patches.images(patches, vol);
        feeds.put("image", images);
        feeds.put("target", Patches.oneHot(patches, settings.classes(), vol));
        if (network.usesMutualInformation()) {
            INDArray extra = settings.batch() < 2 ? Patches.images(sample(sampler, r, 1), vol) : null;
            feeds.putAll(InfoMaxNet.feeds(images, extra, new SplittableRandom(r.nextLong())));
        }
        TrainStep.Result res = step.run(feeds, termNames.toArray(new String[0]));
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("loss", res.loss());
        for (Map.Entry<String, String> e : termVars.entrySet()) {
            losses.put(e.getKey(), res.outputs().get(e.getValue()).getDouble(0));
        }
        java.util.Set<INDArray> fed = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        fed.addAll(feeds.values());
        for (INDArray a : fed) if (a.closeable()) a.close();
        int done = s + 1;
        if (!validation.isEmpty() && (done % validateEvery == 0 || done == settings.iterations())) validate(done);
        return losses;
    }

    @Override
    public String describeBatch(int s) {
        return s == lastBatchStep && !lastBatch.isEmpty() ? "patches of " + String.join(", ", lastBatch) : "";
    }

    private List<Patch> sample(PatchSampler sampler, Random r, int n) {
        List<Patch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(train.size());
            lastBatch.add(trainFiles.get(c));
            Patch p = sampler.sample(train.get(c));
            out.add(augmenter == null ? p : augmenter.apply(p, r));
        }
        return out;
    }

    /** Segments the validation cases, records per-class Dice and keeps the best model. */
    void validate(int done) {
        if (validator == null) validator = new Segmenter(currentModel(Map.of()));
        List<ConfusionCounts> counts = new ArrayList<>();
        for (int c = 1; c < settings.classes(); c++) counts.add(new ConfusionCounts(0, 0, 0, 0));
        boolean vol = settings.volumetric();
        for (ValidationCase vc : validation) {
            INDArray in = vol ? TensorBridge.toNCDHW(vc.image()) : TensorBridge.toNCHW(vc.image());
            INDArray probs = validator.predict(in, settings.patch(), 0.25, Progress.NONE);
            int[] lab = probs.argMax(1).castTo(DataType.INT).dup('c').data().asInt();
            float[] pred = new float[lab.length];
            for (int i = 0; i < lab.length; i++) pred[i] = lab[i];
            List<org.medsynth.metrics.SegmentationClasses.ClassDef> defs = new ArrayList<>();
            for (int c = 1; c < settings.classes(); c++) defs.add(new org.medsynth.metrics.SegmentationClasses.ClassDef("class " + c, new int[]{c}, false, c));
            List<SegmentationMetrics.ClassResult> res = SegmentationMetrics.evaluate(vc.labels(), pred, defs, null, null);
            for (int c = 0; c < res.size(); c++) counts.set(c, counts.get(c).add(res.get(c).counts()));
            in.close();
            probs.close();
        }
        Map<String, Double> row = new LinkedHashMap<>();
        double sum = 0;
        for (int c = 0; c < counts.size(); c++) {
            double d = counts.get(c).dice();
            row.put("dice_" + (c + 1), d);
            sum += d;
        }
        double mean = sum / counts.size();
        row.put("dice_mean", mean);
        validationHistory.add(done, row);
        if (mean > bestDice) {
            bestDice = mean;
            bestStep = done;
            try {
                currentModel(Map.of("bestStep", done, "bestValidationDice", mean, "validationDice", row)).save(modelFile);
            } catch (IOException e) {
                throw Outputs.writeFailed(modelFile, e);
            }
        }
        saveValidationCurves();
    }

    /** The model with the current weights. */
    SegmenterModel currentModel(Map<String, Object> extra) {
        Map<String, Object> info = new LinkedHashMap<>(settings.toMap());
        info.put("trainingCases", train.size());
        info.put("validationCases", validation.size());
        info.put("steps", adam.steps());
        if (augmentationInfo != null) {
            Map<String, Object> a = new LinkedHashMap<>(augmentationInfo);
            a.put("realTrainingPairs", realTrainingPairs);
            a.put("syntheticTrainingPairs", syntheticTrainingPairs);
            a.put("syntheticPairs", List.copyOf(syntheticNames));
            List<String> vn = new ArrayList<>();
            for (ValidationCase vc : validation) vn.add(vc.name());
            a.put("validationPairs", vn);
            info.put("augmentation", a);
        }
        info.putAll(extra);
        List<String> names = SegmenterModel.defaultClassNames(settings.classes());
        return new SegmenterModel(network, settings.preprocessing(), settings.patch(), names, info, validationRecords(), store);
    }

    /** The validation history as records {step, dice_1, ..., dice_mean}. */
    private List<Map<String, Object>> validationRecords() {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Double> steps = stepsOf(validationHistory);
        for (int i = 0; i < steps.size(); i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", steps.get(i).intValue());
            for (int c = 1; c < settings.classes(); c++) r.put("dice_" + c, validationHistory.values("dice_" + c).get(i));
            r.put("dice_mean", validationHistory.values("dice_mean").get(i));
            out.add(r);
        }
        return out;
    }

    public Path validationCsv() {
        return modelFile.resolveSibling(modelFile.getFileName() + ".validation.csv");
    }

    public Path validationPlot() {
        return modelFile.resolveSibling(modelFile.getFileName() + ".validation.png");
    }

    private void saveValidationCurves() {
        try {
            validationHistory.saveCsv(validationCsv());
            ImagePlus plot = diceCurves(validationHistory, settings.classes());
            AtomicFiles.write(validationPlot(), out -> org.medsynth.image.io.ImageFiles.encodePng(plot, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(validationCsv(), e);
        }
    }

    /** Dice per class and mean against the step, as a plot image. */
    public static ImagePlus diceCurves(LossHistory h, int classes) {
        Plot plot = new Plot("Validation Dice", "step", "Dice");
        Color[] colours = {Color.BLUE, Color.RED, new Color(0, 140, 0), Color.MAGENTA, Color.ORANGE, Color.CYAN.darker()};
        List<Double> mean = h.values("dice_mean");
        double[] x = new double[mean.size()];
        List<Double> steps = stepsOf(h);
        for (int i = 0; i < x.length; i++) x[i] = steps.get(i);
        StringBuilder legend = new StringBuilder();
        for (int c = 1; c < classes; c++) {
            plot.setColor(colours[(c - 1) % colours.length]);
            plot.addPoints(x, h.values("dice_" + c).stream().mapToDouble(Double::doubleValue).toArray(), Plot.CONNECTED_CIRCLES);
            legend.append("class ").append(c).append('\n');
        }
        plot.setColor(Color.BLACK);
        plot.addPoints(x, mean.stream().mapToDouble(Double::doubleValue).toArray(), Plot.LINE);
        legend.append("mean");
        plot.addLegend(legend.toString());
        plot.setLimits(Double.NaN, Double.NaN, 0, 1);
        return plot.getImagePlus();
    }

    private static List<Double> stepsOf(LossHistory h) {
        List<Double> out = new ArrayList<>();
        String csv = h.toCsv();
        String[] lines = csv.split("\n");
        for (int i = 1; i < lines.length; i++) if (!lines[i].isBlank()) out.add(Double.parseDouble(lines[i].split(",")[0]));
        return out;
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public void saveCheckpoint(Path file, int completedSteps) throws IOException {
        Map<String, Object> ck = new LinkedHashMap<>();
        ck.put("completedSteps", completedSteps);
        ck.put("bestDice", Double.isFinite(bestDice) ? bestDice : null);
        ck.put("bestStep", bestStep);
        ck.put("validationCsv", validationHistory.toCsv());
        ck.put("settings", settings.toMap());
        if (augmentationInfo != null) ck.put("augmentation", augmentationInfo);
        currentModel(Map.of()).saveCheckpoint(file, adam, ck);
    }

    @Override
    @SuppressWarnings("unchecked")
    public int loadCheckpoint(Path file) throws IOException {
        ModelArchive.Loaded loaded = SegmenterModel.loadArchive(file);
        if (!SegmenterModel.CHECKPOINT_KIND.equals(loaded.manifest().metadata().get("kind"))) {
            throw new UserInputException("The file " + file + " is not a segmenter checkpoint.");
        }
        Map<String, Object> ck = (Map<String, Object>) loaded.manifest().metadata().get("checkpoint");
        Map<String, Object> saved = (Map<String, Object>) ck.get("settings");
        Map<String, Object> now = settings.toMap();
        for (String key : new String[]{"network", "width", "depth", "norm", "classes", "patch", "batch", "iterations", "seed"}) {
            Object a = now.get(key), b = saved.get(key);
            boolean same = a instanceof Number na && b instanceof Number nb ? na.doubleValue() == nb.doubleValue()
                    : String.valueOf(a).equals(String.valueOf(b));
            if (!same) {
                throw new UserInputException("The checkpoint " + file + " was written with " + key + "=" + b + " but now " + key + "=" + a
                        + ". Use the same settings to resume, or start again: " + TrainingRunner.NO_RESUME + ".");
            }
        }
        PreprocessingSpec savedPre = PreprocessingSpec.fromMap(loaded.manifest().normalisation());
        if (!savedPre.equals(settings.preprocessing())) {
            throw new UserInputException("The checkpoint " + file + " was trained with the preprocessing " + describe(savedPre) + " but now "
                    + describe(settings.preprocessing()) + ". Use the same window, clipping, normalization and resize to resume, "
                    + "or start again: " + TrainingRunner.NO_RESUME + ".");
        }
        Object savedAug = ck.get("augmentation");
        String a = augmentationInfo == null ? "none" : String.valueOf(augmentationInfo), b = savedAug == null ? "none" : String.valueOf(savedAug);
        if (!a.equals(b)) {
            throw new UserInputException("The checkpoint " + file + " was trained with synthetic data " + b + " but now " + a
                    + ". Use the same augment_with, fake_ratio and synthetic_only to resume, or start again: " + TrainingRunner.NO_RESUME + ".");
        }
        for (ParamStore.Param p : loaded.store().all()) {
            ParamStore.Param mine = store.get(p.name());
            if (mine == null || !java.util.Arrays.equals(mine.value().shape(), p.value().shape())) {
                throw new UserInputException("The checkpoint " + file + " does not fit this network (" + p.name() + ").");
            }
            store.put(p.name(), mine.group(), mine.role(), p.value());
        }
        if (loaded.hasOptimizer(SegmenterModel.GROUP)) loaded.restoreOptimizer(SegmenterModel.GROUP, adam);
        bestDice = ck.get("bestDice") instanceof Number n ? n.doubleValue() : Double.NEGATIVE_INFINITY;
        bestStep = ((Number) ck.get("bestStep")).intValue();
        validationHistory = LossHistory.fromCsv(String.valueOf(ck.get("validationCsv")));
        return ((Number) ck.get("completedSteps")).intValue();
    }

    private static String describe(PreprocessingSpec p) {
        return p.describeIntensity() + (p.resizes() ? ", resize " + p.width() + "x" + p.height() : "");
    }

    // ---------------------------------------------------------------- entry point

    /** The checkpoint beside a model: {@code model.zip.ckpt}. */
    public static Path checkpointOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".ckpt");
    }

    /**
     * Trains on the pairs of two folders and writes the model (and checkpoint and curves beside it).
     *
     * @param resume continue from {@code model + ".ckpt"} when it exists
     */
    public static Result run(SegmenterSettings settings, Path images, Path labels, Path model, boolean resume, Progress progress) {
        return run(settings, images, labels, null, model, resume, progress);
    }

    /**
     * As {@link #run(SegmenterSettings, Path, Path, Path, boolean, Progress)}, with synthetic training
     * data ({@code augmentation}, null = none).
     */
    public static Result run(SegmenterSettings settings, Path images, Path labels, Augmentation augmentation, Path model, boolean resume,
                             Progress progress) {
        return run(settings, images, labels, augmentation, model, resume, false, progress);
    }

    /**
     * As {@link #run(SegmenterSettings, Path, Path, Augmentation, Path, boolean, Progress)}; {@code replaceNonFinite}
     * replaces NaN and infinite pixel values by each image's lowest value instead of refusing the image.
     * The model's folder is checked for writing before anything is loaded, and the model file is claimed
     * for this run ({@link RunLock}): a second run on the same model file at the same time is refused.
     */
    public static Result run(SegmenterSettings settings, Path images, Path labels, Augmentation augmentation, Path model, boolean resume,
                             boolean replaceNonFinite, Progress progress) {
        if (model == null) throw new UserInputException("Give the model file to write (model=/path/to/model.zip).");
        if (Files.isDirectory(model)) {
            throw new UserInputException("The model path " + model + " is a folder; give a file name such as " + model.resolve("segmenter.zip") + ".");
        }
        InputChecks.inputFolder(images, "images");
        InputChecks.inputFolder(labels, "labels");
        Outputs.file(model, "model");
        try (RunLock lock = RunLock.acquire(model, "Train Segmenter")) {
            return train(settings, images, labels, augmentation, model, resume, replaceNonFinite, progress);
        }
    }

    private static Result train(SegmenterSettings settings, Path images, Path labels, Augmentation augmentation, Path model, boolean resume,
                                boolean replaceNonFinite, Progress progress) {
        Backend.require();
        PairedDataset data = PairedDataset.scan(images, labels, settings.classes());
        SegmenterTraining task = new SegmenterTraining(settings, data, augmentation, model, replaceNonFinite, progress);
        Path ckpt = checkpointOf(model);
        TrainingRunner runner = new TrainingRunner(ckpt, settings.checkpointEvery(), "Train Segmenter (" + settings.network() + ")");
        TrainingRunner.Result r = runner.run(task, resume, progress);
        List<String> notes = new ArrayList<>(task.notes());
        try {
            if (task.validation.isEmpty() || task.bestStep < 0) {
                task.currentModel(Map.of()).save(model);
                notes.add("Model with the weights after step " + r.completedSteps() + " written to " + model + ".");
            } else {
                notes.add(String.format(Locale.ROOT, "Best validation mean Dice %.4f at step %d; that model is in %s.", task.bestDice, task.bestStep, model));
            }
        } catch (IOException e) {
            throw Outputs.writeFailed(model, e);
        }
        if (r.cancelled()) notes.add("Cancelled after step " + r.completedSteps() + "; the checkpoint " + ckpt + " is kept: to continue, " + TrainingRunner.RESUME + ".");
        return new Result(model, r.completedSteps(), r.cancelled(), r.history(), task.validationHistory,
                task.bestDice, task.bestStep, notes, task.trainingData());
    }
}
