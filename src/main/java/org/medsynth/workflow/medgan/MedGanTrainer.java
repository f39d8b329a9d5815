package org.medsynth.workflow.medgan;

import org.medsynth.data.LabeledImage;
import org.medsynth.data.Patch;
import org.medsynth.data.PatchSampler;
import org.medsynth.data.Patches;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.SpectralNorm;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.workflow.ImagePool;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.training.TrainingRunner;
import org.medsynth.workflow.training.TrainingTask;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * 3D-MedGAN training (IEEE Access 2020, sections I.A and V) as a {@link TrainingTask}: one iteration
 * is one G update and one D update on one random patch (batch size 1), in CycleGAN's order:
 * <pre>
 *   c = one-hot labels of the patch, x = its image, n = Gaussian noise (optional channel)
 *   G step (D frozen):  L_G = 1/2 mean (D(c, G(c, n)) - 1)^2  [+ l1Weight mean |G(c, n) - x|]
 *   (c', y') = pool.query(c, G(c, n))        fake pair from the image buffer (or the new one; pool 0 = off)
 *   D step (G absent):  L_D = 1/2 mean (D(c, x) - 1)^2 + 1/2 mean D(c', y')^2
 * </pre>
 * These are the paper's least-squares losses with the labels it means (real 1, fake 0, G aims at 1;
 * the printed text swaps a and b, which would make G and D cooperate). D is conditional: it sees
 * the label map with the image, as pix2pix's {@code cat(real_A, fake_B)}, so the pool stores
 * (labels, fake) pairs. D never sees G's graph: its step takes the pooled fake as an input, which
 * is how the pool can feed it generated volumes of earlier generators.
 *
 * <p>Every iteration is a pure function of (seed, iteration, weights, Adam state, pool): case, patch,
 * noise and the pool's coin flips come from {@code SplittableRandom(mix(seed, iteration))}, and a
 * checkpoint holds weights, spectral-norm vectors, both Adam states and the pool, so a resumed run
 * continues exactly as an uninterrupted one.
 */
public final class MedGanTrainer implements TrainingTask {
    public static final String G = "G";
    public static final String D = "D";
    static final String G_INPUT = "g_input";
    static final String LABELS = "labels";
    static final String REAL = "real";
    static final String POOL_LABELS = "pool_labels";
    static final String POOL_FAKE = "pool_fake";
    static final String POOL_GROUP = "pool";
    static final String CHECKPOINT_KIND = "3d-medgan-checkpoint";

    /** One pooled fake: the class-index map it was generated from [1, 1, spatial] and the fake [1, 1, spatial]. */
    record Pooled(INDArray classes, INDArray fake) {
        Pooled copy() {
            return new Pooled(classes.dup().detach(), fake.dup().detach());
        }
    }

    private final MedGanConfig cfg;
    private final List<LabeledImage> cases;
    private final LabelEncoding encoding;
    private final IntensityMapping mapping;
    private final List<String> caseNames;
    private final UNet gSpec;
    private final PatchGan dSpec;
    private final ParamStore store;
    private final Adam adamG;
    private final Adam adamD;
    private final TrainStep gStep;
    private final TrainStep dStep;
    private final String fakeName;
    private final String advName;
    private final String l1Name;
    private final String dFakeInG;
    private final String dRealName;
    private final String dPoolName;
    private ImagePool<Pooled> pool;

