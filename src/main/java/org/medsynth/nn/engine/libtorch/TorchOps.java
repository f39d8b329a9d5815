package org.medsynth.nn.engine.libtorch;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.medsynth.nn.engine.dl4j.BroadcastMulOp;
import org.medsynth.nn.engine.dl4j.FusedBatchNormOp;
import org.medsynth.nn.engine.dl4j.ReluOp;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.ScalarOp;

import java.util.Arrays;
import java.util.Map;

/**
 * The libtorch function for each SameDiff op MedSynth's networks use: the same values, with libtorch's own
 * gradient. Weights keep SameDiff's layouts (the model archives' layouts); the permutations to libtorch's are
 * views inside the pass, so gradients come back in SameDiff's layout. An op without an entry here is refused
 * with a message naming it, never approximated.
 */
final class TorchOps {
    private TorchOps() { }

    static Tensor[] run(DifferentialFunction f, Tensor[] in) {
        String op = f.opName();
        return switch (op) {
            case "conv2d", "conv3dnew" -> one(conv(f, in));
            case "deconv2d", "deconv3d" -> one(deconv(f, in));
            case "maxpool2d", "maxpool3dnew" -> one(maxPool(f, in[0]));
            case "avgpool2d", "avgpool3dnew" -> one(avgPool(f, in[0]));
            case "upsampling2d", "upsampling3d" -> one(upsample(f, in[0]));
            case FusedBatchNormOp.Moments.NAME -> moments(f, in[0]);
            case FusedBatchNormOp.NAME -> one(batchNorm(f, in));
            case ReluOp.NAME, "relu" -> one(relu(f, in[0]));
            case "leakyrelu" -> one(leakyRelu(f, in[0]));
            case "sigmoid" -> one(in[0].sigmoid());
            case "tanh" -> one(in[0].tanh());
            case "softmax" -> one(softmax(in[0], ((DynamicCustomOp) f).iArgs()[0]));
            case "abs" -> one(in[0].abs());
            case "neg" -> one(in[0].neg());
            case "exp" -> one(in[0].exp());
            case "log" -> one(in[0].log());
            case "log1p" -> one(torch.log1p(in[0]));
            case "square" -> one(in[0].square());
            case "sqrt" -> one(in[0].sqrt());
            case "rsqrt" -> one(in[0].rsqrt());
            case "Reciprocal" -> one(in[0].reciprocal());
            case "add" -> one(alike(in[0], in[1]).add(alike(in[1], in[0])));
            case "subtract" -> one(alike(in[0], in[1]).sub(alike(in[1], in[0])));
            case "multiply", BroadcastMulOp.NAME -> one(alike(in[0], in[1]).mul(alike(in[1], in[0])));
            case "divide" -> one(alike(in[0], in[1]).div(alike(in[1], in[0])));
            case "add_scalar" -> one(in[0].add(scalar(f)));
            case "sub_scalar" -> one(in[0].sub(scalar(f)));
            case "mul_scalar" -> one(in[0].mul(scalar(f)));
            case "div_scalar" -> one(in[0].div(scalar(f)));
            case "rsub_scalar" -> one(in[0].neg().add(scalar(f)));
            case "rdiv_scalar" -> one(in[0].reciprocal().mul(scalar(f)));
            case "reduce_sum" -> one(reduce(f, in[0], Reduction.SUM));
            case "reduce_mean" -> one(reduce(f, in[0], Reduction.MEAN));
            case "reduce_prod" -> one(reduce(f, in[0], Reduction.PROD));
            case "reduce_norm2" -> one(reduce(f, in[0], Reduction.NORM2));
            case "concat" -> one(concat(f, in));
            case "stack" -> one(torch.stack(vector(in), ((DynamicCustomOp) f).iArgs()[0]));
            case "unstack" -> unstack(f, in[0]);
            case "permute" -> one(in[0].permute(((DynamicCustomOp) f).iArgs()));
            case "reshape" -> one(reshape(f, in));
            case "shape_of" -> one(shapeOf(in[0]));
            case "gather" -> one(gather(f, in));
            case "matmul" -> one(matmul(f, in));
            case "ClipByValue" -> one(clip(f, in[0]));
            case "greaterthan_scalar" -> one(in[0].gt(scalar(f)));
            case "cast" -> one(in[0].to(outputType(f)));
            case "ones_as" -> one(torch.ones_like(in[0]).to(outputType(f)));
            case "zeroslike" -> one(torch.zeros_like(in[0]).to(outputType(f)));
            case "fill" -> one(fill(f, in));
            case "minimum" -> one(torch.minimum(in[0], in[1]));
            case "floordiv" -> one(floorDiv(f, in));
            default -> throw new UnsupportedOperationException("the libtorch engine does not run the op '" + op + "' (" + f.getOwnName()
                    + ") yet; use engine=dl4j for this network");
        };
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[]{t};
    }

