package org.medsynth.nn.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Loss functions as SameDiff expressions. All return scalars averaged over every element (batch,
 * channels, pixels) unless stated otherwise; rename the result ({@code .rename("lossD")}) to fetch it.
 *
 * <ul>
 *   <li>GAN losses take discriminator outputs: logits for the non-saturating loss, raw scores for
 *       LSGAN and WGAN.</li>
 *   <li>pix2pix: {@code D = 0.5 * nonSaturatingD(...)}, {@code G = nonSaturatingG(...) + 100 * l1(fake, real)}.</li>
 *   <li>PGGAN / SkrGAN: {@link #wganD} + the gradient penalty ({@link #gradientPenalty}, on the gradients {@link WganGp} provides), {@link #wganG}.</li>
 * </ul>
 */
public final class Losses {
    private Losses() { }

    /** mean |a - b|. */
    public static SDVariable l1(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.math().abs(a.sub(b)).mean();
    }

    /** mean (a - b)^2. */
    public static SDVariable mse(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.math().square(a.sub(b)).mean();
    }

    /**
     * Binary cross-entropy on logits against a constant target (0 or 1 or a soft label):
     * mean(max(x, 0) - x t + log(1 + exp(-|x|))), numerically stable as PyTorch's
     * {@code BCEWithLogitsLoss}.
     */
    public static SDVariable bceWithLogits(SameDiff sd, SDVariable logits, double target) {
        SDVariable relu = sd.nn().relu(logits, 0.0);
        SDVariable soft = sd.math().log1p(sd.math().exp(sd.math().neg(sd.math().abs(logits))));
        return relu.sub(logits.mul(target)).add(soft).mean();
    }

    /** Binary cross-entropy on logits against per-element targets of the same shape. */
    public static SDVariable bceWithLogits(SameDiff sd, SDVariable logits, SDVariable targets) {
        SDVariable relu = sd.nn().relu(logits, 0.0);
        SDVariable soft = sd.math().log1p(sd.math().exp(sd.math().neg(sd.math().abs(logits))));
        return relu.sub(logits.mul(targets)).add(soft).mean();
    }

    /** Non-saturating GAN, D side: BCE(D(x), 1) + BCE(D(G(z)), 0) (pix2pix halves it). */
    public static SDVariable nonSaturatingD(SameDiff sd, SDVariable realLogits, SDVariable fakeLogits) {
        return bceWithLogits(sd, realLogits, 1.0).add(bceWithLogits(sd, fakeLogits, 0.0));
    }

    /** Non-saturating GAN, G side: BCE(D(G(z)), 1). */
    public static SDVariable nonSaturatingG(SameDiff sd, SDVariable fakeLogits) {
        return bceWithLogits(sd, fakeLogits, 1.0);
    }

    /** Least-squares GAN, D side: 0.5 [mean (D(x) - 1)^2 + mean D(G(z))^2]. */
    public static SDVariable lsganD(SameDiff sd, SDVariable dReal, SDVariable dFake) {
        return sd.math().square(dReal.sub(1.0)).mean().add(sd.math().square(dFake).mean()).mul(0.5);
    }

    /** Least-squares GAN, G side: 0.5 mean (D(G(z)) - 1)^2. */
    public static SDVariable lsganG(SameDiff sd, SDVariable dFake) {
        return sd.math().square(dFake.sub(1.0)).mean().mul(0.5);
    }

    /**
     * Wasserstein critic loss without the gradient penalty: mean D(G(z)) - mean D(x) +
     * drift mean D(x)^2 (PGGAN: drift 0.001). Add the penalty with {@link WganGp}.
     */
    public static SDVariable wganD(SameDiff sd, SDVariable dReal, SDVariable dFake, double drift) {
        SDVariable l = dFake.mean().sub(dReal.mean());
        if (drift != 0) l = l.add(sd.math().square(dReal).mean().mul(drift));
        return l;
    }

    /**
     * WGAN-GP's gradient penalty on the critic's input gradients {@code g} [N, ...]: lambda mean_i (||g_i|| - 1)^2, the
     * norm over all axes but the first. Returns the per-sample norms [N] and the penalty.
     */
    public static Penalty gradientPenalty(SameDiff sd, SDVariable g, double lambda) {
        long[] shape = g.getShape();
        if (shape == null || shape.length < 2) throw new IllegalArgumentException("the gradients need a known rank >= 2");
        int[] axes = new int[shape.length - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        SDVariable norms = g.norm2(axes);
        return new Penalty(norms, sd.math().square(norms.sub(1.0)).mean().mul(lambda));
    }

    /** The per-sample gradient norms [N] and the penalty of {@link #gradientPenalty}. */
    public record Penalty(SDVariable norms, SDVariable penalty) { }

    /** Wasserstein generator loss: -mean D(G(z)). */
    public static SDVariable wganG(SameDiff sd, SDVariable dFake) {
        return dFake.mean().neg();
    }

    /**
     * Soft Dice loss, eq. (1) of the hybrid segmentation paper (IEEE Access 2020):
     * {@code (1/L) sum_c (1 - 2 sum_i p_ic g_ic / (sum_i p_ic^2 + sum_i g_ic^2 + eps))}, where i runs over
     * all pixels/voxels of the batch and c over the L channels (classes).
     *
     * @param probs  probabilities [N, L, spatial...] (softmax/sigmoid output)
     * @param target one-hot (or soft) targets, same shape
     */
    public static SDVariable softDice(SameDiff sd, SDVariable probs, SDVariable target, int spatialDims, double eps) {
        int[] axes = new int[1 + spatialDims];
        axes[0] = 0;
        for (int i = 0; i < spatialDims; i++) axes[1 + i] = 2 + i;
        SDVariable inter = probs.mul(target).sum(axes);                       // [L]
        SDVariable denom = sd.math().square(probs).sum(axes).add(sd.math().square(target).sum(axes)).add(eps);
        // 2 * inter * (1 / denom): avoids the broadcast-div gradient bug of ND4J M2.1 (shapes are equal here, but keep one pattern)
        SDVariable dice = inter.mul(2.0).mul(sd.math().reciprocal(denom));
        return dice.rsub(1.0).mean();
    }
}
