package org.medsynth.launch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTest {

    @Test
    void wrapsLongMessagesAtSpacesToTheDialogWidth() {
        String message = "MedSynth's neural-network engine (ND4J, CPU) could not start (NoAvailableBackendException: "
                + "Please ensure that you have an nd4j backend on your classpath). It needs Linux on x86-64 and about "
                + "500 MB free in ~/.javacpp/cache for its native libraries.";
        String wrapped = Failure.wrap(message, 80);
        for (String line : wrapped.split("\n")) assertTrue(line.length() <= 80, line);
        assertEquals(message, wrapped.replace('\n', ' '), "only spaces become line breaks");
        assertTrue(wrapped.split("\n").length >= 3);
    }

    @Test
    void keepsLineBreaksAndWordsLongerThanTheWidth() {
        String path = "/a/very/long/path/" + "x".repeat(100) + ".zip";
        assertEquals("first line\nsecond\n" + path + "\nis missing", Failure.wrap("first line\nsecond " + path + " is missing", 20));
    }
}
