package org.medsynth.workflow.segment;

import ij.ImagePlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.core.Progress;
import org.medsynth.testutil.Phantoms;
import org.medsynth.nn.engine.Engine;
import org.medsynth.testutil.RecordingProgress;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same training on both engines: the same losses step by step, a model one engine wrote segments alike on the
 * other, and a run started on one engine resumes on the other.
 */
class SegmenterEnginesTest {

    @TempDir
    Path tmp;

    private SegmenterTraining.Result train(Engine engine, SegmenterSettings s, Path model, boolean resume, Progress progress) throws Exception {
        try (Engine.Scope scope = Engine.use(engine)) {
            return SegmenterTraining.run(s, tmp.resolve("images"), tmp.resolve("labels"), model, resume, progress);
        }
    }

    @Test
    void dl4jAndLibtorchTrainAlikeAndShareModels() throws Exception {
        SegmentationFixtures.writePairs(tmp, 4, 16, 1, 9);
        SegmenterSettings s = SegmenterTrainingTest.tiny("attention-unet", new int[]{16, 16}, 6).withValidation(0, 0);
        Path a = tmp.resolve("dl4j/m.zip"), b = tmp.resolve("libtorch/m.zip"), c = tmp.resolve("mixed/m.zip");
        SegmenterTraining.Result onDl4j = train(Engine.DL4J, s, a, false, Progress.NONE);
        SegmenterTraining.Result onTorch = train(Engine.LIBTORCH, s, b, false, Progress.NONE);
        List<Double> la = onDl4j.losses().values("dice"), lb = onTorch.losses().values("dice");
        assertEquals(6, lb.size());
        for (int i = 0; i < la.size(); i++) {
            assertEquals(la.get(i), lb.get(i), 1e-4, "Dice loss at step " + (i + 1) + ": dl4j " + la + " libtorch " + lb);
        }
        assertEquals("libtorch", SegmenterModel.load(b).training().get("engine"));
        assertEquals("dl4j", SegmenterModel.load(a).training().get("engine"));

        // the libtorch model segments the same on both engines
        ImagePlus img = Phantoms.image(Phantoms.phantom2d(40, 0.15, new Random(3)), "unseen.tif");
        float[][] probs = new float[2][];
        int k = 0;
        for (Engine e : Engine.values()) {
            try (Engine.Scope scope = Engine.use(e)) {
                ImagePlus p = Segmenter.load(b).segment(img, null, 0.5, true, Progress.NONE).probabilities();
                probs[k++] = (float[]) p.getStack().getProcessor(2).convertToFloatProcessor().getPixels();
            }
        }
        double diff = 0;
        for (int i = 0; i < probs[0].length; i++) diff = Math.max(diff, Math.abs(probs[0][i] - probs[1][i]));
        assertTrue(diff < 1e-4, "probabilities differ by " + diff);

        // started on DL4J, cancelled after 3 steps, resumed on libtorch: the losses of the DL4J-only run
        SegmenterTraining.Result first = train(Engine.DL4J, s, c, false, new RecordingProgress().stopAfter(3));
        assertTrue(first.cancelled());
        SegmenterTraining.Result second = train(Engine.LIBTORCH, s, c, true, Progress.NONE);
        List<Double> lc = second.losses().values("dice");
        assertEquals(6, lc.size());
        for (int i = 0; i < la.size(); i++) assertEquals(la.get(i), lc.get(i), 1e-4, "resumed run, step " + (i + 1));
        assertEquals("libtorch", SegmenterModel.load(c).training().get("engine"));
    }
}
