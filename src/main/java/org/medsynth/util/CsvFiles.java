package org.medsynth.util;

import java.io.IOException;
import java.math.RoundingMode;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link Table} as a CSV file, atomically, byte for byte as ImageJ's {@code ResultsTable.saveAs} wrote it
 * in earlier versions: users' scripts read these files, and the Spark jobs' outputs are compared with the commands'
 * byte for byte. Hence ResultsTable's rules, quirks included:
 * <ul>
 *   <li>a header line, then one line per row, each ended by the platform's line separator, in the platform's charset;
 *       an empty table is an empty file;</li>
 *   <li>a text with a comma, and the empty text, is put in double quotes (quotes inside are left as they are); a line
 *       break in a text is written as the two characters {@code \n};</li>
 *   <li>a column with a fractional (or infinite) number among its first 24 values shows all its numbers with the
 *       table's decimals; any other column shows whole numbers without decimals;</li>
 *   <li>numbers that would round to zero, and those above 10^12, in scientific notation ({@code 1.234E-9}); NaN and
 *       infinities as Java writes them.</li>
 * </ul>
 */
public final class CsvFiles {
    /** ResultsTable decided a column's format while its first 24 rows were added. */
    private static final int ROWS_THAT_SET_THE_FORMAT = 24;
    private static final DecimalFormatSymbols US = new DecimalFormatSymbols(Locale.US);

    private CsvFiles() { }

    /** Writes {@code table} to {@code target}, replacing an existing file. */
    public static void write(Table table, Path target) {
        byte[] bytes = text(table).getBytes(Charset.defaultCharset());
        try {
            AtomicFiles.write(target, out -> out.write(bytes));
        } catch (IOException e) {
            throw Outputs.writeFailed(target, e);
        }
    }

    private static String text(Table table) {
        if (table.size() == 0) return "";
        String newline = System.lineSeparator();
        Numbers numbers = new Numbers(table.decimals());
        boolean[] fixed = fixedDecimals(table);
        StringBuilder sb = new StringBuilder(String.join(",", table.headings())).append(newline);
        for (List<Object> row : table.rows()) {
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) sb.append(',');
                sb.append(row.get(c) instanceof Number n ? numbers.format(n.doubleValue(), fixed[c]) : cell((String) row.get(c)));
            }
            sb.append(newline);
        }
        return sb.toString();
    }

    private static boolean[] fixedDecimals(Table table) {
        boolean[] fixed = new boolean[table.headings().size()];
        for (List<Object> row : table.rows().subList(0, Math.min(ROWS_THAT_SET_THE_FORMAT, table.size()))) {
            for (int c = 0; c < fixed.length; c++) {
                if (row.get(c) instanceof Number n && !Double.isNaN(n.doubleValue()) && !isWhole(n.doubleValue())) fixed[c] = true;
            }
        }
        return fixed;
    }

    /** ResultsTable's test: the value survives a cast to int (so values beyond the int range are not whole). */
    private static boolean isWhole(double v) {
        return (int) v == v;
    }

    private static String cell(String s) {
        String t = s.replace("\n", "\\n");
        return t.contains(",") || t.isEmpty() ? '"' + t + '"' : t;
    }

    /** ResultsTable's number formats for one table (DecimalFormat is not thread-safe: one per write). */
    private static final class Numbers {
        private final int decimals;
        private final DecimalFormat fixed, whole, scientific;

        Numbers(int decimals) {
            this.decimals = decimals;
            whole = new DecimalFormat("0", US);
            whole.setRoundingMode(RoundingMode.HALF_UP); // as ResultsTable's format without decimals; the others round half even
            fixed = decimals == 0 ? whole : new DecimalFormat("0." + "0".repeat(decimals), US);
            scientific = new DecimalFormat("0.000E0", US);
        }

        String format(double v, boolean fixedColumn) {
            if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
            if (v == Float.MAX_VALUE) return "3.4e38"; // ImageJ's mark of a division by zero
            boolean asWhole = !fixedColumn && isWhole(v);
            double abs = Math.abs(v);
            if (!asWhole && (abs != 0 && abs < 1 / Math.pow(10, decimals) || abs > 999999999999d)) return scientific.format(v);
            return (asWhole ? whole : fixed).format(v);
        }
    }
}
