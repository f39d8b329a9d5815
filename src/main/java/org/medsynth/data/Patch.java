package org.medsynth.data;

/**
 * A patch of a {@link LabeledImage}: image channels and labels, index {@code x + width * (y + height * z)}.
 *
 * @param x0,y0,z0        position of the patch's first voxel in the source (negative or beyond
 *                        the source where the patch was padded)
 * @param containsRarest  true if the patch holds at least one voxel of the source's rarest label
 */
public record Patch(float[][] image, int[] labels, int width, int height, int depth,
                    int x0, int y0, int z0, boolean containsRarest) {

    public int voxels() {
        return width * height * depth;
    }

    public int channels() {
        return image.length;
    }
}
