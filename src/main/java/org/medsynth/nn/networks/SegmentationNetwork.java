package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.losses.Losses;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A segmentation network of the hybrid segmentation paper (Sun et al., IEEE Access 2020) or one of
 * its baselines: image [N, inChannels, spatial...] in, class probabilities [N, classes, spatial...]
 * out (softmax over the channel axis, computed with {@link org.medsynth.nn.layers.ChannelSoftmax}),
 * 2D or 3D by {@link #spatialDims()}. Output size = input size; the input size must be a multiple
 * of {@link #sizeMultiple()}.
 *
 * <p>{@link #apply} builds the network for inference or training; {@link #training} builds the
 * paper's training objective on top (soft Dice, eq. 1, plus what the network adds: deep supervision
 * for MLU-Net, the mutual-information BCE for Info-Max-Net).
 */
public interface SegmentationNetwork extends NetworkSpec {

    /** Epsilon of the soft Dice loss (eq. 1). */
    double DICE_EPS = 1e-5;

    /** What the network computes for a batch. */
    record Output(
            /** class probabilities [N, classes, spatial...] (the final, combined map) */
            Tensor probabilities,
            /** logits before the softmax, same shape */
            Tensor logits,
            /** probabilities of the additional scale-wise predictions (MLU-Net deep supervision), full size; else empty */
            List<Tensor> sideProbabilities,
            /** the feature code at the bottom of the encoder [N, C, spatial / 2^depth] */
            Tensor code) { }

    /**
     * The training objective.
     *
     * @param loss  the scalar to minimise
     * @param terms named parts of it (and other scalars worth logging), e.g. "dice", "bce"
     */
    record Training(Output output, SDVariable loss, Map<String, SDVariable> terms) { }

    /** The settings every segmentation network shares (the backbone's, for Info-Max-Net). */
    SegConfig config();

    default int spatialDims() { return config().spatialDims(); }

    default int inChannels() { return config().inChannels(); }

    /** Number of classes L including the background. */
    default int classes() { return config().classes(); }

    /** Feature maps of the first level. */
    default int width() { return config().width(); }

    /** Number of 2x down-samplings of the encoder (the paper: 3). */
    default int depth() { return config().depth(); }

    /** Spatial sizes must be multiples of this (2^depth). */
    default int sizeMultiple() {
        return 1 << depth();
    }

    /** Builds the network on {@code x} in the scope of {@code b} (e.g. {@code b.network("seg")}). */
    Output apply(NetBuilder b, Tensor x);

    /**
     * Builds network and loss. The default: soft Dice (eq. 1) of the final probabilities, plus
     * {@code sideWeight()} times the mean soft Dice of the side predictions if there are any.
     *
     * @param target one-hot targets [N, classes, spatial...]
     */
    default Training training(NetBuilder b, Tensor x, SDVariable target) {
        return diceTraining(b, apply(b, x), target, sideWeight());
    }

    /** Placeholder of the images in {@link #training(NetBuilder, String, int, int...)}: [N, channels, spatial...]. */
    String IMAGE = "image";
    /** Placeholder of the one-hot targets in {@link #training(NetBuilder, String, int, int...)}: [N, classes, spatial...]. */
    String TARGET = "target";

    /**
     * {@link #training(NetBuilder, Tensor, SDVariable)} on new placeholders {@value #IMAGE} and {@value #TARGET}
     * of the graph's data type, with the network's parameters under {@code graph.network(group)}.
     *
     * @param spatial patch size, (H, W) or (D, H, W)
     */
    default Training training(NetBuilder graph, String group, int channels, int... spatial) {
        Tensor x = graph.input(IMAGE, channels, spatial);
        long[] targetShape = new long[2 + spatial.length];
        targetShape[0] = -1;
        targetShape[1] = classes();
        for (int i = 0; i < spatial.length; i++) targetShape[2 + i] = spatial[i];
        SDVariable target = graph.sd().placeHolder(TARGET, graph.dataType(), targetShape);
        return training(graph.network(group), x, target);
    }

    /** Weight of the deep-supervision Dice terms relative to the final map's (0 when there are none). */
    default double sideWeight() {
        return 0;
    }

    /**
     * Scopes (below the network's group) of parts that only training needs, such as the mutual-information
     * encoder and critic of {@link InfoMaxNet}: segmentation never runs them.
     */
    default List<String> trainingOnlyScopes() {
        return List.of();
    }

    /** True for networks that need the mutual-information feeds of {@link InfoMaxNet} during training. */
    default boolean usesMutualInformation() {
        return false;
    }

    /**
     * Soft Dice of an output against one-hot targets, with deep supervision: returns the training
     * record with loss {@code dice(final) + sideWeight * mean_k dice(side_k)} and terms "dice"
     * (final map) and, with side outputs, "diceSides".
     */
    static Training diceTraining(NetBuilder b, Output out, SDVariable target, double sideWeight) {
        var sd = b.sd();
        int dims = out.probabilities().spatialDims();
        Map<String, SDVariable> terms = new LinkedHashMap<>();
        SDVariable dice = Losses.softDice(sd, out.probabilities().var(), target, dims, DICE_EPS);
        dice = dice.rename(b.opName("dice"));
        terms.put("dice", dice);
        SDVariable loss = dice;
        if (!out.sideProbabilities().isEmpty() && sideWeight > 0) {
            SDVariable sum = null;
            for (Tensor s : out.sideProbabilities()) {
                SDVariable d = Losses.softDice(sd, s.var(), target, dims, DICE_EPS);
                sum = sum == null ? d : sum.add(d);
            }
            SDVariable sides = sum.mul(b.opName("diceSides"), 1.0 / out.sideProbabilities().size());
            terms.put("diceSides", sides);
            loss = dice.add(sides.mul(sideWeight));
        }
        return new Training(out, loss.rename(b.opName("segLoss")), terms);
    }
}
