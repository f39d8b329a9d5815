package org.medsynth.image.preprocess;

import ij.ImagePlus;
import ij.plugin.Duplicator;
import org.medsynth.image.labels.LabelVolume;

import java.util.Random;

/**
 * Organ-centred crop along z: keeps {@code slices} consecutive slices of an image and its label
 * map around the region of one label (the paper: 48 slices containing the liver, chosen at random
 * within the liver's extent). A volume in which fewer than {@code slices} slices contain the
 * organ is not cropped but <em>skipped</em> with a message, so that a batch can go on.
 *
 * @param slices    number of slices to keep (the paper: 48)
 * @param label     the organ's label; 0 means "any label other than 0" (the whole foreground)
 * @param placement where the window goes
 */
public record SliceCrop(int slices, int label, CropPlacement placement) {

    /** The result: either the cropped pair, or skipped with the reason. */
    public record Outcome(boolean skipped, String message, int firstSlice, ImagePlus image, ImagePlus labels) {
        static Outcome skip(String message) {
            return new Outcome(true, message, -1, null, null);
        }
    }

    public SliceCrop {
        if (slices < 1) throw new IllegalArgumentException("slices must be at least 1: " + slices);
        if (label < 0) throw new IllegalArgumentException("label must be >= 0 (0 = any foreground label): " + label);
        if (placement == null) placement = CropPlacement.CENTER_OF_MASS;
    }

    /** Crops both; {@code random} is used only for {@link CropPlacement#RANDOM}. */
    public Outcome apply(ImagePlus image, ImagePlus labels, Random random) {
        LabelVolume lv = LabelVolume.from(labels);
        if (image.getNSlices() != lv.depth() || image.getWidth() != lv.width() || image.getHeight() != lv.height()) {
            throw new org.medsynth.core.UserInputException("Image '" + image.getTitle() + "' and label map '" + labels.getTitle()
                    + "' differ in size; they must have the same width, height and number of slices.");
        }
        int first = firstSlice(lv, random);
        if (first < 0) return Outcome.skip(skipReason(lv));
        int last = first + slices;
        ImagePlus img = new Duplicator().run(image, 1, image.getNChannels(), first + 1, last, 1, image.getNFrames());
        img.setTitle(image.getTitle());
        ImagePlus lab = new Duplicator().run(labels, 1, 1, first + 1, last, 1, 1);
        lab.setTitle(labels.getTitle());
        return new Outcome(false, "slices " + (first + 1) + "-" + last + " of " + lv.depth(), first, img, lab);
    }

    /**
     * The first slice (0-based) of the window for this label map, or -1 when fewer than
     * {@code slices} slices contain the organ.
     */
    public int firstSlice(LabelVolume lv, Random random) {
        long[] perSlice = voxelsPerSlice(lv);
        int count = 0, lo = -1, hi = -1;
        double weighted = 0, total = 0;
        for (int z = 0; z < perSlice.length; z++) {
            if (perSlice[z] == 0) continue;
            count++;
            if (lo < 0) lo = z;
            hi = z;
            weighted += (double) z * perSlice[z];
            total += perSlice[z];
        }
        if (count < slices) return -1;
        int maxStart = hi - slices + 1; // window inside [lo, hi]
        int start;
        switch (placement) {
            case RANDOM:
                start = lo + random.nextInt(maxStart - lo + 1);
                break;
            case EXTENT_CENTER:
                start = (int) Math.round((lo + hi) / 2.0 - (slices - 1) / 2.0);
                break;
            default:
                start = (int) Math.round(weighted / total - (slices - 1) / 2.0);
        }
        return Math.max(lo, Math.min(maxStart, start));
    }

    private String skipReason(LabelVolume lv) {
        long[] perSlice = voxelsPerSlice(lv);
        int count = 0;
        for (long n : perSlice) if (n > 0) count++;
        String what = label == 0 ? "a foreground label" : "label " + label;
        return "skipped: only " + count + " of " + lv.depth() + " slices contain " + what + " in '" + lv.title()
                + "', fewer than the " + slices + " slices to keep. Lower the number of slices or leave this volume out.";
    }

    private long[] voxelsPerSlice(LabelVolume lv) {
        long[] n = new long[lv.depth()];
        int plane = lv.width() * lv.height();
        int[] v = lv.values();
        for (int z = 0; z < lv.depth(); z++) {
            long c = 0;
            for (int i = z * plane; i < (z + 1) * plane; i++) {
                if (label == 0 ? v[i] != 0 : v[i] == label) c++;
            }
            n[z] = c;
        }
        return n;
    }
}
