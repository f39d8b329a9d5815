package org.medsynth.core;

/**
 * A problem with what the user gave (a file, an image, a parameter) rather than a bug.
 * The message must say what is wrong and what to do about it; it is shown as is, without a
 * stack trace, in a dialog, the Log window or on the console.
 */
public class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
