package org.medsynth.nn.networks;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Registry of network kinds, to rebuild a {@link NetworkSpec} from a model manifest. The networks of
 * this package are registered; other packages (segmentation networks, ...) add theirs with
 * {@link #register}.
 */
public final class Networks {
    private static final Map<String, Function<Map<String, Object>, NetworkSpec>> KINDS = new ConcurrentHashMap<>();

    static {
        register(UNet.KIND, UNet::fromMap);
        register(PatchGan.KIND, PatchGan::fromMap);
        register(PgganGenerator.KIND, PgganGenerator::fromMap);
        register(PgganDiscriminator.KIND, PgganDiscriminator::fromMap);
        register(Dcgan.KIND, Dcgan::fromMap);
        // the segmentation networks, so that any model archive of them can be rebuilt
        register(SegUNet.KIND, SegUNet::fromMap);
        register(AttentionUNet.KIND, AttentionUNet::fromMap);
        register(UNetPlusPlus.KIND, UNetPlusPlus::fromMap);
        register(MluNet.KIND, MluNet::fromMap);
        register(InfoMaxNet.KIND, InfoMaxNet::fromMap);
    }

    private Networks() { }

    public static void register(String kind, Function<Map<String, Object>, NetworkSpec> parser) {
        KINDS.put(kind, parser);
    }

    public static Set<String> kinds() {
        return new TreeSet<>(KINDS.keySet());
    }

    /** @throws IllegalArgumentException for an unknown kind or bad hyper-parameters */
    public static NetworkSpec fromMap(String kind, Map<String, Object> hyper) {
        Function<Map<String, Object>, NetworkSpec> f = KINDS.get(kind);
        if (f == null) throw new IllegalArgumentException("unknown network kind '" + kind + "' (known: " + kinds() + ")");
        return f.apply(hyper);
    }
}
