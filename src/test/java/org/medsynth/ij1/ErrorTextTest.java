package org.medsynth.ij1;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorTextTest {

    @Test
    void anUnexpectedExceptionIsDescribedInOneShortLine() {
        RuntimeException huge = new IllegalStateException("Op [conv2d] failed: shapes " + "[1, 2, 3] ".repeat(100) + "\n\tat somewhere");
        String b = ErrorText.brief(huge);
        assertTrue(b.startsWith("IllegalStateException: Op [conv2d] failed"), b);
        assertTrue(b.length() <= ErrorText.BRIEF && !b.contains("\n"), b);
        assertEquals("NullPointerException", ErrorText.brief(new NullPointerException()));
    }
}
