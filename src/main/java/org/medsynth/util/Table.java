package org.medsynth.util;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A table of results as plain data: column headings, rows of cells (each a text or a number) and the decimals the
 * numbers are shown with. A workflow job describes a table it writes as a file with it ({@link CsvFiles}); the
 * command layer shows the same table as an ImageJ ResultsTable, so file and window cannot disagree.
 */
public final class Table {
    private final int decimals;
    private final List<String> headings;
    private final List<List<Object>> rows = new ArrayList<>();

    /** @param decimals digits after the point, 0 to 9 (ImageJ's ResultsTable shows no more) */
    public Table(int decimals, String... headings) {
        if (decimals < 0 || decimals > 9) throw new IllegalArgumentException("decimals " + decimals + " not in 0..9");
        this.decimals = decimals;
        this.headings = List.of(headings);
    }

    /** Adds a row: one cell per heading, a {@link Number} or a text (anything else is written as its text). */
    public Table add(Object... cells) {
        if (cells.length != headings.size()) {
            throw new IllegalArgumentException(cells.length + " cells for the " + headings.size() + " columns " + headings);
        }
        Object[] row = new Object[cells.length];
        for (int i = 0; i < cells.length; i++) row[i] = cells[i] instanceof Number ? cells[i] : String.valueOf(cells[i]);
        rows.add(Collections.unmodifiableList(Arrays.asList(row)));
        return this;
    }

    public int decimals() {
        return decimals;
    }

    public List<String> headings() {
        return headings;
    }

    public List<List<Object>> rows() {
        return Collections.unmodifiableList(rows);
    }

    public int size() {
        return rows.size();
    }

    /** The cell of {@code row} in the column {@code heading}. */
    public Object value(int row, String heading) {
        int column = headings.indexOf(heading);
        if (column < 0) throw new IllegalArgumentException("no column '" + heading + "' in " + headings);
        return rows.get(row).get(column);
    }
}
