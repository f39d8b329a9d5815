package org.medsynth.command;

import ij.measure.ResultsTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.util.CsvFiles;
import org.medsynth.util.Table;
import org.medsynth.workflow.hybrid.SynthesisQualityCheck;

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

    @Test
    void theTableShowsSyntheticAndRealIntensitiesAndTheirMeans() {
        ResultsTable t = Tables.synthesisQuality(List.of(
                new SynthesisQualityCheck.Row("a", 1, "liver", 0.1, 0.9, 10, 9, 31, 60),
                new SynthesisQualityCheck.Row("b", 1, "liver", 0.3, 0.8, 11, 12, 33, 56)));
        assertEquals(3, t.size());
        assertEquals(31, t.getValue("mean synthetic", 0), 1e-12);
        assertEquals(56, t.getValue("mean real", 1), 1e-12);
        assertEquals("mean", t.getStringValue("label map", 2));
        assertEquals(32, t.getValue("mean synthetic", 2), 1e-12);
        assertEquals(58, t.getValue("mean real", 2), 1e-12);
    }
}
