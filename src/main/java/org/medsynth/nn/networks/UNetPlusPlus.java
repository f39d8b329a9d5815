package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.util.RecordMaps;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * U-Net++ (Zhou et al. 2018), a baseline of the paper: nested, densely connected skip pathways.
 * Node X(i, j) (level i = 0..depth, column j) is a double convolution ({@link SegBlocks#doubleConv})
 * with {@code width * 2^i} feature maps:
 * <pre>
 *   X(i, 0) = conv(maxpool(X(i-1, 0)))                              (encoder; X(0, 0) = conv(x))
 *   X(i, j) = conv([X(i, 0), ..., X(i, j-1), up(X(i+1, j-1))])       j >= 1, i + j <= depth
 * </pre>
 * with {@code up} a 2x2 transposed convolution. The prediction is a 1x1 head on X(0, depth).
 * With deep supervision heads are also put on X(0, 1) .. X(0, depth-1): they are trained as side
 * outputs (Dice each) and the final map is the mean of the probabilities of all heads (the
 * "accurate mode" of the reference implementation). Parameter names {@code x<i>_<j>/...},
 * {@code up<i>_<j>/...}, {@code head<j>/...}.
 */
public record UNetPlusPlus(@RecordMaps.Inline SegConfig config, boolean deepSupervision) implements SegmentationNetwork {
    public static final String KIND = "unet++";


    @Override
    public double sideWeight() {
        return deepSupervision ? 1.0 : 0.0;
    }

    @Override
    public Output apply(NetBuilder b, Tensor x) {
        SegBlocks.checkInput("U-Net++", x, config.spatialDims(), config.inChannels(), sizeMultiple());
        int depth = config.depth();
        Tensor[][] node = new Tensor[depth + 1][depth + 1];
        Tensor h = Layout.working(b, x);
        for (int i = 0; i <= depth; i++) {
            if (i > 0) h = SegBlocks.maxPool(b, h);
            h = SegBlocks.doubleConv(b, "x" + i + "_0", h, config.channelsAt(i), config.norm());
            node[i][0] = h;
        }
        for (int j = 1; j <= depth; j++) {
            for (int i = 0; i + j <= depth; i++) {
                List<Tensor> in = new ArrayList<>();
                for (int k = 0; k < j; k++) in.add(node[i][k]);
                in.add(SegBlocks.upConv(b, "up" + i + "_" + j, node[i + 1][j - 1], config.channelsAt(i)));
                node[i][j] = SegBlocks.doubleConv(b, "x" + i + "_" + j, SegBlocks.concat(b, in), config.channelsAt(i), config.norm());
            }
        }
        Tensor code = node[depth][0];
        Tensor logits = SegBlocks.head(b, "head" + depth, node[0][depth], config.classes());
        Tensor probs = SegBlocks.softmax(b, logits);
        if (!deepSupervision) return SegBlocks.channelsFirst(b, new Output(probs, logits, List.of(), code));
        List<Tensor> sides = new ArrayList<>();
        SDVariable sum = probs.var();
        for (int j = 1; j < depth; j++) {
            Tensor p = SegBlocks.softmax(b, SegBlocks.head(b, "head" + j, node[0][j], config.classes()));
            sides.add(p);
            sum = sum.add(p.var());
        }
        Tensor mean = probs.with(sum.mul(b.opName("meanProbabilities"), 1.0 / depth));
        return SegBlocks.channelsFirst(b, new Output(mean, logits, List.copyOf(sides), code));
    }

    @Override
    public Training training(NetBuilder b, Tensor x, SDVariable target) {
        Output out = apply(b, x);
        if (!deepSupervision) return SegmentationNetwork.diceTraining(b, out, target, 0);
        // deep supervision: every head is trained on its own (the deepest head's map is 'logits')
        List<Tensor> heads = new ArrayList<>(out.sideProbabilities());
        heads.add(SegBlocks.softmax(b, out.logits()));
        Output perHead = new Output(out.probabilities(), out.logits(), heads, out.code());
        Training t = SegmentationNetwork.diceTraining(b, perHead, target, 1.0);
        Map<String, SDVariable> terms = new LinkedHashMap<>(t.terms());
        return new Training(out, t.loss(), terms);
    }

    @Override
    public String kind() {
        return KIND;
    }

    public static UNetPlusPlus fromMap(Map<String, Object> map) {
        return RecordMaps.fromMap(UNetPlusPlus.class, KIND + ": hyper-parameter", map, Map.of());
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
