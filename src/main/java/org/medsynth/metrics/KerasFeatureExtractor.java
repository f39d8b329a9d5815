package org.medsynth.metrics;

import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Features from a Keras functional model stored as one HDF5 (.h5) file with architecture and
 * weights (Keras 2 / tf.keras {@code model.save("x.h5")}), imported with DL4J's Keras import.
 * <p>
 * Preprocessing is that of Keras' InceptionV3 ({@code preprocess_input}, "tf" mode): each image
 * is resized bilinearly to the model's input size, grey images are repeated into 3 channels, and
 * values v on the 0-255 scale become v / 127.5 - 1. The feature vector is the activation of the
 * chosen layer (by default the model's output; for a model saved with the classification top,
 * the layer {@code avg_pool}); a 4-D activation is averaged over its spatial axes.
 */
public final class KerasFeatureExtractor implements FeatureExtractor {

    /** System property naming the InceptionV3 .h5 file when the command's 'inception' key is empty. */
    public static final String PROPERTY = "medsynth.inception";
    /** Environment variable naming the InceptionV3 .h5 file (checked after the property). */
    public static final String ENV = "MEDSYNTH_INCEPTION";

    /** What users read when no InceptionV3 file is configured. */
    public static final String HOW_TO_GET_INCEPTION = "FID and KID need the InceptionV3 network as a Keras .h5 file "
            + "(architecture and weights in one file). Create it once with TensorFlow 2 (Keras 2) in Python:\n"
            + "  import tensorflow as tf\n"
            + "  tf.keras.applications.InceptionV3(include_top=False, pooling='avg', weights='imagenet')"
            + ".save('inception_v3.h5', save_format='h5')\n"
            + "then give its path as inception=/path/to/inception_v3.h5, or set the Java system property -D"
            + PROPERTY + "=... or the environment variable " + ENV + ". See docs/metrics.md.";

    private final ComputationGraph graph;
    private final String source;
    private final String layer;
    private final int inputWidth, inputHeight, inputChannels;
    private final boolean channelsLast;
    private int dimension = -1;

    private KerasFeatureExtractor(ComputationGraph graph, String source, String layer, int w, int h, int c, boolean channelsLast) {
        this.graph = graph;
        this.source = source;
        this.layer = layer;
        this.inputWidth = w;
        this.inputHeight = h;
        this.inputChannels = c;
        this.channelsLast = channelsLast;
    }

    /**
     * The InceptionV3 file to use: {@code explicit} if given, else the system property
     * {@value #PROPERTY}, else the environment variable {@value #ENV}.
     * @throws UserInputException when none is configured or the file does not exist
     */
    public static Path configuredInception(Path explicit) {
        Path p = explicit;
        String how = "inception";
        if (p == null || p.toString().isBlank()) {
            String prop = System.getProperty(PROPERTY);
            String env = System.getenv(ENV);
            if (prop != null && !prop.isBlank()) {
                p = Path.of(prop.trim());
                how = "system property " + PROPERTY;
            } else if (env != null && !env.isBlank()) {
                p = Path.of(env.trim());
                how = "environment variable " + ENV;
            } else {
                throw new UserInputException("No InceptionV3 model is configured. " + HOW_TO_GET_INCEPTION);
            }
        }
        if (!Files.isRegularFile(p)) {
            throw new UserInputException("The InceptionV3 model file given by " + how + " does not exist: " + p + ". "
                    + HOW_TO_GET_INCEPTION);
        }
        return p;
    }

    /** InceptionV3 pool3 features (2048-d) from a configured or given .h5 file. */
    public static KerasFeatureExtractor inceptionV3(Path explicit) {
        KerasFeatureExtractor fx = load(configuredInception(explicit), null);
        if (fx.inputChannels != 3) {
            throw new UserInputException(fx.source + " expects " + fx.inputChannels + " input channels; InceptionV3 takes "
                    + "RGB images. " + HOW_TO_GET_INCEPTION);
        }
        return fx;
    }

    /**
     * Loads any Keras functional model.
     * @param layer the layer whose activation is the feature vector, or null for the model
     *              output (or "avg_pool" when the model has it and its output is a 1000-class top)
     */
    public static KerasFeatureExtractor load(Path h5, String layer) {
        if (!Files.isRegularFile(h5)) throw new UserInputException("Keras model file not found: " + h5);
        int[] shape;
        boolean hasAvgPool;
        try (Hdf5Archive archive = new Hdf5Archive(h5.toString())) {
            if (!archive.hasAttribute("model_config")) {
                throw new UserInputException(h5.getFileName() + " holds weights only, without the model architecture "
                        + "(e.g. Keras' downloaded *_weights_*.h5). Save the whole model with model.save(..., save_format='h5'). "
                        + HOW_TO_GET_INCEPTION);
            }
            JsonNode config = new ObjectMapper().readTree(archive.readAttributeAsJson("model_config"));
            shape = inputShape(config, h5);
            hasAvgPool = hasLayer(config, "avg_pool");
        } catch (UserInputException e) {
            throw e;
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new UserInputException("Cannot read the Keras model " + h5 + ": " + e.getMessage()
                    + ". It must be an HDF5 file written by Keras 2 / tf.keras with model.save(..., save_format='h5').", e);
        }
        ComputationGraph graph;
        try {
            graph = KerasModelImport.importKerasModelAndWeights(h5.toString(), false);
        } catch (Exception e) {
            throw new UserInputException("DL4J could not import the Keras model " + h5.getFileName() + ": " + e.getMessage()
                    + ". Save it with TensorFlow 2.x (Keras 2) as a functional model in HDF5 format.", e);
        }
        String chosen = layer;
        KerasFeatureExtractor fx = new KerasFeatureExtractor(graph, h5.toString(), null, shape[1], shape[0], shape[2], shape[3] == 1);
        if (chosen == null && hasAvgPool) {
            int outDim = fx.probeDimension(null);
            if (outDim == 1000) chosen = "avg_pool";
        }
        KerasFeatureExtractor result = new KerasFeatureExtractor(graph, h5.toString(), chosen, shape[1], shape[0], shape[2], shape[3] == 1);
        result.dimension = result.probeDimension(chosen);
        return result;
    }

