package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import org.medsynth.data.LabeledImage;
import org.medsynth.data.PairedDataset;
import org.medsynth.image.bridge.FloatImage;
import org.medsynth.image.bridge.ImgBridge;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.preprocess.IntensityNormalizer;
import org.medsynth.nn.Backend;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.validate.RunLock;
import org.medsynth.workflow.training.LossHistory;
import org.medsynth.workflow.training.TrainingRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "MedSynth Train 3D-MedGAN" job: reads the image/label-map pairs of two folders, normalises
 * the intensities, finds the label values, trains with {@link MedGanTrainer} under a
 * {@link TrainingRunner} (progress, cancel, checkpoints, resume, loss curves) and writes the model.
 *
 * <p>Files: the model ({@code model}, a .zip), the checkpoint {@code model + ".ckpt"} (weights, Adam
 * states and image pool; kept after the run so that a later run with more iterations and
 * {@code resume} continues), the loss curves {@code model + ".ckpt.losses.csv"} and {@code .png}.
 */
public final class MedGanTraining {

    /** Label maps may use any non-negative whole numbers as labels (classes are found in the data). */
    static final int ANY_LABEL = 1 << 24;

    /** The training data in memory: images in [-1, 1], labels as class indices. */
    public record Data(List<LabeledImage> cases, List<String> names, LabelEncoding encoding, IntensityMapping mapping) { }

    /** How a run ended. */
    public record Result(Path model, Path checkpoint, Path lossCsv, Path lossPlot, int completedIterations, boolean cancelled,
                         LossHistory history, LabelEncoding encoding, IntensityMapping mapping) { }

    private MedGanTraining() { }

    public static Path checkpointFor(Path model) {
        return model.resolveSibling(model.getFileName() + ".ckpt");
    }

    /** Reads and prepares every pair of the two folders. */
    public static Data load(Path images, Path labels, double clipLow, double clipHigh, Progress progress) {
        return load(images, labels, clipLow, clipHigh, false, progress);
    }

    /**
     * As {@link #load(Path, Path, double, double, Progress)}; NaN and infinite pixel values are refused with
     * their count and first position, or with {@code replaceNonFinite} become the image's lowest value.
     */
    public static Data load(Path images, Path labels, double clipLow, double clipHigh, boolean replaceNonFinite, Progress progress) {
        return load(images, labels, clipLow, clipHigh, replaceNonFinite, 1, 1, "", progress);
    }

