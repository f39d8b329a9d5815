package org.medsynth.data;

import ij.ImagePlus;
import org.medsynth.image.bridge.FloatImage;
import org.medsynth.image.bridge.ImgBridge;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.UserInputException;

import java.util.Arrays;

/**
 * An image (one or more channels) and its label map as flat arrays, index
 * {@code x + width * (y + height * z)}: what the patch sampler works on. A 2D image has depth 1.
 */
public final class LabeledImage {

    private final float[][] channels;
    private final int[] labels;
    private final int width, height, depth;
    private int rarest = Integer.MIN_VALUE;
    private int[] rarestVoxels;

    public LabeledImage(float[][] channels, int[] labels, int width, int height, int depth) {
        int n = width * height * depth;
        if (labels.length != n) throw new IllegalArgumentException("labels: " + labels.length + " values for " + n + " voxels");
        for (float[] c : channels) {
            if (c.length != n) throw new IllegalArgumentException("channel: " + c.length + " values for " + n + " voxels");
        }
        this.channels = channels;
        this.labels = labels;
        this.width = width;
        this.height = height;
        this.depth = depth;
    }

    /** From an image (calibrated values, one frame) and its label map of the same size. */
    public static LabeledImage of(ImagePlus image, ImagePlus labelMap) {
        LabelVolume lv = LabelVolume.from(labelMap);
        FloatImage fi = ImgBridge.toFloatImage(image);
        if (fi.frames() > 1) throw new UserInputException("Image '" + image.getTitle() + "' has several time frames; give one volume.");
        if (fi.width() != lv.width() || fi.height() != lv.height() || fi.depth() != lv.depth()) {
            throw new UserInputException("Image '" + image.getTitle() + "' and label map '" + labelMap.getTitle()
                    + "' differ in size; they must have the same width, height and number of slices.");
        }
        int plane = fi.width() * fi.height();
        float[][] ch = new float[fi.channels()][plane * fi.depth()];
        for (int c = 0; c < fi.channels(); c++)
            for (int z = 0; z < fi.depth(); z++) System.arraycopy(fi.plane(c, z, 0), 0, ch[c], z * plane, plane);
        return new LabeledImage(ch, lv.values(), fi.width(), fi.height(), fi.depth());
    }

    public int width() { return width; }
    public int height() { return height; }
    public int depth() { return depth; }
    public int channelCount() { return channels.length; }
    /** The live arrays (not copies). */
    public float[] channel(int c) { return channels[c]; }
    public int[] labels() { return labels; }

    /**
     * The label with the fewest voxels among those present, or -1 when only one label is present
     * (then there is nothing to oversample).
     */
    public synchronized int rarestLabel() {
        if (rarest == Integer.MIN_VALUE) {
            int max = Arrays.stream(labels).max().orElse(0);
            long[] counts = new long[max + 1];
            for (int v : labels) if (v >= 0) counts[v]++;
            int best = -1, present = 0;
            for (int l = 0; l <= max; l++) {
                if (counts[l] == 0) continue;
                present++;
                if (best < 0 || counts[l] < counts[best]) best = l;
            }
            rarest = present > 1 ? best : -1;
            if (rarest >= 0) {
                int[] idx = new int[(int) counts[rarest]];
                int k = 0;
                for (int i = 0; i < labels.length; i++) if (labels[i] == rarest) idx[k++] = i;
                rarestVoxels = idx;
            }
        }
        return rarest;
    }

    /** Voxel indices of {@link #rarestLabel()} (empty when it is -1). */
    synchronized int[] rarestVoxels() {
        return rarestLabel() < 0 ? new int[0] : rarestVoxels;
    }
}
