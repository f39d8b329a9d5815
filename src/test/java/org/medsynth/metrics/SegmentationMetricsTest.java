package org.medsynth.metrics;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationMetricsTest {

    private static final double TOL = 1e-9;

    /** One "case" block of segmentation_reference.txt. */
    record Case(String name, Map<String, String> rows, List<String> extra) { }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        Case current = null;
        for (String l : ReferenceFiles.lines("segmentation_reference.txt")) {
            String key = l.substring(0, l.indexOf(' '));
            String rest = l.substring(l.indexOf(' ') + 1);
            if (key.equals("case")) {
                current = new Case(rest, new HashMap<>(), new ArrayList<>());
                out.add(current);
            } else if (key.equals("class") || key.equals("region")) {
                current.extra().add(rest);
            } else {
                current.rows().put(key, rest);
            }
        }
        return out;
    }

    static boolean[] bool(float[] v) {
        boolean[] b = new boolean[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i] != 0;
        return b;
    }

    @Test
    void binaryMetricsMatchScikitLearn() {
        int checked = 0;
        for (Case c : cases()) {
            if (!c.rows().containsKey("expect")) continue;
            float[] truth = ReferenceFiles.floats(c.rows().get("truth"));
            float[] pred = ReferenceFiles.floats(c.rows().get("pred"));
            float[] scores = ReferenceFiles.floats(c.rows().get("scores"));
            boolean[] mask = bool(ReferenceFiles.floats(c.rows().get("mask")));
            double[] e = ReferenceFiles.doubles(c.rows().get("expect"));
            List<SegmentationMetrics.ClassResult> r = SegmentationMetrics.evaluate(truth, pred,
                    SegmentationClasses.binary().resolve(truth, pred, c.name()), List.of(scores), mask);
            ConfusionCounts k = r.get(0).counts();
            assertEquals(e[0], k.dice(), TOL, c.name() + " dice");
            assertEquals(e[1], k.sensitivity(), TOL, c.name() + " sen");
            assertEquals(e[2], k.specificity(), TOL, c.name() + " spe");
            assertEquals(e[3], k.accuracy(), TOL, c.name() + " acc");
            assertEquals(e[4], k.iou(), TOL, c.name() + " iou");
            assertEquals(e[5], r.get(0).auc(), TOL, c.name() + " auc");
            if (c.rows().containsKey("rocfpr")) {
                RocCurve roc = r.get(0).roc();
                assertArrayEquals(ReferenceFiles.doubles(c.rows().get("rocfpr")), roc.fpr(), TOL);
                assertArrayEquals(ReferenceFiles.doubles(c.rows().get("roctpr")), roc.tpr(), TOL);
                // trapezoidal area of the curve = Mann-Whitney area
                double trap = 0;
                for (int i = 1; i < roc.fpr().length; i++) {
                    trap += (roc.fpr()[i] - roc.fpr()[i - 1]) * (roc.tpr()[i] + roc.tpr()[i - 1]) / 2;
                }
                assertEquals(roc.auc(), trap, 1e-12);
            }
            checked++;
        }
        assertEquals(3, checked);
    }

    @Test
    void labelAndBratsClassesMatchScikitLearn() {
        for (Case c : cases()) {
            if (c.extra().isEmpty()) continue;
            float[] truth = ReferenceFiles.floats(c.rows().get("truth"));
            float[] pred = ReferenceFiles.floats(c.rows().get("pred"));
            SegmentationClasses classes = SegmentationClasses.parse(c.name().equals("brats") ? "brats" : "labels");
            List<SegmentationClasses.ClassDef> defs = classes.resolve(truth, pred, c.name());
            List<SegmentationMetrics.ClassResult> r = SegmentationMetrics.evaluate(truth, pred, defs, null, null);
            assertEquals(c.extra().size(), r.size());
            for (int i = 0; i < r.size(); i++) {
                String[] p = c.extra().get(i).split("\\s+", 2);
                String expectedName = c.name().equals("brats") ? p[0] : "label " + p[0];
                assertEquals(expectedName, r.get(i).className());
                double[] e = ReferenceFiles.doubles(p[1]);
                ConfusionCounts k = r.get(i).counts();
                double[] got = {k.dice(), k.sensitivity(), k.specificity(), k.accuracy(), k.iou()};
                assertArrayEquals(e, got, TOL, c.name() + " " + p[0]);
                assertTrue(Double.isNaN(r.get(i).auc()));
            }
        }
    }

    @Test
    void handComputedCase() {
        // truth 1 1 1 0 0 0 0 0, prediction 1 1 0 1 0 0 0 0: TP 2, FN 1, FP 1, TN 4
        boolean[] t = {true, true, true, false, false, false, false, false};
        boolean[] p = {true, true, false, true, false, false, false, false};
        ConfusionCounts k = SegmentationMetrics.confusion(t, p, null);
        assertEquals(new ConfusionCounts(2, 1, 4, 1), k);
        assertEquals(4.0 / 6, k.dice(), TOL);
        assertEquals(2.0 / 3, k.sensitivity(), TOL);
        assertEquals(4.0 / 5, k.specificity(), TOL);
        assertEquals(6.0 / 8, k.accuracy(), TOL);
        assertEquals(2.0 / 4, k.iou(), TOL);
        assertEquals(2.0 / 3, k.precision(), TOL);
        // the mask drops the false positive and one true negative
        boolean[] mask = {true, true, true, false, true, true, true, false};
        ConfusionCounts masked = SegmentationMetrics.confusion(t, p, mask);
        assertEquals(new ConfusionCounts(2, 0, 3, 1), masked);
        // AUC by hand: positives {0.9, 0.8, 0.4}, negatives {0.7, 0.4, 0.1}:
        // pairs won 0.9:3, 0.8:3, 0.4: 1 + tie 0.5 -> 7.5 / 9
        float[] s = {0.9f, 0.8f, 0.4f, 0.7f, 0.4f, 0.1f};
        boolean[] st = {true, true, true, false, false, false};
        assertEquals(7.5 / 9, RocCurve.compute(s, st, null).auc(), TOL);
        // all tied scores -> 0.5; perfect separation -> 1; reversed -> 0
        assertEquals(0.5, RocCurve.compute(new float[] {1, 1, 1, 1}, new boolean[] {true, false, true, false}, null).auc(), TOL);
        assertEquals(1.0, RocCurve.compute(new float[] {3, 4, 1, 2}, new boolean[] {true, true, false, false}, null).auc(), TOL);
        assertEquals(0.0, RocCurve.compute(new float[] {1, 2, 3, 4}, new boolean[] {true, true, false, false}, null).auc(), TOL);
    }

    @Test
    void emptyTruthConventions() {
        boolean[] none = new boolean[10];
        ConfusionCounts bothEmpty = SegmentationMetrics.confusion(none, none, null);
        assertEquals(1.0, bothEmpty.dice());
        assertEquals(1.0, bothEmpty.iou());
        assertTrue(Double.isNaN(bothEmpty.sensitivity()));
        assertEquals(1.0, bothEmpty.specificity());
        assertEquals(1.0, bothEmpty.accuracy());
        boolean[] one = new boolean[10];
        one[3] = true;
        ConfusionCounts falseAlarm = SegmentationMetrics.confusion(none, one, null);
        assertEquals(0.0, falseAlarm.dice());
        assertEquals(0.0, falseAlarm.iou());
        assertTrue(Double.isNaN(RocCurve.compute(new float[10], none, null).auc()));
    }

    @Test
    void badInputGetsClearMessages() {
        float[] t = {0, 1, 0, 1}, p3 = {0, 1, 2, 1}, nan = {0, Float.NaN, 0, 1};
        SegmentationClasses bin = SegmentationClasses.binary();
        UserInputException e = assertThrows(UserInputException.class, () -> bin.resolve(t, p3, "x"));
        assertTrue(e.getMessage().contains("not a binary mask") && e.getMessage().contains("classes=labels"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> bin.resolve(nan, t, "x"));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(UserInputException.class, () -> bin.resolve(new float[] {1, 2, 1, 2}, t, "x"));
        assertTrue(e.getMessage().contains("no 0"), e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> SegmentationClasses.parse("labels").resolve(new float[] {0, 0.5f, 1, 1}, t, "x"));
        assertTrue(e.getMessage().contains("whole numbers"), e.getMessage());
        e = assertThrows(UserInputException.class,
                () -> SegmentationClasses.parse("brats").resolve(new float[] {0, 3, 1, 1}, t, "x"));
        assertTrue(e.getMessage().contains("brats2023"), e.getMessage());
        assertThrows(UserInputException.class, () -> SegmentationClasses.parse("tumour"));
        e = assertThrows(UserInputException.class,
                () -> SegmentationMetrics.evaluate(t, new float[] {0, 1}, bin.resolve(t, t, "x"), null, null));
        assertTrue(e.getMessage().contains("differ in size"), e.getMessage());
        assertEquals(List.of("label 2", "label 5"),
                SegmentationClasses.parse("2, 5").resolve(t, t, "x").stream().map(SegmentationClasses.ClassDef::name).toList());
    }

    @Test
    void volumesAndMasksFromImagePlus() {
        ImageStack s = new ImageStack(2, 2);
        s.addSlice(new ByteProcessor(2, 2, new byte[] {0, (byte) 255, 0, 0}));
        s.addSlice(new ByteProcessor(2, 2, new byte[] {(byte) 255, (byte) 255, 0, 0}));
        ImagePlus vol = new ImagePlus("vol", s);
        float[] v = SegmentationMetrics.voxels(vol, "truth");
        assertArrayEquals(new float[] {0, 255, 0, 0, 255, 255, 0, 0}, v);
        boolean[] fov = SegmentationMetrics.fieldOfView(vol);
        assertTrue(fov[1] && !fov[0] && fov[4]);
        ImagePlus empty = new ImagePlus("empty", new ByteProcessor(2, 2));
        UserInputException e = assertThrows(UserInputException.class, () -> SegmentationMetrics.fieldOfView(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        ImagePlus grey = new ImagePlus("grey", new FloatProcessor(2, 2, new float[] {0, 0.5f, 1, 2}));
        e = assertThrows(UserInputException.class, () -> SegmentationMetrics.fieldOfView(grey));
        assertTrue(e.getMessage().contains("not a binary mask"), e.getMessage());
        ImagePlus rgb = new ImagePlus("rgb", new ij.process.ColorProcessor(2, 2));
        assertThrows(UserInputException.class, () -> SegmentationMetrics.voxels(rgb, "truth"));
    }
}
