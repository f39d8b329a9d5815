package org.medsynth.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * A feature network for FID and KID: maps one 2D image (grey or RGB, values on a 0-255 scale) to
 * a fixed-length feature vector. The standard one is InceptionV3's 2048-d pool3 output
 * ({@link KerasFeatureExtractor#inceptionV3}); any other network can be plugged in, but FID values
 * are only comparable between runs that use the same network and preprocessing.
 */
public interface FeatureExtractor extends AutoCloseable {

    /** A short description, e.g. "InceptionV3 pool3 (2048-d) from /models/inception_v3.h5". */
    String name();

    /** Length of every feature vector. */
    int dimension();

    /** Features of one image whose values lie on a 0-255 scale. */
    float[] features(ImageChannels image);

    /** Features of several images at once (implementations may batch them). */
    default float[][] features(List<ImageChannels> images) {
        List<float[]> out = new ArrayList<>();
        for (ImageChannels im : images) out.add(features(im));
        return out.toArray(new float[0][]);
    }

    /** How many images {@link #features(List)} should get at a time. */
    default int preferredBatchSize() {
        return 1;
    }

    @Override
    default void close() { }
}
