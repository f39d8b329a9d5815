package org.medsynth.ij1;

/** Unexpected exceptions described in a few words for an error dialog (the wrapping is {@link org.medsynth.launch.Failure#wrap}). */
final class ErrorText {

    /** Longest description of an unexpected exception in a dialog; the whole text goes to the log. */
    static final int BRIEF = 200;

    private ErrorText() { }

    /** The exception's class and first message line, at most {@link #BRIEF} characters. */
    static String brief(Throwable t) {
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl).strip() + " ...";
        String s = t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
        return s.length() <= BRIEF ? s : s.substring(0, BRIEF - 4) + " ...";
    }
}
