package org.medsynth.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** CSV text (RFC 4180 quoting: fields with a comma, quote or line break are quoted). */
public final class Csv {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Csv(List<String> header) {
        this.header = List.copyOf(header);
    }

    public Csv row(List<?> values) {
        List<String> r = new ArrayList<>();
        for (Object v : values) r.add(format(v));
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    static String format(Object v) {
        if (v == null) return "";
        if (v instanceof Float f) v = f.doubleValue();
        if (v instanceof Double d) {
            if (Double.isNaN(d)) return "NaN";
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
            return Double.toString(d);
        }
        return String.valueOf(v);
    }

    public static String quote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) return "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }

    public String text() {
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        for (List<String> r : rows) line(sb, r);
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(quote(fields.get(i)));
        }
        sb.append('\n');
    }

    /** Parses CSV text into rows of fields (header included). */
    public static List<List<String>> parse(String text) {
        List<List<String>> out = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (q) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    q = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                q = true;
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (c == '\n') {
                row.add(f.toString());
                f.setLength(0);
                out.add(row);
                row = new ArrayList<>();
            } else if (c != '\r') {
                f.append(c);
            }
        }
        if (f.length() > 0 || !row.isEmpty()) {
            row.add(f.toString());
            out.add(row);
        }
        return out;
    }
}