    /**
     * @param cases training images (one channel, already in [-1, 1]) with labels as class indices of {@code encoding}
     */
    public MedGanTrainer(MedGanConfig cfg, List<LabeledImage> cases, List<String> caseNames, LabelEncoding encoding,
                         IntensityMapping mapping) {
        if (cases.isEmpty()) throw new IllegalArgumentException("no training cases");
        for (LabeledImage c : cases) {
            if (c.channelCount() != 1) throw new UserInputException("3D-MedGAN trains on single-channel images; an image has " + c.channelCount() + " channels.");
            if (cfg.spatialDims() == 3 && c.depth() == 1) {
                throw new UserInputException("3D mode needs volumes, but an image has one slice: use mode=2D for 2D images.");
            }
        }
        this.cfg = cfg;
        this.cases = List.copyOf(cases);
        this.caseNames = List.copyOf(caseNames);
        this.encoding = encoding;
        this.mapping = mapping;
        int k = encoding.classes();
        this.gSpec = cfg.generator(k);
        this.dSpec = cfg.discriminator(k);
        this.store = new ParamStore(cfg.seed());
        this.adamG = new Adam(cfg.learningRate(), 0.5, 0.999, 1e-8);
        this.adamD = new Adam(cfg.learningRate(), 0.5, 0.999, 1e-8);
        int[] sp = cfg.patchShape();

        NetBuilder gg = NetBuilder.forTraining(store, G);
        Tensor gin = gg.input(G_INPUT, cfg.generatorInputs(k), sp);
        Tensor c = gg.input(LABELS, k, sp);
        Tensor real = gg.input(REAL, 1, sp);
        Tensor fake = gSpec.apply(gg.network(G), gin);
        SDVariable dFake = dSpec.apply(gg.network(D), c, fake).var();
        SDVariable adv = Losses.lsganG(gg.sd(), dFake).rename("lossG_adv");
        SDVariable lossG;
        if (cfg.l1Weight() > 0) {
            SDVariable l1 = Losses.l1(gg.sd(), fake.var(), real.var()).rename("lossG_L1");
            lossG = adv.add(l1.mul(cfg.l1Weight())).rename("lossG");
            l1Name = l1.name();
        } else {
            lossG = adv.add(0.0).rename("lossG");
            l1Name = null;
        }
        gStep = new TrainStep(gg, lossG, G, adamG);
        fakeName = fake.var().name();
        advName = adv.name();
        dFakeInG = dFake.name();

        NetBuilder dg = NetBuilder.forTraining(store, D);
        Tensor c2 = dg.input(LABELS, k, sp);
        Tensor real2 = dg.input(REAL, 1, sp);
        Tensor pc = dg.input(POOL_LABELS, k, sp);
        Tensor pf = dg.input(POOL_FAKE, 1, sp);
        SDVariable dReal = dSpec.apply(dg.network(D), c2, real2).var();
        SDVariable dPool = dSpec.apply(dg.network(D), pc, pf).var();
        SDVariable lossD = Losses.lsganD(dg.sd(), dReal, dPool).rename("lossD");
        dRealName = dReal.name();
        dPoolName = dPool.name();
        dStep = new TrainStep(dg, lossD, D, adamD);
        // G's first update judges its fakes with D: D's spectral norm must be estimated before that (as
        // PyTorch's first forward pass of D does). Random u, v give sigma ~ 0, D scores of +-100 and a
        // first G gradient so large that it swamps Adam's second moment for thousands of iterations.
        dStep.powerIterate();
        pool = new ImagePool<>(cfg.pool(), cfg.seed(), Pooled::copy);
    }

    public MedGanConfig config() { return cfg; }
    public ParamStore store() { return store; }
    public LabelEncoding encoding() { return encoding; }
    public IntensityMapping mapping() { return mapping; }
    public UNet generatorSpec() { return gSpec; }
    public PatchGan discriminatorSpec() { return dSpec; }
    /** Number of fakes in the image pool. */
    public int poolSize() { return pool.size(); }
    /** G's update (D frozen); with {@link #batch} and {@link #discriminatorFeeds} for benchmarks and tests. */
    public TrainStep generatorStep() { return gStep; }
    /** D's update (G absent). */
    public TrainStep discriminatorStep() { return dStep; }
    /** Output names: [G(c) in G's graph, D(c, G(c)) in G's graph, D(c, x) and D(c', y') in D's graph]. */
    String[] outputNames() { return new String[]{fakeName, dFakeInG, dRealName, dPoolName}; }

    @Override
    public int totalSteps() {
        return cfg.iterations();
    }

    /** The random source of one iteration. */
    static SplittableRandom random(long seed, long iteration) {
        return new SplittableRandom(mix(mix(seed) + iteration));
    }

