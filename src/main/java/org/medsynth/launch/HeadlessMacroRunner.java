package org.medsynth.launch;

import net.imagej.patcher.LegacyInjector;

import java.io.File;

/**
 * Runs an ImageJ 1.x macro without a display, with MedSynth installed:
 * {@code java -cp ... org.medsynth.launch.HeadlessMacroRunner MACRO.ijm [ARG]} (bin/medsynth-headless
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
        System.setProperty("java.awt.headless", "true");
        new LegacyInjector().injectHooks(HeadlessMacroRunner.class.getClassLoader(), true);
        String ijDir = System.getProperty("medsynth.imagej.dir");
        if (ijDir != null) System.setProperty("plugins.dir", new File(ijDir).getAbsolutePath());
        int status = run(macro.getAbsolutePath(), argument);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Appended to the macro: the last statement calls {@link #reachedEnd()}. ImageJ 1.x reports a macro
     * error (e.g. from one of its own file openers) by stopping the interpreter, not always by an
     * exception or an "[aborted]" result, so only a macro that got here ran to its end.
     */
    static final String END_MARKER = "\ncall(\"" + HeadlessMacroRunner.class.getName() + ".reachedEnd\");\n";

    private static volatile boolean endReached;

    /** Called by the macro's appended last line. */
    public static String reachedEnd() {
        endReached = true;
        return "";
    }

    /**
     * Runs the macro in ImageJ's batch mode; returns the process exit status. The file is read as
     * UTF-8 whatever the locale (ImageJ would use the platform charset and turn "ü" into "Ã¼").
     */
    static int run(String macroPath, String argument) {
        ij.macro.Interpreter.batchMode = true;
        String text;
        try {
            text = new String(java.nio.file.Files.readAllBytes(new File(macroPath).toPath()), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            System.err.println("medsynth-headless: cannot read the macro file " + macroPath + ": " + e.getMessage());
            return 2;
        }
        endReached = false;
        String result;
        try {
            ij.plugin.Macro_Runner.setFilePath(macroPath);
            result = new ij.plugin.Macro_Runner().runMacro(text + END_MARKER, argument);
        } catch (RuntimeException e) {
            String reason = LastError.get() != null ? LastError.get() : String.valueOf(e.getMessage());
            System.err.println("medsynth-headless: FAILED: " + reason);
            return 1;
        }
        if ("[aborted]".equals(result) || LastError.get() != null || !endReached) {
            String reason = LastError.get() != null ? LastError.get()
                    : "the macro stopped before its end (see the error above)";
            System.err.println("medsynth-headless: FAILED: " + reason);
            return 1;
        }
        System.out.println("medsynth-headless: done");
        return 0;
    }
}
