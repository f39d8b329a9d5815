package org.medsynth.ij1;

/**
 * Error messages laid out for ImageJ's message dialog, which makes one line of every line of text:
 * an unwrapped message of a few hundred characters gave a dialog wider than the screen, its OK
 * button out of reach.
 */
final class ErrorText {

    /** Characters per line in an error dialog (about 500 pixels in ImageJ's dialog font). */
    static final int WIDTH = 72;

    /** Longest description of an unexpected exception in a dialog; the whole text goes to the log. */
    static final int BRIEF = 200;

    private ErrorText() { }

    /** Wraps at spaces to lines of at most {@code width} characters; a longer word (a path) is cut where it must be. */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        String[] paragraphs = text.split("\n", -1);
        for (int p = 0; p < paragraphs.length; p++) {
            String paragraph = paragraphs[p];
            if (p > 0) out.append('\n');
            int lineStart = out.length();
            for (String word : paragraph.trim().split(" +")) {
                if (word.isEmpty()) continue;
                int lineLength = out.length() - lineStart;
                if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                    out.append('\n');
                    lineStart = out.length();
                    lineLength = 0;
                }
                if (lineLength > 0) out.append(' ');
                while (word.length() > width) { // a word longer than a line starts on its own line (see above)
                    out.append(word, 0, width).append('\n');
                    lineStart = out.length();
                    word = word.substring(width);
                }
                out.append(word);
            }
        }
        return out.toString();
    }

    /** The exception's class and first message line, at most {@link #BRIEF} characters. */
    static String brief(Throwable t) {
        String m = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl).strip() + " ...";
        String s = t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
        return s.length() <= BRIEF ? s : s.substring(0, BRIEF - 4) + " ...";
    }
}
