package org.medsynth.nn;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;

/**
 * A SameDiff variable together with its static shape: batch (dynamic) x channels x spatial sizes.
 * Layout is NCHW (2D), NCDHW (3D) or [N, features] (no spatial dimensions). The batch size is left
 * open (-1) so one graph serves any batch; channels and spatial sizes are fixed when the graph is
 * built, which lets layers check their arguments and report mistakes with a clear message.
 */
public final class Tensor {
    private final SDVariable var;
    private final SDVariable tangent;
    private final int channels;
    private final int[] spatial;

    public Tensor(SDVariable var, int channels, int... spatial) {
        this(var, null, channels, spatial);
    }

    private Tensor(SDVariable var, SDVariable tangent, int channels, int... spatial) {
        if (var == null) throw new IllegalArgumentException("variable is null");
        if (channels < 1) throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        for (int s : spatial) {
            if (s < 1) throw new IllegalArgumentException("spatial sizes must be >= 1, got " + Arrays.toString(spatial));
        }
        if (spatial.length > 3) throw new IllegalArgumentException("at most 3 spatial dimensions");
        this.var = var;
        this.tangent = tangent;
        this.channels = channels;
        this.spatial = spatial.clone();
    }

    public SDVariable var() {
        return var;
    }

    /**
     * Forward-mode tangent (directional derivative of this value along a direction fed for the
     * network input), or null. Layers that support it propagate it exactly; all others drop it, which
     * the user of tangents ({@link org.medsynth.nn.losses.WganGp}) detects at the output.
     */
    public SDVariable tangent() {
        return tangent;
    }

    public boolean hasTangent() {
        return tangent != null;
    }

    /** The same value with a tangent. */
    public Tensor withTangent(SDVariable t) {
        return new Tensor(var, t, channels, spatial);
    }

    public int channels() {
        return channels;
    }

    /** Spatial sizes (H, W) or (D, H, W); empty for a flat [N, features] tensor. */
    public int[] spatial() {
        return spatial.clone();
    }

    public int spatial(int i) {
        return spatial[i];
    }

    /** 0 (flat), 2 or 3. */
    public int spatialDims() {
        return spatial.length;
    }

    /** Number of values per sample. */
    public long sizePerSample() {
        long n = channels;
        for (int s : spatial) n *= s;
        return n;
    }

    /** The same shape with another variable (for shape-preserving ops); the tangent is dropped. */
    public Tensor with(SDVariable v) {
        return new Tensor(v, channels, spatial);
    }

    /** Another variable and shape; the tangent is dropped. */
    public Tensor with(SDVariable v, int channels, int... spatial) {
        return new Tensor(v, channels, spatial);
    }

    /** Another variable and tangent (may be null) with the same shape. */
    public Tensor with(SDVariable v, SDVariable tangent) {
        return new Tensor(v, tangent, channels, spatial);
    }

    /** Shape with the batch dimension given explicitly, e.g. for creating an input array. */
    public long[] shape(long batch) {
        long[] s = new long[2 + spatial.length];
        s[0] = batch;
        s[1] = channels;
        for (int i = 0; i < spatial.length; i++) s[2 + i] = spatial[i];
        return s;
    }

    /** Spatial axes of the full array (2,3) or (2,3,4). */
    public int[] spatialAxes() {
        int[] a = new int[spatial.length];
        for (int i = 0; i < a.length; i++) a[i] = 2 + i;
        return a;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(var.name()).append("[N,").append(channels);
        for (int s : spatial) sb.append(',').append(s);
        return sb.append(']').toString();
    }
}
