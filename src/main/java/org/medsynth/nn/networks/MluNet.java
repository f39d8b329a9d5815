package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.ChannelSoftmax;
import org.medsynth.nn.layers.ConvTranspose;
import org.medsynth.nn.layers.Dense;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.layers.Scale;
import org.medsynth.util.RecordMaps;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MLU-Net (multi-level U-Net) of the hybrid segmentation paper, 2D or 3D.
 *
 * <p><b>Encoder</b>: {@code depth} (paper: three) multi-level blocks ({@link #multiLevelBlock}),
 * each followed by 2x2 max pooling, feature maps doubling per level; a U-Net double convolution at
 * the bottom gives the feature code. <b>Decoder</b>: as {@link SegUNet} (2x2 up-convolution, skip
 * concatenation, double convolution), plus a prediction at every scale: a 1x1 convolution to the L
 * class logits at level i is brought to full size by a transposed convolution with kernel and
 * stride 2^i ("deconvolution layers of different scales"). <b>Combination</b>: the final logits
 * are a learned weighted sum of the scale-wise logits, {@code sum_i w_i S_i}, the weights starting
 * at 1/depth (HED-style fusion); softmax over the classes. Training: soft Dice (eq. 1) of the final
 * map plus {@code sideWeight} times the mean Dice of the scale-wise maps (deep supervision).
 *
 * <p>The paper shows the multi-level block only as a figure ("several convolution filters" on
 * "multi-level paths" fused by attention); the block here is our reading of it, written down in
 * {@link #multiLevelBlock}.
 *
 * <p>Parameter names: {@code enc<i>/branch<k>/...}, {@code enc<i>/attn/...}, {@code bottom/...},
 * {@code dec<i>/up|conv|head/...}, {@code dec<i>/upscale/...}, {@code fuse/w<i>}.
 */
public record MluNet(@RecordMaps.Inline SegConfig config, int branches, double sideWeight) implements SegmentationNetwork {
    public static final String KIND = "mlu-net";

    /**
     * @param branches   parallel branches per multi-level block (receptive fields 1, 3, 5, ...; at least 2)
     * @param sideWeight weight of the deep-supervision Dice terms (0 = train only the combined map)
     */
    public MluNet {
        if (branches < 2 || branches > 5) throw new IllegalArgumentException("MLU-Net needs 2..5 branches per block, got " + branches);
        if (!(sideWeight >= 0)) throw new IllegalArgumentException("sideWeight must be >= 0, got " + sideWeight);
    }

    /** Three branches (receptive fields 1, 3, 5), side weight 0.5. */
    public MluNet(SegConfig config) {
        this(config, 3, 0.5);
    }


    @Override
    public Output apply(NetBuilder b, Tensor x) {
        SegBlocks.checkInput("MLU-Net", x, config.spatialDims(), config.inChannels(), sizeMultiple());
        int depth = config.depth();
        Tensor[] skips = new Tensor[depth];
        Tensor h = Layout.working(b, x);
        for (int i = 0; i < depth; i++) {
            h = multiLevelBlock(b, "enc" + i, h, config.channelsAt(i), branches, config.norm());
            skips[i] = h;
            h = SegBlocks.maxPool(b, h);
        }
        Tensor code = SegBlocks.doubleConv(b, "bottom", h, config.channelsAt(depth), config.norm());
        h = code;
        Tensor[] side = new Tensor[depth];
        for (int i = depth - 1; i >= 0; i--) {
            NetBuilder s = b.sub("dec" + i);
            Tensor up = SegBlocks.upConv(s, "up", h, config.channelsAt(i));
            h = SegBlocks.doubleConv(s, "conv", SegBlocks.concat(s, skips[i], up), config.channelsAt(i), config.norm());
            Tensor logits = SegBlocks.head(s, "head", h, config.classes());
            if (i > 0) {
                int f = 1 << i;
                logits = ConvTranspose.of(f).stride(f).apply(s, "upscale", logits, config.classes());
            }
            side[i] = logits;
        }
        // learned weighted sum of the scale-wise logits
        long[] one = new long[2 + config.spatialDims()];
        java.util.Arrays.fill(one, 1);
        NetBuilder fb = b.sub("fuse");
        SDVariable fused = null;
        for (int i = 0; i < depth; i++) {
            SDVariable w = fb.param("w" + i, one, WeightInit.constant(1.0 / depth), 1);
            SDVariable term = Scale.apply(fb, "weighted", side[i].var(), w, allAxes(one.length));
            fused = fused == null ? term : fused.add(fb.opName("sum"), term);
        }
        Tensor logits = side[0].with(fused);
        List<Tensor> sideProbs = new ArrayList<>();
        for (int i = 0; i < depth; i++) sideProbs.add(SegBlocks.softmax(b, side[i]));
        return SegBlocks.channelsFirst(b, new Output(SegBlocks.softmax(b, logits), logits, List.copyOf(sideProbs), code));
    }

    /**
     * The multi-level block: {@code branches} parallel paths with growing receptive fields over
     * the same input, fused by attention (as selective-kernel attention, Li et al. 2019):
     * <pre>
     *   F_k = (conv, norm, ReLU) path k: k = 0 a 1x1 conv, k >= 1 k stacked 3x3 convs (receptive field 2k+1)
     *   s   = global average of sum_k F_k                                   [N, C]
     *   z   = ReLU(Dense(s)), max(C/4, 4) units
     *   a_k = softmax over k of Dense_k(z)                                  [N, C] per branch
     *   out = sum_k a_k * F_k                                               (a_k broadcast over space)
     * </pre>
     * Each channel thus chooses, per image, how much of each receptive field it uses.
     */
    public static Tensor multiLevelBlock(NetBuilder b, String name, Tensor x, int channels, int branches, Norm norm) {
        NetBuilder s = b.sub(name);
        Tensor[] f = new Tensor[branches];
        SDVariable sum = null;
        for (int k = 0; k < branches; k++) {
            f[k] = SegBlocks.convStack(s, "branch" + k, x, channels, k, norm);
            sum = sum == null ? f[k].var() : sum.add(s.opName("branchSum"), f[k].var());
        }
        NetBuilder a = s.sub("attn");
        Tensor pooled = SegBlocks.globalAveragePool(a, f[0].with(sum));
        int hidden = Math.max((channels + 3) / 4, 4);
        Tensor z = Activations.relu(a, Dense.create().apply(a, "squeeze", pooled, hidden));
        SDVariable[] logits = new SDVariable[branches];
        for (int k = 0; k < branches; k++) logits[k] = Dense.create().apply(a, "select" + k, z, channels).var();
        SDVariable stacked = a.sd().stack(a.opName("stack"), 1, logits);                 // [N, B, C]
        SDVariable weights = ChannelSoftmax.apply(a, stacked, 1);                         // softmax over B
        SDVariable[] per = a.sd().unstack(names(a, branches), weights, 1, branches);
        long[] bshape = x.channelShape(-1, channels);
        SDVariable out = null;
        for (int k = 0; k < branches; k++) {
            SDVariable wk = a.sd().reshape(a.opName("weight" + k), per[k], bshape);
            SDVariable term = Scale.apply(a, "selected" + k, f[k].var(), wk, x.spatialAxes());
            out = out == null ? term : out.add(a.opName("fused"), term);
        }
        return f[0].with(out);
    }

    private static int[] allAxes(int rank) {
        int[] r = new int[rank];
        for (int i = 0; i < rank; i++) r[i] = i;
        return r;
    }

    private static String[] names(NetBuilder a, int n) {
        String[] r = new String[n];
        for (int i = 0; i < n; i++) r[i] = a.opName("branchWeight" + i);
        return r;
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static MluNet fromMap(Map<String, Object> map) {
        return RecordMaps.fromMap(MluNet.class, KIND + ": hyper-parameter", map, Map.of());
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
