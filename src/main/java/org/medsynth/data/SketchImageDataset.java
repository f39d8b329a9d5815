package org.medsynth.data;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.image.sketch.SketchExtractor;
import org.medsynth.image.sketch.SketchParameters;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * SkrGAN's training data: images resized to a square resolution, each with its sketch draft
 * (extracted with {@link SketchExtractor}, or read from a paired folder of the same names), held
 * as float planes in [-1, 1] (sketch: 0 -> -1, 255 -> +1) and served as NCHW batches at any
 * power-of-two resolution up to the full one (average pooling), as progressive growing needs.
 */
public final class SketchImageDataset {

    /** Smallest training image side: PGGAN's first stage draws 4 x 4 images. */
    public static final int MIN_SIZE = 4;

    private final int resolution;
    private final int channels;
    private final SketchPlane.Shrink shrink;
    private final List<float[]> images = new ArrayList<>();   // channels * R * R
    private final List<float[]> sketches = new ArrayList<>(); // R * R
    private final List<String> names = new ArrayList<>();

    private SketchImageDataset(int resolution, int channels, SketchPlane.Shrink shrink) {
        this.resolution = resolution;
        this.channels = channels;
        this.shrink = shrink;
    }

    /**
     * @param imageFolder  training images (any format ImageJ opens); non-square images are centre-cropped
     * @param sketchFolder paired sketches matched by base name, or null to extract them
     * @param rgb          true: 3 channels (grey images are repeated); false: grey (RGB images use luminance)
     */
    public static SketchImageDataset load(Path imageFolder, Path sketchFolder, int resolution, boolean rgb,
                                          SketchParameters sketchParams, Progress progress) {
        return load(imageFolder, sketchFolder, resolution, rgb, sketchParams, 0, 0, SketchPlane.Shrink.COVERAGE, progress);
    }

