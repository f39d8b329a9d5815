package org.medsynth.command;

import ij.Prefs;
import org.medsynth.core.UserInputException;
import org.medsynth.nn.engine.Engine;

/**
 * The {@code engine} parameter of the commands that run networks: its default is the one chosen in
 * <em>MedSynth Options</em> (kept in ImageJ's preferences), else the {@value Engine#PROPERTY} system property, else
 * {@code auto}.
 */
final class EngineChoice {
    /** ImageJ preferences key of the default engine. */
    static final String PREFS_KEY = "medsynth.engine";
    static final String DESCRIPTION = "Engine that runs the network: dl4j (DL4J/ND4J), libtorch, or auto (default: MedSynth Options)";

    private EngineChoice() { }

    /** The default engine's user name. */
    static String defaultName() {
        return Prefs.get(PREFS_KEY, System.getProperty(Engine.PROPERTY, Engine.AUTO));
    }

    /** Makes the named engine the one this command's work runs on; a message that says what to do when it cannot. */
    static Engine.Scope use(String name, String command) {
        Engine e;
        try {
            e = Engine.parse(name);
        } catch (IllegalArgumentException ex) {
            throw new UserInputException(command + ": " + ex.getMessage() + ".");
        }
        try {
            return Engine.use(e);
        } catch (IllegalStateException ex) {
            throw new UserInputException(command + ": " + ex.getMessage() + ".");
        }
    }
}
