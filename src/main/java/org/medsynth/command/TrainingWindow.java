package org.medsynth.command;

import ij.WindowManager;
import ij.gui.GUI;
import ij.gui.Plot;
import org.medsynth.core.TrainingUpdate;
import org.medsynth.workflow.training.LossHistory;

import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Graphics;
import java.awt.Image;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The window of a running training (one for every trainer): the live loss chart (ImageJ's Plot),
 * a progress bar, step and total, elapsed time and time left, the latest losses, and a Stop button
 * (Esc in the window does the same) after which the trainer writes a checkpoint and stops. At the end it
 * shows where the model is and how to continue. Closing the window while training also stops it.
 * <p>
 * The training thread only records updates; a Swing timer redraws at most four times a second, so
 * fast steps of a tiny model do not flood the event queue with plot drawing.
 */
final class TrainingWindow extends JFrame {

    private static final int REFRESH_MS = 250;
    static final String STOP_HINT = "Stop (or Esc) ends the training after the current step and writes a checkpoint "
            + "that a later run continues from.";

    private final LossHistory history = new LossHistory();
    private final Runnable onStop;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private volatile TrainingUpdate latest;
    private volatile String status = "Preparing the training...";
    private volatile String endText;

    private final Chart chart = new Chart();
    private final JProgressBar bar = new JProgressBar(0, 1000);
    private final JLabel stepLabel = new JLabel(" ");
    private final JLabel timeLabel = new JLabel(" ");
    private final JLabel lossLabel = new JLabel(" ");
    private final JTextArea message = new JTextArea(4, 50);
    private final JButton button = new JButton("Stop");
    private final Timer timer = new Timer(REFRESH_MS, e -> refresh());
    private boolean finished; // event thread only

    private TrainingWindow(String title, Runnable onStop) {
        super(title);
        this.onStop = onStop;
        bar.setStringPainted(true);
        bar.setString("0 %");
        message.setEditable(false);       // selectable at the end, so the model path can be copied
        message.setFocusable(false);      // until then no caret blinks in it
        message.setLineWrap(true);
        message.setWrapStyleWord(true);
        message.setOpaque(false);
        message.setBorder(BorderFactory.createEmptyBorder(4, 0, 0, 0));
        button.addActionListener(e -> stopOrClose());

        JPanel info = new JPanel();
        info.setLayout(new BoxLayout(info, BoxLayout.Y_AXIS));
        info.setBorder(BorderFactory.createEmptyBorder(6, 10, 4, 10));
        bar.setAlignmentX(LEFT_ALIGNMENT);
        info.add(bar);
        info.add(Box.createVerticalStrut(6));
        for (JComponent c : new JComponent[]{stepLabel, timeLabel, lossLabel, message}) {
            c.setAlignmentX(LEFT_ALIGNMENT);
            info.add(c);
        }
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT));
        buttons.add(button);
        JPanel south = new JPanel(new BorderLayout());
        south.add(info, BorderLayout.CENTER);
        south.add(buttons, BorderLayout.SOUTH);
        getContentPane().add(chart, BorderLayout.CENTER);
        getContentPane().add(south, BorderLayout.SOUTH);

        getRootPane().registerKeyboardAction(e -> stopOrClose(), KeyStroke.getKeyStroke(KeyEvent.VK_ESCAPE, 0),
                JComponent.WHEN_IN_FOCUSED_WINDOW);
        setDefaultCloseOperation(DO_NOTHING_ON_CLOSE);
        addWindowListener(new WindowAdapter() {
            @Override public void windowClosing(WindowEvent e) { stopOrClose(); }
        });
        dirty.set(true);
        refresh();
        pack();
    }

    /** Creates and shows the window on the event thread; {@code onStop} runs when the user stops the training. */
    static TrainingWindow open(String title, Runnable onStop) {
        TrainingWindow[] w = new TrainingWindow[1];
        Runnable create = () -> {
            w[0] = new TrainingWindow(title, onStop);
            GUI.centerOnImageJScreen(w[0]);
            w[0].setVisible(true);
            WindowManager.addWindow(w[0]); // listed in ImageJ's Window menu
            w[0].timer.start();
        };
        if (SwingUtilities.isEventDispatchThread()) {
            create.run();
        } else {
            try {
                SwingUtilities.invokeAndWait(create);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("Could not open the training window", e.getCause());
            }
        }
        return w[0];
    }

    /** Records a finished step (any thread); the chart and labels follow at the next refresh. */
    void update(TrainingUpdate u) {
        history.add(u.step(), u.losses());
        if (latest == null) status = STOP_HINT;
        latest = u;
        dirty.set(true);
    }

    /** A step of an earlier run (resumed training): drawn in the chart only. */
    void addEarlier(TrainingUpdate u) {
        history.add(u.step(), u.losses());
        dirty.set(true);
    }

    /** A status message before or between steps, e.g. "reading training images" (any thread). */
    void status(String text) {
        status = text;
        dirty.set(true);
    }

    /** The training ended (any thread): shows {@code text} (model path, how to continue); the button closes. */
    void finish(String text) {
        endText = text;
        dirty.set(true);
        SwingUtilities.invokeLater(() -> {
            finished = true;
            timer.stop();
            refresh();
            message.setFocusable(true);
            button.setEnabled(true);
            button.setText("Close");
            button.requestFocusInWindow();
            // the command shows its results (table, loss plot) just after this, on top of the window:
            // bring the window forward again so that the model path and resume hint are seen
            Timer front = new Timer(1000, e -> toFront());
            front.setRepeats(false);
            front.start();
        });
    }

    LossHistory history() {
        return history;
    }

    @Override
    public void dispose() {
        timer.stop();
        WindowManager.removeWindow(this);
        super.dispose();
    }

    private void stopOrClose() {
        if (finished) {
            dispose();
            return;
        }
        if (!button.isEnabled()) return; // already stopping
        button.setEnabled(false);
        button.setText("Stopping...");
        status = "Stopping after the current step and writing a checkpoint...";
        dirty.set(true);
        onStop.run();
        refresh();
    }

    /** Copies the latest state into the components (event thread). */
    void refresh() {
        if (!dirty.getAndSet(false)) return;
        TrainingUpdate u = latest;
        if (u != null) {
            bar.setValue((int) Math.round(1000 * u.fraction()));
            bar.setString(Math.round(100 * u.fraction()) + " %");
            stepLabel.setText(stepText(u));
            timeLabel.setText(timeText(u, endText != null));
            lossLabel.setText(u.losses().isEmpty() ? " " : "Latest losses: " + u.lossText());
        }
        chart.stale = true;
        chart.repaint();
        String end = endText;
        message.setText(end != null ? end : status);
    }

    String stepLabelText() { return stepLabel.getText(); }
    String timeLabelText() { return timeLabel.getText(); }
    String messageText() { return message.getText(); }
    String buttonText() { return button.getText(); }
    void pressButton() { button.doClick(); }

    /** "Step 140 of 600 · sketch 32 px fade 0.40". */
    static String stepText(TrainingUpdate u) {
        return "Step " + u.step() + " of " + u.total() + (u.stage().isEmpty() ? "" : "  \u00b7  " + u.stage());
    }

    /** "Elapsed 1 min 05 s  ·  time left 3 min 02 s" (time left only while the training runs). */
    static String timeText(TrainingUpdate u, boolean ended) {
        String s = "Elapsed " + TrainingUpdate.duration(u.elapsedSeconds());
        return ended || u.step() >= u.total() ? s : s + "  \u00b7  time left " + TrainingUpdate.duration(u.secondsLeft());
    }

    /** The loss chart: the history drawn by ImageJ's Plot at the component's size, redrawn when stale. */
    private final class Chart extends JComponent {
        boolean stale = true;
        private Image image;

        Chart() {
            setPreferredSize(new Dimension(600, 340));
        }

        @Override
        protected void paintComponent(Graphics g) {
            int w = getWidth(), h = getHeight();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            if (history.size() == 0) {
                g.setColor(Color.GRAY);
                String s = "The loss chart starts after the first training step.";
                g.drawString(s, Math.max(4, (w - g.getFontMetrics().stringWidth(s)) / 2), h / 2);
                return;
            }
            if (stale || image == null || image.getWidth(null) != w || image.getHeight(null) != h) {
                Plot plot = history.toPlot("");
                plot.setSize(Math.max(200, w), Math.max(120, h));
                image = plot.getProcessor().createImage();
                stale = false;
            }
            g.drawImage(image, 0, 0, null);
        }
    }
}
