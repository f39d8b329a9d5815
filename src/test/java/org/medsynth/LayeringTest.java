package org.medsynth;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dependencies between MedSynth's packages point downward only (docs/design.md):
 * launch (ImageJ only) · ij1 -> command -> workflow -> nn, metrics, image, data -> core.
 * Read from the sources: every reference to another MedSynth package in code, imported or written out in full.
 */
class LayeringTest {

    /** For each top-level package, the MedSynth packages it must not use. */
    private static final Map<String, List<String>> FORBIDDEN = Map.ofEntries(
            Map.entry("core", List.of("launch", "ij1", "command", "workflow", "nn", "metrics", "image", "data", "util")),
            Map.entry("util", List.of("launch", "ij1", "command", "workflow", "nn", "metrics", "image", "data")),
            Map.entry("image", List.of("ij1", "command", "workflow")),
            Map.entry("data", List.of("ij1", "command", "workflow")),
            Map.entry("metrics", List.of("ij1", "command", "workflow")),
            Map.entry("nn", List.of("ij1", "command", "workflow")),
            Map.entry("workflow", List.of("ij1", "command")),
            Map.entry("ij1", List.of()),
            Map.entry("command", List.of("ij1")),
            // the launcher is on ImageJ's/Fiji's class path alone: ImageJ 1.x and itself, nothing else of MedSynth
            Map.entry("launch", List.of("core", "ij1", "command", "workflow", "nn", "metrics", "image", "data", "util")));

    /**
     * Comments and string literals are not dependencies (the launcher names org.medsynth.ij1.CommandBridge in a
     * string on purpose: it loads it in MedSynth's own class loader).
     */
    private static final Pattern CODE_ONLY = Pattern.compile("/\\*.*?\\*/|//[^\n]*|\"(?:\\\\.|[^\"\\\\])*\"", Pattern.DOTALL);

    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.medsynth\\.([a-z0-9]+)\\.");

    @Test
    void noPackageUsesALayerAboveIt() throws IOException {
        Path root = Path.of("src/main/java/org/medsynth");
        assertTrue(Files.isDirectory(root), "run from the project folder");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String layer = root.relativize(f).getName(0).toString();
                List<String> forbidden = FORBIDDEN.get(layer);
                assertTrue(forbidden != null, "a package without layering rule: " + layer);
                String text = CODE_ONLY.matcher(Files.readString(f)).replaceAll(" ");
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    if (forbidden.contains(m.group(1))) violations.add(root.relativize(f) + " uses org.medsynth." + m.group(1));
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }

    /** Network files are written once for both engines: they use layers, never an engine (issue #17). */
    @Test
    void networkFilesUseNoEngine() throws IOException {
        Path networks = Path.of("src/main/java/org/medsynth/nn/networks");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.list(networks)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = CODE_ONLY.matcher(Files.readString(f)).replaceAll(" ");
                if (text.contains("org.medsynth.nn.engine")) violations.add(f.getFileName().toString());
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theRuleFindsAnUpwardReference() {
        Matcher m = REFERENCE.matcher("new org.medsynth.workflow.SketchBatch(null);");
        assertTrue(m.find());
        assertEquals("workflow", m.group(1));
    }
}
