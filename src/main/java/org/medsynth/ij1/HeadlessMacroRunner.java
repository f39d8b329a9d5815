package org.medsynth.ij1;

import net.imagej.patcher.LegacyInjector;
import org.medsynth.nn.Nd4jDebugFilter;

import java.io.File;

/**
 * Runs an ImageJ 1.x macro without a display, with MedSynth installed:
 * {@code java -cp ... org.medsynth.ij1.HeadlessMacroRunner MACRO.ijm [ARG]} (bin/medsynth-headless
 * does this). Exits 0 when the macro completes; otherwise prints one line saying why and exits 1.
 * <p>
 * ImageJ 1.x throws HeadlessException as soon as a macro touches a dialog or window when
 * java.awt.headless is set; ij1-patcher's LegacyInjector rewrites those classes before they are
 * loaded, which is why this must run before any ij.* class is touched (and why the JVM needs
 * --add-opens=java.base/java.lang=ALL-UNNAMED).
 */
public final class HeadlessMacroRunner {

    private HeadlessMacroRunner() { }

    public static void main(String[] args) {
        if (args.length < 1 || args[0].equals("-h") || args[0].equals("--help")) {
            System.err.println("usage: medsynth-headless MACRO.ijm [ARGUMENT]");
            System.exit(2);
        }
        File macro = new File(args[0]);
        if (!macro.isFile()) {
            System.err.println("medsynth-headless: macro file not found: " + macro.getAbsolutePath());
            System.exit(2);
        }
        String argument = args.length > 1 ? args[1] : "";
        Nd4jDebugFilter.install();
        System.setProperty("java.awt.headless", "true");
        new LegacyInjector().injectHooks(HeadlessMacroRunner.class.getClassLoader(), true);
        String ijDir = System.getProperty("medsynth.imagej.dir");
        if (ijDir != null) System.setProperty("plugins.dir", new File(ijDir).getAbsolutePath());
        int status = run(macro.getAbsolutePath(), argument);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the macro in ImageJ's batch mode; returns the process exit status. */
    static int run(String macroPath, String argument) {
        ij.macro.Interpreter.batchMode = true;
        String result;
        try {
            result = ij.IJ.runMacroFile(macroPath, argument);
        } catch (RuntimeException e) {
            String reason = LastError.get() != null ? LastError.get() : String.valueOf(e.getMessage());
            System.err.println("medsynth-headless: FAILED: " + reason);
            return 1;
        }
        if ("[aborted]".equals(result) || LastError.get() != null) {
            String reason = LastError.get() != null ? LastError.get()
                    : "the macro stopped with an error (see the message above)";
            System.err.println("medsynth-headless: FAILED: " + reason);
            return 1;
        }
        System.out.println("medsynth-headless: done");
        return 0;
    }
}
