package org.medsynth.image.sketch;

import ij.ImagePlus;
import ij.plugin.filter.RankFilters;
import ij.process.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.medsynth.data.FundusPhantom;
import org.medsynth.core.Progress;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sketch of a fundus phantom recovers its known vessel tree. */
class SketchOnPhantomTest {

    /**
     * The sketch is an edge band, so it is wider than the vessels themselves (Dice against the
     * thin vessel mask is about 0.52 at 512 px with the defaults): what it must do is cover the
     * vessels (sensitivity) and stay on them (sketch pixels close to a vessel).
     */
    @Test
    void sketchCoversThePhantomVesselsAndStaysOnThem() {
        for (long seed = 1; seed <= 3; seed++) {
            FundusPhantom.Sample s = FundusPhantom.generate(512, seed);
            ImagePlus sketch = new SketchExtractor(SketchParameters.defaults()).extract(s.image(), Progress.NONE);
            // Evaluate away from the field-of-view border, whose strong edge is (rightly) part of the sketch.
            ImageProcessor inner = s.fov().getProcessor().duplicate();
            new RankFilters().rank(inner, 12, RankFilters.MIN);
            ImageProcessor near = s.vessels().getProcessor().duplicate();
            new RankFilters().rank(near, 4, RankFilters.MAX);
            ImageProcessor vessels = s.vessels().getProcessor(), sk = sketch.getProcessor();
            long both = 0, v = 0, k = 0, kNear = 0;
            for (int i = 0; i < inner.getPixelCount(); i++) {
                if (inner.get(i) == 0) continue;
                boolean a = vessels.get(i) > 0, b = sk.get(i) > 0;
                if (a) v++;
                if (b) k++;
                if (a && b) both++;
                if (b && near.get(i) > 0) kNear++;
            }
            double sensitivity = (double) both / v, onVessels = (double) kNear / k, dice = 2.0 * both / (v + k);
            String report = String.format("seed %d: sensitivity %.3f, sketch within 4 px of a vessel %.3f, Dice %.3f",
                    seed, sensitivity, onVessels, dice);
            System.out.println(report);
            assertTrue(sensitivity > 0.95, report);
            assertTrue(onVessels > 0.9, report);
            assertTrue(dice > 0.45, report);
        }
    }
}
