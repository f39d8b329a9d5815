package org.medsynth.workflow.medgan;

import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.medsynth.core.UserInputException;
import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * Settings of a 3D-MedGAN training run (IEEE Access 2020, sections I.A and V; defaults in brackets).
 *
 * @param spatialDims      3 = volumetric patches [3]; 2 = slice-wise (2D patches from random slices), the cheaper mode
 * @param patch            patch edge in voxels [64]; a multiple of 2^depth
 * @param width            feature maps of G's first level [16] (the paper does not give it; pix2pix uses 64)
 * @param depth            G's number of stride-2 down-samplings [4]
 * @param discriminatorWidth  feature maps of D's first layer [16]
 * @param discriminatorLayers D's stride-2 layers [3]: receptive field 70 voxels; 2 gives 34, 1 gives 16 (SimGAN's local D)
 * @param pool             image-pool size [50]; 0 = no pool (the paper compares both)
 * @param iterations       G+D iterations (batch size 1, as the paper)
 * @param learningRate     Adam learning rate [2e-4], betas (0.5, 0.999) as the paper
 * @param l1Weight         weight of an optional L1 term |G(c) - x| in G's loss [0 = the paper's pure LSGAN loss]
 * @param noise            whether G gets a Gaussian noise channel besides the one-hot labels [true], so that one
 *                         label map gives different volumes for different seeds
 * @param clipLow          lower intensity clipping percentile [0.5]
 * @param clipHigh         upper intensity clipping percentile [99.5]
 * @param rareShare        share of patches placed on the rarest label [0.33]
 * @param seed             seed of everything random (initial weights, patches, noise, pool)
 * @param checkpointEvery  iterations between checkpoints [100]
 * @param upsample         G's decoder up-sampling [NEAREST_INPUT_SKIP: nearest x2 + 3x3(x3) convolution, no
 *                         checkerboard, and the label map skipped to the outermost block at full resolution, so
 *                         label boundaries are drawn at voxel, not 2-voxel, resolution]; NEAREST = without that skip
 *                         (models of the builds before it); TRANSPOSED = pix2pix's 4x4 stride-2 transposed
 *                         convolution (models and checkpoints saved before the setting existed)
 */
