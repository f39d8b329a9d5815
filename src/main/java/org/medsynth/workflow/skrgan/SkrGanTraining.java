package org.medsynth.workflow.skrgan;

import org.medsynth.data.SketchImageDataset;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.ConditionalGan;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.validate.ModelKind;
import org.medsynth.workflow.training.TrainingRunner;
import org.medsynth.workflow.training.TrainingTask;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SkrGAN training as one {@link TrainingTask}: first the sketch guidance module (G_S/D_S, PGGAN
 * progressive growing on the sketch drafts), then the colour render mapping (G_P/D_P, pix2pix with
 * lambda_L1 = 100 on real sketch/image pairs). The stages are independent given the data (G_P learns
 * from the drafts of real images, as in the paper), so either can be trained alone. The baselines
 * (pggan, wgan-gp, dcgan) train only the first stage, on the images themselves.
 */
public final class SkrGanTraining implements TrainingTask {

    /** Which stages to train. */
    public enum Stage { BOTH, SKETCH, RENDER }

    public static final double LAMBDA_L1 = 100;

    private final SkrGanSettings settings;
    private final SketchImageDataset data;
    private final int sketchSteps;
    private final int renderSteps;
    private final ParamStore store;
    private final ProgressiveGanTraining progressive;
    private final DcganTraining dcgan;
    private ConditionalGan render;
    /** The engine every stage trains on: {@link Engine#selected()} when this was made; recorded in the model. */
    private final Engine engine = Engine.selected();

    public SkrGanTraining(SkrGanSettings settings, SketchImageDataset data, Stage stage) {
        this.settings = settings;
        this.data = data;
        if (data.channels() != settings.channels() || data.resolution() != settings.resolution()) {
            throw new IllegalArgumentException("data set does not match the settings");
        }
        boolean sketch = stage != Stage.RENDER;
        this.sketchSteps = sketch ? settings.sketchIterations() : 0;
        this.renderSteps = settings.skrgan() && stage != Stage.SKETCH ? settings.renderIterations() : 0;
        if (sketchSteps + renderSteps == 0) {
            throw new UserInputException("Nothing to train: " + (settings.skrgan()
                    ? "give sketch_iterations and/or render_iterations above 0 for the chosen stage."
                    : "the " + settings.architecture() + " baseline has no render stage; give sketch_iterations."));
        }
        this.store = new ParamStore(settings.seed());
        ProgressiveGanTraining.RealSource source = settings.skrgan()
                ? (n, r, rng) -> data.sketches(indices(n, rng), r)
                : (n, r, rng) -> data.images(indices(n, rng), r);
        if (sketchSteps == 0) {
            progressive = null;
            dcgan = null;
        } else if (settings.architecture().equals("dcgan")) {
            progressive = null;
            dcgan = new DcganTraining(store, SkrGanNetworks.dcgan(settings), source, settings.batch(), settings.seed());
        } else {
            dcgan = null;
            // the schedule refuses fewer iterations than resolutions, so every level up to the target is trained
            ProgressiveSchedule schedule = settings.progressive()
                    ? new ProgressiveSchedule(settings.resolution(), sketchSteps, settings.batch(), settings.growth())
                    : ProgressiveSchedule.fixed(settings.resolution(), sketchSteps, settings.batch());
            progressive = new ProgressiveGanTraining(store, SkrGanNetworks.pggan(settings), schedule, source,
                    SkrGanNetworks.SKETCH_G, SkrGanNetworks.SKETCH_D, settings.skrgan(), 1e-3, settings.seed());
        }
    }

