package org.medsynth.data;

import java.util.Random;

/**
 * Flips and 90-degree in-plane rotations, applied identically to a patch's image channels and
 * labels (nothing is interpolated, so label values stay exact). Each flip happens with
 * probability 1/2; the rotation is 0, 90, 180 or 270 degrees with equal probability (only 0 or
 * 180 for non-square patches, so that all patches of a batch keep one shape).
 */
public final class Augmenter {

    private final boolean flipX, flipY, flipZ, rotate;

    /**
     * @param flipZ  also flip along z (for volumes whose slice order has no meaning)
     */
    public Augmenter(boolean flipX, boolean flipY, boolean flipZ, boolean rotate) {
        this.flipX = flipX;
        this.flipY = flipY;
        this.flipZ = flipZ;
        this.rotate = rotate;
    }

    /** All in-plane transforms on; z flips off. */
    public static Augmenter inPlane() {
        return new Augmenter(true, true, false, true);
    }

    public Patch apply(Patch p, Random random) {
        Patch out = p;
        if (flipX && random.nextBoolean()) out = flip(out, 0);
        if (flipY && random.nextBoolean()) out = flip(out, 1);
        if (flipZ && random.nextBoolean()) out = flip(out, 2);
        if (rotate) {
            int k = p.width() == p.height() ? random.nextInt(4) : 2 * random.nextInt(2);
            out = rotate90(out, k);
        }
        return out;
    }

    /** Mirrors along axis 0 (x), 1 (y) or 2 (z). */
    public static Patch flip(Patch p, int axis) {
        int w = p.width(), h = p.height(), d = p.depth();
        return remap(p, w, h, d, (x, y, z) -> {
            int sx = axis == 0 ? w - 1 - x : x, sy = axis == 1 ? h - 1 - y : y, sz = axis == 2 ? d - 1 - z : z;
            return sx + w * (sy + h * sz);
        });
    }

    /**
     * Rotates by {@code k} x 90 degrees counter-clockwise as displayed (y pointing down): the
     * top-right corner moves to the top-left. Width and height swap for odd k.
     */
    public static Patch rotate90(Patch p, int k) {
        k = Math.floorMod(k, 4);
        Patch out = p;
        for (int i = 0; i < k; i++) {
            Patch in = out;
            int w = in.width(), h = in.height();
            // out(x', y') = in(w - 1 - y', x'); the output is h wide and w high
            out = remap(in, h, w, in.depth(), (x, y, z) -> (w - 1 - y) + w * (x + h * z));
        }
        return out;
    }

    private interface Source {
        int index(int x, int y, int z);
    }

    private static Patch remap(Patch p, int w, int h, int d, Source source) {
        float[][] img = new float[p.channels()][p.voxels()];
        int[] lab = new int[p.voxels()];
        int t = 0;
        for (int z = 0; z < d; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++, t++) {
                    int s = source.index(x, y, z);
                    for (int c = 0; c < img.length; c++) img[c][t] = p.image()[c][s];
                    lab[t] = p.labels()[s];
                }
        return new Patch(img, lab, w, h, d, p.x0(), p.y0(), p.z0(), p.containsRarest());
    }
}
