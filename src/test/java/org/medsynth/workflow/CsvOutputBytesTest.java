package org.medsynth.workflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.metrics.ConfusionCounts;
import org.medsynth.metrics.RocCurve;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bytes of the CSV files the evaluations write, pinned to what ImageJ's ResultsTable wrote (the strings below
 * were produced by it): the Spark jobs' outputs are compared byte for byte with the commands', and users' scripts
 * read these files. Awkward values on purpose: NaN, infinities, integers (also beyond int), many decimals, numbers
 * too small or large for fixed decimals, an empty text, commas, quotes and a line break in texts, and columns whose
 * first 24 values are whole numbers (ResultsTable then wrote whole numbers without decimals in the whole column).
 */
class CsvOutputBytesTest {

    static final List<SynthesisEvaluation.Row> SYNTHESIS = List.of(
            new SynthesisEvaluation.Row("SWDx1e3_128", 12.3456789012, Double.NaN, 10, "PGGAN units (raw x 1000); 10 real vs 10 generated"),
            new SynthesisEvaluation.Row("MS-SSIM, \"quoted\"", 0.5, 0.1234565, 100, "random pairs, lower = \"more\" diverse"),
            new SynthesisEvaluation.Row("FID", 3.0, Double.NaN, 0, ""),
            new SynthesisEvaluation.Row("KID", 1e-9, -0.0000004, 7, "line\nbreak"),
            new SynthesisEvaluation.Row("big", 2.5e12, -1234.5, Integer.MAX_VALUE, "x"),
            new SynthesisEvaluation.Row("neg", -0.0, Double.POSITIVE_INFINITY, -3, "0.1"));

    static SegmentationEvaluation.Report segmentationReport() {
        List<SegmentationEvaluation.ImageRow> rows = List.of(
                new SegmentationEvaluation.ImageRow("case, 01", "label 1", new ConfusionCounts(12, 4, 3_000_000_000L, 4), 0.87654321),
                new SegmentationEvaluation.ImageRow("case \"2\"", "label 1", new ConfusionCounts(0, 0, 100, 0), Double.NaN),
                new SegmentationEvaluation.ImageRow("c3", "label 2", new ConfusionCounts(5, 0, 5, 0), 1.0));
        Map<String, ConfusionCounts> pooled = new LinkedHashMap<>();
        for (SegmentationEvaluation.ImageRow r : rows) pooled.merge(r.className(), r.counts(), ConfusionCounts::add);
        // 30 positives above 3 negatives: the false positive rate is 0 for more than the first 24 points
        float[] positives = new float[30];
        for (int i = 0; i < positives.length; i++) positives[i] = 0.5f + i / 100f;
        Map<String, RocCurve> roc = new LinkedHashMap<>();
        roc.put("label 1", RocCurve.fromSorted(positives, new float[] {0.1f, 0.2f, 0.3f}));
        roc.put("label 2", RocCurve.fromSorted(new float[] {0.2f, 0.7f, 0.9f}, new float[] {0.1f, 0.3f, 0.8f}));
        return new SegmentationEvaluation.Report(rows, List.of("label 1", "label 2"), pooled, roc, List.of(), true);
    }

    @Test
    void synthesisMetrics(@TempDir Path dir) throws Exception {
        assertBytes(SYNTHESIS_CSV, SynthesisEvaluation.save(SYNTHESIS, dir));
    }

    @Test
    void segmentationMetricsSummaryAndRocCurve(@TempDir Path dir) throws Exception {
        segmentationReport().save(dir);
        assertBytes(METRICS_CSV, dir.resolve("segmentation-metrics.csv"));
        assertBytes(SUMMARY_CSV, dir.resolve("segmentation-summary.csv"));
        assertBytes(ROC_CSV, dir.resolve("roc-curve.csv"));
    }

    /** ImageJ ended lines with the platform's line separator and wrote the platform's charset (the texts are ASCII). */
    private static void assertBytes(String expected, Path file) throws Exception {
        assertEquals(expected.replace("\n", System.lineSeparator()), new String(Files.readAllBytes(file), Charset.defaultCharset()), file.toString());
    }

