package org.medsynth.nn.networks;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.layers.Layout;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.losses.Losses;
import org.medsynth.util.RecordMaps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Info-Max-Net of the hybrid segmentation paper, and with an MLU-Net backbone IM-MLU-Net: a
 * segmentation network (the backbone: {@link SegUNet} or {@link MluNet}) trained jointly with a
 * mutual-information estimator between images and the backbone's feature code.
 *
 * <ul>
 *   <li><b>MI encoder</b>: a second U-Net ({@link SegUNet} body, width {@code miWidth}) whose last
 *       layer (1x1 convolution to {@code miFeatures} maps) is the feature map of an image.</li>
 *   <li><b>Pairs</b>: positive = (feature map of image n, code of image n); negative = (feature
 *       map of another image, code of image n). The other images are the other images of the
 *       batch, or extra images fed with it (batch size 1, as in the paper); which image is used
 *       for which code is fed per step ({@link #feeds}).</li>
 *   <li><b>Critic</b>: the bilinear function {@link BilinearCritic} T(x, y).</li>
 *   <li><b>Loss</b>: the BCE estimator {@code -1/M sum [h log s(T) + (1 - h) log(1 - s(T))]} over the
 *       M = 2N pairs, added to the segmentation loss (soft Dice, eq. 1; MLU-Net adds its deep
 *       supervision): {@code total = Dice + miWeight * BCE}. Minimising it trains critic, MI
 *       encoder and the backbone's encoder (through the code) to maximise the estimator.</li>
 * </ul>
 * Difference to the paper: T is applied to spatially averaged vectors (F map means and K code
 * channel means). Over all pixels, as the paper writes it, theta would have
 * (F H W) x (K H W / 64) entries, about 10^10 for a 256 x 256 slice.
 *
 * <p>Inference ({@link #apply}) is the backbone alone, with the same parameter names as the plain
 * backbone; the MI encoder lives under {@code mi/...} and the critic under {@code critic/...}.
 */
public record InfoMaxNet(SegmentationNetwork backbone, int miWidth, int miFeatures, double miWeight) implements SegmentationNetwork {
    public static final String KIND = "info-max-net";
    /** Scopes of the mutual-information encoder and critic: trained with the network, unused by segmentation. */
    static final String MI_SCOPE = "mi", CRITIC_SCOPE = "critic";

    /** Placeholder of the MI encoder's images [N + E, C, spatial...]: the batch, then E extra images. */
    public static final String MI_IMAGES = "miImages";
    /**
     * Placeholder [N, N + E]: row n selects (one-hot) the row of {@link #MI_IMAGES} paired with code n as
     * the positive pair (row n). Selection by a product with a one-hot matrix rather than a gather: the
     * gradient of SameDiff's gather (M2.1) builds a loop that fails when it occurs twice in a graph.
     */
    public static final String POSITIVE_SELECT = "miPositive";
    /** Placeholder [N, N + E]: row n selects the row of {@link #MI_IMAGES} paired with code n as the negative pair (never n). */
    public static final String NEGATIVE_SELECT = "miNegative";

    /**
     * @param backbone   a {@link SegUNet} (Info-Max-Net) or {@link MluNet} (IM-MLU-Net)
     * @param miWidth    first-level width of the MI encoder U-Net
     * @param miFeatures feature maps of the MI encoder's last layer (F)
     * @param miWeight   weight of the BCE term (the paper adds the losses: 1)
     */
    public InfoMaxNet {
        if (!(backbone instanceof SegUNet) && !(backbone instanceof MluNet)) {
            throw new IllegalArgumentException("the Info-Max-Net backbone must be a seg-unet or an mlu-net, not " + backbone.kind());
        }
        if (miWidth < 1 || miFeatures < 1) throw new IllegalArgumentException("miWidth and miFeatures must be >= 1");
        if (!(miWeight >= 0)) throw new IllegalArgumentException("miWeight must be >= 0");
    }

    /** The keys Info-Max-Net adds to its backbone's in the hyper-parameters. */
    private record Keys(String backbone, int miWidth, int miFeatures, double miWeight) { }

    /** Info-Max-Net: U-Net backbone, MI encoder as wide as the backbone, F = width, weight 1. */
    public static InfoMaxNet infoMax(SegConfig config) {
        return new InfoMaxNet(new SegUNet(config), config.width(), config.width(), 1.0);
    }

    /** IM-MLU-Net: MLU-Net backbone (3 branches, side weight 0.5), otherwise as {@link #infoMax}. */
    public static InfoMaxNet imMlu(SegConfig config) {
        return new InfoMaxNet(new MluNet(config), config.width(), config.width(), 1.0);
    }

    @Override public SegConfig config() { return backbone.config(); }
    @Override public double sideWeight() { return backbone.sideWeight(); }
    @Override public boolean usesMutualInformation() { return true; }
    @Override public List<String> trainingOnlyScopes() { return List.of(MI_SCOPE, CRITIC_SCOPE); }

    @Override
    public Output apply(NetBuilder b, Tensor x) {
        return backbone.apply(b, x);
    }

    /** The configuration of the MI encoder U-Net. */
    public SegConfig miConfig() {
        SegConfig c = backbone.config();
        return new SegConfig(c.spatialDims(), c.inChannels(), c.classes(), miWidth, c.depth(), c.norm());
    }

    /**
     * Segmentation loss + miWeight * BCE. Terms: those of the backbone ("dice", "diceSides"), "bce",
     * "miPositive" / "miNegative" (mean critic score of the positive / negative pairs).
     * Feeds needed besides the image: {@link #feeds}.
     */
    @Override
    public Training training(NetBuilder b, Tensor x, SDVariable target) {
        Output out = backbone.apply(b, x);
        Training seg = SegmentationNetwork.diceTraining(b, out, target, backbone.sideWeight());
        var sd = b.sd();
        Tensor miImages = b.input(MI_IMAGES, x.channels(), x.spatial());
        SDVariable pos = sd.hasVariable(POSITIVE_SELECT) ? sd.getVariable(POSITIVE_SELECT) : sd.placeHolder(POSITIVE_SELECT, b.dataType(), -1, -1);
        SDVariable neg = sd.hasVariable(NEGATIVE_SELECT) ? sd.getVariable(NEGATIVE_SELECT) : sd.placeHolder(NEGATIVE_SELECT, b.dataType(), -1, -1);
        NetBuilder mb = b.sub(MI_SCOPE);
        Tensor features = SegUNet.encodeDecode(mb, Layout.working(mb, miImages), miConfig(), miFeatures)[0];
        SDVariable fx = SegBlocks.globalAveragePool(mb, features).var();                       // [N + E, F]
        Tensor code = out.code();
        SDVariable y = SegBlocks.globalAveragePool(b.sub("code"), code).var();                // [N, K]
        SDVariable xPos = pos.mmul(b.opName("miFeaturesPositive"), fx);                      // [N, F]
        SDVariable xNeg = neg.mmul(b.opName("miFeaturesNegative"), fx);
        SDVariable sPos = BilinearCritic.score(b, CRITIC_SCOPE, xPos, miFeatures, y, code.channels());
        SDVariable sNeg = BilinearCritic.score(b, CRITIC_SCOPE, xNeg, miFeatures, y, code.channels());
        SDVariable bce = Losses.bceWithLogits(sd, sPos, 1.0).add(Losses.bceWithLogits(sd, sNeg, 0.0)).mul(b.opName("bce"), 0.5);
        Map<String, SDVariable> terms = new LinkedHashMap<>(seg.terms());
        terms.put("bce", bce);
        terms.put("miPositive", sPos.mean(b.opName("miPositiveMean")));
        terms.put("miNegative", sNeg.mean(b.opName("miNegativeMean")));
        SDVariable loss = seg.loss().add(b.opName("totalLoss"), bce.mul(miWeight));
        return new Training(out, loss, terms);
    }

    /**
     * The MI feeds for a batch: {@link #MI_IMAGES} = the batch followed by {@code extra} (may be
     * null when the batch has at least 2 images), {@link #POSITIVE_SELECT} selecting row n for code n and
     * {@link #NEGATIVE_SELECT} a random other row (never n), in the batch's data type.
     */
    public static Map<String, INDArray> feeds(INDArray batch, INDArray extra, SplittableRandom rng) {
        int n = (int) batch.size(0);
        int e = extra == null ? 0 : (int) extra.size(0);
        if (n + e < 2) {
            throw new IllegalArgumentException("Info-Max-Net needs at least one other image per batch to form negative pairs: "
                    + "use a batch of 2 or more, or feed extra images");
        }
        INDArray all = e == 0 ? batch : Nd4j.concat(0, batch, extra.castTo(batch.dataType()));
        int m = n + e;
        double[] posSel = new double[n * m];
        double[] negSel = new double[n * m];
        for (int i = 0; i < n; i++) {
            posSel[i * m + i] = 1;
            int j = rng.nextInt(m - 1);
            negSel[i * m + (j >= i ? j + 1 : j)] = 1;
        }
        Map<String, INDArray> f = new HashMap<>();
        f.put(MI_IMAGES, all);
        f.put(POSITIVE_SELECT, Nd4j.create(posSel, new long[]{n, m}, DataType.DOUBLE).castTo(batch.dataType()));
        f.put(NEGATIVE_SELECT, Nd4j.create(negSel, new long[]{n, m}, DataType.DOUBLE).castTo(batch.dataType()));
        return f;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(backbone.toMap());
        m.putAll(RecordMaps.toMap(new Keys(backbone.kind(), miWidth, miFeatures, miWeight)));
        return m;
    }

    public static InfoMaxNet fromMap(Map<String, Object> map) {
        Keys k = RecordMaps.fromMap(Keys.class, KIND + ": hyper-parameter", map, Map.of());
        SegmentationNetwork backbone = switch (k.backbone()) {
            case SegUNet.KIND -> SegUNet.fromMap(map);
            case MluNet.KIND -> MluNet.fromMap(map);
            default -> throw new IllegalArgumentException(KIND + ": unknown backbone '" + k.backbone() + "' (seg-unet or mlu-net)");
        };
        return new InfoMaxNet(backbone, k.miWidth(), k.miFeatures(), k.miWeight());
    }

    @Override
    public String toString() {
        return KIND + toMap();
    }
}
