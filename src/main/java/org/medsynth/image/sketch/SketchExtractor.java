package org.medsynth.image.sketch;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.plugin.filter.GaussianBlur;
import ij.plugin.filter.RankFilters;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.medsynth.image.InputChecks;

/**
 * Sketch-draft extraction of SkrGAN (section 2.1): Sobel edge magnitude, Gaussian low-pass,
 * binarisation, then a morphological opening (removes specks) followed by a closing (fills
 * vessel-like structures). Every filter is ImageJ 1.x's own. Works plane by plane, so stacks,
 * volumes and hyperstacks are handled slice-wise; the output is an 8-bit 0/255 image of the same
 * dimensions and calibration.
 */
public final class SketchExtractor {

    /** Smallest image side: the Sobel edge filter works on 3 x 3 neighbourhoods. */
    public static final int MIN_SIZE = 3;

    private final SketchParameters params;

    public SketchExtractor(SketchParameters params) {
        this.params = params;
    }

    public ImagePlus extract(ImagePlus input, Progress progress) {
        if (input == null) throw new UserInputException("No image to extract a sketch from.");
        String name = input.getTitle() == null || input.getTitle().isEmpty() ? "The image" : input.getTitle();
        InputChecks.minimumSize(input, name, MIN_SIZE, 1, "Extract Sketch needs at least " + MIN_SIZE + " x " + MIN_SIZE
                + " pixels (its edge filter looks at 3 x 3 neighbourhoods)");
        InputChecks.finiteValues(input, name, null, false);
        ImageStack in = input.getStack();
        int n = in.getSize();
        ImageStack out = new ImageStack(input.getWidth(), input.getHeight());
        for (int i = 1; i <= n; i++) {
            progress.checkCancelled();
            out.addSlice(in.getSliceLabel(i), extractPlane(in.getProcessor(i)));
            progress.report((double) i / n, "slice " + i + "/" + n);
        }
        ImagePlus sketch = new ImagePlus(sketchTitle(input.getTitle()), out);
        sketch.setDimensions(input.getNChannels(), input.getNSlices(), input.getNFrames());
        sketch.setCalibration(input.getCalibration().copy());
        return sketch;
    }

    /** The whole pipeline on one plane. */
    public ByteProcessor extractPlane(ImageProcessor plane) {
        FloatProcessor edges = sobel(grey(plane));
        lowPass(edges);
        ByteProcessor binary = binarise(edges);
        openThenClose(binary);
        return binary;
    }

    /** The plane as float grey values; RGB by the configured channel. */
    FloatProcessor grey(ImageProcessor plane) {
        if (plane instanceof ColorProcessor) {
            ColorProcessor cp = (ColorProcessor) plane;
            switch (params.channel()) {
                case "red": return cp.getChannel(1, null).convertToFloatProcessor();
                case "blue": return cp.getChannel(3, null).convertToFloatProcessor();
                case "luminance": {
                    // Rec. 601 luma; ColorProcessor.getBrightness() is HSB brightness (max of r, g, b) instead
                    ColorProcessor weighted = (ColorProcessor) cp.duplicate();
                    weighted.setRGBWeights(0.299, 0.587, 0.114);
                    return weighted.convertToByteProcessor().convertToFloatProcessor();
                }
                default: return cp.getChannel(2, null).convertToFloatProcessor();
            }
        }
        FloatProcessor fp = plane.convertToFloatProcessor();
        for (float v : (float[]) fp.getPixels()) {
            if (Float.isNaN(v)) {
                throw new UserInputException("The image contains NaN values; sketch extraction needs finite "
                        + "intensities. Replace them first (Process>Math>Remove NaNs...).");
            }
        }
        return fp;
    }

    /** Sobel gradient magnitude (ImageJ's Process>Find Edges). */
    static FloatProcessor sobel(FloatProcessor grey) {
        FloatProcessor edges = (FloatProcessor) grey.duplicate();
        edges.findEdges();
        return edges;
    }

    void lowPass(FloatProcessor edges) {
        if (params.sigma() > 0) new GaussianBlur().blurGaussian(edges, params.sigma(), params.sigma(), 0.002);
    }

    /** 255 where the smoothed edge strength is above the threshold, else 0. */
    ByteProcessor binarise(FloatProcessor edges) {
        double threshold = thresholdOf(edges);
        float[] e = (float[]) edges.getPixels();
        byte[] b = new byte[e.length];
        for (int i = 0; i < e.length; i++) if (e[i] > threshold) b[i] = (byte) 255;
        return new ByteProcessor(edges.getWidth(), edges.getHeight(), b);
    }

    double thresholdOf(FloatProcessor edges) {
        edges.resetMinAndMax();
        double max = edges.getMax();
        if (max <= edges.getMin()) return Double.POSITIVE_INFINITY; // flat plane: no edges at all
        if (params.fixed()) return params.level() * max;
        // ImageJ computes the method on a 256-bin histogram of the float range; objects are bright.
        edges.setAutoThreshold(SketchParameters.method(params.threshold()), true, ImageProcessor.NO_LUT_UPDATE);
        double t = edges.getMinThreshold();
        edges.resetThreshold();
        // setAutoThreshold gives the lower bound of the object class; '>' needs the bin below it.
        return Math.nextDown(t);
    }

    void openThenClose(ByteProcessor binary) {
        if (params.radius() <= 0) return;
        RankFilters rank = new RankFilters();
        rank.rank(binary, params.radius(), RankFilters.OPEN);
        rank.rank(binary, params.radius(), RankFilters.CLOSE);
    }

    /** The title of the sketch of an image with this title ({@code retina.png} -> {@code retina-sketch}). */
    public static String sketchTitle(String title) {
        String base = title == null ? "image" : title;
        int dot = base.lastIndexOf('.');
        if (dot > 0 && base.length() - dot <= 5) base = base.substring(0, dot);
        if (base.endsWith(".nii")) base = base.substring(0, base.length() - 4);
        return base + "-sketch";
    }
}
