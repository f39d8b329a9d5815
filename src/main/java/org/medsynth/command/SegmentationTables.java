package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.preprocess.IntensityWindow;
import org.medsynth.image.preprocess.PreprocessingSpec;
import org.medsynth.workflow.hybrid.SyntheticTrainingData;
import org.medsynth.workflow.segment.Segmenter;
import org.medsynth.workflow.segment.SegmenterTraining;

import java.util.List;

/** ResultsTables of the segmentation commands. */
final class SegmentationTables {
    private SegmentationTables() { }

    /**
     * One row per validation: step, Dice of every foreground class, mean; without validation one
     * row with the final losses. Columns "best" (1 on the kept model's row) and "model".
     */
    static ResultsTable validation(SegmenterTraining.Result r, int classes) {
        ResultsTable rt = new ResultsTable();
        if (r.validation().size() == 0) {
            rt.incrementCounter();
            rt.addValue("step", r.completedSteps());
            List<Double> loss = r.losses().values("loss");
            rt.addValue("loss", loss.isEmpty() ? Double.NaN : r.losses().recentMean("loss", 10));
            rt.addValue("model", r.model().toString());
            return rt;
        }
        String csv = r.validation().toCsv();
        String[] lines = csv.split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            int step = Integer.parseInt(lines[i].split(",")[0]);
            rt.incrementCounter();
            rt.addValue("step", step);
            for (int c = 1; c < classes; c++) rt.addValue("Dice class " + c, r.validation().values("dice_" + c).get(i - 1));
            rt.addValue("Dice mean", r.validation().values("dice_mean").get(i - 1));
            rt.addValue("best", step == r.bestStep() ? 1 : 0);
            rt.addValue("model", r.model().toString());
        }
        return rt;
    }

    /**
     * One row: real and synthetic training pairs, validation pairs, and the synthetic data used
     * ("mix" as in the paper's Table 1, "augment with", "fake ratio", "synthetic only", "synthetic folder", "reused"),
     * then the intensity preprocessing (see {@link #addPreprocessing}).
     */
    static ResultsTable trainingData(SegmenterTraining.Result r, SyntheticTrainingData aug, PreprocessingSpec pre) {
        ResultsTable rt = new ResultsTable();
        rt.incrementCounter();
        SegmenterTraining.TrainingData d = r.data();
        rt.addValue("real training pairs", d == null ? Double.NaN : d.realTrainingPairs());
        rt.addValue("synthetic training pairs", d == null ? Double.NaN : d.syntheticTrainingPairs());
        rt.addValue("validation pairs", d == null ? Double.NaN : d.validationPairs());
        rt.addValue("mix", aug == null ? "100% R" : aug.mix().label());
        rt.addValue("augment with", aug == null ? "" : String.valueOf(d != null && d.augmentation() != null ? d.augmentation().get("source") : ""));
        rt.addValue("fake ratio", aug == null ? 0 : aug.mix().fakeRatio());
        rt.addValue("synthetic only", aug != null && aug.mix().syntheticOnly() ? 1 : 0);
        rt.addValue("synthetic folder", aug == null ? "" : aug.folder().toString());
        rt.addValue("reused", aug != null && aug.reused() ? 1 : 0);
        addPreprocessing(rt, pre);
        rt.addValue("model", r.model().toString());
        return rt;
    }

    /**
     * Columns of the intensity preprocessing in the current row: "window low", "window high" (calibrated units;
     * NaN without a window), "clip low", "clip high" (percentiles), "normalization", and "preprocessing" in words.
     */
    static void addPreprocessing(ResultsTable rt, PreprocessingSpec pre) {
        IntensityWindow w = pre.window();
        rt.addValue("window low", w == null ? Double.NaN : w.low());
        rt.addValue("window high", w == null ? Double.NaN : w.high());
        rt.addValue("clip low", pre.clipLowPercentile());
        rt.addValue("clip high", pre.clipHighPercentile());
        rt.addValue("normalization", pre.normalization().key());
        rt.addValue("preprocessing", pre.describeIntensity());
    }

    static ResultsTable folder(List<Segmenter.Outcome> outcomes) {
        ResultsTable rt = new ResultsTable();
        for (Segmenter.Outcome o : outcomes) {
            rt.incrementCounter();
            rt.addValue("file", o.file());
            rt.addValue("written", o.written() ? "yes" : "no");
            rt.addValue("detail", o.detail());
        }
        return rt;
    }
}
