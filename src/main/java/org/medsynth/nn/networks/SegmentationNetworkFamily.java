package org.medsynth.nn.networks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The segmentation networks users train, by the name they type ({@code network=}): the one list that the
 * Train Segmenter choices, the factory, the settings check and the name written into model files read.
 */
public enum SegmentationNetworkFamily {
    UNET("unet", List.of("u-net", "seg-unet"), false, SegUNet::new, n -> n instanceof SegUNet),
    ATTENTION_UNET("attention-unet", List.of("attention-u-net", "agnet"), false, AttentionUNet::new, n -> n instanceof AttentionUNet),
    UNET_PLUS_PLUS("unet++", List.of("u-net++", "unetplusplus", "unet-plus-plus"), false, c -> new UNetPlusPlus(c, false),
            n -> n instanceof UNetPlusPlus),
    MLU_NET("mlu-net", List.of("mlunet", "mlu"), false, MluNet::new, n -> n instanceof MluNet),
    INFO_MAX_NET("info-max-net", List.of("infomaxnet", "info-max"), true, InfoMaxNet::infoMax,
            n -> n instanceof InfoMaxNet i && !(i.backbone() instanceof MluNet)),
    IM_MLU_NET("im-mlu-net", List.of("immlunet", "im-mlu"), true, InfoMaxNet::imMlu,
            n -> n instanceof InfoMaxNet i && i.backbone() instanceof MluNet);

    private final String userName;
    private final List<String> aliases;
    private final boolean mutualInformation;
    private final Function<SegConfig, SegmentationNetwork> factory;
    private final Predicate<SegmentationNetwork> builds;

    SegmentationNetworkFamily(String userName, List<String> aliases, boolean mutualInformation,
                              Function<SegConfig, SegmentationNetwork> factory, Predicate<SegmentationNetwork> builds) {
        this.userName = userName;
        this.aliases = aliases;
        this.mutualInformation = mutualInformation;
        this.factory = factory;
        this.builds = builds;
    }

    /** The name users type and model files record, e.g. {@code im-mlu-net}. */
    public String userName() { return userName; }

    /** True for the networks trained with the mutual-information term (they want a negative pair in every batch). */
    public boolean mutualInformation() { return mutualInformation; }

    /** The network with the paper's defaults for everything not in {@code config}. */
    public SegmentationNetwork create(SegConfig config) {
        return factory.apply(config);
    }

    /** The user names, in the order of the Train Segmenter choices. */
    public static List<String> names() {
        return Arrays.stream(values()).map(SegmentationNetworkFamily::userName).toList();
    }

    /** The family of a user name or one of its spellings (case-insensitive), if there is one. */
    public static Optional<SegmentationNetworkFamily> find(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.userName.equals(n) || f.aliases.contains(n)).findFirst();
    }

    /**
     * A network by user name with the paper's defaults for everything not in {@code config}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static SegmentationNetwork create(String name, SegConfig config) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("unknown segmentation network '" + name + "' (use one of "
                + names() + ")")).create(config);
    }

    /** The user name of a network ({@code im-mlu-net} for an Info-Max-Net with MLU-Net backbone); its kind for a network of no family. */
    public static String nameOf(SegmentationNetwork network) {
        return Arrays.stream(values()).filter(f -> f.builds.test(network)).findFirst().map(f -> f.userName).orElse(network.kind());
    }
}
