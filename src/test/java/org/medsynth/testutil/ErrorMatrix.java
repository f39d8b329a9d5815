package org.medsynth.testutil;

import org.medsynth.core.UserInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/errors.md, the matrix of bad inputs and faults with the message each gets, as the tests use it:
 * a test that provokes a case calls {@link #check(String, Throwable)} with the row's id, which asserts
 * that the error is a {@link UserInputException} (shown as one line, no stack trace) whose message is
 * the one the row documents ("…" in the documented message stands for text that varies, such as a
 * folder path). So a message changed in the code without the documentation, or the reverse, fails a
 * test; ErrorsDocTest checks that every row names a test that uses its id.
 */
public final class ErrorMatrix {

    /** One row: id, the bad input or fault, the commands it applies to, the message, the test class. */
    public record Row(String id, String input, String commands, String message, String test) { }

    private static Map<String, Row> rows;

    private ErrorMatrix() { }

    /** The documentation file (tests run in the project folder; medsynth.basedir where they do not). */
    public static Path doc() {
        String base = System.getProperty("medsynth.basedir");
        Path p = Path.of("docs", "errors.md");
        return base == null || Files.exists(p) ? p : Path.of(base).resolve(p);
    }

    public static synchronized Map<String, Row> rows() {
        if (rows != null) return rows;
        List<String> lines;
        try {
            lines = Files.readAllLines(doc(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + doc().toAbsolutePath(), e);
        }
        Map<String, Row> m = new LinkedHashMap<>();
        for (String line : lines) {
            List<String> cells = cells(line);
            if (cells.size() != 5 || !cells.get(0).matches("`[a-z0-9-]+`")) continue;
            String id = strip(cells.get(0));
            if (m.containsKey(id)) throw new IllegalStateException("row " + id + " occurs twice in " + doc());
            m.put(id, new Row(id, cells.get(1), cells.get(2), strip(cells.get(3)), strip(cells.get(4))));
        }
        rows = m;
        return m;
    }

    /** The cells of a Markdown table row; '|' inside backticks does not split. */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        String t = line.trim();
        if (!t.startsWith("|") || !t.endsWith("|")) return out;
        StringBuilder cur = new StringBuilder();
        boolean code = false;
        for (int i = 1; i < t.length() - 1; i++) {
            char c = t.charAt(i);
            if (c == '`') code = !code;
            if (c == '|' && !code) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().trim());
        return out;
    }

    private static String strip(String cell) {
        String s = cell.trim();
        return s.startsWith("`") && s.endsWith("`") && s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
    }

    /** Asserts that {@code e} is the user-facing error the row {@code id} documents. */
    public static void check(String id, Throwable e) {
        assertInstanceOf(UserInputException.class, e, () -> "row " + id + ": expected MedSynth's user-facing error, got " + e);
        check(id, e.getMessage());
    }

    /** Asserts that {@code message} (an error or a warning) is the one the row {@code id} documents. */
    public static void check(String id, String message) {
        Row row = rows().get(id);
        if (row == null) fail("docs/errors.md has no row `" + id + "`; the message is:\n" + message);
        assertFalse(message.contains("\n"), () -> "row " + id + ": the message must be one line:\n" + message);
        if (!matches(row.message(), message)) {
            fail("row `" + id + "` of docs/errors.md documents\n  " + row.message() + "\nbut the message is\n  " + message);
        }
    }

    /** True if {@code actual} is {@code documented}, where "…" stands for any text. */
    public static boolean matches(String documented, String actual) {
        StringBuilder re = new StringBuilder();
        for (String piece : documented.split("…", -1)) {
            if (re.length() > 0) re.append(".*?");
            re.append(Pattern.quote(piece));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(actual).matches();
    }
}
