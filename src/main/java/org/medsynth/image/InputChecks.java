package org.medsynth.image;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.medsynth.core.UserInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The checks every command and workflow job applies to what the user gives, before any work starts:
 * input folders, pixel values (NaN / infinite), image sizes against a network's minimum, and label maps
 * without foreground. Each failure is a {@link UserInputException} that names the file (and the first
 * position where it helps), says what is wrong and what to do; the messages are listed in docs/errors.md.
 */
public final class InputChecks {

    private InputChecks() { }

    // ---------------------------------------------------------------- folders

    /**
     * An existing, readable input folder.
     *
     * @param key the parameter that named it ("images", "labels", "input")
     */
    public static Path inputFolder(Path folder, String key) {
        if (folder == null) throw new UserInputException("Choose the " + key + " folder (" + key + "=...).");
        if (!Files.exists(folder)) {
            throw new UserInputException("The " + key + " folder " + folder + " does not exist. Choose an existing folder (" + key + "=...).");
        }
        if (!Files.isDirectory(folder)) {
            throw new UserInputException("The " + key + " folder " + folder + " is a file, not a folder. Choose the folder that holds the files ("
                    + key + "=...).");
        }
        if (!Files.isReadable(folder)) {
            throw new UserInputException("The " + key + " folder " + folder + " cannot be read (permission denied). Choose a folder you can read.");
        }
        return folder;
    }

    // ---------------------------------------------------------------- pixel values

    /** An image after the NaN check: the same image, or a copy with replaced values and a note saying so. */
    public record Checked(ImagePlus image, String note) { }

    /**
     * Refuses an image with NaN or infinite pixel values, with their count and the first position; with
     * {@code replace}, returns a copy in which they are the image's lowest finite value instead (the
     * user's image is not changed).
     *
     * @param file      the name to show (the file name, or the image title)
     * @param optionKey the command's option that replaces them (e.g. "replace_nan"), or null if it has none
     */
    public static Checked finiteValues(ImagePlus imp, String file, String optionKey, boolean replace) {
        if (imp.getBitDepth() != 32) return new Checked(imp, null); // 8/16-bit and RGB hold integers only
        ImageStack st = imp.getStack();
        long nan = 0, inf = 0;
        int firstIndex = -1, firstSlice = -1;
        float min = Float.POSITIVE_INFINITY;
        for (int s = 1; s <= st.getSize(); s++) {
            float[] px = (float[]) st.getProcessor(s).getPixels();
            for (int i = 0; i < px.length; i++) {
                float v = px[i];
                if (Float.isFinite(v)) {
                    if (v < min) min = v;
                    continue;
                }
                if (Float.isNaN(v)) nan++; else inf++;
                if (firstSlice < 0) {
                    firstSlice = s;
                    firstIndex = i;
                }
            }
        }
        if (nan + inf == 0) return new Checked(imp, null);
        String counts = describeCounts(nan, inf);
        String where = position(imp, firstSlice, firstIndex);
        if (min == Float.POSITIVE_INFINITY) {
            throw new UserInputException(file + " has no finite pixel value (" + counts + "): it holds no image data. Check the file.");
        }
        if (!replace) {
            throw new UserInputException(file + " has " + counts + " (first at " + where + "); MedSynth does not guess what they stand for. "
                    + "Replace them in ImageJ (Process>Math>Remove NaNs..., or Process>Math>Set... on a selection)"
                    + (optionKey == null ? "" : ", or tick '" + optionKey + "' (in a macro: the word " + optionKey
                            + " in the options) to make them the image's lowest value, " + fmt(min))
                    + ".");
        }
        ImagePlus copy = imp.duplicate();
        copy.setTitle(imp.getTitle());
        copy.setCalibration(imp.getCalibration().copy());
        ImageStack cs = copy.getStack();
        for (int s = 1; s <= cs.getSize(); s++) {
            float[] px = (float[]) cs.getProcessor(s).getPixels();
            for (int i = 0; i < px.length; i++) if (!Float.isFinite(px[i])) px[i] = min;
        }
        return new Checked(copy, file + ": " + counts + " (first at " + where + ") replaced by the image's lowest value " + fmt(min) + ".");
    }

