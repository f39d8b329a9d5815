package org.medsynth.image.tiling;

import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Sliding-window inference: runs a predictor on overlapping tiles of a 2D (NCHW) or 3D (NCDHW)
 * image and blends the tiles' predictions into one N x K x [D x] H x W output.
 * <p>
 * Tiles start every {@code stride = max(1, round(tile * (1 - overlap)))} voxels along each axis;
 * one more tile is added flush with the far edge, so the image is covered for every size. An
 * image smaller than a tile is padded with {@code padValue} up to the tile size and the padding is
 * cut off again. Overlapping predictions are averaged with a weight window,
 * {@code out = sum(w_t * p_t) / sum(w_t)} (accumulated in double precision):
 * <ul>
 * <li>{@link Blend#GAUSSIAN} (default, as nnU-Net): w(i) = exp(-(i - c)^2 / (2 sigma^2)) per axis,
 *     c the tile centre, sigma = tile / 8; the product over axes. Tile centres count most, where
 *     the network saw most context.</li>
 * <li>{@link Blend#LINEAR}: a trapezoid per axis, rising linearly over the overlap width
 *     ({@code tile - stride}) from 1/(overlap+1) at the tile's edge to 1, then flat.</li>
 * <li>{@link Blend#CONSTANT}: plain averaging.</li>
 * </ul>
 * All windows are positive everywhere. With {@code margin > 0} the outer {@code margin} voxels of
 * a tile get weight 0 wherever another tile covers them (not at the image's own border): use it
 * for networks whose border outputs depend on the tile's zero padding (a 3x3 convolution needs
 * margin 1); it requires {@code tile - stride >= 2 * margin}.
 */
public final class SlidingWindow {

    public enum Blend { GAUSSIAN, LINEAR, CONSTANT }

    private final int[] tile;      // array order: {d, h, w}
    private final int[] stride;
    private final boolean volumetric;
    private final Blend blend;
    private final int margin;
    private final int batchSize;
    private final float padValue;

    /**
     * @param tileSize  {w, h} for 2D or {w, h, d} for 3D
     * @param overlap   0 (inclusive) .. 1 (exclusive): share of a tile shared with its neighbour
     * @param batchSize tiles per predictor call
     */
    public SlidingWindow(int[] tileSize, double overlap, Blend blend, int margin, int batchSize, float padValue) {
        if (tileSize.length != 2 && tileSize.length != 3) throw new IllegalArgumentException("tile size must be {w,h} or {w,h,d}");
        if (!(overlap >= 0 && overlap < 1)) throw new UserInputException("The tile overlap must be at least 0 and below 1, not " + overlap + ".");
        if (batchSize < 1 || margin < 0) throw new IllegalArgumentException("batchSize >= 1 and margin >= 0 required");
        this.volumetric = tileSize.length == 3;
        this.tile = volumetric ? new int[]{tileSize[2], tileSize[1], tileSize[0]} : new int[]{1, tileSize[1], tileSize[0]};
        this.stride = new int[3];
        for (int a = 0; a < 3; a++) {
            if (tile[a] < 1) throw new IllegalArgumentException("tile size must be positive: " + Arrays.toString(tileSize));
            stride[a] = Math.max(1, (int) Math.round(tile[a] * (1 - overlap)));
            if (tile[a] > 1 && tile[a] - stride[a] < 2 * margin) {
                throw new UserInputException("A tile overlap of " + overlap + " is too small for a margin of " + margin
                        + " voxels on tiles of " + tile[a] + ": neighbouring tiles must share at least " + 2 * margin
                        + " voxels. Increase the overlap or reduce the margin.");
            }
        }
        this.blend = blend == null ? Blend.GAUSSIAN : blend;
        this.margin = margin;
        this.batchSize = batchSize;
        this.padValue = padValue;
    }

    /** Gaussian blending, no margin, one tile per call, zero padding. */
    public SlidingWindow(int[] tileSize, double overlap) {
        this(tileSize, overlap, Blend.GAUSSIAN, 0, 1, 0f);
    }

    /** Tile start positions along an axis of {@code size} voxels (size >= tile): every stride, plus one flush with the end. */
    public static int[] positions(int size, int tile, int stride) {
        if (size <= tile) return new int[]{0};
        List<Integer> p = new ArrayList<>();
        for (int s = 0; s + tile < size; s += stride) p.add(s);
        p.add(size - tile);
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Predicts the whole image tile by tile.
     *
     * @param input     N x C x H x W (2D tiles) or N x C x D x H x W (3D tiles)
     * @param predictor maps B x C x tile to B x K x tile (B = up to batchSize tiles)
     * @return N x K x H x W or N x K x D x H x W, float
     */
    public INDArray predict(INDArray input, Function<INDArray, INDArray> predictor, Progress progress) {
        int rank = volumetric ? 5 : 4;
        if (input.rank() != rank) {
            throw new IllegalArgumentException("expected a rank-" + rank + " input for " + (volumetric ? "3D" : "2D")
                    + " tiles, got shape " + Arrays.toString(input.shape()));
        }
        long[] s = input.shape();
        int n = (int) s[0], c = (int) s[1];
        int[] size = volumetric ? new int[]{(int) s[2], (int) s[3], (int) s[4]} : new int[]{1, (int) s[2], (int) s[3]};
        int[] padded = new int[3];
        int[][] pos = new int[3][];
        for (int a = 0; a < 3; a++) {
            padded[a] = Math.max(size[a], tile[a]);
            pos[a] = positions(padded[a], tile[a], stride[a]);
        }
        float[] in = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int voxels = size[0] * size[1] * size[2];
        int tileVox = tile[0] * tile[1] * tile[2];
        int tilesPerSample = pos[0].length * pos[1].length * pos[2].length;
        float[] out = null;
        int k = -1;
        int done = 0;
        for (int ni = 0; ni < n; ni++) {
            double[] acc = null;
            double[] wsum = new double[padded[0] * padded[1] * padded[2]];
            List<int[]> batch = new ArrayList<>();
            for (int pz : pos[0]) for (int py : pos[1]) for (int px : pos[2]) {
                batch.add(new int[]{pz, py, px});
                boolean last = pz == pos[0][pos[0].length - 1] && py == pos[1][pos[1].length - 1] && px == pos[2][pos[2].length - 1];
                if (batch.size() < batchSize && !last) continue;
                progress.checkCancelled();
                float[] tiles = new float[batch.size() * c * tileVox];
                for (int b = 0; b < batch.size(); b++) copyTile(in, ni, c, size, batch.get(b), tiles, b * c * tileVox);
                INDArray pred = predictor.apply(Nd4j.create(tiles, tileShape(batch.size(), c), 'c'));
                long[] ps = pred.shape();
                long[] want = tileShape(batch.size(), ps.length > 1 ? (int) ps[1] : -1);
                if (!Arrays.equals(ps, want)) {
                    throw new IllegalStateException("the predictor returned shape " + Arrays.toString(ps)
                            + " for tiles of shape " + Arrays.toString(tileShape(batch.size(), c)) + "; expected B x K x tile");
                }
                if (k < 0) {
                    k = (int) ps[1];
                    out = new float[n * k * voxels];
                }
                if (ps[1] != k) throw new IllegalStateException("the predictor's number of output channels changed");
                if (acc == null) acc = new double[k * wsum.length];
                float[] p = pred.castTo(DataType.FLOAT).dup('c').data().asFloat();
                for (int b = 0; b < batch.size(); b++) accumulate(p, b * k * tileVox, k, batch.get(b), padded, acc, wsum);
                done += batch.size();
                progress.report((double) done / (n * tilesPerSample), "tile " + done + "/" + n * tilesPerSample);
                batch.clear();
            }
            for (int ch = 0; ch < k; ch++)
                for (int z = 0; z < size[0]; z++)
                    for (int y = 0; y < size[1]; y++)
                        for (int x = 0; x < size[2]; x++) {
                            int pi = x + padded[2] * (y + padded[1] * z);
                            out[(ni * k + ch) * voxels + x + size[2] * (y + size[1] * z)] =
                                    (float) (acc[ch * wsum.length + pi] / wsum[pi]);
                        }
        }
        long[] shape = volumetric ? new long[]{n, k, size[0], size[1], size[2]} : new long[]{n, k, size[1], size[2]};
        return Nd4j.create(out, shape, 'c');
    }

    private long[] tileShape(int b, int channels) {
        return volumetric ? new long[]{b, channels, tile[0], tile[1], tile[2]} : new long[]{b, channels, tile[1], tile[2]};
    }

    /** Copies the tile at {@code start} (padded coordinates) of sample ni, padding outside the image. */
    private void copyTile(float[] in, int ni, int c, int[] size, int[] start, float[] dst, int off) {
        int voxels = size[0] * size[1] * size[2];
        int t = off;
        for (int ch = 0; ch < c; ch++) {
            int base = (ni * c + ch) * voxels;
            for (int z = 0; z < tile[0]; z++)
                for (int y = 0; y < tile[1]; y++)
                    for (int x = 0; x < tile[2]; x++, t++) {
                        int sz = start[0] + z, sy = start[1] + y, sx = start[2] + x;
                        dst[t] = sz < size[0] && sy < size[1] && sx < size[2]
                                ? in[base + sx + size[2] * (sy + size[1] * sz)] : padValue;
                    }
        }
    }

    private void accumulate(float[] p, int off, int k, int[] start, int[] padded, double[] acc, double[] wsum) {
        double[][] w = new double[3][];
        for (int a = 0; a < 3; a++) {
            w[a] = window(a);
            boolean first = start[a] == 0, lastTile = start[a] + tile[a] == padded[a];
            for (int i = 0; i < margin && i < tile[a]; i++) {
                if (!first) w[a][i] = 0;
                if (!lastTile) w[a][tile[a] - 1 - i] = 0;
            }
        }
        int plane = padded[0] * padded[1] * padded[2];
        int tileVox = tile[0] * tile[1] * tile[2];
        int t = 0;
        for (int z = 0; z < tile[0]; z++)
            for (int y = 0; y < tile[1]; y++)
                for (int x = 0; x < tile[2]; x++, t++) {
                    double wt = w[0][z] * w[1][y] * w[2][x];
                    if (wt == 0) continue;
                    int pi = (start[2] + x) + padded[2] * ((start[1] + y) + padded[1] * (start[0] + z));
                    wsum[pi] += wt;
                    for (int ch = 0; ch < k; ch++) acc[ch * plane + pi] += wt * p[off + ch * tileVox + t];
                }
    }

    /** The blend window along array axis a (0 = z, 1 = y, 2 = x), before the margin. */
    double[] window(int a) {
        int n = tile[a];
        double[] w = new double[n];
        int ramp = n - stride[a];
        for (int i = 0; i < n; i++) {
            switch (blend) {
                case GAUSSIAN: {
                    double sigma = n / 8.0, d = i - (n - 1) / 2.0;
                    w[i] = n == 1 ? 1 : Math.exp(-d * d / (2 * sigma * sigma));
                    break;
                }
                case LINEAR:
                    w[i] = ramp <= 0 ? 1 : Math.min(1.0, (Math.min(i, n - 1 - i) + 1.0) / (ramp + 1.0));
                    break;
                default:
                    w[i] = 1;
            }
        }
        return w;
    }
}
