package org.medsynth.workflow.training;

import ij.ImagePlus;
import ij.gui.Plot;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.util.AtomicFiles;

import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Losses per step, saved as CSV and drawn as a loss-curve plot (PNG) next to the model. */
public final class LossHistory {

    private static final Color[] COLOURS = {Color.BLUE, Color.RED, new Color(0, 140, 0), Color.MAGENTA,
            Color.ORANGE, Color.CYAN.darker(), Color.GRAY, Color.BLACK};

    private final List<Integer> steps = new ArrayList<>();
    private final Map<String, List<Double>> series = new LinkedHashMap<>();

    public synchronized void add(int step, Map<String, Double> losses) {
        int row = steps.size();
        steps.add(step);
        for (Map.Entry<String, Double> e : losses.entrySet()) {
            List<Double> s = series.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            while (s.size() < row) s.add(Double.NaN);
            s.add(e.getValue());
        }
        for (List<Double> s : series.values()) while (s.size() < row + 1) s.add(Double.NaN);
    }

    public synchronized int size() {
        return steps.size();
    }

    /** The step of row {@code row} (rows are in the order added). */
    public synchronized int step(int row) {
        return steps.get(row);
    }

    /** The losses of row {@code row} by name, without those the step did not have (NaN). */
    public synchronized Map<String, Double> losses(int row) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            double v = e.getValue().get(row);
            if (!Double.isNaN(v)) m.put(e.getKey(), v);
        }
        return m;
    }

    /** The names of the recorded losses, in the order they first appeared. */
    public synchronized List<String> names() {
        return List.copyOf(series.keySet());
    }

    public synchronized List<Double> values(String name) {
        return List.copyOf(series.getOrDefault(name, List.of()));
    }

    /** Mean of the last {@code n} values of a series (NaN if none). */
    public synchronized double recentMean(String name, int n) {
        List<Double> s = series.getOrDefault(name, List.of());
        double sum = 0;
        int count = 0;
        for (int i = Math.max(0, s.size() - n); i < s.size(); i++) {
            if (!Double.isNaN(s.get(i))) { sum += s.get(i); count++; }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    public synchronized String toCsv() {
        StringBuilder sb = new StringBuilder("step");
        for (String name : series.keySet()) sb.append(',').append(name);
        sb.append('\n');
        for (int r = 0; r < steps.size(); r++) {
            sb.append(steps.get(r));
            for (List<Double> s : series.values()) sb.append(',').append(String.format(Locale.ROOT, "%.6g", s.get(r)));
            sb.append('\n');
        }
        return sb.toString();
    }

    public static LossHistory fromCsv(String csv) throws IOException {
        LossHistory h = new LossHistory();
        try (BufferedReader r = new BufferedReader(new StringReader(csv))) {
            String header = r.readLine();
            if (header == null) return h;
            String[] names = header.split(",");
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] f = line.split(",");
                Map<String, Double> losses = new LinkedHashMap<>();
                for (int i = 1; i < names.length && i < f.length; i++) losses.put(names[i], Double.parseDouble(f[i]));
                h.add(Integer.parseInt(f[0]), losses);
            }
        }
        return h;
    }

    public void saveCsv(Path file) throws IOException {
        byte[] bytes = toCsv().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    public static LossHistory loadCsv(Path file) throws IOException {
        return fromCsv(Files.readString(file));
    }

    /** The loss curves as an ImageJ plot image. */
    public ImagePlus plot(String title) {
        return toPlot(title).getImagePlus();
    }

    /** The loss curves as an ImageJ Plot (one coloured line per loss, with a legend), e.g. to draw at another size. */
    public synchronized Plot toPlot(String title) {
        Plot plot = new Plot(title, "step", "loss");
        double[] x = steps.stream().mapToDouble(Integer::doubleValue).toArray();
        int i = 0;
        StringBuilder legend = new StringBuilder();
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            plot.setColor(COLOURS[i++ % COLOURS.length]);
            plot.addPoints(x, e.getValue().stream().mapToDouble(Double::doubleValue).toArray(), Plot.LINE);
            legend.append(e.getKey()).append('\n');
        }
        plot.setColor(Color.BLACK);
        if (legend.length() > 0) plot.addLegend(legend.toString(), "auto"); // the corner with the fewest points
        plot.setLimitsToFit(false);
        return plot;
    }

    public void savePlot(Path png, String title) throws IOException {
        ImagePlus imp = plot(title);
        AtomicFiles.write(png, out -> ImageFiles.encodePng(imp, out));
    }
}
