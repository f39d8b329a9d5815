package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import org.medsynth.image.bridge.TensorBridge;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.Preprocessor;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.medsynth.util.OutputWriteException;
import org.medsynth.util.Outputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a trained {@link SegmenterModel} to an image or volume: the model's preprocessing,
 * tiled prediction with {@link SlidingWindow} (tiles of the training patch size by default,
 * Gaussian blending of overlapping tiles), arg-max labels, and back to the input's size and
 * calibration ({@link Preprocessor#restore}).
 *
 * <p>A 2D model segments every slice (and frame) of a stack on its own; a 3D model every frame
 * as a volume. The input must have the model's number of channels.
 */
public final class Segmenter {

    /** What happened to one file of a folder. */
    public record Outcome(String file, boolean written, String detail) { }

    /**
     * Labels (8-bit, 16-bit beyond 255 classes) and, when asked for, the class probabilities (32-bit, one channel per class);
     * {@code note}: what was done to the input that the user should know (NaN values replaced), or null.
     */
    public record Result(ImagePlus labels, ImagePlus probabilities, String note) {
        public Result(ImagePlus labels, ImagePlus probabilities) {
            this(labels, probabilities, null);
        }
    }

    private final SegmenterModel model;
    private final Map<String, NetBuilder> graphs = new HashMap<>();
    private final Map<String, GraphRunner> runners = new HashMap<>();
    /** The engine that runs the network: {@link Engine#selected()} when the segmenter was made. */
    private final Engine engine = Engine.selected();
    private final Map<String, String> outputs = new HashMap<>();
    private boolean replaceNonFinite;

    public Segmenter(SegmenterModel model) {
        this.model = model;
    }

    /**
     * With {@code true}, NaN and infinite pixel values are replaced by the image's lowest value (the
     * Segment option {@code replace_nan}); by default such images are refused. Returns this segmenter.
     */
    public Segmenter replacingNonFinite(boolean on) {
        this.replaceNonFinite = on;
        return this;
    }

    /** @throws UserInputException for a missing, damaged or foreign model file */
    public static Segmenter load(Path modelFile) {
        return new Segmenter(SegmenterModel.load(modelFile));
    }

    public SegmenterModel model() {
        return model;
    }

    /**
     * Segments an image.
     *
     * @param tile          tile size {w, h} or {w, h, d}; null = the training patch size
     * @param overlap       share of a tile overlapping its neighbour, 0 (inclusive) .. 1 (exclusive)
     * @param probabilities also return the probability maps
     */
    public Result segment(ImagePlus image, int[] tile, double overlap, boolean probabilities, Progress progress) {
        SegmentationNetwork net = model.network();
        if (image == null) throw new UserInputException("No image to segment. Open an image first or give an input folder.");
        int channels = image.getBitDepth() == 24 ? 3 : image.getNChannels();
        if (channels != net.inChannels()) {
            throw new UserInputException("The model expects images with " + net.inChannels() + " channel(s), but " + image.getTitle()
                    + " has " + channels + ". Give an image of the kind the model was trained on.");
        }
        boolean volumetric = net.spatialDims() == 3;
        if (volumetric && image.getNSlices() < 2) {
            throw new UserInputException("The model is 3D and segments volumes, but " + image.getTitle() + " is a single slice.");
        }
        InputChecks.minimumSize(image, image.getTitle(), net.sizeMultiple(), volumetric ? net.sizeMultiple() : 1,
                InputChecks.networkMinimum("Segment", net.depth(), volumetric) + " with this model");
        InputChecks.Checked checked = InputChecks.finiteValues(image, image.getTitle(), "replace_nan", replaceNonFinite);
        String note = checked.note();
        image = checked.image();
        Preprocessor.Prepared prepared = new Preprocessor(model.preprocessing()).prepare(image);
        INDArray input = volumetric ? TensorBridge.toNCDHW(prepared.image()) : TensorBridge.toNCHW(prepared.image());
        INDArray probs = predict(input, tile, overlap, progress);
        String title = stripExtension(image.getTitle());
        ImagePlus labels = labelImage(probs, volumetric, image, title + "-labels");
        Result r = new Result(Preprocessor.restore(labels, prepared, true), null, note);
        if (probabilities) {
            ImagePlus p = volumetric ? TensorBridge.fromNCDHW(probs, title + "-probabilities", null)
                    : TensorBridge.fromNCHW(probs, title + "-probabilities", null);
            if (!volumetric) p.setDimensions(net.classes(), image.getNSlices(), image.getNFrames());
            if (p.getNChannels() > 1) p.setOpenAsHyperStack(true);
            r = new Result(r.labels(), Preprocessor.restore(p, prepared, false), note);
        }
        return r;
    }

    /**
     * Null, or a warning when the model has an intensity window and almost no voxel of {@code image} lies inside
     * it (usually an image without its calibration function: raw values instead of HU).
     */
    public String windowWarning(ImagePlus image) {
        IntensityWindow w = model.preprocessing().window();
        return w == null || image == null ? null : w.warning(image);
    }

    /**
     * Segments every image of a folder into {@code <name>-labels.tif} (and
     * {@code <name>-probabilities.tif}) in the output folder; files that are no images or cannot
     * be segmented are skipped with the reason.
     */
    public List<Outcome> segmentFolder(Path input, Path output, int[] tile, double overlap, boolean probabilities, Progress progress) {
        if (output == null) throw new UserInputException("Choose an output folder for the segmentations (output=...).");
        InputChecks.inputFolder(input, "input");
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new UserInputException("The output folder must differ from the input folder, so that no input image can be overwritten.");
        }
        Outputs.folder(output, "output");
        List<Path> files = ImageFiles.listFiles(input);
        int written = 0;
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            progress.checkCancelled();
            Path f = files.get(i);
            String name = f.getFileName().toString();
            progress.report((double) i / files.size(), "segmenting " + name + " (" + (i + 1) + "/" + files.size() + ")");
            if (!ImageFiles.looksLikeImage(f)) {
                outcomes.add(new Outcome(name, false, "skipped: not an image file"));
                continue;
            }
            try {
                Path target = output.resolve(ImageFiles.baseName(f) + "-labels.tif");
                Path pt = output.resolve(ImageFiles.baseName(f) + "-probabilities.tif");
                for (Path t : probabilities ? List.of(target, pt) : List.of(target)) {
                    if (Files.exists(t)) throw Outputs.writeFailed(t, new java.nio.file.FileAlreadyExistsException(t.toString()));
                }
                ImagePlus image = ImageFiles.open(f);
                Result r = segment(image, tile, overlap, probabilities, Progress.NONE);
                ImageFiles.createTiff(r.labels(), target);
                String detail = target.getFileName().toString();
                if (r.probabilities() != null) {
                    ImageFiles.createTiff(r.probabilities(), pt);
                    detail += ", " + pt.getFileName();
                }
                String warning = windowWarning(image);
                if (warning != null) detail += " (warning: " + warning + ")";
                if (r.note() != null) detail += " (" + r.note() + ")";
                outcomes.add(new Outcome(name, true, detail));
                written++;
            } catch (OutputWriteException e) {
                if (e.stopsRun()) {
                    throw new OutputWriteException(e.getMessage() + " Segmented before: " + written + " of " + files.size() + " files.",
                            true, e);
                }
                outcomes.add(new Outcome(name, false, "skipped: " + e.getMessage()));
            } catch (UserInputException e) {
                outcomes.add(new Outcome(name, false, "skipped: " + e.getMessage()));
            }
        }
        progress.report(1.0, outcomes.stream().filter(Outcome::written).count() + " images segmented");
        return outcomes;
    }

    /**
     * Class probabilities for a preprocessed NCHW (2D model) or NCDHW (3D model) array, tile by tile.
     *
     * @return N x classes x spatial, float
     */
    public INDArray predict(INDArray input, int[] tile, double overlap, Progress progress) {
        SegmentationNetwork net = model.network();
        int[] t = tile == null ? model.patch() : tile.clone();
        if (t.length != net.spatialDims()) {
            throw new UserInputException("The tile size must have " + net.spatialDims() + " values for this " + net.spatialDims()
                    + "D model, not " + Arrays.toString(t) + ".");
        }
        for (int v : t) {
            if (v < 1 || v % net.sizeMultiple() != 0) {
                throw new UserInputException("Tile size " + Arrays.toString(t) + ": every side must be a positive multiple of "
                        + net.sizeMultiple() + " for this network (depth " + net.depth() + ").");
            }
        }
        String key = Arrays.toString(t);
        NetBuilder b = graphs.computeIfAbsent(key, k -> {
            try (Engine.Scope scope = Engine.use(engine)) {   // the graph in the layout its engine wants
                return build(t);
            }
        });
        String out = outputs.get(key);
        SlidingWindow sw = new SlidingWindow(t, overlap, SlidingWindow.Blend.GAUSSIAN, 0, 1, 0f);
        GraphRunner runner = runners.computeIfAbsent(key, k -> new GraphRunner(b.sd(), engine));
        return sw.predict(input, tiles -> runner.output(Map.of("image", tiles), out).get(out), progress);
    }

    /**
     * The inference graph for one tile size. A loaded (sealed) store must hold every array the
     * network needs, and every array it holds must be used, except the MI encoder and critic of
     * Info-Max-Net models, which only training needs.
     */
    private NetBuilder build(int[] t) {
        SegmentationNetwork net = model.network();
        NetBuilder b = NetBuilder.forInference(model.store());
        int[] spatial = net.spatialDims() == 3 ? new int[]{t[2], t[1], t[0]} : new int[]{t[1], t[0]};
        Tensor x = b.input("image", net.inChannels(), spatial);
        SegmentationNetwork.Output o;
        try {
            o = net.apply(b.network(SegmenterModel.GROUP), x);
        } catch (ParamStore.ParameterMismatchException e) {
            throw new UserInputException("The model does not match the network it describes: " + e.getMessage()
                    + ". Re-train the model with this MedSynth version.");
        }
        if (model.store().isSealed()) {
            for (ParamStore.Param p : model.store().all()) {
                String n = p.name();
                if (p.role() == ParamStore.Role.DERIVED || b.sd().hasVariable(n)) continue;
                if (net.usesMutualInformation() && (n.startsWith("seg/mi/") || n.startsWith("seg/critic/"))) continue;
                throw new UserInputException("The model contains " + n + ", which the network does not use: the file does not match "
                        + "its own description. Re-train the model.");
            }
        }
        outputs.put(Arrays.toString(t), o.probabilities().var().name());
        return b;
    }

    /** Arg-max over the classes as a label image with the input's stack layout. */
    static ImagePlus labelImage(INDArray probs, boolean volumetric, ImagePlus like, String title) {
        long[] s = probs.shape();
        int k = (int) s[1];
        int w = (int) s[s.length - 1], h = (int) s[s.length - 2];
        int[] lab = probs.argMax(1).castTo(DataType.INT).dup('c').data().asInt();
        int plane = w * h;
        int planes = lab.length / plane;
        ImageStack st = new ImageStack(w, h);
        for (int p = 0; p < planes; p++) {
            ImageProcessor ip = k <= 256 ? new ByteProcessor(w, h) : new ShortProcessor(w, h);
            for (int i = 0; i < plane; i++) ip.set(i, lab[p * plane + i]);
            st.addSlice(ip);
        }
        ImagePlus imp = new ImagePlus(title, st);
        // NCHW: planes are (n = z * frames); NCDHW: (frame, z)
        int frames = volumetric ? (int) s[0] : like.getNFrames();
        imp.setDimensions(1, planes / Math.max(1, frames), Math.max(1, frames));
        imp.getProcessor().setMinAndMax(0, k - 1);
        return imp;
    }

    public static String stripExtension(String title) {
        if (title == null) return "image";
        String t = title;
        for (String ext : new String[]{".nii.gz", ".nii", ".tiff", ".tif", ".png", ".jpg", ".jpeg", ".bmp", ".gif"}) {
            if (t.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) return t.substring(0, t.length() - ext.length());
        }
        return t;
    }
}