    private int[] indices(int n, SplittableRandom rng) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = rng.nextInt(data.size());
        return idx;
    }

    public ParamStore store() { return store; }

    public SkrGanSettings settings() { return settings; }

    @Override
    public int totalSteps() {
        return sketchSteps + renderSteps;
    }

    @Override
    public String describe(int step) {
        if (step >= sketchSteps) return "render " + settings.resolution() + " px";
        if (dcgan != null) return "dcgan " + settings.resolution() + " px";
        ProgressiveSchedule.Phase p = progressive.schedule().at(step);
        return (settings.skrgan() ? "sketch " : "") + p.resolution() + " px" + (p.fading() ? String.format(" fade %.2f", p.alpha()) : "");
    }

    @Override
    public Map<String, Double> step(int step) {
        if (step < sketchSteps) return dcgan != null ? dcgan.step(step) : progressive.step(step);
        return renderStep(step - sketchSteps);
    }

    private Map<String, Double> renderStep(int step) {
        ensureRender();
        SplittableRandom rng = new SplittableRandom(settings.seed() * 0x632BE59BD9B4E019L + step);
        int[] idx = indices(settings.renderBatch(), rng);
        int r = settings.resolution();
        ConditionalGan.StepLosses l = render.step(data.sketches(idx, r), data.images(idx, r), rng);
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("D_P", l.d());
        losses.put("G_P adv", l.gAdversarial());
        losses.put("L1", l.gL1());
        return losses;
    }

    private void ensureRender() {
        if (render != null) return;
        UNet g = SkrGanNetworks.renderGenerator(settings);
        PatchGan d = SkrGanNetworks.renderDiscriminator(settings);
        int r = settings.resolution();
        try (Engine.Scope s = Engine.use(engine)) {
            render = new ConditionalGan(store, g::apply, d::apply, 1, settings.channels(), new int[]{r, r},
                    ConditionalGan.GanLoss.VANILLA, LAMBDA_L1, Adam.pix2pix(), Adam.pix2pix());
        }
    }

    /** The engine this training runs on. */
    public Engine engine() { return engine; }

    /** The manifest of the model (also used for checkpoints). */
    public ModelArchive.Manifest manifest(int completedSteps) {
        return manifest(completedSteps, false);
    }

    private ModelArchive.Manifest manifest(int completedSteps, boolean checkpoint) {
        ModelArchive.Manifest.Builder b = ModelArchive.Manifest.builder()
                .metadata("kind", checkpoint ? ModelKind.SKRGAN_CHECKPOINT_KIND : ModelKind.SKRGAN_KIND)
                .inputShape(settings.channels(), settings.resolution(), settings.resolution())
                .normalisation(Map.of("images", "8-bit 0..255 -> [-1, 1]; 16/32-bit: each image's min..max -> [-1, 1]",
                        "sketch", "0 -> -1, 255 -> +1"))
                .metadata("application", "skrgan")
                .metadata("settings", settings.toMap())
                .metadata("completedSteps", completedSteps)
                .metadata("sketchSteps", sketchSteps)
                .metadata("renderSteps", renderSteps)
                .metadata("trainingImages", data.size())
                .metadata("engine", engine.userName());
        if (settings.architecture().equals("dcgan")) {
            b.network(SkrGanNetworks.ROLE_SKETCH_G, SkrGanNetworks.dcgan(settings));
        } else {
            b.network(SkrGanNetworks.ROLE_SKETCH_G, SkrGanNetworks.sketchGenerator(settings));
            b.network(SkrGanNetworks.ROLE_SKETCH_D, SkrGanNetworks.sketchDiscriminator(settings));
        }
        if (settings.skrgan()) {
            b.network(SkrGanNetworks.ROLE_RENDER_G, SkrGanNetworks.renderGenerator(settings));
            b.network(SkrGanNetworks.ROLE_RENDER_D, SkrGanNetworks.renderDiscriminator(settings));
        }
        return b.build();
    }

    @Override
    public void saveCheckpoint(Path file, int completedSteps) throws IOException {
        ModelArchive.save(file, manifest(completedSteps, true), store, optimizers(completedSteps));
    }

    /** Writes the trained model (weights only, no optimiser state). */
    public void saveModel(Path file, int completedSteps) throws IOException {
        ModelArchive.save(file, manifest(completedSteps), store, Map.of());
    }

    /** As {@link #saveModel}, but only if the file does not exist (create-or-fail). */
    public void saveNewModel(Path file, int completedSteps) throws IOException {
        ModelArchive.saveNew(file, manifest(completedSteps), store, Map.of());
    }

    private Map<String, Adam> optimizers(int completedSteps) {
        Map<String, Adam> o = new LinkedHashMap<>();
        if (completedSteps < sketchSteps || completedSteps == sketchSteps && renderSteps == 0) {
            if (completedSteps > 0) prepareSketch(completedSteps);
            o.put(SkrGanNetworks.SKETCH_G, dcgan != null ? dcgan.generatorOptimizer() : progressive.generatorOptimizer());
            o.put(SkrGanNetworks.SKETCH_D, dcgan != null ? dcgan.discriminatorOptimizer() : progressive.discriminatorOptimizer());
        } else if (completedSteps > sketchSteps) {
            o.put(SkrGanNetworks.RENDER_G, render.generatorStep().optimizer());
            o.put(SkrGanNetworks.RENDER_D, render.discriminatorStep().optimizer());
        }
        o.values().removeIf(java.util.Objects::isNull);
        return o;
    }

    private void prepareSketch(int completedSteps) {
        if (progressive != null) progressive.prepare(Math.max(0, completedSteps - 1));
    }

    @Override
    public int loadCheckpoint(Path file) {
        ModelArchive.Loaded loaded = ModelArchive.load(file);
        Map<String, Object> meta = loaded.manifest().metadata();
        SkrGanSettings saved = checkpointSettings(loaded, file);
        if (!saved.equals(settings)) {
            throw new UserInputException("The checkpoint " + file.getFileName() + " was made with other settings (" + saved.toMap()
                    + "); resume with the same settings, or start again: " + TrainingRunner.NO_RESUME + ".");
        }
        int done = ((Number) meta.get("completedSteps")).intValue();
        adopt(loaded.store(), false);
        Map<String, Adam> optimizers = optimizersForResume(done);
        for (Map.Entry<String, Adam> e : optimizers.entrySet()) {
            if (loaded.hasOptimizer(e.getKey())) loaded.restoreOptimizer(e.getKey(), e.getValue());
        }
        return done;
    }

    /** The settings of a Train SkrGAN checkpoint; anything else is refused with a message. */
    static SkrGanSettings checkpointSettings(ModelArchive.Loaded loaded, Path file) {
        ModelKind kind = ModelKind.of(loaded, file);
        if (kind != ModelKind.SKRGAN_CHECKPOINT && kind != ModelKind.SKRGAN) {
            throw new UserInputException("The checkpoint " + file.getFileName() + " is " + ModelKind.describe(loaded, file)
                    + ", not a checkpoint of Train SkrGAN. Delete or move it, or set resume=false.");
        }
        return SkrGanSettings.fromMap(castMap(loaded.manifest().metadata().get("settings"), file));
    }

    /** Builds the graphs that the step after {@code done} uses, so their optimisers can be restored. */
    private Map<String, Adam> optimizersForResume(int done) {
        if (done < sketchSteps) {
            if (progressive != null) progressive.prepare(done > 0 ? done - 1 : 0);
        } else if (renderSteps > 0 && done > sketchSteps) {
            ensureRender();
        }
        return optimizers(done);
    }

    /** Copies the weights of another model (e.g. a trained sketch stage when training the render stage alone). */
    public void initFrom(Path model) {
        ModelArchive.Loaded loaded = ModelArchive.load(model);
        ModelKind.require(loaded, model, ModelKind.SKRGAN, "Train SkrGAN (continuing the existing model file)");
        SkrGanSettings other = SkrGanSettings.fromMap(castMap(loaded.manifest().metadata().get("settings"), model));
        if (other.resolution() != settings.resolution() || other.channels() != settings.channels()
                || !other.architecture().equals(settings.architecture()) || other.width() != settings.width()
                || other.renderWidth() != settings.renderWidth()) {
            throw new UserInputException("The model " + model.getFileName() + " has other settings (" + other.toMap()
                    + ") than this training; use the same architecture, resolution, rgb, width and render_width.");
        }
        boolean otherRenderNetwork = other.skrgan() && other.renderUpsample() != settings.renderUpsample();
        if (otherRenderNetwork && renderSteps == 0) {
            throw new UserInputException("The model " + model.getFileName() + " was written by an earlier MedSynth whose render network"
                    + " up-samples differently (" + other.renderUpsample() + "; this version: " + settings.renderUpsample()
                    + "), so a sketch stage trained now would not fit it. Train stage=render too (it starts G_P afresh), "
                    + "or stage=both into a new model.");
        }
        if (other.skrgan() && other.sketchShrink() != settings.sketchShrink()) {
            throw new UserInputException("The model " + model.getFileName() + " was written by an earlier MedSynth that shrank the sketch"
                    + " drafts to the model's resolution by their nearest pixels; this version keeps their thin lines (" + settings.sketchShrink()
                    + "), so the stages would see different sketches. Train stage=both into a new model.");
        }
        // the render stage of an earlier build's model is trained afresh with this build's G_P; its sketch stage is kept
        adopt(loaded.store(), otherRenderNetwork);
    }

    /**
     * Takes over every saved array, also of networks not built yet in this process (a resume in the
     * render stage still carries the sketch stage's weights into the final model); {@code withoutRenderStage} leaves
     * out G_P and D_P (an earlier build's render stage, trained afresh).
     */
    private void adopt(ParamStore saved, boolean withoutRenderStage) {
        for (ParamStore.Param p : saved.all()) {
            if (p.role() == ParamStore.Role.DERIVED) continue;
            if (withoutRenderStage && (p.name().startsWith(SkrGanNetworks.RENDER_G + "/") || p.name().startsWith(SkrGanNetworks.RENDER_D + "/"))) continue;
            store.put(p.name(), p.group(), p.role(), p.value().dup());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o, Path file) {
        if (!(o instanceof Map)) {
            throw new UserInputException(file.getFileName() + " has no SkrGAN settings although it says it is a SkrGAN model: the file is "
                    + "damaged. Copy it again or train the model again.");
        }
        return (Map<String, Object>) o;
    }

    /**
     * Creates every network's weights (initialised, untrained) without training: the sketch stage at its
     * final resolution and the render stage. For benchmarks of generation speed.
     */
    public void buildAllNetworks() {
        if (progressive != null) progressive.prepare(sketchSteps - 1);
        if (settings.skrgan()) ensureRender();
    }

    /** For tests: the render stage's generator applied to sketches (inference mode). */
    INDArray renderForTest(INDArray sketches) {
        ensureRender();
        return render.generate(sketches);
    }

}
