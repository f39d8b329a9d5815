package org.medsynth.workflow.skrgan;

import org.medsynth.core.UserInputException;
import org.medsynth.data.SketchPlane;
import org.medsynth.nn.networks.UNet;
import org.medsynth.util.RecordMaps;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to train: SkrGAN (sketch guidance + colour render mapping) or one of the paper's baselines,
 * all sampled by the same machinery.
 *
 * @param architecture     skrgan, pggan (progressive, no sketch), wgan-gp (PGGAN networks at full
 *                         resolution from the start, no growth), dcgan
 * @param resolution       output size (power of two, 4 .. 512)
 * @param rgb              colour (3 channels) or grey images
 * @param sketchIterations steps of the unconditional GAN: G_S/D_S for SkrGAN, G/D for baselines
 * @param renderIterations steps of G_P/D_P (SkrGAN only)
 * @param batch            largest batch (the paper: 16); PGGAN's table lowers it at high resolutions;
 *                         the render stage uses min(batch, 4)
 * @param width            feature-map width of the PGGAN / DCGAN networks as a fraction of PGGAN's
 *                         (1 = up to 512 maps; 0.125 = up to 64)
 * @param renderWidth      U-Net / PatchGAN base width (pix2pix: 64)
 * @param seed             random seed; the same seed gives the same model on the CPU
 * @param renderUpsample   G_P's decoder up-sampling: {@link UNet.Upsample#NEAREST_INPUT_SKIP} (default: nearest x2
 *                         + 3x3 convolution, no checkerboard, and the sketch skipped to the outermost block at full
 *                         resolution, so 1-pixel vessels are painted), {@link UNet.Upsample#NEAREST} (without that
 *                         skip: the builds before it) or {@link UNet.Upsample#TRANSPOSED} (pix2pix's transposed
 *                         convolution; what models saved before the setting existed use)
 * @param sketchShrink     how sketch drafts larger than {@code resolution} are shrunk for G_S and G_P:
 *                         {@link SketchPlane.Shrink#COVERAGE} (default: thin vessels stay as fainter lines) or
 *                         {@link SketchPlane.Shrink#NEAREST} (binary; what models saved before the setting existed
 *                         were trained on, so their Render Sketch sees sketches as they did)
 * @param growth           how the progressive GAN (SkrGAN's G_S, the PGGAN baseline) shares its iterations between
 *                         the resolutions: {@link ProgressiveSchedule.Growth#PGGAN} (default: PGGAN's schedule, most
 *                         iterations at the final resolution) or {@link ProgressiveSchedule.Growth#EQUAL} (equal
 *                         shares; what models saved before the setting existed used)
 */
public record SkrGanSettings(String architecture, int resolution, boolean rgb, int sketchIterations,
                             int renderIterations, int batch, double width, int renderWidth, long seed,
                             UNet.Upsample renderUpsample, SketchPlane.Shrink sketchShrink, ProgressiveSchedule.Growth growth) {

    /** Settings with this version's defaults for what the dialog does not ask (up-sampling, sketch shrinking, growth). */
    public SkrGanSettings(String architecture, int resolution, boolean rgb, int sketchIterations,
                          int renderIterations, int batch, double width, int renderWidth, long seed) {
        this(architecture, resolution, rgb, sketchIterations, renderIterations, batch, width, renderWidth, seed,
                UNet.Upsample.NEAREST_INPUT_SKIP, SketchPlane.Shrink.COVERAGE, ProgressiveSchedule.Growth.PGGAN);
    }

    public SkrGanSettings withRenderUpsample(UNet.Upsample u) {
        return new SkrGanSettings(architecture, resolution, rgb, sketchIterations, renderIterations, batch, width, renderWidth, seed,
                u, sketchShrink, growth);
    }

    public SkrGanSettings withSketchShrink(SketchPlane.Shrink s) {
        return new SkrGanSettings(architecture, resolution, rgb, sketchIterations, renderIterations, batch, width, renderWidth, seed,
                renderUpsample, s, growth);
    }

    public SkrGanSettings withGrowth(ProgressiveSchedule.Growth g) {
        return new SkrGanSettings(architecture, resolution, rgb, sketchIterations, renderIterations, batch, width, renderWidth, seed,
                renderUpsample, sketchShrink, g);
    }

    /**
     * These settings with the choices a build makes and the dialog does not show (render up-sampling, sketch
     * shrinking, growth) taken from {@code saved}: a run resumed from a checkpoint of an earlier build goes on as it began.
     */
    public SkrGanSettings withBuildChoicesOf(SkrGanSettings saved) {
        return new SkrGanSettings(architecture, resolution, rgb, sketchIterations, renderIterations, batch, width, renderWidth, seed,
                saved.renderUpsample, saved.sketchShrink, saved.growth);
    }

    public static final List<String> ARCHITECTURES = List.of("skrgan", "pggan", "wgan-gp", "dcgan");

    public SkrGanSettings {
        architecture = architecture == null ? "" : architecture.toLowerCase(Locale.ROOT);
        if (!ARCHITECTURES.contains(architecture)) {
            throw new UserInputException("Unknown architecture '" + architecture + "'. Use one of " + ARCHITECTURES + ".");
        }
        if (resolution < 4 || resolution > 512 || Integer.bitCount(resolution) != 1) {
            throw new UserInputException("resolution must be a power of two from 4 to 512 (e.g. 64, 128, 256); got " + resolution + ".");
        }
        if (architecture.equals("dcgan") && resolution < 8) {
            throw new UserInputException("DCGAN needs a resolution of at least 8; got " + resolution + ".");
        }
        if (sketchIterations < 0 || renderIterations < 0 || sketchIterations + renderIterations == 0) {
            throw new UserInputException("Give a positive number of iterations (got " + sketchIterations + " and "
                    + renderIterations + ").");
        }
        if (batch < 1 || batch > 256) throw new UserInputException("batch must be between 1 and 256; got " + batch + ".");
        if (!(width > 0 && width <= 1)) throw new UserInputException("width must be in (0, 1]; got " + width + ".");
        if (renderWidth < 1 || renderWidth > 128) throw new UserInputException("render_width must be 1 to 128; got " + renderWidth + ".");
        if (renderUpsample == null) renderUpsample = UNet.Upsample.NEAREST_INPUT_SKIP;
        if (sketchShrink == null) sketchShrink = SketchPlane.Shrink.COVERAGE;
        if (growth == null) growth = ProgressiveSchedule.Growth.PGGAN;
    }

    public boolean skrgan() { return architecture.equals("skrgan"); }

    public boolean progressive() { return architecture.equals("skrgan") || architecture.equals("pggan"); }

    public int channels() { return rgb ? 3 : 1; }

    public int renderBatch() { return Math.min(batch, 4); }

    /** Steps of the whole training (render steps only count for SkrGAN). */
    public int totalSteps() { return sketchIterations + (skrgan() ? renderIterations : 0); }

    /**
     * Models saved before the render up-sampling, sketch shrinking and growth settings existed lack them: they use
     * transposed convolutions, nearest-shrunk sketches and equal shares per resolution.
     */
    private static final Map<String, Object> OLDER_MODELS = Map.of("renderUpsample", UNet.Upsample.TRANSPOSED.name(),
            "sketchShrink", SketchPlane.Shrink.NEAREST.name(), "growth", ProgressiveSchedule.Growth.EQUAL.name());

    /** The settings; the build choices are left out at the older models' values (as ever). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = RecordMaps.toMap(this);
        OLDER_MODELS.forEach(m::remove);   // remove(key, value): only where the value is the older models' one
        return m;
    }

    public static SkrGanSettings fromMap(Map<String, Object> m) {
        try {
            return RecordMaps.fromMap(SkrGanSettings.class, "setting", m, OLDER_MODELS);
        } catch (RuntimeException e) {
            if (e instanceof UserInputException) throw e;
            throw new UserInputException("The model's SkrGAN settings are incomplete or unreadable (" + e
                    + "); it was not written by this MedSynth version's Train SkrGAN.");
        }
    }
}
