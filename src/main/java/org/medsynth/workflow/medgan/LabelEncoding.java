package org.medsynth.workflow.medgan;

import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.UserInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The label values a 3D-MedGAN was trained on and their one-hot channels: the k-th smallest label
 * value found in the training label maps is channel k (so label maps with gaps, such as the
 * Brodmann atlas with values 0..48 of which 42 occur, need no renumbering). The list is stored in
 * the model archive; label maps given to the trained generator may only use these values.
 */
public final class LabelEncoding {

    /** More distinct values than this is almost certainly not a label map (and would need huge one-hot inputs). */
    public static final int MAX_CLASSES = 256;

    private final int[] values;
    private final int min;
    private final int[] lookup; // value - min -> class index, or -1

    public LabelEncoding(int[] values) {
        int[] v = values.clone();
        Arrays.sort(v);
        if (v.length < 2) {
            throw new UserInputException("The training label maps contain only the label " + (v.length == 0 ? "(none)" : v[0])
                    + ". 3D-MedGAN needs label maps with at least two labels (e.g. background 0 and a structure 1).");
        }
        for (int i = 1; i < v.length; i++) {
            if (v[i] == v[i - 1]) throw new IllegalArgumentException("duplicate label value " + v[i]);
        }
        if (v.length > MAX_CLASSES) {
            throw new UserInputException("The label maps contain " + v.length + " different values (more than " + MAX_CLASSES
                    + "). A label map holds a few class numbers; check that the 'labels' folder holds label maps, not images.");
        }
        long span = (long) v[v.length - 1] - v[0] + 1;
        if (span > 1 << 24) throw new UserInputException("Label values range from " + v[0] + " to " + v[v.length - 1] + "; use class numbers below 16777216.");
        this.values = v;
        this.min = v[0];
        this.lookup = new int[(int) span];
        Arrays.fill(lookup, -1);
        for (int i = 0; i < v.length; i++) lookup[v[i] - min] = i;
    }

    /** The encoding of all values that occur in the given label maps. */
    public static LabelEncoding of(Collection<int[]> labelMaps) {
        TreeSet<Integer> set = new TreeSet<>();
        for (int[] m : labelMaps) {
            boolean[] seen = new boolean[65536];
            for (int x : m) {
                if (x >= 0 && x < seen.length) {
                    if (!seen[x]) { seen[x] = true; set.add(x); }
                } else {
                    set.add(x);
                }
            }
        }
        return new LabelEncoding(set.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Number of classes = one-hot channels. */
    public int classes() {
        return values.length;
    }

    /** The label values in channel order. */
    public int[] values() {
        return values.clone();
    }

    public List<Integer> valueList() {
        List<Integer> l = new ArrayList<>();
        for (int v : values) l.add(v);
        return l;
    }

    /** Class index of a label value, or -1 when the model does not know it. */
    public int index(int value) {
        long k = (long) value - min;
        return k < 0 || k >= lookup.length ? -1 : lookup[(int) k];
    }

    /** Class indices of a label map's voxels; a clear error for a value the model was not trained on. */
    public int[] indices(int[] labelValues, String what) {
        int[] out = new int[labelValues.length];
        for (int i = 0; i < out.length; i++) {
            int k = index(labelValues[i]);
            if (k < 0) {
                throw new UserInputException(what + " contains the label " + labelValues[i] + ", which the model was not trained on"
                        + " (it knows the labels " + describe() + "). Relabel the map, or train the model with label maps that contain this label.");
            }
            out[i] = k;
        }
        return out;
    }

    public int[] indices(LabelVolume lv) {
        return indices(lv.values(), "Label map '" + lv.title() + "'");
    }

    /** Short description of the values, e.g. "0, 1, 2" or "0, 1, 2, ... 48 (42 values)". */
    public String describe() {
        if (values.length <= 8) return Arrays.toString(values).replaceAll("[\\[\\]]", "");
        return values[0] + ", " + values[1] + ", " + values[2] + ", ... " + values[values.length - 1] + " (" + values.length + " values)";
    }

    /**
     * One-hot encoding of class indices: {@code indices} has shape [N, 1, spatial...] (float class
     * indices, as {@link org.medsynth.data.Patches#labels} gives them), the result [N, K, spatial...].
     * Indices outside 0..K-1 are refused.
     */
    public INDArray oneHot(INDArray indices) {
        long[] s = indices.shape();
        if (s.length < 3 || s[1] != 1) throw new IllegalArgumentException("expected [N, 1, spatial...] class indices, got " + Arrays.toString(s));
        float[] idx = indices.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int n = (int) s[0];
        int vox = idx.length / n;
        int k = classes();
        float[] out = new float[n * k * vox];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < vox; i++) {
                float f = idx[b * vox + i];
                int c = (int) f;
                if (c != f || c < 0 || c >= k) throw new IllegalArgumentException("class index " + f + " outside 0.." + (k - 1));
                out[(b * k + c) * vox + i] = 1f;
            }
        }
        long[] shape = s.clone();
        shape[1] = k;
        return Nd4j.create(out, shape, 'c');
    }
}
