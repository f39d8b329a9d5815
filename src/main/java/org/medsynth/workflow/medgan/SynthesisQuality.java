package org.medsynth.workflow.medgan;

import org.medsynth.metrics.ConfusionCounts;
import ij.ImagePlus;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The paper's quality check of 3D-MedGAN (section V.D.1, Figure 3): synthesise a volume from each
 * label map, segment it with a segmenter trained on <em>real</em> data, and report the Dice score
 * of the segmentation against the label map the volume was synthesised from. A good generator
 * gives scores close to those the segmenter reaches on real images.
 *
 * <p>The segmenter is a parameter: any function from an image (the synthetic volume, in the
 * training images' units and with the label map's calibration) to a label map of the same size
 * whose values are the label values, e.g. a trained MedSynth segmentation model.
 */
public final class SynthesisQuality {

    /** Segments one image; returns a label map of the same size. */
    @FunctionalInterface
    public interface Segmenter {
        ImagePlus segment(ImagePlus image);
    }

    /** Dice of one label of one label map (NaN when the label is absent from both). */
    public record Row(String labelMap, int label, double dice, long truthVoxels, long predictedVoxels) { }

    private SynthesisQuality() { }

    public static List<Row> evaluate(MedGanModel model, List<ImagePlus> labelMaps, Segmenter segmenter, MedGanModel.Options options,
                                     Progress progress) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < labelMaps.size(); i++) {
            progress.checkCancelled();
            ImagePlus lm = labelMaps.get(i);
            int at = i;
            Progress inner = new Progress() {
                @Override public void report(double f, String m) { progress.report((at + f) / labelMaps.size(), lm.getTitle() + ": " + m); }
                @Override public boolean isCancelled() { return progress.isCancelled(); }
            };
            MedGanModel.Options o = new MedGanModel.Options(options.seed() + i, options.tile(), options.overlap(), options.blend());
            ImagePlus synthetic = model.synthesize(lm, o, inner);
            ImagePlus seg = segmenter.segment(synthetic);
            LabelVolume truth = LabelVolume.from(lm), pred = LabelVolume.from(seg);
            if (pred.width() != truth.width() || pred.height() != truth.height() || pred.depth() != truth.depth()) {
                throw new UserInputException("The segmenter returned " + pred.width() + " x " + pred.height() + " x " + pred.depth()
                        + " voxels for a volume of " + truth.width() + " x " + truth.height() + " x " + truth.depth() + ".");
            }
            TreeSet<Integer> labels = new TreeSet<>();
            for (int v : truth.values()) if (v != 0) labels.add(v);
            for (int label : labels) rows.add(dice(lm.getTitle(), label, truth.values(), pred.values()));
        }
        progress.report(1, "evaluated " + labelMaps.size() + " synthetic volumes");
        return rows;
    }

    static Row dice(String name, int label, int[] truth, int[] pred) {
        ConfusionCounts k = ConfusionCounts.ofLabel(truth, pred, label);
        return new Row(name, label, k.diceOrNaN(), k.truthPositives(), k.predictedPositives());
    }
}
