package org.medsynth.workflow.segment;

import ij.ImagePlus;
import ij.gui.Plot;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.util.AtomicFiles;
import org.medsynth.util.Outputs;
import org.medsynth.workflow.training.LossHistory;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validation Dice of a segmenter training as the user and the model file see it: {@code model.zip.validation.csv}
 * and {@code .png} beside the model, and the records stored in the model's history.
 */
final class TrainingReport {

    private TrainingReport() { }

    static Path validationCsv(Path model) {
        return model.resolveSibling(model.getFileName() + ".validation.csv");
    }

    static Path validationPlot(Path model) {
        return model.resolveSibling(model.getFileName() + ".validation.png");
    }

    static void saveValidationCurves(LossHistory validation, int classes, Path model) {
        try {
            validation.saveCsv(validationCsv(model));
            ImagePlus plot = diceCurves(validation, classes);
            AtomicFiles.write(validationPlot(model), out -> ImageFiles.encodePng(plot, out));
        } catch (IOException e) {
            throw Outputs.writeFailed(validationCsv(model), e);
        }
    }

    /** Dice per class and mean against the step, as a plot image. */
    static ImagePlus diceCurves(LossHistory h, int classes) {
        Plot plot = new Plot("Validation Dice", "step", "Dice");
        Color[] colours = {Color.BLUE, Color.RED, new Color(0, 140, 0), Color.MAGENTA, Color.ORANGE, Color.CYAN.darker()};
        List<Double> mean = h.values("dice_mean");
        double[] x = new double[mean.size()];
        List<Double> steps = stepsOf(h);
        for (int i = 0; i < x.length; i++) x[i] = steps.get(i);
        StringBuilder legend = new StringBuilder();
        for (int c = 1; c < classes; c++) {
            plot.setColor(colours[(c - 1) % colours.length]);
            plot.addPoints(x, h.values("dice_" + c).stream().mapToDouble(Double::doubleValue).toArray(), Plot.CONNECTED_CIRCLES);
            legend.append("class ").append(c).append('\n');
        }
        plot.setColor(Color.BLACK);
        plot.addPoints(x, mean.stream().mapToDouble(Double::doubleValue).toArray(), Plot.LINE);
        legend.append("mean");
        plot.addLegend(legend.toString());
        plot.setLimits(Double.NaN, Double.NaN, 0, 1);
        return plot.getImagePlus();
    }

    /** The validation history as records {step, dice_1, ..., dice_mean}. */
    static List<Map<String, Object>> validationRecords(LossHistory h, int classes) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Double> steps = stepsOf(h);
        for (int i = 0; i < steps.size(); i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("step", steps.get(i).intValue());
            for (int c = 1; c < classes; c++) r.put("dice_" + c, h.values("dice_" + c).get(i));
            r.put("dice_mean", h.values("dice_mean").get(i));
            out.add(r);
        }
        return out;
    }

    private static List<Double> stepsOf(LossHistory h) {
        List<Double> out = new ArrayList<>();
        String csv = h.toCsv();
        String[] lines = csv.split("\n");
        for (int i = 1; i < lines.length; i++) if (!lines[i].isBlank()) out.add(Double.parseDouble(lines[i].split(",")[0]));
        return out;
    }
}
