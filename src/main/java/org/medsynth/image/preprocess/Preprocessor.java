package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.medsynth.core.UserInputException;

import java.util.Random;

/**
 * Applies a {@link PreprocessingSpec}, in this order: clip (at the intensity window in calibrated
 * units, or at percentiles) + normalise (statistics per channel over the whole volume, so a crop
 * does not change them), in-plane resize (images bilinear, label maps
 * nearest neighbour), then - for training pairs only - the organ-centred slice crop. Training
 * ({@link #prepareTraining}) and inference ({@link #prepare}) run the same code for the image.
 */
public final class Preprocessor {

    private final PreprocessingSpec spec;

    public Preprocessor(PreprocessingSpec spec) {
        this.spec = spec;
    }

    public PreprocessingSpec spec() {
        return spec;
    }

    /** A preprocessed image with what is needed to map predictions back to the original image. */
    public record Prepared(ImagePlus image, int originalWidth, int originalHeight, Calibration originalCalibration) { }

    /** Clip (window or percentiles), normalise and resize one image (inference; also the image part of training). */
    public Prepared prepare(ImagePlus image) {
        if (image == null) throw new UserInputException("No image given.");
        ImagePlus out = image;
        if (spec.windows() || spec.clips() || spec.normalization() != Normalization.NONE) {
            out = spec.intensityNormalizer().apply(out);
        }
        if (spec.resizes()) out = InPlaneResize.image(out, spec.width(), spec.height());
        if (out == image) out = image.duplicate();
        out.setTitle(image.getTitle());
        return new Prepared(out, image.getWidth(), image.getHeight(), image.getCalibration().copy());
    }

    /**
     * Preprocesses an image and its label map for training. The result is skipped (with the
     * reason) when the crop finds too few slices of the organ; other problems throw
     * {@link UserInputException}.
     *
     * @param random used by {@link CropPlacement#RANDOM} only
     */
    public SliceCrop.Outcome prepareTraining(ImagePlus image, ImagePlus labels, Random random) {
        if (labels == null) throw new UserInputException("No label map given for image '" + image.getTitle() + "'.");
        if (image.getWidth() != labels.getWidth() || image.getHeight() != labels.getHeight()
                || image.getNSlices() != labels.getStackSize()) {
            throw new UserInputException("Image '" + image.getTitle() + "' is " + describe(image) + " but its label map '"
                    + labels.getTitle() + "' is " + describe(labels) + "; they must have the same size.");
        }
        ImagePlus img = prepare(image).image();
        ImagePlus lab = spec.resizes() ? InPlaneResize.labels(labels, spec.width(), spec.height()) : labels;
        if (!spec.crops()) return new SliceCrop.Outcome(false, "not cropped", 0, img, lab);
        return new SliceCrop(spec.cropSlices(), spec.cropLabel(), spec.cropPlacement()).apply(img, lab, random);
    }

    /**
     * A prediction for a prepared image, resized back to the original width and height and given
     * the original calibration: probability maps ({@code labelMap} false) bilinearly, label maps
     * by nearest neighbour.
     */
    public static ImagePlus restore(ImagePlus prediction, Prepared prepared, boolean labelMap) {
        ImagePlus out = InPlaneResize.resize(prediction, prepared.originalWidth(), prepared.originalHeight(), labelMap);
        Calibration cal = prepared.originalCalibration().copy();
        if (prediction.getBitDepth() == 32) cal.disableDensityCalibration();
        out.setCalibration(cal);
        return out;
    }

    private static String describe(ImagePlus imp) {
        return imp.getWidth() + " x " + imp.getHeight() + " x " + imp.getNSlices() + " slices";
    }
}
