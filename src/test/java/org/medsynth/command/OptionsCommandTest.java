package org.medsynth.command;

import ij.Prefs;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MedSynth Options keeps the default engine that the commands' engine parameters start with. */
class OptionsCommandTest {

    @Test
    void theChosenEngineBecomesTheCommandsDefaultAndANonsenseOneIsRefused() {
        String before = Prefs.get(EngineChoice.PREFS_KEY, null);
        try {
            OptionsCommand options = new OptionsCommand();
            options.engine = "libtorch";
            options.run();
            assertEquals("libtorch", EngineChoice.defaultName());
            assertEquals("libtorch", new SegmentCommand().engine, "a new command's dialog starts with it");
            options.engine = "tensorflow";
            UserInputException e = assertThrows(UserInputException.class, options::run);
            assertTrue(e.getMessage().contains("engine must be dl4j, libtorch or auto"), e.getMessage());
            assertEquals("libtorch", EngineChoice.defaultName(), "a refused choice changes nothing");
        } finally {
            if (before == null) Prefs.set(EngineChoice.PREFS_KEY, (String) null);
            else Prefs.set(EngineChoice.PREFS_KEY, before);
            Prefs.savePreferences();
        }
    }
}
