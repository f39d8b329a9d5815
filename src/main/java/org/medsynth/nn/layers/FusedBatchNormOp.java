package org.medsynth.nn.layers;

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
 * FlatBuffers clone is this class again and {@link #doDiff} builds {@link Backward} (native
 * {@code batchnorm_bp}, 5 outputs). Inputs: x, mean [C], variance [C], gamma [C], beta [C]; the
 * channel axis is 1 (NCHW / NCDHW).
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

    public FusedBatchNormOp(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma, SDVariable beta,
                            double epsilon) {
        super(sd, new SDVariable[]{x, mean, variance, gamma, beta});
        addIArgument(1, 1, 1);  // applyGamma, applyBeta, axis 1
        setEpsilon(epsilon);
    }

    /** Applies the op: normalised output of x (the first and only output). */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma,
                                   SDVariable beta, double epsilon) {
        return new FusedBatchNormOp(sd, x, mean, variance, gamma, beta, epsilon).output(name);
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
        return Arrays.asList(new Backward(sameDiff, a[0], a[1], a[2], a[3], a[4], grad.get(0), epsilon).outputVariables());
    }

    /** Native {@code batchnorm_bp}: outputs dL/dx, dL/dmean (0), dL/dvariance (0), dL/dgamma, dL/dbeta. */
    public static final class Backward extends NativeOpAlias {
        public static final String NAME = "medsynth_batchnorm_bp";

        public Backward() { }

        Backward(SameDiff sd, SDVariable x, SDVariable mean, SDVariable variance, SDVariable gamma, SDVariable beta, SDVariable gradOut,
                 double epsilon) {
            super(sd, new SDVariable[]{x, mean, variance, gamma, beta, gradOut});
            addIArgument(1, 1, 1);
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
