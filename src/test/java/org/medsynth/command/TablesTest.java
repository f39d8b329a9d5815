package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.util.CsvFiles;
import org.medsynth.util.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TablesTest {

    /** The window shows what the file holds: ImageJ saves the ResultsTable of a table as MedSynth writes the table. */
    @Test
    void aTableShowsAsTheResultsTableItIsWrittenFrom(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        double[] awkward = {Double.NaN, 0, -0.0, 3, -7, 0.5, 1e-9, -2.5e-7, 2.5e12, 3e9, Double.POSITIVE_INFINITY, 1.0 / 3, 123456.7891234};
        String[] texts = {"a", "", "b, c", "\"q\"", "line\nbreak", "NaN", "1.5"};
        for (int decimals : new int[] {0, 3, 6, 9}) {
            for (int rows : new int[] {1, 24, 25, 60}) {
                Table t = new Table(decimals, "name", "whole", "mixed", "late fraction", "text");
                for (int i = 0; i < rows; i++) {
                    t.add(texts[random.nextInt(texts.length)], random.nextInt(1000) - 500, awkward[random.nextInt(awkward.length)],
                            i < 24 ? i : i + 0.25, texts[random.nextInt(texts.length)]);
                }
                Path ours = dir.resolve("ours.csv"), imagej = dir.resolve("imagej.csv");
                CsvFiles.write(t, ours);
                Tables.of(t).saveAs(imagej.toString());
                assertEquals(Files.readString(imagej), Files.readString(ours), decimals + " decimals, " + rows + " rows");
            }
        }
    }
}
