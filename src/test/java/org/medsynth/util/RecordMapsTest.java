package org.medsynth.util;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordMapsTest {
    enum Colour { RED, GREEN }

    record Every(int i, long l, double d, boolean b, String s, Colour e, int[] ints, double[] doubles, List<String> list,
                 Map<String, Object> map) { }

    record Checked(int size) {
        Checked {
            if (size < 1) throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
    }

    private static final Every EVERY = new Every(3, 1L << 40, 0.25, true, "text", Colour.GREEN, new int[]{1, 2}, new double[]{0.5, -1},
            List.of("a", "b"), Map.of("k", 1));

    @Test
    void writesEveryComponentByNameInJsonFriendlyValues() {
        Map<String, Object> m = RecordMaps.toMap(EVERY);
        assertEquals(List.of("i", "l", "d", "b", "s", "e", "ints", "doubles", "list", "map"), List.copyOf(m.keySet()));
        assertEquals("GREEN", m.get("e"));
        assertEquals(List.of(1, 2), m.get("ints"));
        assertEquals(List.of(0.5, -1.0), m.get("doubles"));
        assertEquals(1L << 40, m.get("l"));
    }

    @Test
    void roundTripsEveryComponentType() {
        Every back = RecordMaps.fromMap(Every.class, "test", RecordMaps.toMap(EVERY), Map.of());
        assertEquals(EVERY.i(), back.i());
        assertEquals(EVERY.l(), back.l());
        assertEquals(EVERY.d(), back.d());
        assertEquals(EVERY.b(), back.b());
        assertEquals(EVERY.s(), back.s());
        assertEquals(EVERY.e(), back.e());
        assertArrayEquals(EVERY.ints(), back.ints());
        assertArrayEquals(EVERY.doubles(), back.doubles());
        assertEquals(EVERY.list(), back.list());
        assertEquals(EVERY.map(), back.map());
    }

    @Test
    void readsNumbersAsJsonGivesThemBack() {
        Map<String, Object> m = new LinkedHashMap<>(RecordMaps.toMap(EVERY));
        m.put("i", 3.0);            // an integral double is an int
        m.put("l", 7);              // an Integer is a long
        m.put("d", 2);              // an Integer is a double
        Every back = RecordMaps.fromMap(Every.class, "test", m, Map.of());
        assertEquals(3, back.i());
        assertEquals(7L, back.l());
        assertEquals(2.0, back.d());
    }

    @Test
    void aMissingKeyTakesItsDefaultOrIsRefused() {
        Map<String, Object> m = new LinkedHashMap<>(RecordMaps.toMap(EVERY));
        m.remove("e");
        assertEquals(Colour.RED, RecordMaps.fromMap(Every.class, "test", m, Map.of("e", "RED")).e());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> RecordMaps.fromMap(Every.class, "unet: hyper-parameter", m, Map.of()));
        assertEquals("unet: hyper-parameter 'e' is missing", x.getMessage());
    }

    @Test
    void unknownKeysAreIgnored() {
        Map<String, Object> m = new LinkedHashMap<>(RecordMaps.toMap(EVERY));
        m.put("writtenByANewerVersion", 1);
        assertEquals(EVERY.s(), RecordMaps.fromMap(Every.class, "test", m, Map.of()).s());
    }

    @Test
    void wrongTypesAreRefusedWithTheKey() {
        Map<String, Object> m = new LinkedHashMap<>(RecordMaps.toMap(EVERY));
        m.put("i", 2.5);
        assertEquals("test 'i' must be an integer, got 2.5",
                assertThrows(IllegalArgumentException.class, () -> RecordMaps.fromMap(Every.class, "test", m, Map.of())).getMessage());
        m.put("i", 2);
        m.put("e", "BLUE");
        assertEquals("test 'e' has unknown value BLUE",
                assertThrows(IllegalArgumentException.class, () -> RecordMaps.fromMap(Every.class, "test", m, Map.of())).getMessage());
        m.put("e", "RED");
        m.put("b", "yes");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordMaps.fromMap(Every.class, "test", m, Map.of()))
                .getMessage().contains("'b' must be true or false"));
    }

    @Test
    void theConstructorStillChecksTheValues() {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> RecordMaps.fromMap(Checked.class, "test", Map.of("size", 0), Map.of()));
        assertEquals("size must be >= 1, got 0", x.getMessage());
    }

    record Outer(@RecordMaps.Inline Checked inner, String name) { }

    @Test
    void anInlineRecordComponentPutsItsKeysInItsPlace() {
        Map<String, Object> m = RecordMaps.toMap(new Outer(new Checked(2), "n"));
        assertEquals(List.of("size", "name"), List.copyOf(m.keySet()));
        assertEquals(2, m.get("size"));
        Outer back = RecordMaps.fromMap(Outer.class, "test", m, Map.of());
        assertEquals(new Outer(new Checked(2), "n"), back);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> RecordMaps.fromMap(Outer.class, "test", Map.of("name", "n"), Map.of()));
        assertEquals("test 'size' is missing", x.getMessage());
        assertEquals(4, RecordMaps.fromMap(Outer.class, "test", Map.of("name", "n"), Map.of("size", 4)).inner().size());
    }
}