    private static Map<String, Object> props(DifferentialFunction f) {
        return f.propertiesForFunction();
    }

    private static int intProperty(DifferentialFunction f, String name) {
        Object v = props(f).get(name);
        if (!(v instanceof Number n)) throw new IllegalStateException(f.opName() + " has no property " + name);
        return n.intValue();
    }

    private static Scalar scalar(DifferentialFunction f) {
        return new Scalar(((ScalarOp) f).scalar().getDouble(0));
    }

    private static TensorVector vector(Tensor[] in) {
        return new TensorVector(in);
    }

    /**
     * The sliding window of a convolution or pooling op, from its integer arguments, which conv2d/3d, deconv2d/3d and
     * max/avg pooling 2d/3d lay out alike: kernel (d values), stride (d), padding (d), dilation (d), then same-mode.
     */
    private record Window(int dims, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean same) {
        static Window of(DifferentialFunction f, int dims) {
            long[] i = ((DynamicCustomOp) f).iArgs();
            return new Window(dims, Arrays.copyOfRange(i, 0, dims), Arrays.copyOfRange(i, dims, 2 * dims),
                    Arrays.copyOfRange(i, 2 * dims, 3 * dims), Arrays.copyOfRange(i, 3 * dims, 4 * dims), i[4 * dims] != 0);
        }

        /** Pooling's channels-last flag: two arguments after same-mode. */
        boolean poolingChannelsLast(DifferentialFunction f) {
            long[] i = ((DynamicCustomOp) f).iArgs();
            return i.length > 4 * dims + 2 && i[4 * dims + 2] != 0;
        }
    }

    /**
     * A convolution's weight in libtorch's layout, row-major: [k.., a, b] -> [b, a, k..] (SameDiff's [k.., cIn, cOut] conv
     * / [k.., cOut, cIn] deconv). Copied here, once per pass ({@link TorchArrays#reverseAxes}), because libtorch's
     * convolutions otherwise copy the strided view themselves, slowly, in the forward pass and again in the backward pass.
     * Contiguous also because libtorch's own convolution (slow_conv2d, taken for float64 and where oneDNN is not used) gives
     * the weight's gradient the input's memory format and refuses a permuted weight for a channels-last input, as a channel
     * concatenation makes ("grad_weight must be contiguous").
     */
    private static Tensor weight(Tensor w, int dims) {
        long[] s = w.sizes().vec().get();
        long k = 1;
        for (int i = 0; i < dims; i++) k *= s[i];
        long[] shape = new long[dims + 2];
        shape[0] = s[dims + 1];
        shape[1] = s[dims];
        System.arraycopy(s, 0, shape, 2, dims);
        return TorchArrays.reverseAxes(w.reshape(k, s[dims], s[dims + 1]), null).view(shape);
    }

    /**
     * A convolution's weight [k.., cIn, cOut] as libtorch's [cOut, cIn, k..] in channels-last memory ([cOut, k.., cIn]):
     * one 2D transposition, copied once per use (see {@link #weight}); likewise a transposed convolution's [k.., cOut, cIn]
     * as [cIn, cOut, k..].
     */
    private static Tensor channelsLastWeight(Tensor w, int dims) {
        long[] s = w.sizes().vec().get();
        long k = 1;
        for (int i = 0; i < dims; i++) k *= s[i];
        long[] mem = new long[dims + 2];
        mem[0] = s[dims + 1];
        System.arraycopy(s, 0, mem, 1, dims);
        mem[dims + 1] = s[dims];
        return toChannelsFirst(w.reshape(k * s[dims], s[dims + 1]).t().contiguous().view(mem), dims);
    }

    private static TensorOptional bias(Tensor[] in) {
        return in.length > 2 ? new TensorOptional(in[2]) : new TensorOptional();
    }

    private static boolean channelsLastFormat(DifferentialFunction f) {
        String fmt = String.valueOf(props(f).get("dataFormat"));
        return fmt.equals("NHWC") || fmt.equals("NDHWC");
    }