    /** As above; images smaller than {@code minSide} (or with fewer than {@code minSlices} slices) are refused with {@code needs}. */
    static Data load(Path images, Path labels, double clipLow, double clipHigh, boolean replaceNonFinite, int minSide, int minSlices,
                     String needs, Progress progress) {
        PairedDataset ds = PairedDataset.scan(images, labels, ANY_LABEL);
        List<String> names = new ArrayList<>();
        List<float[]> normalized = new ArrayList<>();
        List<int[]> values = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        double[] lows = new double[ds.size()], highs = new double[ds.size()];
        String unit = null;
        IntensityNormalizer norm = IntensityMapping.normalizer(clipLow, clipHigh);
        for (int i = 0; i < ds.size(); i++) {
            progress.checkCancelled();
            progress.report(0, "reading " + ds.pairs().get(i).name() + " (" + (i + 1) + "/" + ds.size() + ")");
            PairedDataset.Case c = ds.load(i);
            InputChecks.minimumSize(c.image(), ds.pairs().get(i).image().getFileName().toString(), minSide, minSlices, needs);
            InputChecks.Checked finite = InputChecks.finiteValues(c.image(), ds.pairs().get(i).image().getFileName().toString(),
                    "replace_nan", replaceNonFinite);
            if (finite.note() != null) progress.report(0, finite.note());
            ImagePlus img = finite.image();
            if (img.getNChannels() > 1 || img.getBitDepth() == 24) {
                throw new UserInputException("Image " + ds.pairs().get(i).image().getFileName() + " has several channels (or is RGB); "
                        + "3D-MedGAN synthesises single-channel volumes. Split the channels and train one model per channel.");
            }
            FloatImage fi = ImgBridge.toFloatImage(img);
            int plane = fi.width() * fi.height();
            float[][] planes = new float[fi.depth()][];
            for (int z = 0; z < fi.depth(); z++) planes[z] = fi.plane(0, z, 0);
            IntensityNormalizer.Stats st = norm.measure(planes);
            if (!(st.high() > st.low())) {
                throw new UserInputException("Image " + ds.pairs().get(i).image().getFileName() + " is constant between the "
                        + clipLow + " and " + clipHigh + " percentiles; nothing to learn from it. Remove it or widen the clipping.");
            }
            float[] v = new float[plane * fi.depth()];
            for (int z = 0; z < fi.depth(); z++) {
                float[] p = planes[z];
                for (int k = 0; k < plane; k++) {
                    float x = p[k];
                    v[z * plane + k] = Float.isFinite(x) ? norm.apply(x, st) : -1f;
                }
            }
            lows[i] = st.low();
            highs[i] = st.high();
            if (unit == null) unit = img.getCalibration().getValueUnit();
            names.add(c.name());
            normalized.add(v);
            values.add(LabelVolume.from(c.labels()).values());
            sizes.add(new int[]{fi.width(), fi.height(), fi.depth()});
        }
        LabelEncoding enc = LabelEncoding.of(values);
        List<LabeledImage> cases = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            int[] s = sizes.get(i);
            cases.add(new LabeledImage(new float[][]{normalized.get(i)}, enc.indices(values.get(i), "Label map " + names.get(i)), s[0], s[1], s[2]));
        }
        IntensityMapping map = IntensityMapping.of(clipLow, clipHigh, names, lows, highs, unit == null ? "" : unit);
        progress.report(0, "read " + names.size() + " pairs; labels " + enc.describe());
        return new Data(cases, names, enc, map);
    }

    /** Trains on the pairs of {@code images} / {@code labels} and writes {@code model}. */
    public static Result run(Path images, Path labels, Path model, MedGanConfig cfg, boolean resume, Progress progress) {
        return run(images, labels, model, cfg, resume, false, progress);
    }

    /**
     * As {@link #run(Path, Path, Path, MedGanConfig, boolean, Progress)}; {@code replaceNonFinite} replaces NaN and
     * infinite pixel values by each image's lowest value instead of refusing the image.
     */
    public static Result run(Path images, Path labels, Path model, MedGanConfig cfg, boolean resume, boolean replaceNonFinite,
                             Progress progress) {
        InputChecks.inputFolder(images, "images");
        InputChecks.inputFolder(labels, "labels");
        checkModelPath(model, images, labels);
        Outputs.file(model, "model");
        Backend.require();
        try (RunLock lock = RunLock.acquire(model, "Train 3D-MedGAN")) {
            int m = 1 << cfg.depth();
            boolean vol = cfg.spatialDims() == 3;
            Data data = load(images, labels, cfg.clipLow(), cfg.clipHigh(), replaceNonFinite, m, vol ? m : 1,
                    InputChecks.networkMinimum("Train 3D-MedGAN", cfg.depth(), vol) + " with depth=" + cfg.depth(), progress);
            return train(data, model, cfg, resume, progress);
        }
    }

    /** Trains on prepared data. */
    public static Result train(Data data, Path model, MedGanConfig cfg, boolean resume, Progress progress) {
        Backend.require();
        MedGanTrainer task = new MedGanTrainer(cfg, data.cases(), data.names(), data.encoding(), data.mapping());
        Path ckpt = checkpointFor(model);
        TrainingRunner runner = new TrainingRunner(ckpt, cfg.checkpointEvery(), "3D-MedGAN");
        TrainingRunner.Result r = runner.run(task, resume, progress);
        float[] offsets = calibrate(task, progress);
        try {
            task.saveModel(model, r.completedSteps(), summary(r.history(), 200), offsets);
        } catch (IOException e) {
            throw Outputs.writeFailed(model, e);
        }
        progress.report(1, String.format(Locale.ROOT, "%s %d/%d iterations; model written to %s",
                r.cancelled() ? "cancelled after" : "trained", r.completedSteps(), cfg.iterations(), model.getFileName()));
        return new Result(model, ckpt, runner.lossCsv(), runner.lossPlot(), r.completedSteps(), r.cancelled(), r.history(),
                data.encoding(), data.mapping());
    }

    /** Cases used for the intensity calibration after training (the first ones). */
    static final int CALIBRATION_CASES = 20;

    /**
     * The per-label intensity offsets of the trained generator on (up to {@value #CALIBRATION_CASES} of) its training
     * cases, noise seed = training seed + case ({@link MedGanModel#measureLabelOffsets}); classes with fewer than
     * 50 voxels get none.
     */
    static float[] calibrate(MedGanTrainer task, Progress progress) {
        List<LabeledImage> cases = task.cases();
        if (cases.size() > CALIBRATION_CASES) cases = cases.subList(0, CALIBRATION_CASES);
        // not cancellable: a cancelled run still writes its model, calibrated
        progress.report(1, "intensity calibration on " + cases.size() + " training case(s)");
        return task.model().measureLabelOffsets(cases, task.config().seed(), 50, Progress.NONE);
    }

    /** The loss history condensed to at most {@code records} means over equal runs of iterations (for the manifest). */
    static List<Map<String, Object>> summary(LossHistory h, int records) {
        List<Map<String, Object>> out = new ArrayList<>();
        int n = h.size();
        if (n == 0) return out;
        List<String> names = new ArrayList<>();
        for (String s : new String[]{"D", "G", "G_L1"}) if (!h.values(s).isEmpty()) names.add(s);
        int per = Math.max(1, (n + records - 1) / records);
        for (int start = 0; start < n; start += per) {
            int end = Math.min(n, start + per);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("iteration", end);
            for (String s : names) {
                List<Double> v = h.values(s);
                double sum = 0;
                int k = 0;
                for (int i = start; i < end && i < v.size(); i++) if (!Double.isNaN(v.get(i))) { sum += v.get(i); k++; }
                m.put(s, k == 0 ? null : sum / k);
            }
            out.add(m);
        }
        return out;
    }

    static void checkModelPath(Path model, Path images, Path labels) {
        if (model == null) throw new UserInputException("Choose a file for the model (e.g. medgan.zip).");
        if (!model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            throw new UserInputException("The model file must end in .zip (it is a zip archive): " + model.getFileName() + ".");
        }
        Path parent = model.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserInputException("The folder for the model, " + parent + ", does not exist. Create it or choose another place.");
        }
        if (Files.isDirectory(model)) throw new UserInputException(model + " is a folder; choose a file name ending in .zip.");
        for (Path in : new Path[]{images, labels}) {
            if (in != null && parent.equals(in.toAbsolutePath().normalize())) {
                throw new UserInputException("Do not write the model into the input folder " + in + " (it would be taken for an image"
                        + " next time); choose another folder.");
            }
        }
    }
}
