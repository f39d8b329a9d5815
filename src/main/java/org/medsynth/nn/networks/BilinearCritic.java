package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The bilinear discriminator of Info-Max-Net:
 * <pre>
 *   T(x, y) = sum_ij theta_ij x_i y_j + sum_i theta_i0 x_i + sum_j theta_0j y_j + theta_00
 * </pre>
 * for a feature vector x [N, F] and a feature code y [N, K], one score (logit) per sample.
 * Parameters: {@code theta} [F, K], {@code thetaX} [F, 1], {@code thetaY} [K, 1], {@code theta0} [1];
 * initialised as PyTorch's {@code nn.Bilinear} (U(-1/sqrt(F), 1/sqrt(F))), the linear terms as
 * {@code nn.Linear}, the constant at 0.
 */
public final class BilinearCritic {
    private BilinearCritic() { }

    /** Scores [N] of the pairs (x[n], y[n]). */
    public static SDVariable score(NetBuilder b, String name, SDVariable x, int features, SDVariable y, int codeSize) {
        NetBuilder s = b.sub(name);
        SDVariable theta = s.param("theta", new long[]{features, codeSize}, WeightInit.pytorchDefault(), features);
        SDVariable tx = s.param("thetaX", new long[]{features, 1}, WeightInit.pytorchDefault(), features);
        SDVariable ty = s.param("thetaY", new long[]{codeSize, 1}, WeightInit.pytorchDefault(), codeSize);
        SDVariable t0 = s.param("theta0", new long[]{1}, WeightInit.constant(0), 1);
        SDVariable xTheta = x.mmul(s.opName("xTheta"), theta);                            // [N, K]
        SDVariable bilinear = xTheta.mul(s.opName("xThetaY"), y).sum(s.opName("bilinear"), 1); // [N]
        SDVariable linX = s.sd().reshape(s.opName("linX"), x.mmul(tx), -1);               // [N]
        SDVariable linY = s.sd().reshape(s.opName("linY"), y.mmul(ty), -1);               // [N]
        return bilinear.add(linX).add(linY).add(s.opName("score"), t0);
    }
}