    static final String SYNTHESIS_CSV = "metric,value,sd,n,note\n"
            + "SWDx1e3_128,12.345679,NaN,10,PGGAN units (raw x 1000); 10 real vs 10 generated\n"
            + "\"MS-SSIM, \"quoted\"\",0.500000,0.123456,100,\"random pairs, lower = \"more\" diverse\"\n"
            + "FID,3.000000,NaN,0,\"\"\n"
            + "KID,1.000E-9,-4.000E-7,7,line\\nbreak\n"
            + "big,2.500E12,-1234.500000,2147483647,x\n"
            + "neg,-0.000000,Infinity,-3,0.1\n";

    static final String METRICS_CSV = "image,class,Dice,SEN,SPE,ACC,IoU,AUC,TP,FP,TN,FN\n"
            + "\"case, 01\",label 1,0.750000,0.750000,1.000000,1.000000,0.600000,0.876543,12,4,3000000000.000000,4\n"
            + "case \"2\",label 1,1.000000,NaN,1.000000,1.000000,1.000000,NaN,0,0,100.000000,0\n"
            + "c3,label 2,1.000000,1.000000,1.000000,1.000000,1.000000,1.000000,5,0,5.000000,0\n";

    static final String SUMMARY_CSV = "class,statistic,images,Dice,SEN,SPE,ACC,IoU,AUC\n"
            + "label 1,mean,2,0.875000,0.750000,1.000000,1.000000,0.800000,0.876543\n"
            + "label 1,sd,2,0.176777,NaN,9.428E-10,1.886E-9,0.282843,NaN\n"
            + "label 1,pooled,2,0.750000,0.750000,1.000000,1.000000,0.600000,1.000000\n"
            + "label 2,mean,1,1.000000,1.000000,1.000000,1.000000,1.000000,1.000000\n"
            + "label 2,sd,1,NaN,NaN,NaN,NaN,NaN,NaN\n"
            + "label 2,pooled,1,1.000000,1.000000,1.000000,1.000000,1.000000,0.666667\n";

    static final String ROC_CSV = "class,FPR,TPR\n"
            + "label 1,0,0.000000000\n"
            + "label 1,0,0.033333333\n"
            + "label 1,0,0.066666667\n"
            + "label 1,0,0.100000000\n"
            + "label 1,0,0.133333333\n"
            + "label 1,0,0.166666667\n"
            + "label 1,0,0.200000000\n"
            + "label 1,0,0.233333333\n"
            + "label 1,0,0.266666667\n"
            + "label 1,0,0.300000000\n"
            + "label 1,0,0.333333333\n"
            + "label 1,0,0.366666667\n"
            + "label 1,0,0.400000000\n"
            + "label 1,0,0.433333333\n"
            + "label 1,0,0.466666667\n"
            + "label 1,0,0.500000000\n"
            + "label 1,0,0.533333333\n"
            + "label 1,0,0.566666667\n"
            + "label 1,0,0.600000000\n"
            + "label 1,0,0.633333333\n"
            + "label 1,0,0.666666667\n"
            + "label 1,0,0.700000000\n"
            + "label 1,0,0.733333333\n"
            + "label 1,0,0.766666667\n"
            + "label 1,0,0.800000000\n"
            + "label 1,0,0.833333333\n"
            + "label 1,0,0.866666667\n"
            + "label 1,0,0.900000000\n"
            + "label 1,0,0.933333333\n"
            + "label 1,0,0.966666667\n"
            + "label 1,0,1.000000000\n"
            + "label 1,0.333333333,1.000000000\n"
            + "label 1,0.666666667,1.000000000\n"
            + "label 1,1,1.000000000\n"
            + "label 2,0,0.000000000\n"
            + "label 2,0,0.333333333\n"
            + "label 2,0.333333333,0.333333333\n"
            + "label 2,0.333333333,0.666666667\n"
            + "label 2,0.666666667,0.666666667\n"
            + "label 2,0.666666667,1.000000000\n"
            + "label 2,1,1.000000000\n";
}
