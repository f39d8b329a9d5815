package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.nifti.NiftiHeader;
import org.medsynth.image.nifti.NiftiImages;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.nn.Backend;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.networks.NetworkSpec;
import org.medsynth.nn.layers.SpectralNorm;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.validate.ModelKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trained 3D-MedGAN generator: label map -> synthetic volume ("MedSynth Synthesize Volume").
 *
 * <p><b>Full-volume synthesis.</b> G uses instance normalisation, whose statistics are taken over its whole
 * input: run on tiles, every tile is normalised with its own statistics, so neighbouring tiles disagree in
 * brightness and contrast and a blended tiling shows a grid of seams. Models written by this version
 * ({@code synthesis: whole-volume} in the manifest) therefore synthesise by default in <b>one pass over the
 * whole volume</b> (padded to a multiple of 2^depth): no tiles, no seams, the same statistics everywhere.
 * Where the estimated memory of that pass ({@link #wholeVolumeBytes}) exceeds what ND4J may still allocate,
 * they fall back to the largest tiles that fit (overlap 0.5, Gaussian blending), which keeps the seams few.
 * Models written before keep their default of tiles of the training patch size, so they synthesise what they
 * synthesised before. An explicit {@code tile} is always honoured ({@link SlidingWindow}; for networks without
 * instance norm, tiles aligned to the 2^depth grid with a margin larger than the receptive field give exactly
 * the whole-volume result).
 *
 * <p><b>Intensity calibration.</b> Models written by this version carry, per label, the median difference between
 * the real training images and G's synthesis of their label maps (model units, measured once after training,
 * {@link #measureLabelOffsets}); synthesis adds it inside each label, so that the generator's systematic
 * brightness error per tissue (e.g. a liver 30 HU too dark) does not reach the calibrated output. Older models
 * have no offsets.
 *
 * <p>Noise: a model trained with a noise channel draws one N(0, 1) value per voxel of the whole
 * volume from the seed before tiling, so tiles agree on it and the same seed gives the same volume.
 */
public final class MedGanModel {
    public static final String KIND = "3d-medgan";
    public static final int VERSION = 1;

    /**
     * Largest standard deviation of a label's real intensities (model units, [-1, 1] scale: 0.3 = 15 % of the
     * intensity range) for which the label is calibrated: a tissue (liver 13 HU of 1660, grey matter), not a catch-all
     * background of air, bone and soft tissue.
     */
    public static final double MAX_CALIBRATED_SPREAD = 0.3;

    /** Manifest value of "synthesis" for models that synthesise in one whole-volume pass by default. */
    public static final String WHOLE_VOLUME = "whole-volume";

    /**
     * @param tile    tile edge in voxels; -1 = the model's default (whole volume for models of this version where memory
     *                allows, else the training patch size); 0 = the whole volume in one pass
     * @param overlap share of a tile shared with its neighbour (0..1), 0.5 by default
     * @param margin  voxels at a tile's edge that are ignored where a neighbouring tile covers them
     *                ({@link SlidingWindow}); -1 = automatic: min(tile / 8, half the overlap)
     */
    public record Options(long seed, int tile, double overlap, SlidingWindow.Blend blend, int margin) {
        public Options(long seed, int tile, double overlap, SlidingWindow.Blend blend) {
            this(seed, tile, overlap, blend, -1);
        }

        public static Options defaults(long seed) {
            return new Options(seed, -1, 0.5, SlidingWindow.Blend.GAUSSIAN, -1);
        }

        public Options withTile(int t) {
            return new Options(seed, t, overlap, blend, margin);
        }

        public Options withOverlap(double o) {
            return new Options(seed, tile, o, blend, margin);
        }

        public Options withMargin(int m) {
            return new Options(seed, tile, overlap, blend, m);
        }

        public Options withSeed(long s) {
            return new Options(s, tile, overlap, blend, margin);
        }
    }

    private final ParamStore store;
    private final UNet generator;
    private final LabelEncoding encoding;
    private final IntensityMapping mapping;
    private final int patch;
    private final String name;
    private final ModelArchive.Loaded loaded;
    private final Map<List<Integer>, NetBuilder> graphs = new HashMap<>();
    private final Map<List<Integer>, GraphRunner> runners = new HashMap<>();
    /** The engine that runs G: {@link Engine#selected()} when this was made (a copy keeps its original's). */
    private Engine engine = Engine.selected();
    private final Map<List<Integer>, String> outputs = new HashMap<>();
    private final boolean wholeVolumeDefault;
    private final float[] labelOffsets;

    MedGanModel(ParamStore store, UNet generator, LabelEncoding encoding, IntensityMapping mapping, int patch, String name,
                ModelArchive.Loaded loaded) {
        this(store, generator, encoding, mapping, patch, name, loaded, false, null);
    }

    MedGanModel(ParamStore store, UNet generator, LabelEncoding encoding, IntensityMapping mapping, int patch, String name,
                ModelArchive.Loaded loaded, boolean wholeVolumeDefault, float[] labelOffsets) {
        this.wholeVolumeDefault = wholeVolumeDefault;
        this.labelOffsets = labelOffsets == null ? null : labelOffsets.clone();
        this.store = store;
        this.generator = generator;
        this.encoding = encoding;
        this.mapping = mapping;
        this.patch = patch;
        this.name = name;
        this.loaded = loaded;
    }

    /** Loads and checks a model written by "MedSynth Train 3D-MedGAN". */
    public static MedGanModel load(Path file) {
        return load(file, "Synthesize Volume");
    }

    /** As {@link #load(Path)}; {@code purpose} names what needs the model in the message for a file of another kind. */
    public static MedGanModel load(Path file, String purpose) {
        Backend.require();
        ModelArchive.Loaded l = ModelArchive.load(file);
        String fname = file.getFileName().toString();
        Map<String, Object> meta = l.manifest().metadata();
        ModelKind.require(l, file, ModelKind.MEDGAN, purpose);
        if (!(meta.get("version") instanceof Number v) || v.intValue() > VERSION) {
            throw new UserInputException(fname + " was written by a newer MedSynth (3D-MedGAN model version " + meta.get("version")
                    + "); update MedSynth to use it.");
        }
        NetworkSpec spec = l.manifest().network("generator");
        if (!(spec instanceof UNet g)) throw new UserInputException(fname + ": the generator is not a U-Net; the file is damaged or foreign.");
        @SuppressWarnings("unchecked")
        List<Number> values = (List<Number>) meta.get("labelValues");
        LabelEncoding enc = new LabelEncoding(values.stream().mapToInt(Number::intValue).toArray());
        IntensityMapping map;
        try {
            map = IntensityMapping.fromMap(l.manifest().normalisation());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(fname + " has an unreadable intensity normalisation (" + e.getMessage() + "); re-train the model.");
        }
        List<Integer> shape = l.manifest().inputShape();
        int patch = shape.size() > 1 ? shape.get(1) : g.sizeMultiple();
        if (g.inChannels() != enc.classes() && g.inChannels() != enc.classes() + 1) {
            throw new UserInputException(fname + ": the generator has " + g.inChannels() + " inputs for " + enc.classes()
                    + " labels; the file is damaged.");
        }
        boolean whole = WHOLE_VOLUME.equals(meta.get("synthesis"));
        float[] offsets = null;
        if (meta.get("labelOffsets") instanceof List<?> lo) {
            if (lo.size() != enc.classes()) throw new UserInputException(fname + ": the label offsets do not match the labels; the file is damaged.");
            offsets = new float[lo.size()];
            for (int i = 0; i < offsets.length; i++) offsets[i] = ((Number) lo.get(i)).floatValue();
        }
        MedGanModel checked = new MedGanModel(l.store(), g, enc, map, patch, fname, l, whole, offsets);
        NetBuilder full = checked.graph(checked.tileShape(patch)); // builds and checks the generator against the file now
        return g.spectralNorm() ? checked.foldSpectralNorm(full) : checked;
    }

    /**
     * The same generator with every spectrally normalised weight replaced by W / sigma (sigma = u^T W v
     * with the stored u, v), as the graph computes it, and spectral norm switched off: identical
     * outputs, without recomputing sigma for every tile.
     */
    private MedGanModel foldSpectralNorm(NetBuilder graph) {
        ParamStore folded = new ParamStore(store.seed(), store.dataType());
        java.util.Set<String> skip = new java.util.HashSet<>();
        for (SpectralNorm.State st : graph.spectralNorms()) {
            INDArray w = store.array(st.weightName());
            double sigma = w.mul(store.array(st.uvName())).sumNumber().doubleValue();
            folded.put(st.weightName(), MedGanTrainer.G, ParamStore.Role.TRAINABLE, w.mul(1.0 / sigma));
            skip.add(st.weightName());
            skip.add(st.uName());
            skip.add(st.vName());
            skip.add(st.uvName());
        }
        for (ParamStore.Param p : store.group(MedGanTrainer.G)) {
            if (!skip.contains(p.name()) && p.role() != ParamStore.Role.DERIVED) folded.put(p.name(), p.group(), p.role(), p.value());
        }
        folded.seal();
        Map<String, Object> spec = new java.util.LinkedHashMap<>(generator.toMap());
        spec.put("spectralNorm", false);
        return new MedGanModel(folded, UNet.fromMap(spec), encoding, mapping, patch, name, null, wholeVolumeDefault, labelOffsets)
                .withManifest(loaded).withEngine(engine);
    }

    private ModelArchive.Loaded manifestSource;

    private MedGanModel withManifest(ModelArchive.Loaded l) {
        manifestSource = l;
        return this;
    }

    /** This model running on {@code e} (before any graph is built: a new model or a copy). */
    MedGanModel withEngine(Engine e) {
        if (!graphs.isEmpty()) throw new IllegalStateException("the engine of a model is fixed once it has run");
        engine = e;
        return this;
    }

    /** The engine that runs G. */
    public Engine engine() { return engine; }

    public LabelEncoding encoding() { return encoding; }
    public IntensityMapping mapping() { return mapping; }
    /** The generator as evaluated: for a loaded model with spectral norm folded into the weights (spectralNorm false). */
    public UNet generator() { return generator; }
    public int spatialDims() { return generator.spatialDims(); }
    /** The training patch edge (the default tile). */
    public int patch() { return patch; }
    /** Whether synthesis runs over the whole volume in one pass by default (models of this version). */
    public boolean wholeVolumeDefault() { return wholeVolumeDefault; }
    /** Per-class intensity offsets (model units) added after G, or null. */
    public float[] labelOffsets() { return labelOffsets == null ? null : labelOffsets.clone(); }
    /** The same model with other label offsets (null: none), e.g. to compare synthesis with and without them. */
    public MedGanModel withLabelOffsets(float[] offsets) {
        return new MedGanModel(store, generator, encoding, mapping, patch, name, loaded, wholeVolumeDefault, offsets).withManifest(manifestSource)
                .withEngine(engine);
    }
    /** Whether G takes a noise channel. */
    public boolean noise() { return generator.inChannels() == encoding.classes() + 1; }
    /** The model file's manifest (null for a trainer's view). */
    public ModelArchive.Manifest manifest() {
        ModelArchive.Loaded l = loaded != null ? loaded : manifestSource;
        return l == null ? null : l.manifest();
    }

    private int[] tileShape(int edge) {
        return spatialDims() == 3 ? new int[]{edge, edge, edge} : new int[]{edge, edge};
    }

    private synchronized NetBuilder graph(int[] spatial) {
        List<Integer> key = Arrays.stream(spatial).boxed().toList();
        NetBuilder b = graphs.get(key);
        if (b == null) {
            try (Engine.Scope s = Engine.use(engine)) {
                NetBuilder nb = NetBuilder.forInference(store);
                Tensor in = nb.input(MedGanTrainer.G_INPUT, generator.inChannels(), spatial);
                Tensor out = loaded == null ? generator.apply(nb.network(MedGanTrainer.G), in)
                        : loaded.build(nb, () -> generator.apply(nb.network(MedGanTrainer.G), in), MedGanTrainer.G);
                graphs.put(key, nb);
                outputs.put(key, out.var().name());
                runners.put(key, new GraphRunner(nb.sd(), engine));
                b = nb;
            }
        }
        return b;
    }

    /** G on a batch of generator inputs [B, K (+1), spatial...] (one-hot labels, noise); values in [-1, 1]. */
    public INDArray generate(INDArray input) {
        long[] s = input.shape();
        if (s.length != 2 + spatialDims() || s[1] != generator.inChannels()) {
            throw new IllegalArgumentException("expected [B, " + generator.inChannels() + ", " + spatialDims() + " sizes], got " + Arrays.toString(s));
        }
        int[] spatial = new int[spatialDims()];
        for (int i = 0; i < spatial.length; i++) spatial[i] = (int) s[2 + i];
        graph(spatial);
        List<Integer> key = Arrays.stream(spatial).boxed().toList();
        String out = outputs.get(key);
        INDArray in = input.dataType() == store.dataType() ? input : input.castTo(store.dataType());
        return runners.get(key).output(Map.of(MedGanTrainer.G_INPUT, in), out).get(out);
    }

    /**
     * The synthetic volume for a label map: 32-bit, in the training images' intensity units, with the
     * label map's size, spatial calibration and NIfTI geometry. Labels must be values the model knows.
     */
    public ImagePlus synthesize(ImagePlus labelMap, Options options, Progress progress) {
        LabelVolume lv = LabelVolume.from(labelMap);
        float[] values = synthesizeNormalized(lv, options, progress);
        mapping.toSource(values);
        return toImage(values, lv, labelMap);
    }

    /** The synthetic volume in the model's range [-1, 1], voxel index x + w (y + h z). */
    public float[] synthesizeNormalized(LabelVolume lv, Options options, Progress progress) {
        int w = lv.width(), h = lv.height(), d = lv.depth();
        if (spatialDims() == 3 && d == 1) {
            throw new UserInputException("This 3D-MedGAN model was trained on volumes, but the label map '" + lv.title()
                    + "' has a single slice. Use a label-map volume, or a model trained with mode=2D.");
        }
        if (!(options.overlap() >= 0 && options.overlap() < 1)) {
            throw new UserInputException("The tile overlap must be at least 0 and below 1, not " + options.overlap() + ".");
        }
        int[] idx = encoding.indices(lv);
        int n = idx.length;
        float[] noise = noise() ? MedGanTrainer.gaussian(new SplittableRandom(MedGanTrainer.mix(options.seed())), n) : null;
        int cin = noise == null ? 1 : 2;
        INDArray input;
        int plane = w * h;
        float[] data = new float[cin * n];
        if (spatialDims() == 3) {
            for (int i = 0; i < n; i++) data[i] = idx[i];
            if (noise != null) System.arraycopy(noise, 0, data, n, n);
            input = Nd4j.create(data, new long[]{1, cin, d, h, w}, 'c');
        } else {
            for (int z = 0; z < d; z++) {
                for (int i = 0; i < plane; i++) data[z * cin * plane + i] = idx[z * plane + i];
                if (noise != null) System.arraycopy(noise, z * plane, data, z * cin * plane + plane, plane);
            }
            input = Nd4j.create(data, new long[]{d, cin, h, w}, 'c');
        }
        int m = generator.sizeMultiple();
        int[] tile;
        double overlap = options.overlap();
        int margin = 0;
        int requested = options.tile();
        if (requested < 0 && wholeVolumeDefault) {
            requested = defaultTile(w, h, d);
            progress.report(0, requested == 0 ? "one pass over the whole volume"
                    : "tiles of " + requested + " (not enough memory for one pass over the whole volume; allow more with -Xmx)");
        }
        if (requested == 0) {
            tile = spatialDims() == 3 ? new int[]{roundUp(w, m), roundUp(h, m), roundUp(d, m)} : new int[]{roundUp(w, m), roundUp(h, m)};
            overlap = 0;
        } else {
            int t = requested < 0 ? patch : requested;
            if (t < m || t % m != 0) {
                throw new UserInputException("The tile size " + t + " must be a multiple of " + m + " for this model (2^depth of its generator)"
                        + "; use e.g. " + roundUp(Math.max(t, m), m) + ", or 0 for the whole volume at once.");
            }
            tile = spatialDims() == 3 ? new int[]{t, t, t} : new int[]{t, t};
            int stride = Math.max(1, (int) Math.round(t * (1 - overlap)));
            margin = options.margin() >= 0 ? options.margin() : Math.min(t / 8, (t - stride) / 2);
        }
        SlidingWindow sw = new SlidingWindow(tile, overlap, options.blend(), margin, 1, 0f);
        INDArray out = sw.predict(input, tiles -> {
            INDArray y = generate(tileInput(tiles));
            MemoryGuard.global().afterStep();
            return y;
        }, progress);
        float[] result = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (labelOffsets != null) {
            for (int i = 0; i < n; i++) result[i] = Math.max(-1f, Math.min(1f, result[i] + labelOffsets[idx[i]]));
        }
        return result;
    }

    /**
     * Bytes one pass of G over an input of this spatial size needs, roughly (the one-hot input twice, every
     * activation of the graph alive at once, float32, and the blending buffers): a generous estimate for choosing
     * between one pass and tiles (about 6.4 GB for the 181 x 217 x 181 brain with 40 labels at width 16).
     */
    public long wholeVolumeBytes(int[] spatial) {
        long v = 1;
        for (int s : spatial) v *= s;
        int dims = spatial.length;
        double perVoxel = 2.0 * generator.inChannels() + 4; // one-hot input and a reordered copy; class map, noise, output, blend
        double scale = 1;
        for (int i = 0; i < generator.depth(); i++) {
            scale /= 1 << dims;
            int c = generator.channelsAt(i);
            perVoxel += scale * c * 4;                       // encoder: activation, conv, norm (+ skip)
            perVoxel += (1 << dims) * scale * 2 * c * 2;     // decoder into this level: up-sampled input and conv
            perVoxel += scale * 2 * c * 3;                   // decoder at this level: norm, activation, concatenation
        }
        return (long) (4 * v * perVoxel);
    }

    /**
     * Per class, the median of (real - synthetic) over the voxels of that class in the given cases (model units,
     * [-1, 1] scale), with G's synthesis of each case's label map (default options, noise seed {@code seed + case});
     * 0 for a class with fewer than {@code minVoxels} voxels. Used once after training to calibrate the intensities.
     * The median, not the mean: a catch-all label (the background of an atlas: air, skull, white matter, fluid) mixes
     * tissues that G gets right (air) with others it does not, and a mean shift would move every one of them; the
     * median is the error of the typical voxel, and for a homogeneous tissue (the liver) it is its bias. A label whose
     * real intensities spread more than {@link #MAX_CALIBRATED_SPREAD} (standard deviation, model units) is such a
     * mixture, not a tissue, and gets no offset: one shift cannot be right for air and soft tissue at once (measured
     * on the brain's held-out slab: it darkened the head, docs/quality.md).
     */
    public float[] measureLabelOffsets(List<org.medsynth.data.LabeledImage> cases, long seed, int minVoxels, Progress progress) {
        int k = encoding.classes();
        int[] count = new int[k];
        for (org.medsynth.data.LabeledImage img : cases) for (int c : img.labels()) count[c]++;
        float[][] diffs = new float[k][];
        for (int j = 0; j < k; j++) diffs[j] = new float[count[j]];
        int[] fill = new int[k];
        double[] sum = new double[k], sumSq = new double[k];
        int[] values = encoding.values();
        MedGanModel raw = withLabelOffsets(null);
        for (int c = 0; c < cases.size(); c++) {
            progress.checkCancelled();
            org.medsynth.data.LabeledImage img = cases.get(c);
            int[] cls = img.labels();
            int[] vals = new int[cls.length];
            for (int i = 0; i < cls.length; i++) vals[i] = values[cls[i]];
            LabelVolume lv = new LabelVolume(img.width(), img.height(), img.depth(), vals, null, 16, "case" + c);
            float[] syn = raw.synthesizeNormalized(lv, Options.defaults(seed + c), Progress.NONE);
            float[] real = img.channel(0);
            for (int i = 0; i < cls.length; i++) {
                diffs[cls[i]][fill[cls[i]]++] = real[i] - syn[i];
                sum[cls[i]] += real[i];
                sumSq[cls[i]] += (double) real[i] * real[i];
            }
            progress.report((c + 1.0) / cases.size(), "intensity calibration " + (c + 1) + "/" + cases.size());
        }
        double[] realSpread = new double[k];
        for (int j = 0; j < k; j++) {
            if (count[j] > 0) realSpread[j] = Math.sqrt(Math.max(0, sumSq[j] / count[j] - Math.pow(sum[j] / count[j], 2)));
        }
        float[] out = new float[k];
        for (int j = 0; j < k; j++) {
            if (count[j] < minVoxels || realSpread[j] > MAX_CALIBRATED_SPREAD) continue;
            Arrays.sort(diffs[j]);
            int n = diffs[j].length;
            out[j] = n % 2 == 1 ? diffs[j][n / 2] : 0.5f * (diffs[j][n / 2 - 1] + diffs[j][n / 2]);
        }
        return out;
    }

    /** Bytes ND4J may still allocate off the Java heap (javacpp's maxBytes less what is in use). */
    static long availableBytes() {
        long max = Long.getLong("medsynth.medgan.wholeVolumeBytes", -1);
        if (max > 0) return max;
        long limit = org.bytedeco.javacpp.Pointer.maxBytes();
        if (limit <= 0) limit = Runtime.getRuntime().maxMemory();
        return Math.max(0, limit - org.bytedeco.javacpp.Pointer.totalBytes());
    }

    /** 0 (whole volume) where it fits in memory, else the largest tile (>= patch) that does. */
    public int defaultTile(int w, int h, int d) {
        int m = generator.sizeMultiple();
        int[] whole = spatialDims() == 3 ? new int[]{roundUp(w, m), roundUp(h, m), roundUp(d, m)} : new int[]{roundUp(w, m), roundUp(h, m)};
        long avail = availableBytes();
        if (wholeVolumeBytes(whole) <= avail) return 0;
        int t = patch;
        while (true) {
            int next = t + m;
            int[] shape = spatialDims() == 3 ? new int[]{next, next, next} : new int[]{next, next};
            if (next > Math.max(Math.max(whole[0], whole[1]), spatialDims() == 3 ? whole[2] : 0) || wholeVolumeBytes(shape) > avail) return t;
            t = next;
        }
    }

    /**
     * [B, 1 or 2, tile] (class index, noise) -> [B, K (+1), tile] (one-hot, noise), written straight into ND4J's
     * memory (for a whole brain with 40 labels the one-hot input is 1.3 GB: no second copy on the Java heap).
     */
    private INDArray tileInput(INDArray tiles) {
        long[] s = tiles.shape();
        float[] t = tiles.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int b = (int) s[0], cin = (int) s[1];
        int vox = t.length / (b * cin);
        int k = encoding.classes(), cout = generator.inChannels();
        long[] shape = s.clone();
        shape[1] = cout;
        INDArray out = Nd4j.zeros(DataType.FLOAT, shape);
        java.nio.FloatBuffer fb = out.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < b; i++) {
            int src = i * cin * vox, dst = i * cout * vox;
            for (int v = 0; v < vox; v++) {
                int c = Math.round(t[src + v]);
                fb.put(dst + c * vox + v, 1f);
            }
            if (cout > k) fb.put(dst + k * vox, t, src + vox, vox);
        }
        return out;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    private ImagePlus toImage(float[] values, LabelVolume lv, ImagePlus labelMap) {
        int w = lv.width(), h = lv.height(), d = lv.depth(), plane = w * h;
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < d; z++) stack.addSlice(new FloatProcessor(w, h, Arrays.copyOfRange(values, z * plane, (z + 1) * plane)));
        ImagePlus imp = new ImagePlus(baseTitle(labelMap.getTitle()) + "-synthetic", stack);
        imp.setDimensions(1, d, 1);
        Calibration cal = labelMap.getCalibration().copy();
        cal.disableDensityCalibration();
        cal.setValueUnit(mapping.valueUnit().isEmpty() ? "Gray Value" : mapping.valueUnit());
        imp.setCalibration(cal);
        NiftiHeader header = NiftiImages.storedHeader(labelMap);
        if (header != null) {
            NiftiHeader copy = header.copy();
            copy.intentCode = 0;
            copy.intentName = "";
            copy.intentP1 = copy.intentP2 = copy.intentP3 = 0;
            copy.datatype = org.medsynth.image.nifti.NiftiDataType.FLOAT32.code();
            copy.bitpix = 32;
            copy.sclSlope = 1;
            copy.sclInter = 0;
            copy.calMin = mapping.sourceLow();
            copy.calMax = mapping.sourceHigh();
            copy.descrip = "MedSynth 3D-MedGAN synthetic volume";
            NiftiImages.storeHeader(imp, copy);
        }
        imp.setProp("MedSynth.Synthesis", "3D-MedGAN model " + name + " from label map " + labelMap.getTitle());
        imp.setDisplayRange(mapping.sourceLow(), mapping.sourceHigh());
        return imp;
    }

    static String baseTitle(String title) {
        if (title == null || title.isEmpty()) return "labels";
        String t = title;
        for (String ext : new String[]{".nii.gz", ".nii", ".tif", ".tiff", ".png", ".zip"}) {
            if (t.toLowerCase(java.util.Locale.ROOT).endsWith(ext)) return t.substring(0, t.length() - ext.length());
        }
        return t;
    }
}
