package org.medsynth.launch;

/**
 * The most recent error a MedSynth command reported, so that the headless launcher can print a
 * one-line reason and exit non-zero even though ImageJ 1.x macros have no exceptions.
 */
public final class LastError {
    private static volatile String message;

    private LastError() { }

    public static void set(String m) { message = m; }

    public static String get() { return message; }

    public static void clear() { message = null; }
}
