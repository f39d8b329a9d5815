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
            });
        } catch (IOException e) {
            throw new UserInputException("Could not save " + target + ": " + e.getMessage()
                    + ". Check that the folder exists, is writable and the disk is not full.", e);
        }
    }

    /** Creates the output folder (if not there) and refuses a path that is a file. */
    public static Path outputFolder(Path dir) {
        if (dir == null) return null;
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserInputException("Cannot create the output folder " + dir + ": " + e.getMessage());
        }
        return dir;
    }
}
