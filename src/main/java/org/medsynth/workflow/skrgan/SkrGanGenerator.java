package org.medsynth.workflow.skrgan;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.medsynth.nn.Backend;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.GraphRunner;
import org.medsynth.nn.networks.Dcgan;
import org.medsynth.nn.networks.PgganGenerator;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.ModelArchive;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.data.SketchPlane;
import org.medsynth.workflow.validate.ModelKind;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Samples a trained SkrGAN (or baseline) model: noise -> sketch (G_S) -> image (G_P), or noise ->
 * image for the baselines; and G_P alone on a given sketch ("Render Sketch"). Inference graphs
 * (batch-norm running statistics, no dropout), built once per generator, run on the engine selected when this was
 * made.
 */
public final class SkrGanGenerator {

    /** Generated images and, for SkrGAN, the sketches they were rendered from (null otherwise). */
    public record Generated(ImagePlus images, ImagePlus sketches) { }

    private static final String LATENT = "z";
    private static final String SKETCH = "sketch";

    private final ModelArchive.Loaded model;
    private final SkrGanSettings settings;
    /** The engine that runs the generators: {@link Engine#selected()} when this was made. */
    private final Engine engine = Engine.selected();
    private GraphRunner sampler;
    private String imageOut;
    private String sketchOut;
    private GraphRunner renderer;
    private String renderOut;

    public SkrGanGenerator(Path modelFile) {
        this(modelFile, "Generate Images");
    }

    /** @param purpose the command that needs the model, for the message when the file is of another kind */
    public SkrGanGenerator(Path modelFile, String purpose) {
        Backend.require();
        this.model = ModelArchive.load(modelFile);
        ModelKind.require(model, modelFile, ModelKind.SKRGAN, purpose);
        this.settings = SkrGanSettings.fromMap(SkrGanTraining.castMap(model.manifest().metadata().get("settings"), modelFile));
    }

    public SkrGanSettings settings() { return settings; }

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    /** Images are sampled in batches of this many, aligned to multiples of it from image 0. */
    public static final int BATCH = 8;

    /** {@code count} images from noise; the same seed gives the same images. */
    public Generated generate(int count, long seed, Progress progress) {
        if (count < 1 || count > 100_000) throw new UserInputException("count must be between 1 and 100000; got " + count + ".");
        return generate(0, count, seed, progress);
    }

    /**
     * Images {@code first} .. {@code first + count - 1} (0-based) of the sequence that {@link #generate(int, long, Progress)}
     * makes with this seed: image i depends only on (seed, i), so parts of a sequence can be made separately (e.g. by
     * Spark tasks). Identical bytes to the whole sequence when {@code first} is a multiple of {@link #BATCH} (the
     * batches are then the same).
     */
    public Generated generate(int first, int count, long seed, Progress progress) {
        if (first < 0 || count < 1) throw new UserInputException("Images " + first + " .. " + (first + count - 1) + " do not exist.");
        buildSampler();
        int latentSize = latentSize();
        ImageStack images = new ImageStack(settings.resolution(), settings.resolution());
        ImageStack sketches = settings.skrgan() ? new ImageStack(settings.resolution(), settings.resolution()) : null;
        // every latent value takes two draws (ProgressiveGanTraining.gaussian): skip those of the images before 'first'.
        // SplittableRandom is SplitMix64, whose every draw adds GOLDEN_GAMMA to the state: k draws later it is the
        // generator seeded with seed + k * GOLDEN_GAMMA (SkrGanTrainingTest checks this against drawing them)
        SplittableRandom rng = new SplittableRandom(seed + 2L * first * latentSize * GOLDEN_GAMMA);
        int batch = BATCH;
        for (int done = 0; done < count; ) {
            progress.checkCancelled();
            int n = Math.min(batch - (first + done) % batch, count - done);
            double[] z = new double[n * latentSize];
            for (int i = 0; i < z.length; i++) z[i] = ProgressiveGanTraining.gaussian(rng);
            INDArray latent = Nd4j.create(z, new long[]{n, latentSize}, model.store().dataType());
            Map<String, INDArray> out = sketchOut == null
                    ? sampler.output(Map.of(LATENT, latent), imageOut)
                    : sampler.output(Map.of(LATENT, latent), imageOut, sketchOut);
            for (int i = 0; i < n; i++) {
                images.addSlice("generated " + (first + done + i + 1), toImage(out.get(imageOut), i));
                if (sketches != null) sketches.addSlice("sketch " + (first + done + i + 1), toSketch(out.get(sketchOut), i));
            }
            done += n;
            progress.report((double) done / count, done + "/" + count + " images");
        }
        return new Generated(new ImagePlus("SkrGAN generated", images),
                sketches == null ? null : new ImagePlus("SkrGAN sketches", sketches));
    }

    /** G_P on a user's sketch (binary or grey; resized to the model's resolution). */
    public ImagePlus render(ImagePlus sketch) {
        if (!settings.skrgan()) {
            throw new UserInputException("This model is a " + settings.architecture() + " baseline without a render stage; "
                    + "Render Sketch needs a SkrGAN model.");
        }
        buildRenderer();
        int r = settings.resolution();
        ImageStack out = new ImageStack(r, r);
        for (int i = 1; i <= sketch.getStackSize(); i++) {
            float[] s = SketchPlane.of(sketch.getStack().getProcessor(i).convertToByteProcessor(true), r, settings.sketchShrink());
            INDArray x = Nd4j.create(s, new long[]{1, 1, r, r}).castTo(model.store().dataType());
            INDArray y = renderer.output(Map.of(SKETCH, x), renderOut).get(renderOut);
            out.addSlice(sketch.getStack().getSliceLabel(i), toImage(y, 0));
        }
        String base = sketch.getTitle() == null ? "sketch" : sketch.getTitle().replaceFirst("\\.[A-Za-z]{2,4}$", "");
        return new ImagePlus(base + "-rendered", out);
    }

