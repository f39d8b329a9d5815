package org.medsynth.nn.networks;

import java.util.Map;

/**
 * Registration of the segmentation networks with {@link Networks}
 * (so a model manifest naming {@code seg-unet}, {@code attention-unet}, {@code unet++},
 * {@code mlu-net} or {@code info-max-net} can be rebuilt). Use {@link #fromMap} (or call
 * {@link #register()} once) before {@link Networks#fromMap} sees these kinds.
 */
public final class SegmentationNetworks {

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

    /** Rebuilds a segmentation network from a manifest's kind and hyper-parameters. */
    public static SegmentationNetwork fromMap(String kind, Map<String, Object> hyper) {
        NetworkSpec s = Networks.fromMap(kind, hyper);
        if (!(s instanceof SegmentationNetwork n)) {
            throw new IllegalArgumentException("network kind '" + kind + "' is not a segmentation network");
        }
        return n;
    }
}
