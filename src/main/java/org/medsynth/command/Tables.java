package org.medsynth.command;

import ij.measure.ResultsTable;
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
}