    /**
     * conv2d / conv3dnew: weight [k, k, cIn, cOut] -> [cOut, cIn, k, k]. On the CPU in float32, input and weight in
     * channels-last memory (the output then too): libtorch 2.10's oneDNN convolutions run 20-30 % faster that way than
     * on row-major (NCHW) maps here, forward and backward (lab note libtorch-channels-last.md); the ops after a
     * convolution keep its memory format, so only a graph's first convolution copies its input.
     */
    private static Tensor conv(DifferentialFunction f, Tensor[] in) {
        Window w = Window.of(f, f.opName().equals("conv3dnew") ? 3 : 2);
        if (w.same()) throw new UnsupportedOperationException("the libtorch engine runs convolutions with explicit padding only (" + f.getOwnName() + ")");
        return convolve(f, in, w.dims(), (x, wt) -> w.dims() == 3 ? torch.conv3d(x, wt, bias(in), w.stride(), w.padding(), w.dilation(), 1)
                : torch.conv2d(x, wt, bias(in), w.stride(), w.padding(), w.dilation(), 1));
    }

    /**
     * {@code op}(map, weight) with the map channels first and the weight in libtorch's layout, both in channels-last memory
     * where {@link #channelsLastMemory} says so (the result then too), else row-major; the result in the op's data format.
     */
    private static Tensor convolve(DifferentialFunction f, Tensor[] in, int d, java.util.function.BinaryOperator<Tensor> op) {
        boolean channelsLastMemory = channelsLastMemory(in[0]);
        return channelsFirst(in[0], d, channelsLastFormat(f), x -> channelsLastMemory
                ? op.apply(inChannelsLastMemory(x, d), channelsLastWeight(in[1], d)) : op.apply(x, weight(in[1], d)));
    }

    /**
     * {@code b} in the memory format of {@code a} when both are maps of the same shape and {@code a} is in channels-last
     * memory (a convolution's output) but {@code b} row-major (e.g. from MLU-Net's attention reshapes); {@code b} itself
     * otherwise (so {@code alike(a, b) op alike(b, a)} converts whichever is row-major). An element-wise op over mixed formats
     * walks one of them strided, 13-17 ms instead of 1-2 ms for an addition of two 64 x 256 x 256 maps; one copy of
     * {@code b} is cheaper, and the result stays channels last for the convolutions after it.
     */
    private static Tensor alike(Tensor b, Tensor a) {
        return onlyChannelsLast(a) && Arrays.equals(a.sizes().vec().get(), b.sizes().vec().get()) ? inMemoryOf(b, a) : b;
    }

    /**
     * concat, its maps in one memory format ({@link #alike}). A batch norm's output concatenated along the channels of
     * channels-last maps gets its gradient back as a channel slice, which is strided in that memory, and libtorch's batch
     * norm backward then takes its generic serial kernels (PyTorch's row-major slices are contiguous at batch 1). Seen
     * through {@code as_strided} (no copy) it gets a contiguous gradient instead: in isolation 3.9 -> 2.3 ms for a
     * 16 x 128 x 128 map forward and backward, 2.2 -> 1.1 ms for 32 x 64 x 64; G_P/D_P's backward pass 66.7-67.3 ->
     * 63.5-65.9 ms (lab note libtorch-thread-wakeups.md). Only batch norms' outputs: for other ops' the copy that
     * as_strided makes in the backward pass would cost a pass and gain nothing.
     */
    private static Tensor concat(DifferentialFunction f, Tensor[] in) {
        int dim = intProperty(f, "concatDimension");
        Tensor[] maps = alike(in);
        if (dim == 1) for (int i = 0; i < maps.length; i++) {
            DifferentialFunction producer = f.arg(i).getCreator();
            if (maps[i].requires_grad() && onlyChannelsLast(maps[i]) && producer != null && producer.opName().equals(FusedBatchNormOp.NAME)) {
                maps[i] = maps[i].as_strided(maps[i].sizes(), maps[i].strides());
            }
        }
        return torch.cat(vector(maps), dim);
    }

