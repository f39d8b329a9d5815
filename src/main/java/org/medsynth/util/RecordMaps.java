package org.medsynth.util;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records as the JSON-friendly maps that model manifests and checkpoints hold (hyper-parameters, settings):
 * one key per record component, named as the component. Values: numbers, booleans and strings as they are,
 * enums by name, {@code int[]} / {@code double[]} as lists of numbers, lists and maps as they are. A record
 * component marked {@link Inline} puts its own keys in its place (a network holding its shared settings record).
 *
 * <p>Reading accepts what JSON gives back (any integral number for an {@code int}, any number for a
 * {@code double}), takes a missing key's value from the defaults given (so that files written before a
 * component existed still load), refuses a missing key without default and ignores keys it does not know.
 * The record's constructor then checks the values as for any other caller.
 */
public final class RecordMaps {
    private RecordMaps() { }

    /** On a component that is a record: its keys stand in the map in its place, not under its name. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Inline { }

    /** The components of {@code r} by name, in declaration order. */
    public static Map<String, Object> toMap(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.isAnnotationPresent(Inline.class)) m.putAll(toMap((Record) value(c, r)));
            else m.put(c.getName(), write(value(c, r)));
        }
        return m;
    }

    private static Object write(Object v) {
        if (v instanceof Enum<?> e) return e.name();
        if (v instanceof int[] a) return Arrays.stream(a).boxed().toList();
        if (v instanceof double[] a) return Arrays.stream(a).boxed().toList();
        return v;
    }

    /**
     * The record of {@code type} that {@code map} describes.
     *
     * @param what     how messages name a key's owner, e.g. {@code "unet: hyper-parameter"}
     * @param defaults values of the components a map may lack (by component name)
     * @throws IllegalArgumentException for a missing key without default or a value of the wrong type (the
     *                                  record's constructor may throw others)
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R fromMap(Class<R> type, String what, Map<String, ?> map, Map<String, ?> defaults) {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] args = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            String key = cs[i].getName();
            types[i] = cs[i].getType();
            if (cs[i].isAnnotationPresent(Inline.class)) {
                args[i] = fromMap((Class<? extends Record>) types[i], what, map, defaults);
                continue;
            }
            Object v = map.get(key);
            if (v == null) v = defaults.get(key);
            if (v == null) throw new IllegalArgumentException(what + " '" + key + "' is missing");
            args[i] = read(what, key, v, types[i]);
        }
        try {
            Constructor<R> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object read(String what, String key, Object v, Class<?> t) {
        if (t == int.class || t == long.class) {
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                if (t == int.class) return n.intValue();   // not a conditional expression: it would widen both to long
                return n.longValue();
            }
            throw new IllegalArgumentException(what + " '" + key + "' must be an integer, got " + v);
        }
        if (t == double.class) {
            if (v instanceof Number n) return n.doubleValue();
            throw new IllegalArgumentException(what + " '" + key + "' must be a number, got " + v);
        }
        if (t == boolean.class) {
            if (v instanceof Boolean b) return b;
            throw new IllegalArgumentException(what + " '" + key + "' must be true or false, got " + v);
        }
        if (t == String.class) return String.valueOf(v);
        if (t.isEnum()) {
            try {
                return Enum.valueOf((Class) t, String.valueOf(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " '" + key + "' has unknown value " + v);
            }
        }
        if (t == int[].class || t == double[].class) {
            if (!(v instanceof List<?> l)) throw new IllegalArgumentException(what + " '" + key + "' must be a list of numbers, got " + v);
            Object a = java.lang.reflect.Array.newInstance(t.getComponentType(), l.size());
            for (int i = 0; i < l.size(); i++) java.lang.reflect.Array.set(a, i, read(what, key, l.get(i), t.getComponentType()));
            return a;
        }
        if (t == List.class || t == Map.class) {
            if (t.isInstance(v)) return v;
            throw new IllegalArgumentException(what + " '" + key + "' must be a " + (t == List.class ? "list" : "map") + ", got " + v);
        }
        throw new IllegalArgumentException(what + " '" + key + "': components of type " + t.getName() + " are not supported");
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getName(), e);
        }
    }
}
