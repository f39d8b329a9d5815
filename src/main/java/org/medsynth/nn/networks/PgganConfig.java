package org.medsynth.nn.networks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters shared by {@link PgganGenerator} and {@link PgganDiscriminator}, following
 * tkarras/progressive_growing_of_gans: feature maps at stage s (resolution 2^(s+1)) are
 * {@code nf(s) = min(fmapBase / 2^s, fmapMax)} (defaults 8192 and 512), scaled by {@code width}
 * (e.g. 0.25 for a network with a quarter of the feature maps), at least 1. The latent size defaults to
 * nf(0) as in PGGAN (512 at full width).
 */
public final class PgganConfig {
    private final int spatialDims;
    private final int channels;
    private final int maxResolution;
    private final int fmapBase;
    private final int fmapMax;
    private final double width;
    private final int latentSize;
    private final boolean equalizedLr;
    private final boolean pixelNorm;
    private final boolean normalizeLatents;
    private final int mbstdGroupSize;

    private PgganConfig(Builder b) {
        if (b.spatialDims != 2 && b.spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3");
        if (b.maxResolution < 4 || Integer.bitCount(b.maxResolution) != 1) {
            throw new IllegalArgumentException("PGGAN resolution must be a power of 2 >= 4, got " + b.maxResolution);
        }
        if (b.width <= 0) throw new IllegalArgumentException("width must be > 0");
        this.spatialDims = b.spatialDims;
        this.channels = b.channels;
        this.maxResolution = b.maxResolution;
        this.fmapBase = b.fmapBase;
        this.fmapMax = b.fmapMax;
        this.width = b.width;
        this.equalizedLr = b.equalizedLr;
        this.pixelNorm = b.pixelNorm;
        this.normalizeLatents = b.normalizeLatents;
        this.mbstdGroupSize = b.mbstdGroupSize;
        this.latentSize = b.latentSize > 0 ? b.latentSize : nf(0);
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
        public PgganConfig build() { return new PgganConfig(this); }
    }

    /** Feature maps at stage s. */
    public int nf(int stage) {
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

    public int spatialDims() { return spatialDims; }
    public int channels() { return channels; }
    public int maxResolution() { return maxResolution; }
    public int fmapBase() { return fmapBase; }
    public int fmapMax() { return fmapMax; }
    public double width() { return width; }
    public int latentSize() { return latentSize; }
    public boolean equalizedLr() { return equalizedLr; }
    public boolean pixelNorm() { return pixelNorm; }
    public boolean normalizeLatents() { return normalizeLatents; }
    public int mbstdGroupSize() { return mbstdGroupSize; }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spatialDims", spatialDims);
        m.put("channels", channels);
        m.put("maxResolution", maxResolution);
        m.put("fmapBase", fmapBase);
        m.put("fmapMax", fmapMax);
        m.put("width", width);
        m.put("latentSize", latentSize);
        m.put("equalizedLr", equalizedLr);
        m.put("pixelNorm", pixelNorm);
        m.put("normalizeLatents", normalizeLatents);
        m.put("mbstdGroupSize", mbstdGroupSize);
        return m;
    }

    static PgganConfig fromMap(String kind, Map<String, Object> map) {
        Hyper h = new Hyper(kind, map);
        return builder().spatialDims(h.i("spatialDims")).channels(h.i("channels")).maxResolution(h.i("maxResolution"))
                .fmapBase(h.i("fmapBase")).fmapMax(h.i("fmapMax")).width(h.d("width")).latentSize(h.i("latentSize"))
                .equalizedLr(h.b("equalizedLr")).pixelNorm(h.b("pixelNorm")).normalizeLatents(h.b("normalizeLatents"))
                .mbstdGroupSize(h.i("mbstdGroupSize")).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgganConfig p && p.toMap().equals(toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }
}
