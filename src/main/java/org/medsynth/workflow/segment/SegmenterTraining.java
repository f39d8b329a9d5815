package org.medsynth.workflow.segment;

import org.medsynth.data.AugmentedPairs;
import org.medsynth.data.Augmenter;
import org.medsynth.data.PairedDataset;
import org.medsynth.data.Patch;
import org.medsynth.data.PatchSampler;
import org.medsynth.data.Patches;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.image.bridge.TensorBridge;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.SegmentationMetrics;
import org.medsynth.nn.Backend;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Trains a segmentation network ({@link SegmentationNetworkFamily}) on image/label-map pairs: a
 * {@link TrainingTask} for {@link TrainingRunner} (progress, cancel, checkpoints, exact resume,
 * loss curves).
 *
 * <ul>
 *   <li><b>Data</b>: a {@link TrainingSet} made by {@link TrainingSetBuilder} before training: the pairs of a
 *       {@link PairedDataset}, preprocessed by the settings' {@link PreprocessingSpec} (stored with the model, so
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
 *       {@code model.zip.validation.csv/.png} (Dice per class per validation, {@link TrainingReport}).</li>
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
    /** Tile overlap when validation segments the held-out cases: a quarter tile, cheaper than Segment's 0.5, as it runs every epoch. */
    private static final double VALIDATION_OVERLAP = 0.25;

    private final SegmenterSettings settings;
    private final TrainingSet data;
    private final Path modelFile;
    private final SegmentationNetwork network;
    private final List<String> notes;
    private final ParamStore store;
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
    /** Which training images the patches of the last step came from. */
    private final Set<String> lastBatch = new LinkedHashSet<>();
    private int lastBatchStep = -1;

    /**
     * Builds the network for the cases of {@code data}.
     *
     * @param modelFile where the model goes (the checkpoint and curves go beside it)
     */
    public SegmenterTraining(SegmenterSettings settings, TrainingSet data, Path modelFile) {
        this.settings = settings;
        this.data = data;
        this.modelFile = modelFile;
        this.notes = new ArrayList<>(data.notes());
        SegConfig config = new SegConfig(settings.volumetric() ? 3 : 2, data.channels(), settings.classes(), settings.width(),
                settings.depth(), settings.norm());
        this.network = SegmentationNetworkFamily.create(settings.network(), config);
        this.store = new ParamStore(settings.seed());
        NetBuilder graph = NetBuilder.forTraining(store, GROUP);
        int[] p = settings.patch();
        int[] spatial = settings.volumetric() ? new int[]{p[2], p[1], p[0]} : new int[]{p[1], p[0]};
        SegmentationNetwork.Training t = network.training(graph, GROUP, data.channels(), spatial);
        for (Map.Entry<String, SDVariable> e : t.terms().entrySet()) {
            termNames.add(e.getValue().name());
            termVars.put(e.getKey(), e.getValue().name());
        }
        this.adam = new Adam(settings.learningRate(), 0.9, 0.999, 1e-8);
        this.step = new TrainStep(graph, t.loss(), GROUP, adam);
        if (settings.init() != null) initFrom(settings.init());
        this.validateEvery = settings.validateEvery() > 0 ? settings.validateEvery() : epochSteps(settings, data);
        this.augmenter = settings.augment() ? new Augmenter(true, true, false, true) : null;
    }

    /** Steps of one epoch: as many as it takes to draw as many voxels as the training cases have (1..iterations). */
    private static int epochSteps(SegmenterSettings settings, TrainingSet data) {
        int[] p = settings.patch();
        long patchVoxels = (long) p[0] * p[1] * (p.length == 3 ? p[2] : 1);
        return (int) Math.max(1, Math.min(settings.iterations(), Math.ceil((double) data.voxels() / (settings.batch() * patchVoxels))));
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
            throw new UserInputException("The initial model " + file + " (" + SegmentationNetworkFamily.nameOf(other.network())
                    + ", width " + other.network().width() + ", depth " + other.network().depth() + ") fits only " + copied + " of the "
                    + total + " weights of this " + settings.network() + " (width " + settings.width() + ", depth " + settings.depth()
                    + "). Use a model of the same network, width and depth, or leave init empty.");
        }
        notes.add(String.format(Locale.ROOT, "Started from %s: %d arrays, %.0f%% of the weights.", file.getFileName(), arrays,
                100.0 * copied / total));
    }

    /** Real and synthetic training pairs, validation pairs and the augmentation description. */
    public TrainingData trainingData() {
        return data.summary();
    }

    public SegmentationNetwork network() { return network; }
    public ParamStore store() { return store; }
    public int validateEvery() { return validateEvery; }
    public int trainingCases() { return data.cases().size(); }
    public int validationCases() { return data.validation().size(); }
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
        if (!data.validation().isEmpty() && (done % validateEvery == 0 || done == settings.iterations())) validate(done);
        return losses;
    }

    @Override
    public String describeBatch(int s) {
        return s == lastBatchStep && !lastBatch.isEmpty() ? "patches of " + String.join(", ", lastBatch) : "";
    }

    private List<Patch> sample(PatchSampler sampler, Random r, int n) {
        List<Patch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(data.cases().size());
            lastBatch.add(data.files().get(c));
            Patch p = sampler.sample(data.cases().get(c));
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
        for (TrainingSet.ValidationCase vc : data.validation()) {
            INDArray in = vol ? TensorBridge.toNCDHW(vc.image()) : TensorBridge.toNCHW(vc.image());
            INDArray probs = validator.predict(in, settings.patch(), VALIDATION_OVERLAP, Progress.NONE);
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
        TrainingReport.saveValidationCurves(validationHistory, settings.classes(), modelFile);
    }

    /** The model with the current weights. */
    SegmenterModel currentModel(Map<String, Object> extra) {
        Map<String, Object> info = new LinkedHashMap<>(settings.toMap());
        info.put("trainingCases", data.cases().size());
        info.put("validationCases", data.validation().size());
        info.put("steps", adam.steps());
        info.put("engine", step.engine().userName());
        if (data.augmentation() != null) info.put("augmentation", data.augmentationRecord());
        info.putAll(extra);
        List<String> names = SegmenterModel.defaultClassNames(settings.classes());
        return new SegmenterModel(network, settings.preprocessing(), settings.patch(), names, info,
                TrainingReport.validationRecords(validationHistory, settings.classes()), store);
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
        if (data.augmentation() != null) ck.put("augmentation", data.augmentation());
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
        String a = data.augmentation() == null ? "none" : String.valueOf(data.augmentation()), b = savedAug == null ? "none" : String.valueOf(savedAug);
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
        TrainingSet set = TrainingSetBuilder.build(settings, data, augmentation, replaceNonFinite, progress);
        SegmenterTraining task = new SegmenterTraining(settings, set, model);
        Path ckpt = checkpointOf(model);
        TrainingRunner runner = new TrainingRunner(ckpt, settings.checkpointEvery(), "Train Segmenter (" + settings.network() + ")");
        TrainingRunner.Result r = runner.run(task, resume, progress);
        List<String> notes = new ArrayList<>(task.notes());
        try {
            if (set.validation().isEmpty() || task.bestStep < 0) {
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
