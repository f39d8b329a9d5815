package org.medsynth.image.sketch;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Line;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import static org.junit.jupiter.api.Assertions.*;

class SketchExtractorTest {

    private final SketchExtractor defaults = new SketchExtractor(SketchParameters.defaults());

    /** A 3-pixel-wide dark line from (8,12) to (56,50) on a bright background. */
    private static FloatProcessor darkLine() {
        FloatProcessor fp = new FloatProcessor(64, 64);
        fp.setValue(200);
        fp.fill();
        fp.setValue(60);
        fp.setLineWidth(3);
        fp.drawLine(8, 12, 56, 50);
        return fp;
    }

    private static double distanceToSegment(double px, double py) {
        double ax = 8, ay = 12, bx = 56, by = 50;
        double t = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
        t = Math.max(0, Math.min(1, t));
        return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
    }

    @Test
    void sobelStageGivesTheHandComputedMagnitudeOnAStep() {
        FloatProcessor step = new FloatProcessor(8, 8);
        for (int y = 0; y < 8; y++) for (int x = 4; x < 8; x++) step.setf(x, y, 100);
        FloatProcessor e = SketchExtractor.sobel(step);
        // Sobel x kernel [-1 0 1; -2 0 2; -1 0 1]: 1*100 + 2*100 + 1*100 = 400 at columns 3 and 4
        assertEquals(400, e.getf(3, 4), 1e-4);
        assertEquals(400, e.getf(4, 4), 1e-4);
        assertEquals(0, e.getf(1, 4), 1e-4);
        assertEquals(0, e.getf(6, 4), 1e-4);
    }

    @Test
    void lowPassKeepsTheTotalEdgeStrengthAndSpreadsIt() {
        FloatProcessor impulse = new FloatProcessor(41, 41);
        impulse.setf(20, 20, 1000);
        new SketchExtractor(new SketchParameters(2, "Otsu", 0.2, 1, "green")).lowPass(impulse);
        double sum = 0;
        for (float v : (float[]) impulse.getPixels()) sum += v;
        assertEquals(1000, sum, 1.0);
        // a Gaussian of sigma 2: centre 1000/(2 pi 4) = 39.8, one sigma away exp(-1/2) of that
        assertEquals(39.8, impulse.getf(20, 20), 0.6);
        assertEquals(39.8 * Math.exp(-0.5), impulse.getf(22, 20), 0.6);
    }

    @Test
    void fixedThresholdIsAFractionOfTheStrongestEdge() {
        FloatProcessor fp = new FloatProcessor(4, 1, new float[]{0, 10, 29.9f, 30.1f});
        SketchExtractor ex = new SketchExtractor(new SketchParameters(0, "Fixed", 0.3 * 100 / 30.1, 0, "green"));
        ByteProcessor b = ex.binarise(fp);
        assertArrayEquals(new byte[]{0, 0, 0, (byte) 255}, (byte[]) b.getPixels());
    }

    @Test
    void openingRemovesSpecksSmallerThanTheElementAndClosingFillsGaps() {
        ByteProcessor bp = new ByteProcessor(40, 40);
        bp.setValue(255);
        bp.setRoi(5, 5, 12, 12);
        bp.fill();
        bp.resetRoi();
        bp.set(30, 30, 255);           // isolated speck
        bp.set(33, 8, 255);
        bp.set(34, 8, 255);            // 2-pixel speck
        bp.set(10, 10, 0);             // 1-pixel hole inside the square
        new SketchExtractor(new SketchParameters(0, "Otsu", 0.2, 1.0, "green")).openThenClose(bp);
        assertEquals(0, bp.get(30, 30));
        assertEquals(0, bp.get(33, 8));
        assertEquals(0, bp.get(34, 8));
        assertEquals(255, bp.get(10, 10), "closing fills the hole");
        assertEquals(255, bp.get(5, 5), "the square keeps its corner (3x3 element)");
        assertEquals(144, bp.getStats().histogram()[255], "the 12x12 square is otherwise unchanged");
    }

