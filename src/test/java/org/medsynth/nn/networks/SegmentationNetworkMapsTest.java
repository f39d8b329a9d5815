package org.medsynth.nn.networks;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.layers.Norm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The exact hyper-parameter maps (keys, order, value types) model archives hold for the networks with extra keys; their errors. */
class SegmentationNetworkMapsTest {
    private static final SegConfig C = new SegConfig(3, 4, 5, 16, 4, Norm.INSTANCE);
    private static final List<String> CONFIG_KEYS = List.of("spatialDims", "inChannels", "classes", "width", "depth", "norm");

    private static Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spatialDims", 3);
        m.put("inChannels", 4);
        m.put("classes", 5);
        m.put("width", 16);
        m.put("depth", 4);
        m.put("norm", "INSTANCE");
        return m;
    }

    private static void assertMap(Map<String, Object> expected, NetworkSpec n) {
        Map<String, Object> m = n.toMap();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(m.keySet()), n.kind());
        assertEquals(expected, m, n.kind());
        expected.forEach((k, v) -> assertEquals(v.getClass(), m.get(k).getClass(), k));
        NetworkSpec back = Networks.fromMap(n.kind(), new LinkedHashMap<>(m));
        assertEquals(n.getClass(), back.getClass());
        assertEquals(m, back.toMap());
    }

    @Test
    void mluNetWritesConfigThenBranchesAndSideWeight() {
        Map<String, Object> e = config();
        e.put("branches", 4);
        e.put("sideWeight", 0.25);
        assertMap(e, new MluNet(C, 4, 0.25));
    }

    @Test
    void unetPlusPlusWritesConfigThenDeepSupervision() {
        Map<String, Object> e = config();
        e.put("deepSupervision", true);
        assertMap(e, new UNetPlusPlus(C, true));
        e.put("deepSupervision", false);
        assertMap(e, new UNetPlusPlus(C, false));
    }

    @Test
    void infoMaxNetWritesBackboneKeysThenItsOwn() {
        Map<String, Object> e = config();
        e.put("branches", 2);
        e.put("sideWeight", 1.0);
        e.put("backbone", "mlu-net");
        e.put("miWidth", 8);
        e.put("miFeatures", 12);
        e.put("miWeight", 0.5);
        assertMap(e, new InfoMaxNet(new MluNet(C, 2, 1.0), 8, 12, 0.5));
        Map<String, Object> u = config();
        u.put("backbone", "seg-unet");
        u.put("miWidth", 7);
        u.put("miFeatures", 3);
        u.put("miWeight", 2.0);
        assertMap(u, new InfoMaxNet(new SegUNet(C), 7, 3, 2.0));
        assertEquals(CONFIG_KEYS, List.copyOf(u.keySet()).subList(0, 6));
    }

    @Test
    void numbersAsJsonGivesThemBackAreRead() {
        Map<String, Object> m = new LinkedHashMap<>(new InfoMaxNet(new MluNet(C, 3, 0.5), 8, 12, 1.0).toMap());
        m.put("branches", 3.0);
        m.put("sideWeight", 1);
        m.put("miWidth", 6.0);
        m.put("miWeight", 2);
        InfoMaxNet n = (InfoMaxNet) Networks.fromMap(InfoMaxNet.KIND, m);
        assertEquals(3, ((MluNet) n.backbone()).branches());
        assertEquals(1.0, n.sideWeight());
        assertEquals(6, n.miWidth());
        assertEquals(2.0, n.miWeight());
    }

    private static String error(String kind, Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        if (value == null) m.remove(key); else m.put(key, value);
        return assertThrows(IllegalArgumentException.class, () -> Networks.fromMap(kind, m)).getMessage();
    }

    @Test
    void missingAndBadExtraKeysAreNamed() {
        Map<String, Object> mlu = new MluNet(C, 4, 0.25).toMap();
        assertEquals("mlu-net: hyper-parameter 'branches' is missing", error("mlu-net", mlu, "branches", null));
        assertEquals("mlu-net: hyper-parameter 'branches' must be an integer, got 2.5", error("mlu-net", mlu, "branches", 2.5));
        assertEquals("mlu-net: hyper-parameter 'sideWeight' is missing", error("mlu-net", mlu, "sideWeight", null));
        assertEquals("mlu-net: hyper-parameter 'sideWeight' must be a number, got x", error("mlu-net", mlu, "sideWeight", "x"));
        assertEquals("MLU-Net needs 2..5 branches per block, got 7", error("mlu-net", mlu, "branches", 7));
        assertEquals("mlu-net: hyper-parameter 'width' is missing", error("mlu-net", mlu, "width", null));

        Map<String, Object> upp = new UNetPlusPlus(C, true).toMap();
        assertEquals("unet++: hyper-parameter 'deepSupervision' is missing", error("unet++", upp, "deepSupervision", null));
        assertEquals("unet++: hyper-parameter 'deepSupervision' must be true or false, got yes",
                error("unet++", upp, "deepSupervision", "yes"));
        assertEquals("unet++: hyper-parameter 'norm' has unknown value FANCY", error("unet++", upp, "norm", "FANCY"));

        Map<String, Object> im = new InfoMaxNet(new MluNet(C, 2, 1.0), 8, 12, 0.5).toMap();
        assertEquals("info-max-net: hyper-parameter 'backbone' is missing", error("info-max-net", im, "backbone", null));
        assertEquals("info-max-net: unknown backbone 'resnet' (seg-unet or mlu-net)", error("info-max-net", im, "backbone", "resnet"));
        assertEquals("info-max-net: hyper-parameter 'miWidth' is missing", error("info-max-net", im, "miWidth", null));
        assertEquals("info-max-net: hyper-parameter 'miFeatures' must be an integer, got 1.5", error("info-max-net", im, "miFeatures", 1.5));
        assertEquals("info-max-net: hyper-parameter 'miWeight' must be a number, got w", error("info-max-net", im, "miWeight", "w"));
        assertEquals("miWidth and miFeatures must be >= 1", error("info-max-net", im, "miWidth", 0));
        assertEquals("mlu-net: hyper-parameter 'branches' is missing", error("info-max-net", im, "branches", null));
        assertEquals("seg-unet: hyper-parameter 'depth' is missing",
                error("info-max-net", new InfoMaxNet(new SegUNet(C), 7, 3, 2.0).toMap(), "depth", null));
    }
}
