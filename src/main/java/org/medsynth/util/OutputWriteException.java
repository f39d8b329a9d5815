package org.medsynth.util;

import org.medsynth.core.UserInputException;

/**
 * An output file could not be written. {@link #stopsRun()} tells a batch whether to go on with the
 * next file (the output exists already) or to stop (disk full, no permission, read-only disk: every
 * further file would fail too).
 */
public class OutputWriteException extends UserInputException {
    private final boolean stopsRun;

    public OutputWriteException(String message, boolean stopsRun, Throwable cause) {
        super(message, cause);
        this.stopsRun = stopsRun;
    }

    public boolean stopsRun() {
        return stopsRun;
    }
}
