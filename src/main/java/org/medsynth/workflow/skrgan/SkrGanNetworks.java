package org.medsynth.workflow.skrgan;

import org.medsynth.nn.networks.Dcgan;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.networks.PgganGenerator;
import org.medsynth.nn.networks.UNet;

/**
 * The networks of a SkrGAN model (or of a baseline) for given settings, and the names under which
 * they live in the model archive and the parameter store.
 */
public final class SkrGanNetworks {

    /** Parameter groups (also name scopes): sketch G/D, render G/D (ConditionalGan's fixed names). */
    public static final String SKETCH_G = "GS";
    public static final String SKETCH_D = "DS";
    public static final String RENDER_G = "G";
    public static final String RENDER_D = "D";

    /** Roles in the archive manifest. */
    public static final String ROLE_SKETCH_G = "sketchGenerator";
    public static final String ROLE_SKETCH_D = "sketchDiscriminator";
    public static final String ROLE_RENDER_G = "renderGenerator";
    public static final String ROLE_RENDER_D = "renderDiscriminator";

    private SkrGanNetworks() { }

    /** PGGAN networks of the sketch stage (1 channel) or of the pggan / wgan-gp baselines (image channels). */
    public static PgganConfig pggan(SkrGanSettings s) {
        return PgganConfig.builder()
                .channels(s.skrgan() ? 1 : s.channels())
                .maxResolution(s.resolution())
                .width(s.width())
                .build();
    }

    public static PgganGenerator sketchGenerator(SkrGanSettings s) {
        return new PgganGenerator(pggan(s));
    }

    public static PgganDiscriminator sketchDiscriminator(SkrGanSettings s) {
        return new PgganDiscriminator(pggan(s));
    }

    /**
     * pix2pix U-Net from a 1-channel sketch to the image, down to 1x1 as unet_256 at 256 px; the decoder up-samples
     * as the settings say (default nearest x2 + 3x3 convolution instead of pix2pix's checkerboard-prone transposed
     * convolution).
     */
    public static UNet renderGenerator(SkrGanSettings s) {
        return UNet.pix2pix(1, s.channels()).width(s.renderWidth()).depth(Integer.numberOfTrailingZeros(s.resolution()))
                .upsample(s.renderUpsample()).build();
    }

    /** 70x70 PatchGAN (3 layers) on (sketch, image) pairs; fewer layers below 32 px. */
    public static PatchGan renderDiscriminator(SkrGanSettings s) {
        int layers = s.resolution() >= 32 ? 3 : s.resolution() >= 16 ? 2 : 1;
        return PatchGan.builder().inChannels(1 + s.channels()).width(s.renderWidth()).layers(layers).build();
    }

    /** DCGAN baseline: latent 100, widths scaled like the PGGAN ones (64 maps at width 1). */
    public static Dcgan dcgan(SkrGanSettings s) {
        int w = Math.max(4, (int) Math.round(64 * Math.min(1, s.width() * 8)));
        return new Dcgan(2, s.channels(), s.resolution(), 100, w, w);
    }
}
