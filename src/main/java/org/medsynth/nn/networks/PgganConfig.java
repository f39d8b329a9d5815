package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * Hyper-parameters shared by {@link PgganGenerator} and {@link PgganDiscriminator}, following
 * tkarras/progressive_growing_of_gans: feature maps at stage s (resolution 2^(s+1)) are
 * {@code nf(s) = min(fmapBase / 2^s, fmapMax)} (defaults 8192 and 512), scaled by {@code width}
 * (e.g. 0.25 for a network with a quarter of the feature maps), at least 1. The latent size defaults to
 * nf(0) as in PGGAN (512 at full width).
 */
public record PgganConfig(int spatialDims, int channels, int maxResolution, int fmapBase, int fmapMax, double width, int latentSize,
                          boolean equalizedLr, boolean pixelNorm, boolean normalizeLatents, int mbstdGroupSize) {

    /** Checks the values; a {@code latentSize} <= 0 becomes nf(0). */
    public PgganConfig {
        if (spatialDims != 2 && spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3");
        if (maxResolution < 4 || Integer.bitCount(maxResolution) != 1) {
            throw new IllegalArgumentException("PGGAN resolution must be a power of 2 >= 4, got " + maxResolution);
        }
        if (width <= 0) throw new IllegalArgumentException("width must be > 0");
        if (latentSize <= 0) latentSize = nf(0, fmapBase, fmapMax, width);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: PGGAN (2D, 3 channels, 1024x1024, fmap_base 8192, fmap_max 512, width 1). */
    public static final class Builder {
        private int spatialDims = 2;
        private int channels = 3;
        private int maxResolution = 1024;
        private int fmapBase = 8192;
        private int fmapMax = 512;
        private double width = 1.0;
        private int latentSize = -1;
        private boolean equalizedLr = true;
        private boolean pixelNorm = true;
        private boolean normalizeLatents = true;
        private int mbstdGroupSize = 4;

        public Builder spatialDims(int d) { spatialDims = d; return this; }
        /** Image channels. */
        public Builder channels(int c) { channels = c; return this; }
        /** Final (largest) resolution, a power of 2. */
        public Builder maxResolution(int r) { maxResolution = r; return this; }
        public Builder fmapBase(int f) { fmapBase = f; return this; }
        public Builder fmapMax(int f) { fmapMax = f; return this; }
        /** Multiplier of all feature-map counts. */
        public Builder width(double w) { width = w; return this; }
        /** Latent vector length; default nf(0). */
        public Builder latentSize(int n) { latentSize = n; return this; }
        public Builder equalizedLr(boolean e) { equalizedLr = e; return this; }
        public Builder pixelNorm(boolean p) { pixelNorm = p; return this; }
        public Builder normalizeLatents(boolean n) { normalizeLatents = n; return this; }
        /** Minibatch-stddev group size; 0 disables the layer. */
        public Builder mbstdGroupSize(int g) { mbstdGroupSize = g; return this; }
        public PgganConfig build() {
            return new PgganConfig(spatialDims, channels, maxResolution, fmapBase, fmapMax, width, latentSize, equalizedLr, pixelNorm,
                    normalizeLatents, mbstdGroupSize);
        }
    }

    /** Feature maps at stage s. */
    public int nf(int stage) {
        return nf(stage, fmapBase, fmapMax, width);
    }

    private static int nf(int stage, int fmapBase, int fmapMax, double width) {
        double f = Math.min(fmapBase / Math.pow(2.0, stage), fmapMax);
        return Math.max(1, (int) Math.round(f * width));
    }

    /** log2(resolution). */
    public static int log2(int resolution) {
        return 31 - Integer.numberOfLeadingZeros(resolution);
    }

    void checkResolution(int r) {
        if (r < 4 || Integer.bitCount(r) != 1 || r > maxResolution) {
            throw new IllegalArgumentException("PGGAN resolution must be a power of 2 between 4 and " + maxResolution + ", got " + r);
        }
    }

    static PgganConfig fromMap(String kind, Map<String, Object> map) {
        return RecordMaps.fromMap(PgganConfig.class, kind + ": hyper-parameter", map, Map.of());
    }
}
