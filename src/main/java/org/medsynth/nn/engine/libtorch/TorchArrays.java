package org.medsynth.nn.engine.libtorch;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves arrays between ND4J (MedSynth's host arrays: parameters, feeds, results) and libtorch tensors. On the CPU
 * an ND4J array becomes a tensor <em>view</em> of the same memory (no copy): parameters updated in place by the
 * optimiser are seen by the next pass. The array must stay alive as long as the view is used. On CUDA the view is
 * copied to the device ({@link #onCuda}) and results are copied back ({@link #toArray}).
 */
final class TorchArrays {
    private TorchArrays() { }

    /** A tensor over the memory of {@code a}, which must be a {@link #hostArray} (the tensor does not own the memory). */
    static Tensor view(INDArray a) {
        Pointer p = a.data().addressPointer();
        return torch.from_blob(p, a.shape(), new TensorOptions(scalarType(a.dataType())));
    }

    /** A copy of {@code a} (a {@link #hostArray}) on the current CUDA device; the copy is complete when this returns. */
    static Tensor onCuda(INDArray a) {
        return view(a).cuda();
    }

    /** True when every one of the arrays is a whole row-major buffer, which {@link #view} can show as it is. */
    static boolean viewable(INDArray... arrays) {
        for (INDArray a : arrays) if (a.isView() || a.ordering() != 'c' || a.offset() != 0) return false;
        return true;
    }

    /** {@code a} itself, or a row-major copy without offset, with integers widened to int64 (libtorch's index type). */
    static INDArray hostArray(INDArray a) {
        INDArray c = a;
        if (!viewable(c)) c = c.dup('c');
        DataType dt = c.dataType();
        if (dt == DataType.INT || dt == DataType.SHORT || dt == DataType.BYTE || dt == DataType.UINT8 || dt == DataType.INT8
                || dt == DataType.INT16 || dt == DataType.INT32 || dt == DataType.UINT16 || dt == DataType.UINT32) {
            c = c.castTo(DataType.LONG);
        }
        return c;
    }

    /**
     * A new ND4J array with the values of {@code t} (copied; from the device first when {@code t} is on CUDA; the copies on
     * the way are freed at once). Copied straight into the array's memory (one pass, not a row-major copy and then a
     * memcpy); the gradient of a convolution weight, a [k.., a, b] view of a row-major [b, a, k..] tensor (see
     * {@link TorchOps}), by {@link #reverseAxes}, and that of a channels-last weight ([b, k.., a] in memory) by one 2D
     * transposition (libtorch's strided copy of it took 2.3 ms more per G_P/D_P iteration).
     */
    static INDArray toArray(Tensor t) {
        try (PointerScope temporaries = new PointerScope()) {
            Tensor c = t.detach();
            if (c.is_cuda()) c = c.cpu();
            DataType dt = dataType(c.scalar_type());
            long[] shape = c.sizes().vec().get();
            INDArray a = Nd4j.createUninitialized(dt, shape);
            if (c.numel() == 0) return a;
            if (scalarType(dt).value != c.scalar_type().value) {
                // a type the view below would misread (int32): through a row-major copy
                c = c.contiguous();
                Pointer.memcpy(a.data().addressPointer(), c.data_ptr(), c.numel() * dt.width());
                return a;
            }
            if ((c.dim() == 4 || c.dim() == 5) && !c.is_contiguous()) {
                // a weight's gradient [k.., a, b]: [b, a, k..] in memory (row-major libtorch weight) or [b, k.., a] (channels last)
                long b = shape[shape.length - 1], ab = shape[shape.length - 2] * b;
                Tensor base = c.dim() == 4 ? c.permute(3, 2, 0, 1) : c.permute(4, 3, 0, 1, 2);
                Tensor channelsLast = c.dim() == 4 ? c.permute(3, 0, 1, 2) : c.permute(4, 0, 1, 2, 3);
                if (base.is_contiguous()) {
                    reverseAxes(base.view(b, shape[shape.length - 2], c.numel() / ab), view(a).view(c.numel() / ab, shape[shape.length - 2], b));
                    return a;
                }
                if (channelsLast.is_contiguous()) {
                    view(a).view(c.numel() / b, b).copy_(channelsLast.view(b, c.numel() / b).t());
                    return a;
                }
            }
            view(a).copy_(c);
            return a;
        }
    }

    /**
     * The row-major [x, a, y] tensor {@code src} with its axes reversed, [y, a, x]: copied into the row-major {@code dst}
     * (returned), or with {@code dst} null into a new tensor (autograd sees views and copies only). For convolution weights
     * between SameDiff's [k.., cIn, cOut] layout and libtorch's [cOut, cIn, k..]: libtorch's own copy of such a view
     * reads or writes the innermost axis 4ay bytes apart, slowly for large weights (19 ms for 3x3x512x512); in two
     * cache-friendly steps it takes 6 ms: whole rows of the longer of x and y move past a, and a 2D transposition, which
     * libtorch copies in blocks, does the rest.
     */
    static Tensor reverseAxes(Tensor src, Tensor dst) {
        long x = src.size(0), a = src.size(1), y = src.size(2);
        if (y >= x) {
            Tensor t = src.permute(1, 0, 2).contiguous().view(a * x, y).t();        // rows [a, x, y] copied, then [y, a x]
            return dst == null ? t.contiguous().view(y, a, x) : dst.view(y, a * x).copy_(t).view(y, a, x);
        }
        Tensor t = src.view(x, a * y).t().contiguous().view(a, y, x).permute(1, 0, 2);   // [a y, x] transposed, then rows
        return dst == null ? t.contiguous() : dst.copy_(t);
    }

    static torch.ScalarType scalarType(DataType dt) {
        return switch (dt) {
            case FLOAT -> torch.ScalarType.Float;
            case DOUBLE -> torch.ScalarType.Double;
            case LONG -> torch.ScalarType.Long;
            case BOOL -> torch.ScalarType.Bool;
            default -> torch.ScalarType.Long;
        };
    }

    /** (By the enum's native value: the constants libtorch's calls return are not Java's enum constants.) */
    static DataType dataType(torch.ScalarType st) {
        int v = st.value;
        if (v == torch.ScalarType.Float.value) return DataType.FLOAT;
        if (v == torch.ScalarType.Double.value) return DataType.DOUBLE;
        if (v == torch.ScalarType.Long.value) return DataType.LONG;
        if (v == torch.ScalarType.Bool.value) return DataType.BOOL;
        if (v == torch.ScalarType.Int.value) return DataType.INT;
        throw new IllegalStateException("libtorch returned a tensor of type " + v + ", which MedSynth does not use");
    }
}