    /** The maps of a concatenation in the memory format of the first channels-last one ({@link #alike}). */
    private static Tensor[] alike(Tensor[] in) {
        Tensor first = null;
        for (Tensor t : in) {
            if (onlyChannelsLast(t)) {
                first = t;
                break;
            }
        }
        if (first == null) return in;
        Tensor[] out = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) out[i] = in[i] == first ? in[i] : inMemoryOf(in[i], first);
        return out;
    }

    /** True for a map in channels-last memory that is not also row-major (as maps with one channel or one voxel are). */
    private static boolean onlyChannelsLast(Tensor t) {
        long rank = t.dim();
        return (rank == 4 || rank == 5) && !t.is_contiguous() && t.is_contiguous(channelsLastMemoryFormat(rank));
    }

    /** {@code b} (of {@code a}'s rank) copied into channels-last memory when it is row-major and {@code a} is a map where convolutions take it. */
    private static Tensor inMemoryOf(Tensor b, Tensor a) {
        if (b.dim() != a.dim() || !channelsLastMemory(a)) return b;
        torch.MemoryFormat cl = channelsLastMemoryFormat(a.dim());
        return b.is_contiguous() && !b.is_contiguous(cl) ? b.contiguous(cl) : b;
    }

    /** libtorch's channels-last memory format of a map of this rank (4: 2D, 5: 3D). */
    private static torch.MemoryFormat channelsLastMemoryFormat(long rank) {
        return rank == 5 ? torch.MemoryFormat.ChannelsLast3d : torch.MemoryFormat.ChannelsLast;
    }

    /** Where convolutions take channels-last memory ({@link #conv}): the CPU in float32. */
    private static boolean channelsLastMemory(Tensor x) {
        return !x.is_cuda() && x.scalar_type().value == torch.ScalarType.Float.value;
    }

    private static Tensor inChannelsLastMemory(Tensor x, int spatialDims) {
        return x.contiguous(channelsLastMemoryFormat(spatialDims + 2));
    }

    /**
     * deconv2d / deconv3d: weight [k, k, cOut, cIn] -> [cIn, cOut, k, k]; in channels-last memory where {@link #conv}'s
     * are (so that its output adds to theirs without a strided pass: MLU-Net's inference took 1.2x PyTorch's time).
     */
    private static Tensor deconv(DifferentialFunction f, Tensor[] in) {
        Window w = Window.of(f, f.opName().equals("deconv3d") ? 3 : 2);
        if (w.same()) {
            throw new UnsupportedOperationException("the libtorch engine runs transposed convolutions with explicit padding only (" + f.getOwnName() + ")");
        }
        long[] outPad = new long[w.dims()];
        return convolve(f, in, w.dims(), (x, wt) -> w.dims() == 3
                ? torch.conv_transpose3d(x, wt, bias(in), w.stride(), w.padding(), outPad, 1, w.dilation())
                : torch.conv_transpose2d(x, wt, bias(in), w.stride(), w.padding(), outPad, 1, w.dilation()));
    }

    /** maxpool2d / maxpool3dnew (iArgs: the {@link Window}, then the pooling type and the channels-last flag). */
    private static Tensor maxPool(DifferentialFunction f, Tensor x) {
        Window w = Window.of(f, f.opName().equals("maxpool3dnew") ? 3 : 2);
        if (w.same()) throw new UnsupportedOperationException("the libtorch engine runs pooling with explicit padding only (" + f.getOwnName() + ")");
        return channelsFirst(x, w.dims(), w.poolingChannelsLast(f), xc -> w.dims() == 3
                ? torch.max_pool3d(xc, w.kernel(), w.stride(), w.padding(), w.dilation(), false)
                : torch.max_pool2d(xc, w.kernel(), w.stride(), w.padding(), w.dilation(), false));
    }

    /**
     * avgpool2d / avgpool3dnew (iArgs: the {@link Window}, then the divisor mode and the channels-last flag). Without
     * padding every window is full, so ND4J's divisor modes and libtorch's count_include_pad agree; padding and
     * dilation are refused.
     */
    private static Tensor avgPool(DifferentialFunction f, Tensor x) {
        Window w = Window.of(f, f.opName().equals("avgpool3dnew") ? 3 : 2);
        if (w.same() || Arrays.stream(w.padding()).anyMatch(v -> v != 0) || Arrays.stream(w.dilation()).anyMatch(v -> v != 1)) {
            throw new UnsupportedOperationException("the libtorch engine runs average pooling without padding or dilation only ("
                    + f.getOwnName() + ")");
        }
        return channelsFirst(x, w.dims(), w.poolingChannelsLast(f), xc -> w.dims() == 3
                ? torch.avg_pool3d(xc, w.kernel(), w.stride(), w.padding(), false, true, new LongOptional())
                : torch.avg_pool2d(xc, w.kernel(), w.stride(), w.padding(), false, true, new LongOptional()));
    }

    /**
     * Nearest-neighbour up-sampling by integer factors: upsampling2d iArgs fH fW isNCHW; upsampling3d fD fH fW isNCDHW.
     * Factors that are powers of two (PGGAN's and the U-Nets' x2) by libtorch's nearest up-sampling kernel, whose
     * source index floor(i * in / out) is exact for them: one pass forward and one backward, where three
     * repeat_interleave (one per axis) copied the map three times and summed it back through index_add (21 ms of a
     * 0.7 s G_P/D_P iteration); other factors by repeat_interleave, exact for any factor.
     */
    private static Tensor upsample(DifferentialFunction f, Tensor x) {
        boolean threeD = f.opName().equals("upsampling3d");
        long[] i = ((DynamicCustomOp) f).iArgs();
        int d = threeD ? 3 : 2;
        boolean channelsFirst = i[i.length - 1] != 0;
        long[] factors = Arrays.copyOf(i, d);
        if (Arrays.stream(factors).allMatch(v -> v > 0 && (v & (v - 1)) == 0)) {
            return channelsFirst(x, d, !channelsFirst, xc -> {
                long[] size = new long[d];
                for (int a = 0; a < d; a++) size[a] = xc.size(2 + a) * factors[a];
                return threeD ? torch.upsample_nearest3d(xc, size) : torch.upsample_nearest2d(xc, size);
            });
        }
        int first = channelsFirst ? 2 : 1;
        Tensor y = x;
        for (int a = 0; a < d; a++) {
            if (factors[a] != 1) y = y.repeat_interleave(factors[a], new LongOptional(first + a), new LongOptional());
        }
        return y;
    }

    /**
     * softmax along {@code dim}, computed in the memory order of {@code x}: {@link org.medsynth.nn.layers.ChannelSoftmax}
     * views a channels-first map channels last (ND4J's workaround), and libtorch would copy that view to row-major, run
     * its softmax over rows of a few classes and return a channels-last map to the ops after it. The same softmax of the
     * row-major map it views, over the axis {@code dim} is there, viewed back as {@code x} is: no copy.
     */
    private static Tensor softmax(Tensor x, long dim) {
        int rank = (int) x.dim();
        if (dim < 0) dim += rank;
        if (x.is_contiguous()) return torch.softmax(x, dim);
        long[] strides = x.strides().vec().get();
        Integer[] byStride = new Integer[rank];
        for (int i = 0; i < rank; i++) byStride[i] = i;
        Arrays.sort(byStride, (p, q) -> Long.compare(strides[q], strides[p]));
        long[] order = new long[rank], back = new long[rank];
        long d = 0;
        for (int i = 0; i < rank; i++) {
            order[i] = byStride[i];
            back[byStride[i]] = i;
            if (byStride[i] == dim) d = i;
        }
        Tensor base = x.permute(order);
        return base.is_contiguous() ? torch.softmax(base, d).permute(back) : torch.softmax(x, dim);
    }

    /**
     * Biased mean and variance over the op's axes: outputs [mean, variance] with the reduced axes removed. Over all axes
     * but 1 (a channels-first batch norm's statistics) by libtorch's batch-norm statistics kernel, without a gradient:
     * var_mean's Welford reduction takes 2.5-4.5x as long (224 ms of a 2.7 s Attention U-Net train step at 256 x 256,
     * 87 ms this way), and the batch norm these statistics feed differentiates its statistics itself (as the op's
     * SameDiff gradient, none, assumes).
     */
    private static Tensor[] moments(DifferentialFunction f, Tensor x) {
        long[] axes = ((DynamicCustomOp) f).iArgs();
        if (allButChannels(axes, x.dim())) {
            T_TensorTensor_T s = torch.batch_norm_update_stats(x.detach(), new TensorOptional(), new TensorOptional(), 0.0);
            return new Tensor[]{s.get0(), s.get1()};
        }
        T_TensorTensor_T vm = torch.var_mean(x, axes, false, false);
        return new Tensor[]{vm.get1(), vm.get0()};
    }

    /** True when {@code axes} are 0, 2, 3, ... rank - 1 (in any order): every axis of a channels-first map but the channels. */
    private static boolean allButChannels(long[] axes, long rank) {
        if (rank < 2 || axes.length != rank - 1) return false;
        long[] sorted = axes.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) if (sorted[i] != (i == 0 ? 0 : i + 1)) return false;
        return true;
    }

    /**
     * medsynth_batchnorm(x, mean, var, gamma, beta): (x - mean) / sqrt(var + eps) * gamma + beta per channel. When mean
     * and var are the batch statistics of x itself (training), libtorch's batch norm in training mode computes exactly
     * that, gradient through the statistics included, in one fused kernel; otherwise (running statistics) its
     * inference mode.
     */
    private static Tensor batchNorm(DifferentialFunction f, Tensor[] in) {
        long[] i = ((DynamicCustomOp) f).iArgs();
        double eps = ((DynamicCustomOp) f).tArgs()[0];
        int axis = (int) i[2];
        Tensor x = in[0];
        int rank = (int) x.dim();
        boolean last = axis == rank - 1 && axis != 1;
        Tensor xc = last ? toChannelsFirst(x, rank - 2) : x;
        boolean batchStatistics = f.arg(1).getCreator() instanceof FusedBatchNormOp.Moments m && m.arg().name().equals(f.arg(0).name());
        Tensor y;
        if (batchStatistics) {
            y = torch.batch_norm(xc, new TensorOptional(in[3]), new TensorOptional(in[4]), new TensorOptional(), new TensorOptional(), true, 0.0, eps, true);
        } else if (!in[1].requires_grad() && !in[2].requires_grad()) {
            y = torch.batch_norm(xc, new TensorOptional(in[3]), new TensorOptional(in[4]), new TensorOptional(in[1]), new TensorOptional(in[2]), false, 0.0, eps, true);
        } else {
            // statistics computed elsewhere in the graph (e.g. grouped moments of a channels-last map): the formula itself
            long[] shape = new long[rank];
            Arrays.fill(shape, 1);
            shape[1] = -1;
            Tensor inv = in[2].add(new Scalar(eps)).rsqrt().reshape(shape);
            y = xc.sub(in[1].reshape(shape)).mul(inv).mul(in[3].reshape(shape)).add(in[4].reshape(shape));
        }
        return last ? toChannelsLast(y, rank - 2) : y;
    }

    /**
     * The moments op whose outputs the batch norm {@code f} takes as its mean and variance, when they are the batch
     * statistics of its own input over every axis but the channels, axis 1: then {@link #batchNormAndStatistics}
     * computes both ops at once. Null for any other op or statistics.
     */
    static FusedBatchNormOp.Moments batchStatisticsOf(DifferentialFunction f) {
        if (!f.opName().equals(FusedBatchNormOp.NAME) || ((DynamicCustomOp) f).iArgs()[2] != 1) return null;
        if (!(f.arg(1).getCreator() instanceof FusedBatchNormOp.Moments m) || !m.arg().name().equals(f.arg(0).name())) return null;
        long[] axes = m.iArgs();
        boolean ours = f.arg(1).name().equals(m.outputVariables()[0].name()) && f.arg(2).name().equals(m.outputVariables()[1].name());
        return ours && allButChannels(axes, axes.length + 1) ? m : null;
    }

    /**
     * The batch norm {@code f} in training mode and the batch statistics of its input x, from one pass of libtorch's
     * batch norm (PyTorch's): [y, mean, biased variance]. The statistics come from its running-statistics update with
     * momentum 1 (the mean; the unbiased variance, scaled back by (n - 1) / n, which rounds differently from the
     * variance the moments op gives by at most a few ulp). Null when a channel has a single value (no unbiased variance):
     * then the two ops run as they are.
     */
    static Tensor[] batchNormAndStatistics(DifferentialFunction f, Tensor x, Tensor gamma, Tensor beta) {
        long n = x.numel() / x.size(1);
        if (n < 2) return null;
        double eps = ((DynamicCustomOp) f).tArgs()[0];
        Tensor mean = torch.zeros_like(gamma), var = torch.zeros_like(gamma);
        Tensor y = torch.batch_norm(x, new TensorOptional(gamma), new TensorOptional(beta), new TensorOptional(mean), new TensorOptional(var),
                true, 1.0, eps, true);
        return new Tensor[]{y, mean, var.mul(new Scalar((n - 1) / (double) n))};
    }

    private static Tensor relu(DifferentialFunction f, Tensor x) {
        double cutoff = f instanceof DynamicCustomOp d && d.tArgs().length > 0 ? d.tArgs()[0] : scalarOrZero(f);
        if (cutoff != 0) throw new UnsupportedOperationException("the libtorch engine runs ReLU with cutoff 0 only (" + f.getOwnName() + ")");
        return x.relu();
    }

    /**
     * x < 0 ? alpha x : x, as ND4J's legacy leakyrelu, with ND4J's derivative: 1 at x = 0 (also -0). libtorch's
     * leaky_relu has the same values but takes alpha as the derivative at 0, which differs wherever a value is exactly
     * 0 (e.g. a zero bias on a zero pixel of a sketch). So a map with an exact zero that is differentiated goes through
     * {@code where}, whose gradient goes to the branch taken; every other map through leaky_relu, one pass forward and
     * one backward: the where form made three maps forward and five backward (at 16 x 64^3: 30-60 and 50-240 ms against
     * 3-7 and 4-6 ms, under load). The test for zeros (as many non-zeros as values) reads the map once: 0.13 ms on
     * [1, 16, 128, 128] against 0.24 ms for {@code all} and 0.33 ms for {@code (x == 0).any()}, which also writes a map of flags.
     */
    private static Tensor leakyRelu(DifferentialFunction f, Tensor x) {
        Scalar alpha = scalar(f);
        Scalar zero = new Scalar(0.0);
        if (x.requires_grad() && torch.count_nonzero(x).item().toLong() < x.numel()) return torch.where(x.lt(zero), x.mul(alpha), x);
        return torch.leaky_relu(x, alpha);
    }

    private static double scalarOrZero(DifferentialFunction f) {
        return f instanceof ScalarOp s && s.scalar() != null ? s.scalar().getDouble(0) : 0;
    }

    /** NORM2: the Euclidean norm, whose derivative libtorch takes as 0 where the norm is 0 (a subgradient). */
    private enum Reduction { SUM, MEAN, PROD, NORM2 }

    private static Tensor reduce(DifferentialFunction f, Tensor x, Reduction r) {
        int[] dims = f.getDimensions();
        boolean keep = Boolean.TRUE.equals(props(f).get("keepDims"));
        boolean all = dims == null || dims.length == 0 || (dims.length == 1 && dims[0] == Integer.MAX_VALUE);
        if (all) {
            Tensor y = switch (r) {
                case SUM -> x.sum();
                case MEAN -> x.mean();
                case PROD -> x.prod();
                case NORM2 -> torch.linalg_vector_norm(x);
            };
            if (keep) {
                long[] ones = new long[(int) x.dim()];
                Arrays.fill(ones, 1);
                y = y.reshape(ones);
            }
            return y;
        }
        long[] d = Arrays.stream(dims).mapToLong(v -> v < 0 ? v + x.dim() : v).toArray();
        return switch (r) {
            case SUM -> x.sum(d, keep, new ScalarTypeOptional());
            case MEAN -> x.mean(d, keep, new ScalarTypeOptional());
            case NORM2 -> torch.linalg_vector_norm(x, new Scalar(2.0), d, keep, new ScalarTypeOptional());
            case PROD -> {
                Tensor y = x;
                long[] sorted = d.clone();
                Arrays.sort(sorted);
                for (int k = sorted.length - 1; k >= 0; k--) y = y.prod(sorted[k], keep, new ScalarTypeOptional());
                yield y;
            }
        };
    }

    private static Tensor[] unstack(DifferentialFunction f, Tensor x) {
        long axis = ((DynamicCustomOp) f).iArgs()[0];
        TensorVector parts = x.unbind(axis);
        Tensor[] out = new Tensor[(int) parts.size()];
        for (int k = 0; k < out.length; k++) out[k] = parts.get(k);
        return out;
    }

    /** reshape: the shape from the integer arguments (after the order flag, 'c' = 99 or -99) or from a second input. */
    private static Tensor reshape(DifferentialFunction f, Tensor[] in) {
        long[] shape;
        if (in.length > 1) {
            shape = TorchArrays.toArray(in[1]).toLongVector();
        } else {
            long[] i = ((DynamicCustomOp) f).iArgs();
            if (i.length > 0 && (i[0] == 'c' || i[0] == -'c' || i[0] == 'f' || i[0] == -'f')) {
                if (Math.abs(i[0]) == 'f') throw new UnsupportedOperationException("the libtorch engine reshapes in row-major order only (" + f.getOwnName() + ")");
                shape = Arrays.copyOfRange(i, 1, i.length);
            } else {
                shape = i;
            }
        }
        return in[0].reshape(shape);
    }

    private static Tensor shapeOf(Tensor x) {
        long[] s = x.sizes().vec().get();
        return torch.tensor(s);
    }

    /** gather(values, indices) along the op's axis (indices from a second input or the integer arguments). */
    private static Tensor gather(DifferentialFunction f, Tensor[] in) {
        long[] i = ((DynamicCustomOp) f).iArgs();
        long axis = i.length > 0 ? i[0] : 0;
        // indices from the arguments are made on the CPU: on the values' device (CUDA) for index_select
        Tensor idx = in.length > 1 ? in[1] : torch.tensor(Arrays.copyOfRange(i, 1, i.length)).to(in[0].device(), torch.ScalarType.Long);
        return in[0].index_select(axis, idx);
    }

    /** matmul with the op's transpose flags; alpha 1 and beta 0 only. */
    private static Tensor matmul(DifferentialFunction f, Tensor[] in) {
        Map<String, Object> p = props(f);
        double[] t = ((DynamicCustomOp) f).tArgs();
        if (t.length >= 2 && (t[0] != 1 || t[1] != 0)) {
            throw new UnsupportedOperationException("the libtorch engine runs matmul with alpha 1 and beta 0 only (" + f.getOwnName() + ")");
        }
        Tensor a = Boolean.TRUE.equals(p.get("transposeA")) ? in[0].mT() : in[0];
        Tensor b = Boolean.TRUE.equals(p.get("transposeB")) ? in[1].mT() : in[1];
        Tensor y = torch.matmul(a, b);
        return Boolean.TRUE.equals(p.get("transposeResult")) ? y.mT() : y;
    }

    /**
     * clip_by_value: min(max(x, tArg 0), tArg 1). Not differentiated: where x equals a bound, ND4J's and libtorch's
     * derivatives need not agree, so a pass that needs the gradient through it is refused.
     */
    private static Tensor clip(DifferentialFunction f, Tensor x) {
        if (x.requires_grad()) {
            throw new UnsupportedOperationException("the libtorch engine does not differentiate clip_by_value (" + f.getOwnName()
                    + "); use engine=dl4j for this network");
        }
        double[] t = ((DynamicCustomOp) f).tArgs();
        return torch.clamp(x, new ScalarOptional(new Scalar(t[0])), new ScalarOptional(new Scalar(t[1])));
    }

    /** The libtorch type of the op's (first) output as SameDiff declared it. */
    private static torch.ScalarType outputType(DifferentialFunction f) {
        org.nd4j.linalg.api.buffer.DataType dt = f.outputVariables()[0].dataType();
        if (dt != org.nd4j.linalg.api.buffer.DataType.FLOAT && dt != org.nd4j.linalg.api.buffer.DataType.DOUBLE
                && dt != org.nd4j.linalg.api.buffer.DataType.LONG && dt != org.nd4j.linalg.api.buffer.DataType.BOOL) {
            throw new UnsupportedOperationException("the libtorch engine does not make arrays of type " + dt + " (" + f.getOwnName() + ")");
        }
        return TorchArrays.scalarType(dt);
    }

    /** fill(shape[, value]): an array of the given shape (a value known only when the graph runs) holding one value. */
    private static Tensor fill(DifferentialFunction f, Tensor[] in) {
        long[] shape = TorchArrays.toArray(in[0]).toLongVector();
        double value = in.length > 1 ? in[1].item().toDouble() : ((DynamicCustomOp) f).tArgs()[0];
        return torch.full(shape, new Scalar(value), new TensorOptions(outputType(f)));
    }

    /** floordiv of integers (shape arithmetic); floating-point operands are refused (ND4J and libtorch round alike only on integers here). */
    private static Tensor floorDiv(DifferentialFunction f, Tensor[] in) {
        if (TorchArrays.dataType(in[0].scalar_type()) != org.nd4j.linalg.api.buffer.DataType.LONG
                || TorchArrays.dataType(in[1].scalar_type()) != org.nd4j.linalg.api.buffer.DataType.LONG) {
            throw new UnsupportedOperationException("the libtorch engine runs floordiv on integers only (" + f.getOwnName() + ")");
        }
        return torch.floor_divide(in[0], in[1]);
    }

    /** {@code op} applied channels first: a channels-last {@code x} is viewed channels first and the result back. */
    private static Tensor channelsFirst(Tensor x, int spatialDims, boolean channelsLast, java.util.function.UnaryOperator<Tensor> op) {
        return channelsLast ? toChannelsLast(op.apply(toChannelsFirst(x, spatialDims)), spatialDims) : op.apply(x);
    }

    /** NHWC / NDHWC -> NCHW / NCDHW (a view). */
    private static Tensor toChannelsFirst(Tensor x, int spatialDims) {
        return spatialDims == 2 ? x.permute(0, 3, 1, 2) : x.permute(0, 4, 1, 2, 3);
    }

    private static Tensor toChannelsLast(Tensor x, int spatialDims) {
        return spatialDims == 2 ? x.permute(0, 2, 3, 1) : x.permute(0, 2, 3, 4, 1);
    }
}
