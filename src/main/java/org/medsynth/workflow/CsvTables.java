package org.medsynth.workflow;

import org.medsynth.core.UserInputException;

import ij.measure.ResultsTable;
import org.medsynth.util.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;

/** Saving ResultsTables as CSV files, atomically. */
public final class CsvTables {
    private CsvTables() { }

    public static void save(ResultsTable table, Path target) {
        try {
            AtomicFiles.writeVia(target, tmp -> {
                table.saveAs(tmp.toString());
                // ResultsTable writes through a PrintWriter, which swallows write errors (a full disk): count the lines
                byte[] written = java.nio.file.Files.readAllBytes(tmp);
                long lines = 0;
                for (byte b : written) if (b == '\n') lines++;
                boolean cut = written.length > 0 && written[written.length - 1] != '\n';
                if (lines < table.size() || cut) {
                    throw new IOException("the table was written incompletely (" + lines + " lines for " + table.size()
                            + " rows): the disk may be full");
                }
            });
        } catch (IOException e) {
            throw org.medsynth.util.Outputs.writeFailed(target, e);
        }
    }

    /** Creates the output folder (if not there), checks that it can be written, and refuses a path that is a file. */
    public static Path outputFolder(Path dir) {
        if (dir == null) return null;
        return org.medsynth.util.Outputs.folder(dir, "output");
    }
}
