package org.medsynth.command;

import ij.IJ;
import ij.measure.ResultsTable;
import org.medsynth.nn.Backend;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MedSynth About: the versions and places a bug report needs (MedSynth, Java, ImageJ, the engine and its
 * native library loader, where MedSynth's libraries were loaded from), as a two-column table. Starting the
 * engine is part of it, so this is also the quickest check that an install works.
 */
@Plugin(type = Command.class, label = "MedSynth About")
public class AboutCommand implements Command {

    @Parameter(type = ItemIO.OUTPUT, label = "About MedSynth")
    public ResultsTable about;

    @Override
    public void run() {
        Map<String, String> items = new LinkedHashMap<>();
        Package own = AboutCommand.class.getPackage();
        items.put("MedSynth", own.getImplementationVersion() == null ? "development build" : own.getImplementationVersion());
        items.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        items.put("ImageJ", IJ.getFullVersion());
        items.putAll(Backend.info());
        about = new ResultsTable();
        for (Map.Entry<String, String> e : items.entrySet()) {
            about.incrementCounter();
            about.addValue("item", e.getKey());
            about.addValue("value", e.getValue());
        }
    }
}