    private static String describeCounts(long nan, long inf) {
        StringBuilder sb = new StringBuilder();
        if (nan > 0) sb.append(nan).append(" NaN");
        if (inf > 0) sb.append(nan > 0 ? " and " : "").append(inf).append(" infinite");
        return sb.append(nan + inf == 1 ? " pixel value" : " pixel values").toString();
    }

    /** "x=3, y=5" plus the slice / channel / frame where the image has more than one. */
    static String position(ImagePlus imp, int stackIndex, int pixelIndex) {
        int w = imp.getWidth();
        StringBuilder sb = new StringBuilder("x=").append(pixelIndex % w).append(", y=").append(pixelIndex / w);
        if (imp.getStackSize() > 1) {
            int[] czt = imp.convertIndexToPosition(stackIndex);
            if (imp.getNChannels() > 1) sb.append(", channel ").append(czt[0]);
            if (imp.getNSlices() > 1) sb.append(", slice ").append(czt[1]);
            if (imp.getNFrames() > 1) sb.append(", frame ").append(czt[2]);
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }

    /** True if the processor holds a NaN or infinite value. */
    public static boolean hasNonFinite(ImageProcessor ip) {
        if (!(ip instanceof FloatProcessor)) return false;
        for (float v : (float[]) ip.getPixels()) if (!Float.isFinite(v)) return true;
        return false;
    }

    // ---------------------------------------------------------------- sizes

    /**
     * Refuses an image smaller than {@code minSide} in width or height (and fewer than {@code minSlices}
     * slices, if that is above 1).
     *
     * @param needs who needs it and why, e.g. "Segment needs at least 8 x 8 pixels for this model (its network halves the image 3 times)"
     */
    public static void minimumSize(ImagePlus imp, String file, int minSide, int minSlices, String needs) {
        minimumSize(imp.getWidth(), imp.getHeight(), imp.getNSlices(), file, minSide, minSlices, needs);
    }

    /** As {@link #minimumSize(ImagePlus, String, int, int, String)} for a size given as numbers. */
    public static void minimumSize(int width, int height, int slices, String file, int minSide, int minSlices, String needs) {
        boolean small = width < minSide || height < minSide || minSlices > 1 && slices < minSlices;
        if (!small) return;
        String size = width + " x " + height + " pixels" + (minSlices > 1 ? " x " + slices + " slices" : "");
        throw new UserInputException(file + " is " + size + "; " + needs + ". Give a larger image.");
    }

    /** The minimum-size sentence for a network that halves its input {@code depth} times. */
    public static String networkMinimum(String command, int depth, boolean volumetric) {
        int m = 1 << depth;
        return command + " needs at least " + m + " x " + m + " pixels" + (volumetric ? " x " + m + " slices" : "")
                + " (the network halves the image " + depth + (depth == 1 ? " time" : " times") + ": 2^" + depth + " = " + m + ")";
    }

    // ---------------------------------------------------------------- label maps

    /** Number of voxels whose label is not 0 (the background). */
    public static long foregroundCount(int[] labelValues) {
        long n = 0;
        for (int v : labelValues) if (v != 0) n++;
        return n;
    }

    /** The per-file warning for a label map without foreground. */
    public static String noForegroundWarning(String file) {
        return "Warning: the label map " + file + " has no foreground (every pixel is 0, the background); this pair only teaches "
                + "the background. Check the file if it should contain labels.";
    }

    /** Refuses training when no label map has foreground. */
    public static UserInputException noForegroundAtAll(int maps, Path folder) {
        String where = folder == null ? "" : " in " + folder;
        return new UserInputException((maps == 1 ? "The only training label map" + where + " has no foreground label"
                : "None of the " + maps + " training label maps" + where + " has a foreground label")
                + " (every pixel is 0, the background): there is nothing to learn to segment. Check that these are the right files and "
                + "that they mark the structures with the values 1, 2, ... (classes-1).");
    }
}
