package org.medsynth.launch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTest {

    @Test
    void wrapsAtSpacesToTheWidthAndKeepsEveryWord() {
        String engine = "MedSynth's neural-network engine (ND4J, CPU) could not start (UnsatisfiedLinkError: no jnind4jcpu in "
                + "java.library.path). It needs Linux on x86-64 and about 500 MB free in ~/.javacpp/cache for its native libraries; "
                + "check that every jar of MedSynth's jars folder was installed.";
        String wrapped = Failure.wrap(engine, 72);
        for (String line : wrapped.split("\n")) assertTrue(line.length() <= 72, "'" + line + "'");
        assertTrue(wrapped.split("\n").length >= 4, wrapped);
        assertEquals(engine, wrapped.replace('\n', ' '), "only spaces became line breaks");
    }

    @Test
    void keepsParagraphsAndCutsWordsLongerThanALine() {
        assertEquals("first line\nsecond", Failure.wrap("first line\nsecond", 72));
        String path = "/" + "d".repeat(100) + "/model.zip";
        String wrapped = Failure.wrap("Cannot write " + path, 40);
        for (String line : wrapped.split("\n")) assertTrue(line.length() <= 40, "'" + line + "'");
        assertEquals("Cannot write " + path, wrapped.replaceFirst("\n", " ").replace("\n", ""));
    }

}
