package org.medsynth.command;

import org.junit.jupiter.api.Test;
import org.medsynth.core.TrainingUpdate;

import javax.swing.SwingUtilities;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The training window on a real display (runs only with one, e.g. under Xvfb with java.awt.headless
 * unset; the Maven test runs are headless): it follows the updates, draws the chart, and Stop stops.
 */
class TrainingWindowTest {

    @Test
    void labelsTextsAreBuiltFromTheUpdate() {
        TrainingUpdate u = new TrainingUpdate(140, 600, Map.of("D", 0.5), "sketch 32 px", 65, 182);
        assertEquals("Step 140 of 600  \u00b7  sketch 32 px", TrainingWindow.stepText(u));
        assertEquals("Elapsed 1 min 05 s  \u00b7  time left 3 min 02 s", TrainingWindow.timeText(u, false));
        assertEquals("Elapsed 1 min 05 s", TrainingWindow.timeText(u, true), "no time left once stopped");
        assertEquals("Elapsed 1 min 05 s", TrainingWindow.timeText(new TrainingUpdate(600, 600, Map.of(), "", 65, 0), false));
    }

    @Test
    void followsTheTrainingAndStopAsksTheTrainerToStop() throws Exception {
        assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display");
        AtomicInteger stops = new AtomicInteger();
        TrainingWindow w = TrainingWindow.open("MedSynth Train Test", stops::incrementAndGet);
        try {
            for (int step = 1; step <= 30; step++) {
                TrainingUpdate u = new TrainingUpdate(step, 100, Map.of("D", 1.0 / step, "G", 0.5 + 0.01 * step), "sketch 8 px", step, 100 - step);
                if (step <= 10) w.addEarlier(u); // a resumed training: steps 1-10 were trained before
                else w.update(u);
            }
            SwingUtilities.invokeAndWait(w::refresh);
            assertEquals(30, w.history().size());
            assertEquals(1.0 / 7, w.history().values("D").get(6), 0.0);
            assertEquals("Step 30 of 100  \u00b7  sketch 8 px", w.stepLabelText());
            assertTrue(w.timeLabelText().contains("time left 1 min 10 s"), w.timeLabelText());
            assertTrue(drawsAChart(w), "the loss chart is drawn");

            SwingUtilities.invokeAndWait(w::pressButton);
            assertEquals(1, stops.get(), "Stop asked the trainer to stop");
            SwingUtilities.invokeAndWait(w::pressButton);
            assertEquals(1, stops.get(), "once");
            assertTrue(w.messageText().contains("checkpoint"), w.messageText());

            w.finish("Stopped after step 30 of 100.\nModel: /tmp/m.zip");
            SwingUtilities.invokeAndWait(() -> { });
            assertEquals("Close", w.buttonText());
            assertTrue(w.messageText().contains("/tmp/m.zip"), w.messageText());
            assertEquals("Elapsed 30 s", w.timeLabelText());
            SwingUtilities.invokeAndWait(w::pressButton);
            assertFalse(w.isDisplayable(), "Close disposes the window");
        } finally {
            SwingUtilities.invokeAndWait(w::dispose);
        }
    }

    /** True if the window's content has more than a few colours (a plot with coloured lines, not a blank panel). */
    private static boolean drawsAChart(TrainingWindow w) throws Exception {
        BufferedImage img = new BufferedImage(w.getContentPane().getWidth(), w.getContentPane().getHeight(), BufferedImage.TYPE_INT_RGB);
        SwingUtilities.invokeAndWait(() -> w.getContentPane().paint(img.getGraphics()));
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight() / 2; y++) for (int x = 0; x < img.getWidth(); x++) colours.add(img.getRGB(x, y));
        boolean blue = false, red = false;
        for (int c : colours) {
            int r = (c >> 16) & 255, g = (c >> 8) & 255, b = c & 255;
            blue |= b > 200 && r < 60 && g < 60;
            red |= r > 200 && g < 60 && b < 60;
        }
        return blue && red;
    }
}
