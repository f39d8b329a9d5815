package org.medsynth.image.labels;

import ij.ImagePlus;
import org.medsynth.image.io.ImageFiles;
import org.medsynth.core.UserInputException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * One label-map edit as the user describes it (the parameters of "MedSynth Edit Label Map"),
 * run by {@link LabelMapEditor}. Only the parameters of the chosen operation are used.
 *
 * @param operation scale, translate, dilate, erode, paste or random
 * @param fill      host label, or {@link LabelMapEditor#AUTO_HOST} (-1)
 * @param source    label map to paste from (paste only)
 */
public record LabelEdit(String operation, int label, int fill, double factor, int dx, int dy, int dz, double radius,
                        Path source, long seed, LabelMapEditor.RandomRanges ranges) {

    public static final String[] OPERATIONS = {"scale", "translate", "dilate", "erode", "paste", "random"};

    public LabelMapEditor.Result apply(ImagePlus labelMap) {
        if (labelMap == null) throw new UserInputException("Open a label map first (or select its window).");
        LabelMapEditor editor = new LabelMapEditor(labelMap, label, fill);
        String op = operation == null ? "" : operation.trim().toLowerCase(Locale.ROOT);
        switch (op) {
            case "scale":
                return editor.scale(factor);
            case "translate":
                return editor.translate(dx, dy, dz);
            case "dilate":
                return editor.dilate(radius);
            case "erode":
                return editor.erode(radius);
            case "paste":
                if (source == null) {
                    throw new UserInputException("Paste needs a source label map: set 'source' to a label-map file of the same size.");
                }
                return editor.paste(LabelVolume.from(ImageFiles.open(source)), dx, dy, dz);
            case "random":
                if (ranges == null) throw new UserInputException("The random edit needs ranges for the scale and the shifts.");
                return editor.random(ranges, new Random(seed));
            default:
                throw new UserInputException("Unknown operation '" + operation + "'. Use one of "
                        + String.join(", ", OPERATIONS) + ".");
        }
    }
}
