package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.util.Table;
import org.medsynth.workflow.SketchBatch;
import org.medsynth.workflow.hybrid.SynthesisQualityCheck;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** ResultsTables that commands return to ImageJ. */
final class Tables {
    private Tables() { }

    static ResultsTable batchSummary(List<SketchBatch.Outcome> outcomes) {
        ResultsTable rt = new ResultsTable();
        for (SketchBatch.Outcome o : outcomes) {
            rt.incrementCounter();
            rt.addValue("file", o.file());
            rt.addValue("written", o.written() ? "yes" : "no");
            rt.addValue("detail", o.detail());
        }
        return rt;
    }

    static ResultsTable labelEdit(LabelMapEditor.Result r) {
        ResultsTable rt = new ResultsTable();
        rt.incrementCounter();
        rt.addValue("label", r.label());
        rt.addValue("operation", r.operation());
        rt.addValue("voxels before", r.voxelsBefore());
        rt.addValue("voxels after", r.voxelsAfter());
        rt.addValue("host label", r.host());
        rt.addValue("blocked voxels", r.blocked());
        rt.addValue("voxels outside", r.outside());
        return rt;
    }

    /** A workflow's table as ImageJ shows it: the same columns, cells and decimals as the file written from it. */
    static ResultsTable of(Table table) {
        ResultsTable rt = new ResultsTable();
        rt.setPrecision(table.decimals());
        for (List<Object> row : table.rows()) {
            rt.incrementCounter();
            for (int c = 0; c < row.size(); c++) {
                String heading = table.headings().get(c);
                if (row.get(c) instanceof Number n) rt.addValue(heading, n.doubleValue());
                else rt.addValue(heading, (String) row.get(c));
            }
        }
        return rt;
    }

    /**
     * One row per label map and label ("label map", "label", "class", "Dice synthetic", "Dice real" with real
     * images, "truth voxels", "predicted voxels", "mean synthetic" and with real images "mean real": mean
     * calibrated intensity inside the label), then one row per label with "label map" = "mean" (means over the
     * label maps, NaN skipped).
     */
    static ResultsTable synthesisQuality(List<SynthesisQualityCheck.Row> rows) {
        boolean withReal = rows.stream().anyMatch(r -> !Double.isNaN(r.realDice()));
        ResultsTable rt = new ResultsTable();
        rt.setPrecision(4);
        TreeMap<Integer, double[]> sums = new TreeMap<>();
        TreeMap<Integer, String> classNames = new TreeMap<>();
        for (SynthesisQualityCheck.Row r : rows) {
            rt.incrementCounter();
            rt.addValue("label map", r.labelMap());
            rt.addValue("label", r.label());
            rt.addValue("class", r.className());
            rt.addValue("Dice synthetic", r.dice());
            if (withReal) rt.addValue("Dice real", r.realDice());
            rt.addValue("truth voxels", r.truthVoxels());
            rt.addValue("predicted voxels", r.predictedVoxels());
            rt.addValue("mean synthetic", r.syntheticMean());
            if (withReal) rt.addValue("mean real", r.realMean());
            double[] s = sums.computeIfAbsent(r.label(), k -> new double[8]); // sum, n: Dice syn, Dice real, mean syn, mean real
            classNames.put(r.label(), r.className());
            if (!Double.isNaN(r.dice())) { s[0] += r.dice(); s[1]++; }
            if (!Double.isNaN(r.realDice())) { s[2] += r.realDice(); s[3]++; }
            if (!Double.isNaN(r.syntheticMean())) { s[4] += r.syntheticMean(); s[5]++; }
            if (!Double.isNaN(r.realMean())) { s[6] += r.realMean(); s[7]++; }
        }
        for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
            double[] s = e.getValue();
            rt.incrementCounter();
            rt.addValue("label map", "mean");
            rt.addValue("label", e.getKey());
            rt.addValue("class", classNames.get(e.getKey()));
            rt.addValue("Dice synthetic", s[1] == 0 ? Double.NaN : s[0] / s[1]);
            if (withReal) rt.addValue("Dice real", s[3] == 0 ? Double.NaN : s[2] / s[3]);
            rt.addValue("truth voxels", Double.NaN);
            rt.addValue("predicted voxels", Double.NaN);
            rt.addValue("mean synthetic", s[5] == 0 ? Double.NaN : s[4] / s[5]);
            if (withReal) rt.addValue("mean real", s[7] == 0 ? Double.NaN : s[6] / s[7]);
        }
        return rt;
    }
}
