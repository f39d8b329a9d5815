package org.medsynth.nn.networks;

import org.medsynth.nn.layers.Norm;
import org.medsynth.util.RecordMaps;

import java.util.Map;

/**
 * The hyper-parameters every segmentation network shares.
 *
 * @param spatialDims 2 (images, NCHW) or 3 (volumes, NCDHW)
 * @param inChannels  image channels (modalities)
 * @param classes     number of classes L including the background (>= 2)
 * @param width       feature maps of the first level; level i has {@code width * 2^i}
 * @param depth       number of 2x down-samplings (the paper's Info-Max-Net/U-Net: 3)
 * @param norm        normalisation after every convolution of the conv blocks (NONE, BATCH or INSTANCE)
 */
public record SegConfig(int spatialDims, int inChannels, int classes, int width, int depth, Norm norm) {

    public SegConfig {
        if (spatialDims != 2 && spatialDims != 3) throw new IllegalArgumentException("spatialDims must be 2 or 3, got " + spatialDims);
        if (inChannels < 1) throw new IllegalArgumentException("inChannels must be >= 1, got " + inChannels);
        if (classes < 2) throw new IllegalArgumentException("classes must be >= 2 (background + at least one class), got " + classes);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        if (depth < 1 || depth > 8) throw new IllegalArgumentException("depth must be 1..8, got " + depth);
        if (norm == null) norm = Norm.BATCH;
        if (norm == Norm.PIXEL) throw new IllegalArgumentException("segmentation networks support batch, instance or no normalisation");
    }

    /**
     * The paper's setting: 3 down-samplings, 64 feature maps at the first level (U-Net [24]),
     * batch normalisation before each ReLU (as the 3D U-Net [12] the paper builds on).
     */
    public static SegConfig paper(int spatialDims, int inChannels, int classes) {
        return new SegConfig(spatialDims, inChannels, classes, 64, 3, Norm.BATCH);
    }

    public SegConfig withWidth(int w) {
        return new SegConfig(spatialDims, inChannels, classes, w, depth, norm);
    }

    public SegConfig withDepth(int d) {
        return new SegConfig(spatialDims, inChannels, classes, width, d, norm);
    }

    public SegConfig withNorm(Norm n) {
        return new SegConfig(spatialDims, inChannels, classes, width, depth, n);
    }

    public SegConfig withSpatialDims(int d) {
        return new SegConfig(d, inChannels, classes, width, depth, norm);
    }

    public SegConfig withClasses(int c) {
        return new SegConfig(spatialDims, inChannels, c, width, depth, norm);
    }

    /** Feature maps at level i (0 = full resolution, depth = bottleneck). */
    public int channelsAt(int level) {
        return width << level;
    }

    /** The config in the hyper-parameters of a network of the given kind (which may hold more keys). */
    static SegConfig fromMap(String kind, Map<String, Object> map) {
        return RecordMaps.fromMap(SegConfig.class, kind + ": hyper-parameter", map, Map.of());
    }
}
