package org.medsynth.nn.networks;

import org.medsynth.util.RecordMaps;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;

import java.util.List;
import java.util.Map;

/**
 * The segmentation U-Net of the hybrid segmentation paper (the Info-Max-Net backbone, after
 * Ronneberger et al. 2015 / Çiçek et al. 2016), 2D or 3D:
 * <ul>
 *   <li>contraction: {@code depth} (paper: 3) modules of two 3x3 convolutions (each followed by the
 *       normalisation and a ReLU) and a 2x2 max pooling; the number of feature maps doubles at
 *       every level ({@code width, 2 width, ...}); the bottom module's output is the feature code;</li>
 *   <li>expansion: at each level a 2x2 transposed convolution halves the channels and doubles the
 *       size, the result is concatenated with the features of the same level of the contraction
 *       path, followed by two 3x3 convolutions (norm, ReLU);</li>
 *   <li>a 1x1 convolution maps every pixel to the L class logits; softmax over the classes.</li>
 * </ul>
 * Difference to the paper: convolutions are zero-padded ("same"), so the output has the input's
 * size and no border is cropped; tiled inference ({@link org.medsynth.image.tiling.SlidingWindow})
 * blends overlapping tiles instead. Parameter names: {@code enc<i>/...}, {@code bottom/...},
 * {@code dec<i>/up/...}, {@code dec<i>/conv/...}, {@code head/...}.
 */
public record SegUNet(@RecordMaps.Inline SegConfig config) implements SegmentationNetwork {
    public static final String KIND = "seg-unet";


    @Override
    public Output apply(NetBuilder b, Tensor x) {
        SegBlocks.checkInput("U-Net", x, config.spatialDims(), config.inChannels(), sizeMultiple());
        Tensor[] r = encodeDecode(b, Layout.working(b, x), config, config.classes());
        Tensor logits = r[0];
        return SegBlocks.channelsFirst(b, new Output(SegBlocks.softmax(b, logits), logits, List.of(), r[1]));
    }

    /**
     * The U-Net body with a 1x1 output convolution to {@code outChannels} (no activation).
     *
     * @return {output, code}
     */
    static Tensor[] encodeDecode(NetBuilder b, Tensor x, SegConfig c, int outChannels) {
        SegBlocks.Encoded enc = SegBlocks.encoder(b, x, c);
        Tensor[] skips = enc.skips();
        Tensor code = enc.code();
        Tensor h = code;
        for (int i = c.depth() - 1; i >= 0; i--) {
            NetBuilder s = b.sub("dec" + i);
            Tensor up = SegBlocks.upConv(s, "up", h, c.channelsAt(i));
            h = SegBlocks.doubleConv(s, "conv", SegBlocks.concat(s, skips[i], up), c.channelsAt(i), c.norm());
        }
        return new Tensor[]{SegBlocks.head(b, "head", h, outChannels), code};
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static SegUNet fromMap(Map<String, Object> map) {
        return new SegUNet(SegConfig.fromMap(KIND, map));
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
