package org.medsynth.command;

import ij.IJ;
import ij.Prefs;
import org.medsynth.core.UserInputException;
import org.medsynth.nn.engine.Engine;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * MedSynth Options: the default engine of the commands that run networks (their {@code engine} parameter starts
 * with it), kept in ImageJ's preferences across sessions.
 */
@Plugin(type = Command.class, label = "MedSynth Options")
public class OptionsCommand implements Command {

    @Parameter(description = "Default engine: auto (DL4J, which runs everywhere), dl4j, or libtorch (needs MedSynth "
            + "installed with libtorch)", choices = {"auto", "dl4j", "libtorch"})
    public String engine = EngineChoice.defaultName();

    @Override
    public void run() {
        String name = engine == null ? Engine.AUTO : engine.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            Engine e = Engine.parse(name);
            if (e == Engine.LIBTORCH) org.medsynth.nn.engine.libtorch.TorchRuntime.load();
        } catch (IllegalArgumentException | IllegalStateException ex) {
            throw new UserInputException("MedSynth Options: " + ex.getMessage() + ".");
        }
        Prefs.set(EngineChoice.PREFS_KEY, name);
        Prefs.savePreferences();
        IJ.log("MedSynth Options: default engine " + name + ".");
    }
}
