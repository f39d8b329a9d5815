package org.medsynth.nn;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Arrays;

/**
 * A SameDiff variable together with its static shape: batch (dynamic) x channels x spatial sizes.
 * Layout is NCHW (2D), NCDHW (3D) or [N, features] (no spatial dimensions), or channels last (NHWC /
 * NDHWC, {@link #channelsLast()}) inside networks that convert to it ({@link org.medsynth.nn.layers.Layout}):
 * {@link #channels()} and {@link #spatial()} mean the same in both layouts. The batch size is left
 * open (-1) so one graph serves any batch; channels and spatial sizes are fixed when the graph is
 * built, which lets layers check their arguments and report mistakes with a clear message.
 */
public final class Tensor {
    private final SDVariable var;
    private final SDVariable tangent;
    private final int channels;
    private final int[] spatial;
    private final boolean channelsLast;

    /** A channels-first tensor (NCHW / NCDHW / [N, features]). */
    public Tensor(SDVariable var, int channels, int... spatial) {
        this(var, null, false, channels, spatial);
    }

    private Tensor(SDVariable var, SDVariable tangent, boolean channelsLast, int channels, int... spatial) {
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
        this.channelsLast = channelsLast && spatial.length > 0;
    }

    /** The same shape in the given layout, as variable {@code v} (which must hold the data in that layout); no tangent. */
    public Tensor inLayout(SDVariable v, boolean channelsLast) {
        return new Tensor(v, null, channelsLast, channels, spatial);
    }

    /** True when the channel axis is the last one (NHWC / NDHWC), false for NCHW / NCDHW and flat tensors. */
    public boolean channelsLast() {
        return channelsLast;
    }

    /** Index of the channel axis in the full array: 1, or the last axis when channels last. */
    public int channelAxis() {
        return channelsLast ? 1 + spatial.length : 1;
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
        return new Tensor(var, t, channelsLast, channels, spatial);
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

    /** The same shape and layout with another variable (for shape-preserving ops); the tangent is dropped. */
    public Tensor with(SDVariable v) {
        return new Tensor(v, null, channelsLast, channels, spatial);
    }

    /** Another variable and shape in the same layout; the tangent is dropped. */
    public Tensor with(SDVariable v, int channels, int... spatial) {
        return new Tensor(v, null, channelsLast, channels, spatial);
    }

    /** Another variable and tangent (may be null) with the same shape and layout. */
    public Tensor with(SDVariable v, SDVariable tangent) {
        return new Tensor(v, tangent, channelsLast, channels, spatial);
    }

    /** Shape in this tensor's layout with the batch dimension given explicitly, e.g. for creating an input array. */
    public long[] shape(long batch) {
        long[] s = new long[2 + spatial.length];
        s[0] = batch;
        int first = channelsLast ? 1 : 2;
        s[channelAxis()] = channels;
        for (int i = 0; i < spatial.length; i++) s[first + i] = spatial[i];
        return s;
    }

    /** A shape of ones with {@code channels} on the channel axis and {@code batch} first, e.g. [1, C, 1, 1] for per-channel values. */
    public long[] channelShape(long batch, long channels) {
        long[] s = new long[2 + spatial.length];
        java.util.Arrays.fill(s, 1);
        s[0] = batch;
        s[channelAxis()] = channels;
        return s;
    }

    /** Spatial axes of the full array: (2,3) or (2,3,4); (1,2) or (1,2,3) when channels last. */
    public int[] spatialAxes() {
        int first = channelsLast ? 1 : 2;
        int[] a = new int[spatial.length];
        for (int i = 0; i < a.length; i++) a[i] = first + i;
        return a;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(var.name()).append("[N");
        if (!channelsLast) sb.append(',').append(channels);
        for (int s : spatial) sb.append(',').append(s);
        if (channelsLast) sb.append(',').append(channels);
        return sb.append(']').toString();
    }
}
