package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.WeightInit;
import org.medsynth.nn.layers.AttentionGate;

import java.util.List;
import java.util.Map;

/**
 * Attention U-Net (Oktay et al. 2018), the paper's "AgNet" baseline: {@link SegUNet} whose skip
 * features pass an additive attention gate ({@link AttentionGate}) before the concatenation. The
 * gating signal of level i is the decoder feature map one level below (before its up-sampling);
 * the gate's intermediate channels are half the skip's channels (Oktay: inter_channels = in / 2).
 * {@link #applyWithCoefficients} also returns the attention coefficients of every level (for display).
 */
public record AttentionUNet(@RecordMaps.Inline SegConfig config) implements SegmentationNetwork {
    public static final String KIND = "attention-unet";

    /** The output and the attention coefficients [N, 1, size of level i], level 0 (full size) first. */
    public record Result(Output output, List<Tensor> coefficients) { }


    @Override
    public Output apply(NetBuilder b, Tensor x) {
        return applyWithCoefficients(b, x).output();
    }

    public Result applyWithCoefficients(NetBuilder b, Tensor x) {
        SegBlocks.checkInput("Attention U-Net", x, config.spatialDims(), config.inChannels(), sizeMultiple());
        int depth = config.depth();
        SegBlocks.Encoded enc = SegBlocks.encoder(b, Layout.working(b, x), config);
        Tensor[] skips = enc.skips();
        Tensor code = enc.code();
        Tensor h = code;
        Tensor[] coeff = new Tensor[depth];
        for (int i = depth - 1; i >= 0; i--) {
            NetBuilder s = b.sub("dec" + i);
            AttentionGate.Result gate = AttentionGate.apply(s, "gate", skips[i], h, Math.max(1, config.channelsAt(i) / 2),
                    config.norm(), WeightInit.heNormal());
            coeff[i] = Layout.channelsFirst(s, gate.coefficients());
            Tensor up = SegBlocks.upConv(s, "up", h, config.channelsAt(i));
            h = SegBlocks.doubleConv(s, "conv", SegBlocks.concat(s, gate.output(), up), config.channelsAt(i), config.norm());
        }
        Tensor logits = SegBlocks.head(b, "head", h, config.classes());
        return new Result(SegBlocks.channelsFirst(b, new Output(SegBlocks.softmax(b, logits), logits, List.of(), code)), List.of(coeff));
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static AttentionUNet fromMap(Map<String, Object> map) {
        return new AttentionUNet(SegConfig.fromMap(KIND, map));
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
