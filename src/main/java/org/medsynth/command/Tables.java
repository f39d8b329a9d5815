package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.image.labels.LabelMapEditor;
import org.medsynth.util.Table;
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
}
