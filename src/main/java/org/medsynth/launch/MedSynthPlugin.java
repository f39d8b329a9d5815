package org.medsynth.launch;

import ij.IJ;
import ij.plugin.PlugIn;

import java.io.File;
import java.net.URISyntaxException;

/**
 * The ImageJ 1.x plugin that every MedSynth menu entry names (plugins.config): it starts MedSynth in
 * its own class loader ({@link EngineClassLoader}) and hands the command over to
 * {@code org.medsynth.ij1.CommandBridge} there.
 *
 * <p>Only this package is in {@code plugins/MedSynth_.jar}, on ImageJ's or Fiji's class path; it uses
 * nothing but ImageJ 1.x, so it loads in any install. Everything else lives in
 * {@code <ImageJ or Fiji>/lib/medsynth/}.
 */
public class MedSynthPlugin implements PlugIn {

    /** Folder of MedSynth's jars, relative to the ImageJ/Fiji folder. */
    public static final String LIB = "lib/medsynth";
    /** Overrides where the jars are looked for (a folder), e.g. for a shared install. */
    public static final String LIB_PROPERTY = "medsynth.lib.dir";
    /**
     * The loader is kept in the system properties, not in a static field: ImageJ makes a new plugin
     * class loader when its menus are refreshed, and a second engine loader would try to load ND4J's
     * native libraries again, which the JVM refuses ("already loaded in another classloader").
     */
    private static final String LOADER_KEY = "medsynth.engine.classloader";

    @Override
    public void run(String commandClass) {
        ClassLoader engine;
        try {
            engine = engineLoader();
        } catch (IllegalStateException e) {
            Failure.report("MedSynth", e.getMessage());
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        // ServiceLoader-based lookups (ND4J's backend, SciJava) use the context loader
        thread.setContextClassLoader(engine);
        try {
            PlugIn bridge = (PlugIn) engine.loadClass("org.medsynth.ij1.CommandBridge").getDeclaredConstructor().newInstance();
            bridge.run(commandClass);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            Failure.report("MedSynth", "MedSynth is installed incompletely (" + e + "). Install it again with "
                    + "bin/medsynth-install-fiji, which puts MedSynth_.jar into plugins/ and its libraries into " + LIB + "/.");
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** The one engine loader of this JVM, made on first use. */
    static ClassLoader engineLoader() {
        synchronized (System.getProperties()) {
            Object existing = System.getProperties().get(LOADER_KEY);
            if (existing instanceof ClassLoader) return (ClassLoader) existing;
            File lib = libDir();
            try {
                ClassLoader loader = new EngineClassLoader(lib, MedSynthPlugin.class.getClassLoader());
                System.getProperties().put(LOADER_KEY, loader);
                return loader;
            } catch (java.net.MalformedURLException e) {
                throw new IllegalStateException("MedSynth cannot read its libraries in " + lib + ": " + e.getMessage());
            }
        }
    }

    /**
     * {@code lib/medsynth} of the ImageJ/Fiji folder: found from this jar's location (plugins/MedSynth_.jar,
     * or a sub-folder of plugins/), else from ImageJ's own idea of its folder.
     */
    static File libDir() {
        String override = System.getProperty(LIB_PROPERTY);
        if (override != null) return checked(new File(override));
        File jar = ownJar();
        for (File dir = jar == null ? null : jar.getParentFile(); dir != null; dir = dir.getParentFile()) {
            File candidate = new File(dir, LIB);
            if (new File(candidate, "MedSynth-core.jar").isFile()) return candidate;
        }
        String ijDir = IJ.getDirectory("imagej");
        return checked(new File(ijDir == null ? "." : ijDir, LIB));
    }

    private static File checked(File lib) {
        if (!new File(lib, "MedSynth-core.jar").isFile()) {
            throw new IllegalStateException("MedSynth's libraries were not found in " + lib.getAbsolutePath()
                    + ". Install MedSynth with bin/medsynth-install-fiji IMAGEJ_OR_FIJI_FOLDER: it puts MedSynth_.jar "
                    + "into plugins/ and the libraries into " + LIB + "/ (see README, 'Install').");
        }
        return lib;
    }

    private static File ownJar() {
        try {
            java.security.CodeSource cs = MedSynthPlugin.class.getProtectionDomain().getCodeSource();
            return cs == null ? null : new File(cs.getLocation().toURI());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