    /** SplitMix64 finaliser: unrelated streams for neighbouring seeds. */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Standard normal floats (Box-Muller on the given generator). */
    static float[] gaussian(SplittableRandom rng, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
        }
        return out;
    }

    /** One-hot labels with the noise channel appended (if the model has one): G's input. */
    static INDArray generatorInput(INDArray oneHot, float[] noise) {
        if (noise == null) return oneHot;
        long[] s = oneHot.shape().clone();
        s[1] = 1;
        INDArray n = Nd4j.create(noise, s, 'c');
        return Nd4j.concat(1, oneHot, n);
    }

    @Override
    public String describe(int step) {
        return cfg.pool() > 0 ? "pool " + pool.size() + "/" + cfg.pool() : "";
    }

    /** The inputs of one iteration and the random source that continues into the pool query. */
    public record Batch(INDArray classes, INDArray oneHot, INDArray real, INDArray generatorInput, SplittableRandom rng) {
        /** Feeds of G's step. */
        public Map<String, INDArray> generatorFeeds() {
            return Map.of(G_INPUT, generatorInput, LABELS, oneHot, REAL, real);
        }
    }

    /** Case, patch and noise of iteration {@code step}. */
    public Batch batch(int step) {
        SplittableRandom rng = random(cfg.seed(), step);
        LabeledImage img = cases.get(rng.nextInt(cases.size()));
        Patch p = new PatchSampler(cfg.patchSize(), cfg.rareShare(), -1f, rng.nextLong()).sample(img);
        boolean volumetric = cfg.spatialDims() == 3;
        INDArray classes = Patches.labels(List.of(p), volumetric);
        INDArray real = Patches.images(List.of(p), volumetric);
        INDArray oneHot = encoding.oneHot(classes);
        INDArray gin = generatorInput(oneHot, cfg.noise() ? gaussian(rng, p.voxels()) : null);
        return new Batch(classes, oneHot, real, gin, rng);
    }

    /** D's feeds: the real pair and the pooled fake pair. */
    public Map<String, INDArray> discriminatorFeeds(Batch b, INDArray poolLabels, INDArray poolFake) {
        Map<String, INDArray> f = new HashMap<>();
        f.put(LABELS, b.oneHot());
        f.put(REAL, b.real());
        f.put(POOL_LABELS, poolLabels);
        f.put(POOL_FAKE, poolFake);
        return f;
    }

    @Override
    public Map<String, Double> step(int step) {
        Batch b = batch(step);
        String[] outs = l1Name == null ? new String[]{fakeName, advName} : new String[]{fakeName, advName, l1Name};
        TrainStep.Result g = gStep.run(b.generatorFeeds(), outs);
        INDArray fake = g.outputs().get(fakeName);
        double adv = g.outputs().get(advName).getDouble(0);
        double l1 = l1Name == null ? Double.NaN : g.outputs().get(l1Name).getDouble(0);

        Pooled fresh = new Pooled(b.classes(), fake);
        Pooled shown = pool.query(fresh, b.rng());
        INDArray shownLabels = shown == fresh ? b.oneHot() : encoding.oneHot(shown.classes());
        TrainStep.Result d = dStep.run(discriminatorFeeds(b, shownLabels, shown.fake()));
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("D", d.loss());
        losses.put("G", adv);
        if (l1Name != null) losses.put("G_L1", l1);
        for (INDArray a : g.outputs().values()) if (a != fake && a.closeable()) a.close();
        return losses;
    }

    private MedGanModel view;

    /**
     * The generator being trained as a {@link MedGanModel} (inference graphs over this trainer's
     * store: it sees every update without copying), for previews and tests.
     */
    public synchronized MedGanModel model() {
        if (view == null) {
            view = new MedGanModel(store, gSpec, encoding, mapping, cfg.patch(), "training", null, true, null).withEngine(gStep.engine());
        }
        return view;
    }

    // ------------------------------------------------------------------------------ archives

    /** Manifest of the model (G only) or of a checkpoint. */
    ModelArchive.Manifest manifest(int completedSteps, List<Map<String, Object>> history) {
        return manifest(completedSteps, history, null);
    }

    /** Manifest of the model with the per-class intensity offsets (null: none). */
    ModelArchive.Manifest manifest(int completedSteps, List<Map<String, Object>> history, float[] labelOffsets) {
        ModelArchive.Manifest.Builder b = ModelArchive.Manifest.builder()
                .network("generator", gSpec)
                .network("discriminator", dSpec)
                .normalisation(mapping.toMap())
                .classNames(encoding.valueList().stream().map(String::valueOf).toList())
                .metadata("kind", MedGanModel.KIND)
                .metadata("version", MedGanModel.VERSION)
                .metadata("labelValues", encoding.valueList())
                .metadata("config", cfg.toMap())
                .metadata("identity", cfg.identity())
                .metadata("completedIterations", completedSteps)
                .metadata("trainingCases", caseNames)
                .metadata("synthesis", MedGanModel.WHOLE_VOLUME)
                .metadata("engine", gStep.engine().userName());
        if (labelOffsets != null) {
            List<Double> lo = new ArrayList<>();
            for (float f : labelOffsets) lo.add((double) f);
            b.metadata("labelOffsets", lo);
        }
        List<Integer> shape = new ArrayList<>();
        shape.add(cfg.generatorInputs(encoding.classes()));
        for (int s : cfg.patchShape()) shape.add(s);
        b.inputShape(shape);
        if (history != null) b.history(history);
        return b.build();
    }

    /** Writes the trained generator as a model archive (what Synthesize Volume and Augment Training Set load). */
    public void saveModel(Path file, int completedSteps, List<Map<String, Object>> history) throws IOException {
        saveModel(file, completedSteps, history, null);
    }

    /** Writes the model with per-class intensity offsets (see {@link MedGanModel#measureLabelOffsets}). */
    public void saveModel(Path file, int completedSteps, List<Map<String, Object>> history, float[] labelOffsets) throws IOException {
        ModelArchive.save(file, manifest(completedSteps, history, labelOffsets), store, null, G);
    }

    /** The training cases (images in [-1, 1], class-index labels). */
    public List<LabeledImage> cases() { return cases; }

    @Override
    public void saveCheckpoint(Path file, int completedSteps) throws IOException {
        ParamStore ckpt = new ParamStore(store.seed());
        for (ParamStore.Param p : store.all()) {
            if (p.role() != ParamStore.Role.DERIVED) ckpt.put(p.name(), p.group(), p.role(), p.value());
        }
        List<Pooled> items = pool.contents();
        for (int i = 0; i < items.size(); i++) {
            ckpt.put(POOL_GROUP + "/" + i + "/classes", POOL_GROUP, ParamStore.Role.STATE, items.get(i).classes());
            ckpt.put(POOL_GROUP + "/" + i + "/fake", POOL_GROUP, ParamStore.Role.STATE, items.get(i).fake());
        }
        ModelArchive.Manifest m = ModelArchive.Manifest.builder()
                .network("generator", gSpec).network("discriminator", dSpec)
                .normalisation(mapping.toMap())
                .classNames(encoding.valueList().stream().map(String::valueOf).toList())
                .metadata("kind", CHECKPOINT_KIND)
                .metadata("labelValues", encoding.valueList())
                .metadata("identity", cfg.identity())
                .metadata("trainingCases", caseNames)
                .metadata("completedIterations", completedSteps)
                .metadata("poolItems", items.size())
                .build();
        Map<String, Adam> optim = new LinkedHashMap<>();
        if (adamG.steps() > 0) optim.put(G, adamG);
        if (adamD.steps() > 0) optim.put(D, adamD);
        ModelArchive.save(file, m, ckpt, optim);
    }

    @Override
    public int loadCheckpoint(Path file) {
        ModelArchive.Loaded l = ModelArchive.load(file);
        Map<String, Object> meta = l.manifest().metadata();
        if (!CHECKPOINT_KIND.equals(meta.get("kind"))) {
            throw new UserInputException(file.getFileName() + " is not a 3D-MedGAN checkpoint. Delete it, or " + TrainingRunner.NO_RESUME + ".");
        }
        List<String> diffs = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) meta.get("identity");
        for (Map.Entry<String, Object> e : cfg.identity().entrySet()) {
            Object s = saved == null ? null : saved.get(e.getKey());
            if (s == null && e.getKey().equals("upsample") && saved != null) s = UNet.Upsample.TRANSPOSED.name(); // older checkpoints
            if (!sameValue(s, e.getValue())) diffs.add(e.getKey() + " " + s + " (now " + e.getValue() + ")");
        }
        if (!sameValue(meta.get("labelValues"), encoding.valueList())) {
            diffs.add("labels " + meta.get("labelValues") + " (now " + encoding.valueList() + ")");
        }
        if (!sameValue(meta.get("trainingCases"), caseNames)) diffs.add("training cases " + meta.get("trainingCases") + " (now " + caseNames + ")");
        if (!diffs.isEmpty()) {
            throw new UserInputException("The checkpoint " + file.getFileName() + " was made with other settings or data: "
                    + String.join("; ", diffs) + ". Use the same settings to resume, or start again: " + TrainingRunner.NO_RESUME + ".");
        }
        ParamStore loaded = l.store();
        for (ParamStore.Param p : store.all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            ParamStore.Param q = loaded.get(p.name());
            if (q == null) throw new UserInputException("The checkpoint " + file.getFileName() + " lacks " + p.name() + ". Start again: " + TrainingRunner.NO_RESUME + ".");
            p.value().assign(q.value());
        }
        if (l.hasOptimizer(G)) l.restoreOptimizer(G, adamG); else adamG.reset();
        if (l.hasOptimizer(D)) l.restoreOptimizer(D, adamD); else adamD.reset();
        // u v^T of every spectral norm from the restored u, v (D's is a constant in G's graph)
        for (SpectralNorm.State st : gStep.graph().spectralNorms()) SpectralNorm.iterate(store, st, 0);
        for (SpectralNorm.State st : dStep.graph().spectralNorms()) SpectralNorm.iterate(store, st, 0);
        pool = new ImagePool<>(cfg.pool(), cfg.seed(), Pooled::copy);
        int items = ((Number) meta.getOrDefault("poolItems", 0)).intValue();
        for (int i = 0; i < items; i++) {
            INDArray c = loaded.array(POOL_GROUP + "/" + i + "/classes");
            INDArray f = loaded.array(POOL_GROUP + "/" + i + "/fake");
            pool.query(new Pooled(c, f), null); // filling: stores a copy, draws no random number
        }
        return ((Number) meta.get("completedIterations")).intValue();
    }

    /** Equality of JSON-read values and Java values (numbers by value). */
    static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!sameValue(x.get(i), y.get(i))) return false;
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }

    static INDArray floats(float[] v, long... shape) {
        return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
    }
}