    /**
     * As {@link #load(Path, Path, int, boolean, SketchParameters, Progress)}, plus {@code copies}
     * augmented copies of every image (see {@link #augmentedCopies}) for very small data sets, and sketches
     * larger than {@code resolution} shrunk as {@code shrink} says.
     */
    public static SketchImageDataset load(Path imageFolder, Path sketchFolder, int resolution, boolean rgb,
                                          SketchParameters sketchParams, int copies, long seed, SketchPlane.Shrink shrink,
                                          Progress progress) {
        checkResolution(resolution);
        if (copies < 0 || copies > 10_000) throw new UserInputException("augment must be between 0 and 10000; got " + copies + ".");
        List<Path> files = ImageFiles.listFiles(imageFolder);
        SketchImageDataset ds = new SketchImageDataset(resolution, rgb ? 3 : 1, shrink);
        SketchExtractor extractor = new SketchExtractor(sketchParams);
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            progress.checkCancelled();
            Path f = files.get(i);
            progress.report((double) i / files.size(), "reading " + f.getFileName());
            if (!ImageFiles.looksLikeImage(f)) continue;
            ImagePlus imp;
            try {
                imp = ImageFiles.open(f);
            } catch (UserInputException e) {
                skipped.add(f.getFileName() + " (" + e.getMessage() + ")");
                continue;
            }
            InputChecks.minimumSize(imp, f.getFileName().toString(), MIN_SIZE, 1, "Train SkrGAN needs images of at least " + MIN_SIZE
                    + " x " + MIN_SIZE + " pixels (its first stage draws " + MIN_SIZE + " x " + MIN_SIZE + " images)");
            InputChecks.finiteValues(imp, f.getFileName().toString(), null, false);
            ImagePlus sketch;
            if (sketchFolder != null) {
                Path s = findPaired(sketchFolder, ImageFiles.baseName(f));
                if (s == null) {
                    throw new UserInputException("No sketch for " + f.getFileName() + " in " + sketchFolder
                            + ": name the sketch like the image (e.g. " + ImageFiles.baseName(f) + ".png), or leave the "
                            + "sketch folder empty to extract sketches automatically.");
                }
                sketch = ImageFiles.open(s);
                if (sketch.getWidth() != imp.getWidth() || sketch.getHeight() != imp.getHeight()) {
                    throw new UserInputException("Sketch " + s.getFileName() + " is " + sketch.getWidth() + "x"
                            + sketch.getHeight() + " but image " + f.getFileName() + " is " + imp.getWidth() + "x"
                            + imp.getHeight() + ": they must have the same size.");
                }
            } else {
                sketch = extractor.extract(imp, Progress.NONE);
            }
            ds.add(ImageFiles.baseName(f), imp.getProcessor(), sketch.getProcessor());
            int k = 0;
            for (ImageProcessor[] pair : augmentedCopies(imp.getProcessor(), sketch.getProcessor(), copies, seed + i)) {
                ds.add(ImageFiles.baseName(f) + "-aug" + (++k), pair[0], pair[1]);
            }
        }
        if (ds.size() == 0) {
            throw new UserInputException("No readable images in " + imageFolder
                    + (skipped.isEmpty() ? "." : ": " + String.join("; ", skipped)));
        }
        progress.report(1, ds.size() + " training images");
        return ds;
    }

    /** Builds a dataset from images in memory (e.g. augmented copies). */
    public static SketchImageDataset of(int resolution, boolean rgb, List<ImageProcessor> images, List<ImageProcessor> sketches) {
        checkResolution(resolution);
        SketchImageDataset ds = new SketchImageDataset(resolution, rgb ? 3 : 1, SketchPlane.Shrink.COVERAGE);
        for (int i = 0; i < images.size(); i++) ds.add("image" + (i + 1), images.get(i), sketches.get(i));
        return ds;
    }

    private void add(String name, ImageProcessor image, ImageProcessor sketch) {
        ImageProcessor img = squareResized(image);
        int n = resolution * resolution;
        float[] planes = new float[channels * n];
        if (channels == 3) {
            ColorProcessor cp = img instanceof ColorProcessor ? (ColorProcessor) img : (ColorProcessor) img.convertToRGB();
            for (int c = 0; c < 3; c++) {
                byte[] px = (byte[]) cp.getChannel(c + 1, null).getPixels();
                for (int i = 0; i < n; i++) planes[c * n + i] = (px[i] & 0xff) / 127.5f - 1f;
            }
        } else if (img instanceof ColorProcessor || img instanceof ByteProcessor) {
            // 8-bit data: the fixed 0..255 range, so intensities compare across images
            // RGB to grey with ImageJ's own conversion ((r+g+b)/3 unless weighted in Edit>Options>Conversions)
            ImageProcessor grey = img instanceof ColorProcessor ? img.convertToByteProcessor(false) : img;
            for (int i = 0; i < n; i++) planes[i] = grey.get(i) / 127.5f - 1f;
        } else {
            // 16/32-bit data has no fixed range: each image's own minimum and maximum
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) { min = Math.min(min, img.getf(i)); max = Math.max(max, img.getf(i)); }
            double scale = max > min ? 2.0 / (max - min) : 0;
            for (int i = 0; i < n; i++) planes[i] = (float) ((img.getf(i) - min) * scale - 1);
        }
        images.add(planes);
        sketches.add(SketchPlane.of(squareCropped(sketch.convertToByteProcessor(false)), resolution, shrink));
        names.add(name);
    }

    /** Centre-crops an image to a square and resizes it (bilinear, averaging when shrinking). */
    private ImageProcessor squareResized(ImageProcessor ip) {
        ImageProcessor sq = squareCropped(ip);
        if (sq.getWidth() == resolution) return sq;
        sq.setInterpolationMethod(ImageProcessor.BILINEAR);
        return sq.resize(resolution, resolution, sq.getWidth() > resolution);
    }

    private static ImageProcessor squareCropped(ImageProcessor ip) {
        int side = Math.min(ip.getWidth(), ip.getHeight());
        if (ip.getWidth() == ip.getHeight()) return ip;
        ip.setRoi((ip.getWidth() - side) / 2, (ip.getHeight() - side) / 2, side, side);
        ImageProcessor sq = ip.crop();
        ip.resetRoi();
        return sq;
    }

    private static Path findPaired(Path folder, String base) {
        for (Path p : ImageFiles.listFiles(folder)) if (ImageFiles.baseName(p).equals(base)) return p;
        return null;
    }

    private static void checkResolution(int resolution) {
        if (resolution < 4 || resolution > 1024 || Integer.bitCount(resolution) != 1) {
            throw new UserInputException("resolution must be a power of two between 4 and 1024 (e.g. 64, 128, 256, 512); got "
                    + resolution + ".");
        }
    }

    public int size() { return images.size(); }
    public int resolution() { return resolution; }
    public int channels() { return channels; }
    public String name(int i) { return names.get(i); }

    /** Images of the given indices as NCHW at resolution {@code res} (a power of two up to the full one). */
    public INDArray images(int[] indices, int res) {
        return batch(images, channels, indices, res);
    }

    /** Sketches of the given indices as N x 1 x res x res, values in [-1, 1]. */
    public INDArray sketches(int[] indices, int res) {
        return batch(sketches, 1, indices, res);
    }

    /** {@code n} indices drawn uniformly with the given random source. */
    public int[] sample(int n, Random random) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = random.nextInt(size());
        return idx;
    }

    private INDArray batch(List<float[]> source, int c, int[] indices, int res) {
        if (res > resolution || resolution % res != 0) {
            throw new IllegalArgumentException("resolution " + res + " is not a divisor of " + resolution);
        }
        int f = resolution / res;
        INDArray out = Nd4j.create(DataType.FLOAT, indices.length, c, res, res);
        FloatBuffer buf = out.data().asNioFloat();
        float[] plane = new float[res * res];
        for (int index : indices) {
            float[] src = source.get(index);
            for (int ch = 0; ch < c; ch++) {
                int off = ch * resolution * resolution;
                for (int y = 0; y < res; y++)
                    for (int x = 0; x < res; x++) {
                        double sum = 0;
                        for (int dy = 0; dy < f; dy++)
                            for (int dx = 0; dx < f; dx++) sum += src[off + (y * f + dy) * resolution + x * f + dx];
                        plane[y * res + x] = (float) (sum / (f * f));
                    }
                buf.put(plane);
            }
        }
        return out;
    }

    /**
     * Augmented copies of one image and its sketch for tiny data sets (the bundled single fundus):
     * random flips, 90-degree rotations and crops of 70-100% of the side, resized back. Seeded.
     */
    public static List<ImageProcessor[]> augmentedCopies(ImageProcessor image, ImageProcessor sketch, int count, long seed) {
        if (image.getWidth() != sketch.getWidth() || image.getHeight() != sketch.getHeight()) {
            throw new UserInputException("image and sketch must have the same size");
        }
        Random r = new Random(seed);
        List<ImageProcessor[]> out = new ArrayList<>();
        int side = Math.min(image.getWidth(), image.getHeight());
        for (int k = 0; k < count; k++) {
            int crop = (int) Math.round(side * (0.7 + 0.3 * r.nextDouble()));
            int x0 = r.nextInt(image.getWidth() - crop + 1), y0 = r.nextInt(image.getHeight() - crop + 1);
            boolean flip = r.nextBoolean();
            int rot = r.nextInt(4);
            ImageProcessor[] pair = new ImageProcessor[2];
            ImageProcessor[] src = {image, sketch};
            for (int j = 0; j < 2; j++) {
                ImageProcessor p = src[j].duplicate();
                p.setRoi(x0, y0, crop, crop);
                p = p.crop();
                p.setInterpolationMethod(j == 0 ? ImageProcessor.BILINEAR : ImageProcessor.NEAREST_NEIGHBOR);
                p = p.resize(side, side);
                if (flip) p.flipHorizontal();
                for (int q = 0; q < rot; q++) p = p.rotateRight();
                pair[j] = p;
            }
            if (pair[1] instanceof ByteProcessor) pair[1].threshold(127);
            out.add(pair);
        }
        return out;
    }
}
