package org.medsynth.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;

/** Batches of {@link Patch}es as network inputs and targets (NCHW for 2D, NCDHW for 3D). */
public final class Patches {

    private Patches() { }

    /** Images: N x C x H x W ({@code volumetric} false; patches must have depth 1) or N x C x D x H x W. */
    public static INDArray images(List<Patch> patches, boolean volumetric) {
        Patch p0 = check(patches, volumetric);
        INDArray out = Nd4j.create(DataType.FLOAT, shape(patches.size(), p0.channels(), p0, volumetric));
        FloatBuffer buf = out.data().asNioFloat();
        for (Patch p : patches) for (float[] c : p.image()) buf.put(c);
        return out;
    }

    /** Class indices as floats: N x 1 x H x W or N x 1 x D x H x W. */
    public static INDArray labels(List<Patch> patches, boolean volumetric) {
        Patch p0 = check(patches, volumetric);
        INDArray out = Nd4j.create(DataType.FLOAT, shape(patches.size(), 1, p0, volumetric));
        FloatBuffer buf = out.data().asNioFloat();
        for (Patch p : patches) for (int v : p.labels()) buf.put(v);
        return out;
    }

    /** One-hot targets: N x K x H x W or N x K x D x H x W; labels outside 0..K-1 are refused. */
    public static INDArray oneHot(List<Patch> patches, int classes, boolean volumetric) {
        Patch p0 = check(patches, volumetric);
        int n = p0.voxels();
        float[] data = new float[patches.size() * classes * n];
        for (int i = 0; i < patches.size(); i++) {
            int[] lab = patches.get(i).labels();
            for (int k = 0; k < n; k++) {
                int c = lab[k];
                if (c < 0 || c >= classes) throw new IllegalArgumentException("label " + c + " outside 0.." + (classes - 1));
                data[(i * classes + c) * n + k] = 1f;
            }
        }
        return Nd4j.create(data, shape(patches.size(), classes, p0, volumetric), 'c');
    }

    private static Patch check(List<Patch> patches, boolean volumetric) {
        if (patches.isEmpty()) throw new IllegalArgumentException("no patches");
        Patch p0 = patches.get(0);
        for (Patch p : patches) {
            if (p.width() != p0.width() || p.height() != p0.height() || p.depth() != p0.depth() || p.channels() != p0.channels()) {
                throw new IllegalArgumentException("patches of different sizes cannot form one batch");
            }
        }
        if (!volumetric && p0.depth() != 1) throw new IllegalArgumentException("2D batches need patches of depth 1, not " + p0.depth());
        return p0;
    }

    private static long[] shape(int n, int c, Patch p, boolean volumetric) {
        return volumetric ? new long[]{n, c, p.depth(), p.height(), p.width()} : new long[]{n, c, p.height(), p.width()};
    }
}
