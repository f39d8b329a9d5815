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

    /** {@code a} itself, or a row-major copy without offset, with integers widened to int64 (libtorch's index type). */
    static INDArray hostArray(INDArray a) {
        INDArray c = a;
        if (c.isView() || c.ordering() != 'c' || c.offset() != 0) c = c.dup('c');
        DataType dt = c.dataType();
        if (dt == DataType.INT || dt == DataType.SHORT || dt == DataType.BYTE || dt == DataType.UINT8 || dt == DataType.INT8
                || dt == DataType.INT16 || dt == DataType.INT32 || dt == DataType.UINT16 || dt == DataType.UINT32) {
            c = c.castTo(DataType.LONG);
        }
        return c;
    }

    /** A new ND4J array with the values of {@code t} (copied; from the device first when {@code t} is on CUDA; the copies on the way are freed at once). */
    static INDArray toArray(Tensor t) {
        try (PointerScope temporaries = new PointerScope()) {
            Tensor c = t.detach();
            if (c.is_cuda()) c = c.cpu();
            c = c.contiguous();
            DataType dt = dataType(c.scalar_type());
            long[] shape = c.sizes().vec().get();
            INDArray a = Nd4j.createUninitialized(dt, shape);
            long bytes = c.numel() * dt.width();
            if (bytes > 0) Pointer.memcpy(a.data().addressPointer(), c.data_ptr(), bytes);
            return a;
        }
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