    @Test
    void aLineYieldsOneConnectedSketchAlongTheLine() {
        ByteProcessor sketch = defaults.extractPlane(darkLine());
        int on = 0, far = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                if (sketch.get(x, y) == 255) {
                    on++;
                    if (distanceToSegment(x, y) > 6) far++;
                }
        assertTrue(on > 100, "sketch should cover the line, got " + on + " pixels");
        assertEquals(0, far, "no sketch pixel more than 6 px from the line");
        // every point along the line is covered (vessel-like structures are filled)
        for (double t = 0.05; t <= 0.95; t += 0.05) {
            int x = (int) Math.round(8 + t * 48), y = (int) Math.round(12 + t * 38);
            assertEquals(255, sketch.get(x, y), "line point " + x + "," + y);
        }
        assertEquals(1, components(sketch), "one connected sketch");
    }

    @Test
    void rgbUsesTheChosenChannel() {
        ColorProcessor cp = new ColorProcessor(64, 64);
        cp.setColor(new java.awt.Color(200, 120, 80));
        cp.fill();
        // the line only changes the red channel
        cp.setColor(new java.awt.Color(40, 120, 80));
        cp.setLineWidth(3);
        cp.drawLine(8, 12, 56, 50);
        ImagePlus rgb = new ImagePlus("rgb.png", cp);
        ImagePlus green = defaults.extract(rgb, Progress.NONE);
        assertEquals(0, green.getProcessor().getStats().histogram()[255]);
        ImagePlus red = new SketchExtractor(new SketchParameters(2, "Otsu", 0.2, 1.5, "red")).extract(rgb, Progress.NONE);
        assertTrue(red.getProcessor().getStats().histogram()[255] > 100);
    }

    @Test
    void stacksAreProcessedSliceWiseKeepingDimensionsAndCalibration() {
        ImageStack st = new ImageStack(64, 64);
        st.addSlice(darkLine());
        FloatProcessor flat = new FloatProcessor(64, 64);
        st.addSlice(flat);
        st.addSlice(darkLine());
        ImagePlus vol = new ImagePlus("volume.nii.gz", st);
        vol.setDimensions(1, 3, 1);
        Calibration cal = vol.getCalibration();
        cal.pixelWidth = 0.7; cal.pixelDepth = 3; cal.setUnit("mm");
        ImagePlus out = defaults.extract(vol, Progress.NONE);
        assertEquals("volume-sketch", out.getTitle());
        assertEquals(8, out.getBitDepth());
        assertArrayEquals(vol.getDimensions(), out.getDimensions());
        assertEquals(0.7, out.getCalibration().pixelWidth);
        assertEquals(3, out.getCalibration().pixelDepth);
        assertEquals("mm", out.getCalibration().getUnit());
        assertEquals(0, out.getStack().getProcessor(2).getStats().histogram()[255], "flat slice has no sketch");
        ImageProcessor first = out.getStack().getProcessor(1);
        for (int i = 0; i < first.getPixelCount(); i++) assertTrue(first.get(i) == 0 || first.get(i) == 255);
    }

    @Test
    void badParametersAndNaNGiveClearMessages() {
        assertThrows(UserInputException.class, () -> new SketchParameters(-1, "Otsu", 0.2, 1, "green"));
        UserInputException e = assertThrows(UserInputException.class, () -> new SketchParameters(2, "Sharpest", 0.2, 1, "green"));
        assertTrue(e.getMessage().contains("Otsu"));
        assertThrows(UserInputException.class, () -> new SketchParameters(2, "Fixed", 1.5, 1, "green"));
        FloatProcessor nan = darkLine();
        nan.setf(3, 3, Float.NaN);
        UserInputException n = assertThrows(UserInputException.class, () -> defaults.extract(new ImagePlus("n", nan), Progress.NONE));
        assertTrue(n.getMessage().contains("NaN"));
    }

    /** Number of 8-connected foreground components. */
    static int components(ByteProcessor bp) {
        int w = bp.getWidth(), h = bp.getHeight();
        int[] label = new int[w * h];
        int n = 0;
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
        for (int i = 0; i < w * h; i++) {
            if (bp.get(i) == 0 || label[i] != 0) continue;
            label[i] = ++n;
            queue.add(i);
            while (!queue.isEmpty()) {
                int p = queue.poll(), px = p % w, py = p / w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = px + dx, y = py + dy;
                        if (x < 0 || y < 0 || x >= w || y >= h) continue;
                        int q = y * w + x;
                        if (bp.get(q) != 0 && label[q] == 0) { label[q] = n; queue.add(q); }
                    }
            }
        }
        return n;
    }
}
