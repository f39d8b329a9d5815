package org.medsynth.nn.networks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The segmentation networks by the names users type, and their registration with {@link Networks}
 * (so a model manifest naming {@code seg-unet}, {@code attention-unet}, {@code unet++},
 * {@code mlu-net} or {@code info-max-net} can be rebuilt). Use {@link #fromMap} (or call
 * {@link #register()} once) before {@link Networks#fromMap} sees these kinds.
 */
public final class SegmentationNetworks {

    /** Network names of the Train Segmenter command. */
    public static final List<String> NAMES = List.of("unet", "attention-unet", "unet++", "mlu-net", "info-max-net", "im-mlu-net");

    static {
        Networks.register(SegUNet.KIND, SegUNet::fromMap);
        Networks.register(AttentionUNet.KIND, AttentionUNet::fromMap);
        Networks.register(UNetPlusPlus.KIND, UNetPlusPlus::fromMap);
        Networks.register(MluNet.KIND, MluNet::fromMap);
        Networks.register(InfoMaxNet.KIND, InfoMaxNet::fromMap);
    }

    private SegmentationNetworks() { }

    /** Registers the segmentation kinds with {@link Networks} (idempotent; done by class initialisation). */
    public static void register() {
        // the static initialiser does the work
    }

    /**
     * A network by user name (one of {@link #NAMES}, case-insensitive) with the paper's defaults
     * for everything not in {@code config}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static SegmentationNetwork create(String name, SegConfig config) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "unet", "u-net", "seg-unet" -> new SegUNet(config);
            case "attention-unet", "attention-u-net", "agnet" -> new AttentionUNet(config);
            case "unet++", "u-net++", "unetplusplus", "unet-plus-plus" -> new UNetPlusPlus(config, false);
            case "mlu-net", "mlunet", "mlu" -> new MluNet(config);
            case "info-max-net", "infomaxnet", "info-max" -> InfoMaxNet.infoMax(config);
            case "im-mlu-net", "immlunet", "im-mlu" -> InfoMaxNet.imMlu(config);
            default -> throw new IllegalArgumentException("unknown segmentation network '" + name + "' (use one of " + NAMES + ")");
        };
    }

    /** Rebuilds a segmentation network from a manifest's kind and hyper-parameters. */
    public static SegmentationNetwork fromMap(String kind, Map<String, Object> hyper) {
        NetworkSpec s = Networks.fromMap(kind, hyper);
        if (!(s instanceof SegmentationNetwork n)) {
            throw new IllegalArgumentException("network kind '" + kind + "' is not a segmentation network");
        }
        return n;
    }

    /** The user name of a network ({@code im-mlu-net} for an Info-Max-Net with MLU-Net backbone). */
    public static String displayName(SegmentationNetwork n) {
        return switch (n.kind()) {
            case SegUNet.KIND -> "unet";
            case InfoMaxNet.KIND -> ((InfoMaxNet) n).backbone() instanceof MluNet ? "im-mlu-net" : "info-max-net";
            default -> n.kind();
        };
    }
}
