package org.medsynth.nn;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Nd4jDebugFilterTest {

    @Test
    void dropsOnlyNd4jsGradientDebugLines() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Nd4jDebugFilter.install();
            System.out.println("[MedSynth] Train 10%");
            System.out.println("Added differentiated op conv2d");
            System.out.print("partial ");
            System.out.println("line");
            System.out.println("Added differentiated op multiply_1");
            System.out.flush();
        } finally {
            System.setOut(original);
        }
        assertEquals("[MedSynth] Train 10%\npartial line\n", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBackendInstallsItSoThatTheGuiIsQuietToo() {
        Backend.require(); // ND4J starts outside the capture
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Backend.require();
            System.out.println("Added differentiated op conv2d");
            System.out.println("kept");
        } finally {
            System.setOut(original);
        }
        assertEquals("kept\n", captured.toString(StandardCharsets.UTF_8));
    }
}
