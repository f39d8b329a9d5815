package org.medsynth.command;

import ij.measure.ResultsTable;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.core.UserInputException;
import org.medsynth.workflow.segment.SegmenterModel;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.io.File;
import java.util.Map;

/**
 * MedSynth Segmenter Info: what a segmentation model .zip holds (network, size, parameter counts,
 * how it was trained), as a one-row table, so that macros can compare models.
 */
@Plugin(type = Command.class, label = "MedSynth Segmenter Info")
public class SegmenterInfoCommand implements Command {

    @Parameter(description = "Model .zip written by MedSynth Train Segmenter", style = "open")
    public File model;

    @Parameter(type = ItemIO.OUTPUT, label = "Segmenter info")
    public ResultsTable info;

    @Override
    public void run() {
        if (model == null) throw new UserInputException("Give the model file (model=/path/to/model.zip) written by MedSynth Train Segmenter.");
        info = table(model.getName(), SegmenterModel.load(model.toPath(), "Segmenter Info"));
    }

    /**
     * One row: model, network, dims, width, depth, classes, channels, patch, parameters, training parameters, training
     * settings, and the intensity preprocessing that Segment applies (window low/high, clip low/high, normalization).
     */
    static ResultsTable table(String name, SegmenterModel m) {
        SegmentationNetwork n = m.network();
        ResultsTable rt = new ResultsTable();
        rt.incrementCounter();
        rt.addValue("model", name);
        rt.addValue("network", SegmentationNetworkFamily.nameOf(n));
        rt.addValue("dims", n.spatialDims() + "D");
        rt.addValue("width", n.width());
        rt.addValue("depth", n.depth());
        rt.addValue("classes", n.classes());
        rt.addValue("channels", n.inChannels());
        int[] p = m.patch();
        StringBuilder patch = new StringBuilder();
        for (int i = 0; i < p.length; i++) patch.append(i == 0 ? "" : "x").append(p[i]);
        rt.addValue("patch", patch.toString());
        rt.addValue("parameters", m.segmentationParameters());
        rt.addValue("training parameters", m.parameterCount());
        Map<String, Object> t = m.training();
        for (String key : new String[]{"iterations", "batch", "learningRate", "seed", "norm", "steps", "trainingCases"}) {
            Object v = t.get(key);
            if (v instanceof Number num) rt.addValue(key, num.doubleValue());
            else if (v != null) rt.addValue(key, String.valueOf(v));
        }
        SegmentationTables.addPreprocessing(rt, m.preprocessing());
        return rt;
    }

}
