package org.medsynth.nn.engine.dl4j;

import org.medsynth.nn.layers.Layout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.ImportClassMapping;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * libnd4j's fused {@code batchnorm} / {@code batchnorm_bp} kernels (oneDNN on CPU for float32) as a
 * SameDiff op whose gradient works in ND4J 1.0.0-M2.1.
 *
 * <p>Why not {@code sd.nn().batchNorm(...)}: in M2.1 its gradient cannot be built. SameDiff clones
 * every op through FlatBuffers before differentiating it, and the clone of
 * {@code org.nd4j...convolution.BatchNorm} loses its axis ({@code jaxis} is not among its serialised
 * properties: "Invalid axis argument ... Got null"); with the axis restored,
 * {@code BatchNormDerivative} still declares 1 output data type for the 5 outputs of
 * {@code batchnorm_bp} and rejects 6 inputs.
 *
 * <p>This op executes the native {@code batchnorm} kernel (its {@link #opHash()}), but carries its own
 * op name ({@value #NAME}), registered in {@link ImportClassMapping#getOpNameMapping()}, so that the
 * FlatBuffers clone is this class again and {@link #doDiff} builds its own gradient: by default composed
 * from vectorised kernels (see {@code composedBackward}), with
 * {@link org.medsynth.nn.EngineOptions#nativeBatchNormBackward()} libnd4j's {@code batchnorm_bp} ({@link Backward}, 5 outputs); maps smaller than {@link #COMPOSED_MIN_VALUES}
 * always use the kernel. Inputs: x, mean [C], variance [C], gamma [C], beta [C]; the
 * channel axis is 1 (NCHW / NCDHW) or the last (NHWC / NDHWC).
 *
 * <p>Gradient semantics (checked against PyTorch in the tests): {@code batchnorm_bp} returns the full
 * training-mode input gradient, i.e. it assumes mean and variance are the biased batch statistics of
 * x over all axes but 1 and includes their derivative in dL/dx; its dL/dmean and dL/dvariance are 0.
 * So the statistics must be exactly those batch statistics (as {@link BatchNorm} computes them), and
 * their own backward pass contributes nothing.
 */
public final class FusedBatchNormOp extends NativeOpAlias {
    /** Op name in SameDiff graphs (not a native name: execution uses the hash of {@code batchnorm}). */
    public static final String NAME = "medsynth_batchnorm";

    static {
        registerOpNames(new FusedBatchNormOp(), new Backward(), new Moments());
    }

    /** For SameDiff's reflective cloning only. */
    public FusedBatchNormOp() { }

    /**
     * Values per channel and sample from which the composed backward pass is used: it costs about 20 small ops,
     * which outweigh the kernel's slowness on small maps (pix2pix's 8-level U-Net, down to 1 x 1, trains slower
     * with the composed pass everywhere).
     */
    public static final long COMPOSED_MIN_VALUES = 64 * 64;

    /** Rank of x (4 for NCHW, 5 for NCDHW) when the composed backward pass is used; 0 runs the native one. */
    private int rank;

    /**
     * @param spatial     the input's spatial sizes (H, W) or (D, H, W): they choose the backward pass
     * @param channelAxis 1 (NCHW / NCDHW) or the last axis (NHWC / NDHWC)
     * @param nativeBackward libnd4j's batchnorm_bp for the backward pass at every size (for comparisons)
     */
    public FusedBatchNormOp(SameDiff sd, SDVariable x, int[] spatial, int channelAxis, SDVariable mean, SDVariable variance, SDVariable gamma,
                            SDVariable beta, double epsilon, boolean nativeBackward) {
        super(sd, new SDVariable[]{x, mean, variance, gamma, beta});
        if (spatial.length == 0) throw new IllegalArgumentException("batch norm needs an input with spatial dimensions (N, C, spatial...)");
        if (channelAxis != 1 && channelAxis != 1 + spatial.length) {
            throw new IllegalArgumentException("batch norm: the channel axis must be 1 or " + (1 + spatial.length) + ", got " + channelAxis);
        }
        long values = 1;
        for (int v : spatial) values *= v;
        this.rank = values >= COMPOSED_MIN_VALUES && !nativeBackward ? 2 + spatial.length : 0;
        addIArgument(1, 1, channelAxis);  // applyGamma, applyBeta, axis
        setEpsilon(epsilon);
    }

    /** Applies the op to x with the given spatial sizes and channel axis: normalised output of x (the first and only output). */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x, int[] spatial, int channelAxis, SDVariable mean, SDVariable variance,
                                   SDVariable gamma, SDVariable beta, double epsilon, boolean nativeBackward) {
        return new FusedBatchNormOp(sd, x, spatial, channelAxis, mean, variance, gamma, beta, epsilon, nativeBackward).output(name);
    }

    @Override
    public String opName() {
        return NAME;
    }

    @Override
    protected String nativeName() {
        return "batchnorm";
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> grad) {
        SDVariable[] a = args();
        if (rank < 3) {
            return Arrays.asList(new Backward(sameDiff, a[0], a[1], a[2], a[3], a[4], grad.get(0), epsilon, axisArgument()).outputVariables());
        }
        return composedBackward(a[0], a[1], a[2], a[3], grad.get(0));
    }

    /**
     * The training-mode gradient from vectorised kernels. With xc = x - mean, s = 1/sqrt(var + eps), n the
     * number of values per channel, Sg = sum(g) and Sgx = sum(g xc) over all axes but the channels:
     * <pre>
     *   dL/dbeta  = Sg,   dL/dgamma = s Sgx,
     *   dL/dx     = gamma s (g - Sg/n - xc s^2 Sgx/n)  =  g A + xc B + C   (A, B, C per channel)
     * </pre>
     * Why: libnd4j's batchnorm_bp is an order of magnitude slower than PyTorch's on large maps and was a large share
     * of a 256 x 256 U-Net or MLU-Net step (docs/benchmarks.md); these eight vectorised passes over the array cost
     * a fraction of it.
     * Centring first (rather than expanding sum(g x) - mean sum(g)) keeps float32 exact for large means.
     * dL/dmean and dL/dvar are 0, as with batchnorm_bp: the statistics' derivative is already in dL/dx.
     */
    private List<SDVariable> composedBackward(SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma, SDVariable g) {
        SameDiff sd = sameDiff;
        int channelAxis = axisArgument();
        int[] axes = new int[rank - 1];                           // all axes but the channels
        for (int i = 0, k = 0; i < rank; i++) if (i != channelAxis) axes[k++] = i;
        long[] bshape = new long[rank];
        Arrays.fill(bshape, 1);
        bshape[channelAxis] = -1;
        SDVariable xc = x.sub(sd.reshape(mean, bshape));
        boolean last = channelAxis == rank - 1;
        SDVariable sg = last ? Layout.channelSum(g, rank) : g.sum(false, axes);
        SDVariable sgx = last ? Layout.channelSum(g.mul(xc), rank) : g.mul(xc).sum(false, axes);
        SDVariable n = sd.prod(sd.gather(sd.shape(x), axes, 0)).castTo(x.dataType());
        SDVariable s = sd.math().rsqrt(variance.add(epsilon));
        SDVariable k = gamma.mul(s);
        SDVariable coefXc = k.mul(s).mul(s).mul(sgx).div(n).neg();
        SDVariable coefOne = k.mul(sg).div(n).neg();
        SDVariable dx = g.mul(sd.reshape(k, bshape)).add(sd.reshape(coefOne, bshape)).add(xc.mul(sd.reshape(coefXc, bshape)));
        SDVariable dGamma = sgx.mul(s);
        return Arrays.asList(dx, sd.zerosLike(mean), sd.zerosLike(variance), dGamma, sg);
    }

    @Override
    public java.util.Map<String, Object> propertiesForFunction() {
        java.util.Map<String, Object> m = super.propertiesForFunction();
        m.put("rank", rank);
        return m;
    }

    @Override
    public void setPropertiesForFunction(java.util.Map<String, Object> properties) {
        super.setPropertiesForFunction(properties);
        if (properties.get("rank") instanceof Number r) rank = r.intValue();
    }

    /** The channel axis as the native kernels got it (the op's third integer argument; survives cloning). */
    private int axisArgument() {
        long[] i = iArgs();
        return i.length > 2 ? (int) i[2] : 1;
    }

    /** Native {@code batchnorm_bp}: outputs dL/dx, dL/dmean (0), dL/dvariance (0), dL/dgamma, dL/dbeta. */
    public static final class Backward extends NativeOpAlias {
        public static final String NAME = "medsynth_batchnorm_bp";

        public Backward() { }

        Backward(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma, SDVariable beta, SDVariable gradOut,
                 double epsilon, int channelAxis) {
            super(sd, new SDVariable[]{x, mean, variance, gamma, beta, gradOut});
            addIArgument(1, 1, channelAxis);
            setEpsilon(epsilon);
        }

        @Override
        public String opName() {
            return NAME;
        }

        @Override
        protected String nativeName() {
            return "batchnorm_bp";
        }

        @Override
        public int getNumOutputs() {
            return 5;
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grad) {
            throw new UnsupportedOperationException("second derivatives of batch norm are not supported");
        }
    }

    /** Native {@code moments}: biased mean and variance over the given axes, no gradient of its own. */
    public static final class Moments extends NativeOpAlias {
        public static final String NAME = "medsynth_bn_moments";

        public Moments() { }

        public Moments(SameDiff sd, SDVariable x, int[] axes) {
            super(sd, new SDVariable[]{x});
            addIArgument(axes);
        }

        @Override
        public String opName() {
            return NAME;
        }

        @Override
        protected String nativeName() {
            return "moments";
        }

        @Override
        public int getNumOutputs() {
            return 2;
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grad) {
            // the statistics feed only FusedBatchNormOp, whose batchnorm_bp already contains their
            // derivative in dL/dx (and returns 0 for them): contribute nothing. A scalar 0 (broadcast
            // when SameDiff adds it to the other gradient of x) avoids a full-size array of zeros.
            return Collections.singletonList(sameDiff.constant(Nd4j.scalar(arg().dataType(), 0.0)));
        }
    }
}