    /** {height, width, channels, channelsLast ? 1 : 0} of the model's single image input. */
    private static int[] inputShape(JsonNode config, Path h5) {
        JsonNode layers = config.path("config").path("layers");
        for (JsonNode l : layers) {
            if (!"InputLayer".equals(l.path("class_name").asText())) continue;
            JsonNode c = l.path("config");
            JsonNode shape = c.has("batch_input_shape") ? c.get("batch_input_shape") : c.get("batch_shape");
            if (shape == null || shape.size() != 4 || shape.get(1).isNull() || shape.get(2).isNull() || shape.get(3).isNull()) {
                throw new UserInputException(h5.getFileName() + " must have one fixed-size image input "
                        + "(e.g. 299x299x3 for InceptionV3), but its input shape is " + shape
                        + ". Build the model with input_shape=(299, 299, 3).");
            }
            boolean last = !"channels_first".equals(c.path("data_format").asText("channels_last"));
            int a = shape.get(1).asInt(), b = shape.get(2).asInt(), d = shape.get(3).asInt();
            if (d <= 4 || !last) return last ? new int[] {a, b, d, 1} : new int[] {b, d, a, 0};
            return new int[] {b, d, a, 0};
        }
        throw new UserInputException(h5.getFileName() + " has no InputLayer; only Keras functional models can be used.");
    }

    private static boolean hasLayer(JsonNode config, String name) {
        for (JsonNode l : config.path("config").path("layers")) {
            if (name.equals(l.path("config").path("name").asText())) return true;
        }
        return false;
    }

    private int probeDimension(String layerName) {
        INDArray out = run(Nd4j.zeros(DataType.FLOAT, inputShapeArray(1)), layerName);
        return (int) out.size(1);
    }

    private long[] inputShapeArray(int n) {
        return channelsLast ? new long[] {n, inputHeight, inputWidth, inputChannels}
                : new long[] {n, inputChannels, inputHeight, inputWidth};
    }

    /** Activation of {@code layerName} (null = output) as [n, features]. */
    private INDArray run(INDArray input, String layerName) {
        INDArray out;
        if (layerName == null) {
            out = graph.output(input)[0];
        } else {
            if (graph.getVertex(layerName) == null) {
                throw new UserInputException("The model " + source + " has no layer named '" + layerName + "'.");
            }
            out = graph.output(List.of(layerName), false, new INDArray[] {input}, null)[0];
        }
        if (out.rank() == 4) {
            // spatial average; DL4J keeps the Keras layout of the model
            out = channelsLast ? out.mean(1, 2) : out.mean(2, 3);
        } else if (out.rank() != 2) {
            throw new UserInputException("The output of " + source + " has rank " + out.rank()
                    + "; a feature network must end in a vector (or a feature map) per image.");
        }
        return out;
    }

    @Override
    public String name() {
        return "Keras model " + Path.of(source).getFileName() + (layer == null ? "" : " layer " + layer)
                + " (" + dimension + "-d; input " + inputWidth + "x" + inputHeight + ")";
    }

    @Override
    public int dimension() {
        return dimension;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    @Override
    public float[] features(ImageChannels image) {
        return features(List.of(image))[0];
    }

    @Override
    public float[][] features(List<ImageChannels> images) {
        int n = images.size();
        int plane = inputWidth * inputHeight;
        float[] data = new float[n * plane * inputChannels];
        for (int k = 0; k < n; k++) {
            float[][] ch = preprocess(images.get(k));
            for (int c = 0; c < inputChannels; c++) {
                for (int i = 0; i < plane; i++) {
                    int idx = channelsLast ? (k * plane + i) * inputChannels + c : (k * inputChannels + c) * plane + i;
                    data[idx] = ch[c][i];
                }
            }
        }
        INDArray input = Nd4j.create(data, inputShapeArray(n), 'c');
        INDArray out = run(input, layer).castTo(DataType.FLOAT);
        float[][] result = new float[n][];
        for (int k = 0; k < n; k++) result[k] = out.getRow(k).dup().toFloatVector();
        return result;
    }

    @Override
    public int preferredBatchSize() {
        return 4;
    }

    /** Resized, channel-matched planes in [-1, 1] (Keras "tf" preprocessing). */
    float[][] preprocess(ImageChannels image) {
        float[][] in = image.channels();
        if (in.length != 1 && in.length != inputChannels) {
            throw new UserInputException("The feature network takes " + inputChannels + " channels; an image has "
                    + in.length + ". Use grey or RGB images.");
        }
        float[][] out = new float[inputChannels][];
        for (int c = 0; c < inputChannels; c++) {
            float[] src = in[in.length == 1 ? 0 : c];
            float[] px;
            if (image.width() == inputWidth && image.height() == inputHeight) {
                px = src.clone();
            } else {
                FloatProcessor fp = new FloatProcessor(image.width(), image.height(), src.clone());
                fp.setInterpolationMethod(ImageProcessor.BILINEAR);
                px = (float[]) fp.resize(inputWidth, inputHeight, true).getPixels();
            }
            for (int i = 0; i < px.length; i++) px[i] = px[i] / 127.5f - 1f;
            out[c] = px;
        }
        return out;
    }

    @Override
    public void close() {
        graph.close();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
