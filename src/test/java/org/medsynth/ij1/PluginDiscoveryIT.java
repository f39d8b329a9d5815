package org.medsynth.ij1;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/** The built jar is a valid ImageJ 1.x plugin and its SciJava commands are discoverable from it. */
class PluginDiscoveryIT {

    private static File jar() {
        File jar = new File(System.getProperty("medsynth.imagej.dir"), "lib/medsynth/MedSynth-core.jar");
        assertTrue(jar.isFile(), "run 'mvn package' first: " + jar);
        return jar;
    }

    @Test
    void jarHasPluginsConfigAndTheSciJavaIndexAtItsRoot() throws Exception {
        try (JarFile jf = new JarFile(jar())) {
            String config = new String(jf.getInputStream(jf.getEntry("plugins.config")).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(config.contains("\"MedSynth Extract Sketch\""));
            String index = new String(jf.getInputStream(jf.getEntry("META-INF/json/org.scijava.plugin.Plugin")).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(index.contains("org.medsynth.command.ExtractSketchCommand"));
        }
    }

    @Test
    void everyMenuEntryNamesACommandThatAContextFromTheJarFinds() throws Exception {
        // Only the built jar and its dependency jars: target/classes is not visible, so what is found
        // comes from the jar's own annotation index.
        java.util.List<URL> urls = new java.util.ArrayList<>();
        urls.add(jar().toURI().toURL());
        for (File f : new File(System.getProperty("medsynth.imagej.dir"), "lib/medsynth").listFiles()) {
            if (f.getName().endsWith(".jar")) urls.add(f.toURI().toURL());
        }
        urls.add(new File(System.getProperty("medsynth.imagej.dir"), "ij.jar").toURI().toURL());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
             JarFile jf = new JarFile(jar())) {
            Class<?> contextClass = loader.loadClass("org.medsynth.ij1.MedSynthContext");
            assertSame(loader, contextClass.getClassLoader(), "loaded from the jar");
            Object ctx = contextClass.getMethod("create", ClassLoader.class).invoke(null, loader);
            try {
                Object commands = ctx.getClass().getMethod("service", Class.class)
                        .invoke(ctx, loader.loadClass("org.scijava.command.CommandService"));
                String config = new String(jf.getInputStream(jf.getEntry("plugins.config")).readAllBytes(), StandardCharsets.UTF_8);
                int entries = 0;
                for (String line : config.split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) continue;
                    String cls = line.substring(line.indexOf("MedSynthPlugin(\"") + 16, line.lastIndexOf("\")"));
                    Object info = commands.getClass().getMethod("getCommand", String.class).invoke(commands, cls);
                    assertNotNull(info, "plugins.config names " + cls + " but the jar's index has no such command");
                    String label = line.substring(line.indexOf('"') + 1, line.indexOf('"', line.indexOf('"') + 1));
                    Object infoLabel = info.getClass().getMethod("getLabel").invoke(info);
                    if (label.startsWith("MedSynth ")) assertEquals(label, infoLabel, "menu label = command label");
                    entries++;
                }
                assertTrue(entries >= 1);
            } finally {
                ctx.getClass().getMethod("dispose").invoke(ctx);
            }
        }
    }
}
