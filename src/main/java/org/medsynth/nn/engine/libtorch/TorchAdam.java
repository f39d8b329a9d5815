package org.medsynth.nn.engine.libtorch;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;

/**
 * One Adam update of one parameter by libtorch's element-wise kernels, in place in the ND4J arrays of the parameter and
 * its moments (viewed, not copied): the steps of {@code torch.optim.Adam}'s single-tensor path, so the same rule as
 * {@link org.medsynth.nn.train.Adam}'s ND4J kernel up to float rounding. libnd4j's adam_updater took 20-27 ms per SkrGAN
 * G_P/D_P iteration (2.6 M parameters), these kernels 3-4 ms.
 */
public final class TorchAdam {
    private TorchAdam() { }

    /**
     * m = lerp(m, g, 1 - b1); v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps), the
     * four arrays of one shape and type. Returns false, changing nothing, unless all four are whole row-major arrays
     * (libtorch views them; the caller then updates them by ND4J's kernel).
     */
    public static boolean update(INDArray param, INDArray grad, INDArray m, INDArray v, double lr, double beta1, double beta2, double eps, long step) {
        if (!TorchArrays.viewable(param, grad, m, v)) return false;
        double stepSize = lr / (1 - Math.pow(beta1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        try (PointerScope scope = new PointerScope()) {
            Tensor p = TorchArrays.view(param), g = TorchArrays.view(grad), mt = TorchArrays.view(m), vt = TorchArrays.view(v);
            mt.lerp_(g, new Scalar(1 - beta1));
            vt.mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
            // m / (sqrt(v) / sqrt(bc2) + eps) = sqrt(bc2) m / (sqrt(v) + eps sqrt(bc2)): one pass over the map fewer
            // (libnd4j's adam_updater folds it the same way)
            Tensor denom = vt.sqrt().add_(new Scalar(eps * bc2Sqrt));
            p.addcdiv_(mt, denom, new Scalar(-stepSize * bc2Sqrt));
        }
        Reference.reachabilityFence(new INDArray[]{param, grad, m, v});
        return true;
    }
}