    private int latentSize() {
        return settings.architecture().equals("dcgan") ? SkrGanNetworks.dcgan(settings).latentSize()
                : SkrGanNetworks.pggan(settings).latentSize();
    }

    private void buildSampler() {
        if (sampler != null) return;
        try (Engine.Scope s = Engine.use(engine)) {
            sampler = new GraphRunner(sampleGraph().sd(), engine);
        }
    }

    private NetBuilder sampleGraph() {
        String finalLayer = SkrGanNetworks.SKETCH_G + "/toRGB" + settings.resolution() + "/";
        boolean grown = settings.architecture().equals("dcgan")
                || hasParametersUnder(finalLayer);
        if (!grown) {
            throw new UserInputException("The " + (settings.skrgan() ? "sketch stage (G_S)" : "generator") + " of this model has not been "
                    + "trained up to " + settings.resolution() + " px, so it cannot generate images yet. Train it "
                    + (settings.skrgan() ? "with stage=sketch (or both)" : "") + " with at least as many iterations as resolutions.");
        }
        if (settings.skrgan() && !hasParametersUnder(SkrGanNetworks.RENDER_G + "/")) {
            throw new UserInputException("The render stage (G_P) of this model is not trained yet: it can draw sketches but not paint"
                    + " images. Train it with Train SkrGAN stage=render into the same model file (the sketch stage is kept).");
        }
        NetBuilder b = NetBuilder.forInference(model.store());
        int r = settings.resolution();
        Tensor image = model.build(b, () -> {
            if (settings.architecture().equals("dcgan")) {
                Dcgan net = (Dcgan) model.manifest().network(SkrGanNetworks.ROLE_SKETCH_G);
                return net.generate(b.network(SkrGanNetworks.SKETCH_G), b.vectorInput(LATENT, net.latentSize()));
            }
            PgganGenerator g = (PgganGenerator) model.manifest().network(SkrGanNetworks.ROLE_SKETCH_G);
            Tensor z = b.vectorInput(LATENT, g.config().latentSize());
            NetBuilder gs = b.network(SkrGanNetworks.SKETCH_G);
            if (settings.skrgan()) {
                SDVariable l = gs.param(ProgressiveGanTraining.CODE, new long[]{1, g.config().latentSize()}, WeightInit.constant(1), 1);
                z = z.with(z.var().mul(l), g.config().latentSize());
            }
            Tensor out = g.apply(gs, z, r, null);
            // PGGAN's output is linear: keep it in the training range
            Tensor clipped = out.with(b.sd().math().clipByValue(out.var(), -1, 1));
            if (!settings.skrgan()) return clipped;
            sketchOut = clipped.var().name();
            UNet render = (UNet) model.manifest().network(SkrGanNetworks.ROLE_RENDER_G);
            return render.apply(b.network(SkrGanNetworks.RENDER_G), clipped);
            // only the render group is checked for unused arrays: a grown PGGAN keeps the to-RGB layers of
            // the lower resolutions, which the full-resolution generator does not use
        }, settings.skrgan() ? new String[]{SkrGanNetworks.RENDER_G} : new String[0]);
        imageOut = image.var().name();
        return b;
    }

    /** Whether the model has trained weights whose names start with {@code prefix} (a network or one of its layers). */
    private boolean hasParametersUnder(String prefix) {
        return model.store().all().stream().anyMatch(p -> p.name().startsWith(prefix));
    }

    private void buildRenderer() {
        if (renderer != null) return;
        try (Engine.Scope s = Engine.use(engine)) {
            NetBuilder b = NetBuilder.forInference(model.store());
            UNet render = (UNet) model.manifest().network(SkrGanNetworks.ROLE_RENDER_G);
            Tensor y = model.build(b, () -> render.apply(b.network(SkrGanNetworks.RENDER_G),
                    b.input(SKETCH, 1, settings.resolution(), settings.resolution())), SkrGanNetworks.RENDER_G);
            renderOut = y.var().name();
            renderer = new GraphRunner(b.sd(), engine);
        }
    }

    /** The engine that runs the generators. */
    public Engine engine() { return engine; }

    /** Sample i of an NCHW batch in [-1, 1] -> 8-bit grey or RGB. */
    private ImageProcessor toImage(INDArray batch, int i) {
        int r = settings.resolution(), n = r * r;
        INDArray sample = batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c');
        float[] v = sample.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        if (settings.channels() == 1) {
            byte[] p = new byte[n];
            for (int k = 0; k < n; k++) p[k] = (byte) toByte(v[k]);
            return new ByteProcessor(r, r, p);
        }
        int[] rgb = new int[n];
        for (int k = 0; k < n; k++) rgb[k] = (toByte(v[k]) << 16) | (toByte(v[n + k]) << 8) | toByte(v[2 * n + k]);
        return new ColorProcessor(r, r, rgb);
    }

    private ImageProcessor toSketch(INDArray batch, int i) {
        int r = settings.resolution();
        float[] v = batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c')
                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
        byte[] p = new byte[r * r];
        // sketches shrunk by coverage are grey where a line is thinner than a pixel; older models learnt binary ones
        boolean grey = settings.sketchShrink() == SketchPlane.Shrink.COVERAGE;
        for (int k = 0; k < p.length; k++) p[k] = grey ? (byte) toByte(v[k]) : v[k] > 0 ? (byte) 255 : 0;
        return new ByteProcessor(r, r, p);
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
    }
}
