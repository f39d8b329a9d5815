package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.workflow.SketchBatch;

import java.util.List;

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
}
