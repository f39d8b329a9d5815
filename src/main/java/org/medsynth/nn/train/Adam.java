package org.medsynth.nn.train;

import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.libtorch.TorchAdam;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * Adam with PyTorch's update rule ({@code torch.optim.Adam}, no weight decay):
 * <pre>
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   theta -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * One instance per parameter group (one for G, one for D): it only touches the arrays it is given
 * gradients for. Updates the store's arrays in place, so every graph built over the store sees them.
 * Not thread-safe.
 */
public final class Adam {
    private double learningRate;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long step;
    private final Map<String, INDArray> m = new HashMap<>();
    private final Map<String, INDArray> v = new HashMap<>();

    public Adam(double learningRate, double beta1, double beta2, double eps) {
        if (learningRate <= 0 || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new IllegalArgumentException("invalid Adam settings lr " + learningRate + " betas " + beta1 + ", " + beta2 + " eps " + eps);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** pix2pix / 3D-MedGAN: lr 2e-4, betas (0.5, 0.999). */
    public static Adam pix2pix() {
        return new Adam(2e-4, 0.5, 0.999, 1e-8);
    }

    /** PGGAN / SkrGAN: lr 1e-3, betas (0, 0.99). */
    public static Adam pggan() {
        return new Adam(1e-3, 0.0, 0.99, 1e-8);
    }

    public double learningRate() { return learningRate; }

    public void setLearningRate(double lr) {
        if (lr <= 0) throw new IllegalArgumentException("learning rate must be > 0");
        learningRate = lr;
    }

    public double beta1() { return beta1; }

    public double beta2() { return beta2; }

    public double eps() { return eps; }

    /** Number of updates done. */
    public long steps() { return step; }

    /** Forgets moments and step count (PGGAN resets the optimiser when the resolution grows). */
    public void reset() {
        m.values().forEach(INDArray::close);
        v.values().forEach(INDArray::close);
        m.clear();
        v.clear();
        step = 0;
    }

    /** Applies one update to every parameter in {@code grads} (name -> gradient; the gradient arrays are overwritten). */
    public void update(ParamStore store, Map<String, INDArray> grads) {
        update(store, grads, Engine.DL4J);
    }

    /**
     * {@link #update(ParamStore, Map)} by the kernels of {@code engine}: libnd4j's fused updater, or libtorch's element-wise
     * kernels ({@link TorchAdam}, several times faster on the CPU). The moments stay ND4J arrays either way (checkpoints).
     */
    public void update(ParamStore store, Map<String, INDArray> grads, Engine engine) {
        step++;
        double bc2 = 1 - Math.pow(beta2, step);
        double sqrtBc2 = Math.sqrt(bc2);
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            INDArray p = store.array(e.getKey());
            INDArray g = e.getValue();
            if (g.dataType() != p.dataType()) g = g.castTo(p.dataType());
            INDArray mi = m.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray vi = v.computeIfAbsent(e.getKey(), k -> Nd4j.zeros(p.dataType(), p.shape()));
            if (engine == Engine.LIBTORCH && TorchAdam.update(p, g, mi, vi, learningRate, beta1, beta2, eps, step)) continue;
            // libnd4j's fused adam_updater (one pass instead of ~10 element-wise ops) computes
            // lr sqrt(bc2) / bc1 * m / (sqrt(v) + e); with e = eps sqrt(bc2) that is exactly PyTorch's rule above.
            // In place: the gradient array becomes the update, v and m are updated where they are.
            Nd4j.exec(new AdamUpdater(g, vi, mi, learningRate, beta1, beta2, eps * sqrtBc2, (int) (step - 1)));
            p.subi(g);
        }
    }

    /** First moment of a parameter (null before its first update); for checkpoints and tests. */
    public INDArray firstMoment(String name) { return m.get(name); }

    /** Second moment of a parameter. */
    public INDArray secondMoment(String name) { return v.get(name); }

    /** Restores the state (checkpoint resume). */
    public void restore(long steps, Map<String, INDArray> firstMoments, Map<String, INDArray> secondMoments) {
        reset();
        this.step = steps;
        firstMoments.forEach((k, a) -> m.put(k, a.dup()));
        secondMoments.forEach((k, a) -> v.put(k, a.dup()));
    }

    /** Names of the parameters with optimiser state. */
    public java.util.Set<String> parameters() { return java.util.Collections.unmodifiableSet(m.keySet()); }
}
