package org.medsynth.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KerasFeatureExtractorTest {

    /** The images of make_keras_fixture.py: pixel (x*7 + y*3 + c*50 + k*31) mod 256. */
    static ImageChannels image(int k, int size) {
        float[][] ch = new float[3][size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) ch[c][y * size + x] = (x * 7 + y * 3 + c * 50 + k * 31) % 256;
            }
        }
        return new ImageChannels(size, size, ch);
    }

    @Test
    void importedKerasModelReproducesKerasSemantics() {
        try (KerasFeatureExtractor fx = KerasFeatureExtractor.load(Path.of(ReferenceFiles.path("tiny_inception_like.h5")), null)) {
            assertEquals(12, fx.dimension());
            assertEquals(29, fx.inputWidth());
            List<String> expected = ReferenceFiles.lines("tiny_inception_like_features.txt");
            List<ImageChannels> images = new ArrayList<>();
            for (int k = 0; k < 3; k++) images.add(image(k, 29));
            float[][] batch = fx.features(images);
            for (int k = 0; k < 3; k++) {
                double[] e = ReferenceFiles.doubles(expected.get(k));
                float[] single = fx.features(images.get(k));
                for (int j = 0; j < e.length; j++) {
                    assertEquals(e[j], batch[k][j], 1e-4, "image " + k + " feature " + j);
                    assertEquals(batch[k][j], single[j], 1e-5);
                }
            }
            // other sizes are resized, grey is repeated into three channels
            float[] grey = fx.features(new ImageChannels(40, 33, new float[][] {new float[40 * 33]}));
            assertEquals(12, grey.length);
            assertTrue(fx.name().contains("12-d"), fx.name());
        }
    }

    @Test
    void saysWhereToGetInceptionWhenNoneIsConfigured(@TempDir Path dir) {
        String old = System.getProperty(KerasFeatureExtractor.PROPERTY);
        System.clearProperty(KerasFeatureExtractor.PROPERTY);
        try {
            if (System.getenv(KerasFeatureExtractor.ENV) == null) {
                UserInputException e = assertThrows(UserInputException.class, () -> KerasFeatureExtractor.configuredInception(null));
                assertTrue(e.getMessage().contains("InceptionV3") && e.getMessage().contains("inception=")
                        && e.getMessage().contains(KerasFeatureExtractor.PROPERTY), e.getMessage());
            }
            UserInputException e = assertThrows(UserInputException.class,
                    () -> KerasFeatureExtractor.configuredInception(dir.resolve("missing.h5")));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            System.setProperty(KerasFeatureExtractor.PROPERTY, ReferenceFiles.path("tiny_inception_like.h5"));
            assertEquals(Path.of(ReferenceFiles.path("tiny_inception_like.h5")), KerasFeatureExtractor.configuredInception(null));
        } finally {
            if (old == null) System.clearProperty(KerasFeatureExtractor.PROPERTY);
            else System.setProperty(KerasFeatureExtractor.PROPERTY, old);
        }
    }

    @Test
    void refusesFilesThatAreNotKerasModels(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.h5");
        Files.writeString(junk, "not hdf5");
        UserInputException e = assertThrows(UserInputException.class, () -> KerasFeatureExtractor.load(junk, null));
        assertTrue(e.getMessage().contains("junk.h5"), e.getMessage());
    }
}
