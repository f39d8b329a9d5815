package org.medsynth.core;

/** Thrown when the user cancelled a job; whatever was written before is left complete and valid. */
public class CancelledException extends RuntimeException {
    public CancelledException() {
        super("Cancelled by the user.");
    }
}
