package org.medsynth.nn.layers;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.libtorch.TorchSpectralNorm;
import org.medsynth.nn.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spectral normalisation (Miyato et al. 2018) as PyTorch's {@code torch.nn.utils.spectral_norm}:
 * the weight is viewed as a matrix W [rows = output features, cols = rest]; persistent vectors
 * u [rows] and v [cols] approximate its leading singular vectors; the layer uses W / sigma with
 * sigma = u^T W v.
 *
 * <p>u and v are updated by power iteration <em>outside</em> the graph ({@link #powerIteration},
 * called by {@link org.medsynth.nn.train.TrainStep} before each step of the group that owns the
 * weight): {@code v = normalize(W^T u); u = normalize(W v)}. Inside the graph u and v are constants,
 * represented by their outer product {@code uv} laid out like W, so sigma = sum(W * uv) and the
 * gradient of W / sigma is exactly PyTorch's (which also treats u and v as constants).
 * u and v are stored as STATE parameters {@code <layer>/u}, {@code <layer>/v} (saved with the model),
 * {@code uv} as a DERIVED one.
 */
public final class SpectralNorm {
    public static final double EPS = 1e-12;

    /** The arrays of one spectrally normalised weight. */
    public record State(String weightName, String uName, String vName, String uvName, int rowAxis, String group) { }

    private SpectralNorm() { }

    /**
     * Returns W / sigma for the weight {@code w} (the store's array {@code weightName}), creating u, v
     * (random unit vectors on first use) in the scope of {@code s}.
     */
    public static SDVariable normalize(NetBuilder s, String weightName, SDVariable w, int rowAxis) {
        ParamStore store = s.store();
        INDArray warr = store.array(weightName);
        long[] shape = warr.shape();
        long rows = shape[rowAxis];
        long cols = warr.length() / rows;
        String uName = s.prefix() + "u";
        String vName = s.prefix() + "v";
        boolean fresh = !store.contains(uName);
        s.param("u", new long[]{rows}, WeightInit.normal(1.0), 1, ParamStore.Role.STATE);
        s.param("v", new long[]{cols}, WeightInit.normal(1.0), 1, ParamStore.Role.STATE);
        INDArray u = store.array(uName);
        INDArray v = store.array(vName);
        if (fresh) {
            normalizeInPlace(u);
            normalizeInPlace(v);
        }
        State st = new State(weightName, uName, vName, s.prefix() + "uv", rowAxis, s.group());
        SDVariable uv = s.param("uv", shape, WeightInit.constant(0), 1, ParamStore.Role.DERIVED);
        updateOuter(store, st);
        s.register(st);
        SDVariable sigma = w.mul(s.opName("Wuv"), uv).sum(s.opName("sigma"));
        // not w.div(sigma): ND4J 1.0.0-M2.1's broadcast div computes a wrong gradient for the divisor
        // (-sum(g) sum(w) / sigma^2 instead of -sum(g w) / sigma^2); multiplying by 1/sigma is right
        return w.mul(s.opName("Wsn"), s.sd().math().reciprocal(s.opName("invSigma"), sigma));
    }

    /**
     * {@code iterations} power-iteration steps on the current weight; updates u, v and uv in place.
     *
     * @return sigma = u^T W v after the update
     */
    public static double powerIteration(ParamStore store, State st, int iterations) {
        iterate(store, st, iterations);
        return sigma(store, st);
    }

    /**
     * {@link #powerIteration} without computing sigma, which a training step does not read (the graph computes it from
     * uv): a second copy of the weight and two products saved per weight and step.
     */
    public static void iterate(ParamStore store, State st, int iterations) {
        iterate(store, st, iterations, Engine.DL4J);
    }

    /**
     * {@link #iterate(ParamStore, State, int)} by the kernels of {@code engine}: on libtorch, a weight whose row axis is last
     * by {@link TorchSpectralNorm} (the same products without copying the weight; float rounding may differ).
     */
    public static void iterate(ParamStore store, State st, int iterations, Engine engine) {
        INDArray w = store.array(st.weightName()), u = store.array(st.uName()), v = store.array(st.vName()), uv = store.array(st.uvName());
        if (engine == Engine.LIBTORCH && st.rowAxis() == w.rank() - 1 && TorchSpectralNorm.iterate(w, u, v, uv, iterations, EPS)) return;
        if (iterations > 0) {
            INDArray wm = matrix(w, st.rowAxis());
            INDArray uc = u.reshape(u.length(), 1);
            INDArray vc = v.reshape(v.length(), 1);
            for (int i = 0; i < iterations; i++) {
                INDArray nv = wm.transpose().mmul(uc);
                normalizeInPlace(nv);
                vc.assign(nv);
                INDArray nu = wm.mmul(vc);
                normalizeInPlace(nu);
                uc.assign(nu);
            }
        }
        updateOuter(store, st);
    }

    /** u^T W v with the current arrays. */
    public static double sigma(ParamStore store, State st) {
        INDArray wm = matrix(store.array(st.weightName()), st.rowAxis());
        INDArray u = store.array(st.uName());
        INDArray v = store.array(st.vName());
        return u.reshape(1, u.length()).mmul(wm).mmul(v.reshape(v.length(), 1)).getDouble(0);
    }

    /**
     * The weight as a [rows, cols] matrix (a copy): the row axis first, the other axes in order. With the row axis last
     * (a convolution's [k.., cIn, cOut]) that is the transpose of the row-major [cols, rows] view, which ND4J copies as a
     * 2D transposition, several times faster than the permutation of all axes (same values).
     */
    public static INDArray matrix(INDArray w, int rowAxis) {
        long rows = w.size(rowAxis);
        if (rowAxis == w.rank() - 1) return w.reshape('c', w.length() / rows, rows).transpose().dup('c');
        int[] perm = permutation(w.rank(), rowAxis);
        return w.permute(perm).dup('c').reshape('c', rows, w.length() / rows);
    }

    private static int[] permutation(int rank, int rowAxis) {
        int[] perm = new int[rank];
        perm[0] = rowAxis;
        int k = 1;
        for (int i = 0; i < rank; i++) if (i != rowAxis) perm[k++] = i;
        return perm;
    }

    /** uv = the outer product u v^T laid out like W (each value one product u_i v_j, however it is computed). */
    private static void updateOuter(ParamStore store, State st) {
        INDArray w = store.array(st.weightName());
        INDArray u = store.array(st.uName());
        INDArray v = store.array(st.vName());
        INDArray uv = store.array(st.uvName());
        if (st.rowAxis() == w.rank() - 1 && uv.ordering() == 'c' && !uv.isView()) {
            // the row axis last: uv is the row-major [cols, rows] matrix v u^T, copied in without a permutation
            uv.reshape('c', v.length(), u.length()).assign(v.reshape(v.length(), 1).mmul(u.reshape(1, u.length())));
            return;
        }
        INDArray outer = u.reshape(u.length(), 1).mmul(v.reshape(1, v.length()));
        int[] perm = permutation(w.rank(), st.rowAxis());
        long[] permShape = new long[w.rank()];
        for (int i = 0; i < perm.length; i++) permShape[i] = w.size(perm[i]);
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
        uv.assign(outer.reshape('c', permShape).permute(inverse));
    }

    private static void normalizeInPlace(INDArray x) {
        double n = x.norm2Number().doubleValue();
        x.divi(Math.max(n, EPS));
    }
}
