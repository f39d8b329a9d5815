package org.medsynth.nn.networks;

import java.util.Map;

/** Typed reading of hyper-parameter maps (from JSON manifests) with clear errors. */
final class Hyper {
    private final String kind;
    private final Map<String, Object> map;

    Hyper(String kind, Map<String, Object> map) {
        this.kind = kind;
        this.map = map;
    }

    private Object get(String key) {
        Object v = map.get(key);
        if (v == null) throw new IllegalArgumentException(kind + ": hyper-parameter '" + key + "' is missing");
        return v;
    }

    int i(String key) {
        Object v = get(key);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.intValue();
        throw new IllegalArgumentException(kind + ": hyper-parameter '" + key + "' must be an integer, got " + v);
    }

    double d(String key) {
        Object v = get(key);
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(kind + ": hyper-parameter '" + key + "' must be a number, got " + v);
    }

    boolean b(String key) {
        Object v = get(key);
        if (v instanceof Boolean bo) return bo;
        throw new IllegalArgumentException(kind + ": hyper-parameter '" + key + "' must be true or false, got " + v);
    }

    String s(String key) {
        return String.valueOf(get(key));
    }

    <E extends Enum<E>> E e(String key, Class<E> type) {
        String v = s(key);
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(kind + ": hyper-parameter '" + key + "' has unknown value " + v);
        }
    }
}
