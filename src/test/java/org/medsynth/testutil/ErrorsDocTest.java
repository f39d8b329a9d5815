package org.medsynth.testutil;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/errors.md stays true: every row names a test that asserts it, and every asserted id has a row. */
class ErrorsDocTest {

    static Map<String, String> testSources() throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> s = Files.walk(Path.of("src/test/java"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(p.getFileName().toString().replace(".java", ""), Files.readString(p));
            }
        }
        return sources;
    }

    @Test
    void everyRowIsAssertedByTheTestItNames() throws IOException {
        Map<String, ErrorMatrix.Row> rows = ErrorMatrix.rows();
        assertTrue(rows.size() >= 25, "the matrix was read: " + rows.keySet());
        Map<String, String> sources = testSources();
        for (ErrorMatrix.Row row : rows.values()) {
            String src = sources.get(row.test());
            assertTrue(src != null, "row " + row.id() + " names the test " + row.test() + ", which does not exist");
            assertTrue(src.contains("ErrorMatrix.check(\"" + row.id() + "\""), "row " + row.id() + ": " + row.test() + " does not check it");
            assertFalse(row.message().isBlank() || row.input().isBlank() || row.commands().isBlank(), "row " + row.id() + " is complete");
        }
    }

    @Test
    void everyCheckedIdHasARow() throws IOException {
        Pattern call = Pattern.compile("ErrorMatrix\\.check\\(\"([a-z0-9-]+)\"");
        Set<String> used = new TreeSet<>();
        for (String src : testSources().values()) {
            Matcher m = call.matcher(src);
            while (m.find()) used.add(m.group(1));
        }
        used.removeAll(ErrorMatrix.rows().keySet());
        assertEquals(Set.of(), used, "ids checked by tests but missing in docs/errors.md");
    }

    @Test
    void theWildcardMatcherMatchesWholeMessagesOnly() {
        assertTrue(ErrorMatrix.matches("… is … pixels.", "dot.tif is 1 x 1 pixels."));
        assertFalse(ErrorMatrix.matches("… is … pixels.", "dot.tif is 1 x 1 pixels. And more"));
        assertFalse(ErrorMatrix.matches("exists already", "out.tif exists already"));
        assertEquals(List.of("`a|b`", "c"), ErrorMatrix.cells("| `a|b` | c |"));
    }
}