public record MedGanConfig(int spatialDims, int patch, int width, int depth, int discriminatorWidth, int discriminatorLayers,
                           int pool, int iterations, double learningRate, double l1Weight, boolean noise,
                           double clipLow, double clipHigh, double rareShare, long seed, int checkpointEvery,
                           UNet.Upsample upsample) {

    /** Settings with the default up-sampling (nearest + convolution). */
    public MedGanConfig(int spatialDims, int patch, int width, int depth, int discriminatorWidth, int discriminatorLayers,
                        int pool, int iterations, double learningRate, double l1Weight, boolean noise,
                        double clipLow, double clipHigh, double rareShare, long seed, int checkpointEvery) {
        this(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise,
                clipLow, clipHigh, rareShare, seed, checkpointEvery, UNet.Upsample.NEAREST_INPUT_SKIP);
    }

    /**
     * Smallest edge of G's innermost level in 3D. ND4J 1.0.0-M2.1 (oneDNN) returns wrong, uninitialised
     * weight gradients for 3D 4x4x4 stride-2 convolutions whose input is 4 voxels wide and for the
     * transposed ones whose input is 2 wide (from about 16 channels on; 2D and stride 1 are right):
     * see {@code Nd4jConv3dGradientTest}. With an innermost level of at least 4 voxels no layer has
     * those sizes.
     */
    public static final int MIN_INNERMOST_3D = 4;

    /** LeakyReLU slope in G's down and up blocks (the paper names LeakyReLU; pix2pix's 0.2). */
    public static final double LEAKY_SLOPE = 0.2;

    public static MedGanConfig defaults() {
        return new MedGanConfig(3, 64, 16, 4, 16, 3, 50, 2000, 2e-4, 0, true, 0.5, 99.5, 0.33, 1, 100);
    }

    public MedGanConfig {
        if (spatialDims != 2 && spatialDims != 3) throw new UserInputException("The mode must be 2D or 3D, not " + spatialDims + "D.");
        if (depth < 2 || depth > 8) throw new UserInputException("The generator depth must be 2..8, not " + depth + ".");
        int m = 1 << depth;
        if (patch < m || patch % m != 0) {
            throw new UserInputException("The patch size " + patch + " must be a multiple of " + m + " (2^depth for a generator of depth "
                    + depth + "): use e.g. " + Math.max(m, (patch + m - 1) / m * m) + ", or a smaller depth.");
        }
        if (spatialDims == 3 && patch >> depth < MIN_INNERMOST_3D) {
            int d = Math.max(2, 31 - Integer.numberOfLeadingZeros(patch) - 2);
            throw new UserInputException("In 3D mode the patch must be at least " + (MIN_INNERMOST_3D << depth) + " voxels for a generator of depth "
                    + depth + " (its innermost level needs " + MIN_INNERMOST_3D + " voxels per side: smaller 3D levels hit a bug in the"
                    + " 3D convolution gradients of ND4J 1.0.0-M2.1). Use patch=" + (MIN_INNERMOST_3D << depth) + ", or depth=" + d + ".");
        }
        if (width < 1 || discriminatorWidth < 1) throw new UserInputException("Network widths must be at least 1.");
        if (discriminatorLayers < 1 || discriminatorLayers > 5) {
            throw new UserInputException("The discriminator needs 1..5 layers, not " + discriminatorLayers + ".");
        }
        if (patch / (1 << discriminatorLayers) - 2 < 1) {
            throw new UserInputException("A patch of " + patch + " voxels is too small for a discriminator with " + discriminatorLayers
                    + " layers (it needs at least " + (3 << discriminatorLayers) + "): use a larger patch or fewer discriminator layers.");
        }
        if (pool < 0) throw new UserInputException("The image pool size must be >= 0 (0 = no pool), not " + pool + ".");
        if (iterations < 1) throw new UserInputException("The number of iterations must be at least 1.");
        if (!(learningRate > 0 && learningRate < 1)) throw new UserInputException("The learning rate must be in (0, 1), not " + learningRate + ".");
        if (!(l1Weight >= 0)) throw new UserInputException("The L1 weight must be >= 0, not " + l1Weight + ".");
        if (!(clipLow >= 0 && clipHigh <= 100 && clipLow < clipHigh)) {
            throw new UserInputException("Clipping percentiles must satisfy 0 <= low < high <= 100, got " + clipLow + " and " + clipHigh + ".");
        }
        if (!(rareShare >= 0 && rareShare <= 1)) throw new UserInputException("The rare-label share must be in 0..1, not " + rareShare + ".");
        if (checkpointEvery < 1) throw new UserInputException("Checkpoints must be at least 1 iteration apart.");
        if (upsample == null) upsample = UNet.Upsample.NEAREST_INPUT_SKIP;
    }

    public MedGanConfig withSpatialDims(int d) { return new MedGanConfig(d, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withPatch(int p) { return new MedGanConfig(spatialDims, p, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withNetworks(int w, int dep, int dw, int dl) { return new MedGanConfig(spatialDims, patch, w, dep, dw, dl, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withPool(int p) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, p, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withIterations(int n) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, n, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withLearningRate(double lr) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, lr, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withL1Weight(double w) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, w, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withNoise(boolean n) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, n, clipLow, clipHigh, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withClip(double lo, double hi) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, lo, hi, rareShare, seed, checkpointEvery, upsample); }
    public MedGanConfig withRareShare(double r) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, r, seed, checkpointEvery, upsample); }
    public MedGanConfig withSeed(long s) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, s, checkpointEvery, upsample); }
    public MedGanConfig withCheckpointEvery(int n) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, n, upsample); }

    public MedGanConfig withUpsample(UNet.Upsample u) { return new MedGanConfig(spatialDims, patch, width, depth, discriminatorWidth, discriminatorLayers, pool, iterations, learningRate, l1Weight, noise, clipLow, clipHigh, rareShare, seed, checkpointEvery, u); }

    /** G's input channels: one per class, plus the noise channel. */
    public int generatorInputs(int classes) {
        return classes + (noise ? 1 : 0);
    }

    /** The generator: 3D (or 2D) U-Net, instance norm, LeakyReLU down and up, spectral norm on every convolution, tanh. */
    public UNet generator(int classes) {
        return UNet.builder().spatialDims(spatialDims).inChannels(generatorInputs(classes)).outChannels(1)
                .width(width).depth(depth).norm(Norm.INSTANCE).spectralNorm(true).dropoutBlocks(0)
                .upSlope(LEAKY_SLOPE).upsample(upsample).output(Activations.Output.TANH).build();
    }

    /** The conditional patch discriminator on (one-hot labels, image): instance norm, spectral norm, limited receptive field. */
    public PatchGan discriminator(int classes) {
        return PatchGan.builder().spatialDims(spatialDims).inChannels(classes + 1).width(discriminatorWidth)
                .layers(discriminatorLayers).norm(Norm.INSTANCE).spectralNorm(true).build();
    }

    /** Patch size as {w, h} or {w, h, d}. */
    public int[] patchSize() {
        return spatialDims == 3 ? new int[]{patch, patch, patch} : new int[]{patch, patch};
    }

    /** Spatial shape of one patch in array order. */
    public int[] patchShape() {
        return spatialDims == 3 ? new int[]{patch, patch, patch} : new int[]{patch, patch};
    }

    /** Everything except the run length; a checkpoint can only be resumed with the same values. */
    public Map<String, Object> identity() {
        Map<String, Object> m = toMap();
        m.remove("iterations");
        m.remove("checkpointEvery");
        return m;
    }

    public Map<String, Object> toMap() {
        return RecordMaps.toMap(this);
    }
}
