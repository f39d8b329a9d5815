package org.medsynth.workflow.medgan;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.image.labels.LabelVolume;
import org.medsynth.image.nifti.NiftiImages;
import org.medsynth.image.tiling.SlidingWindow;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.UNet;
import org.medsynth.core.Progress;
import org.medsynth.core.UserInputException;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MedGanSynthesisTest {

    @TempDir
    Path dir;

    /**
     * For a generator without instance norm, tiled synthesis equals one pass over the whole volume:
     * tiles start on the network's 2^depth grid (stride 8, depth 2) and a margin of 12 voxels (more
     * than the receptive-field radius of 10 of a depth-2 U-Net with 4x4x4 kernels) is dropped where
     * a neighbour covers it, so every kept voxel saw exactly the input it sees in the whole volume.
     * The noise channel is drawn for the whole volume, so tiles agree on it.
     */
    @Test
    void tiledSynthesisEqualsWholeVolumeSynthesisForANetworkWithoutInstanceNorm() {
        UNet g = UNet.builder().spatialDims(3).inChannels(3).outChannels(1).width(4).depth(2).norm(Norm.NONE).spectralNorm(true)
                .dropoutBlocks(0).upSlope(0.2).output(Activations.Output.TANH).build();
        MedGanModel m = new MedGanModel(new ParamStore(9), g, new LabelEncoding(new int[]{0, 1}), identityMapping(), 32, "test", null);
        int w = 48, h = 40, d = 44;
        LabelVolume lv = new LabelVolume(w, h, d, MedGanPhantoms.ball(w, h, d, 20, 22, 19, 13), null, 8, "ball");
        float[] whole = m.synthesizeNormalized(lv, MedGanModel.Options.defaults(5).withTile(0), Progress.NONE);
        float[] tiled = m.synthesizeNormalized(lv, MedGanModel.Options.defaults(5).withTile(32).withOverlap(0.75).withMargin(12), Progress.NONE);
        double max = 0, spread = 0;
        for (int i = 0; i < whole.length; i++) {
            max = Math.max(max, Math.abs(whole[i] - tiled[i]));
            spread = Math.max(spread, Math.abs(whole[i] - whole[0]));
        }
        assertTrue(spread > 1e-3, "the output is not constant: " + spread);
        assertTrue(max < 1e-5, "tiled and whole-volume synthesis differ by " + max);
        // without the margin the tiles' zero-padded borders leak into the blend: the test can tell
        float[] noMargin = m.synthesizeNormalized(lv, MedGanModel.Options.defaults(5).withTile(32).withOverlap(0.75).withMargin(0), Progress.NONE);
        double worst = 0;
        for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - noMargin[i]));
        assertTrue(worst > 1e-4, "tile borders change the result without a margin: " + worst);
        // another seed, another volume (the noise channel matters)
        float[] other = m.synthesizeNormalized(lv, MedGanModel.Options.defaults(6).withTile(0), Progress.NONE);
        double change = 0;
        for (int i = 0; i < whole.length; i++) change = Math.max(change, Math.abs(whole[i] - other[i]));
        assertTrue(change > 1e-4, "the seed changes the volume: " + change);
    }

    static IntensityMapping identityMapping() {
        return IntensityMapping.of(0, 100, List.of("x"), new double[]{-1}, new double[]{1}, "");
    }

    @Test
    void aSavedModelSynthesisesWithTheLabelMapsGeometryInTrainingUnits() throws Exception {
        MedGanTraining.Data data = MedGanPhantoms.data(12, 12, 12, 3);
        IntensityMapping hu = IntensityMapping.of(0.5, 99.5, List.of("ball"), new double[]{-1000}, new double[]{400}, "HU");
        data = new MedGanTraining.Data(data.cases(), data.names(), data.encoding(), hu);
        Path model = dir.resolve("medgan.zip");
        MedGanConfig cfg = MedGanTrainerTest.tiny().withIterations(2);
        MedGanTraining.Result r = MedGanTraining.train(data, model, cfg, false, Progress.NONE);
        assertEquals(2, r.completedIterations());
        MedGanModel m = MedGanModel.load(model);
        assertEquals(16, m.patch());
        assertTrue(m.noise());
        assertArrayEquals(new int[]{0, 1}, m.encoding().values());
        assertEquals(hu, m.mapping());

        int w = 20, h = 18, d = 10;
        ImagePlus labels = MedGanPhantoms.labelImage(MedGanPhantoms.ball(w, h, d, 9, 9, 5, 4), w, h, d, "case7.nii.gz");
        labels.getCalibration().xOrigin = 3;
        ImagePlus out = m.synthesize(labels, MedGanModel.Options.defaults(4), Progress.NONE);
        assertEquals("case7-synthetic", out.getTitle());
        assertEquals(32, out.getBitDepth());
        assertArrayEquals(new int[]{w, h, 1, d, 1}, out.getDimensions());
        Calibration c = out.getCalibration();
        assertEquals(0.8, c.pixelWidth, 0);
        assertEquals(2.5, c.pixelDepth, 0);
        assertEquals(3, c.xOrigin, 0);
        assertEquals("mm", c.getUnit());
        assertEquals("HU", c.getValueUnit());
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (int z = 1; z <= d; z++) {
            for (float v : (float[]) out.getStack().getPixels(z)) { min = Math.min(min, v); max = Math.max(max, v); }
        }
        assertTrue(min >= -1000 - 1e-3 && max <= 400 + 1e-3 && max > min, "values in the training range [-1000, 400] HU: " + min + ".." + max);
        assertNull(NiftiImages.storedHeader(out), "no NIfTI header to copy");

        // same model, same seed, same volume; the view of the trainer gives what the file gives
        float[] a = m.synthesizeNormalized(LabelVolume.from(labels), MedGanModel.Options.defaults(4), Progress.NONE);
        float[] b = m.synthesizeNormalized(LabelVolume.from(labels), MedGanModel.Options.defaults(4), Progress.NONE);
        assertArrayEquals(a, b);

        // a label the model does not know, a 2D map for a 3D model, a bad tile size: clear messages
        ImagePlus bad = MedGanPhantoms.labelImage(new int[w * h * d], w, h, d, "bad");
        bad.getStack().getProcessor(2).set(3, 3, 7);
        UserInputException e1 = assertThrows(UserInputException.class, () -> m.synthesize(bad, MedGanModel.Options.defaults(1), Progress.NONE));
        assertTrue(e1.getMessage().contains("label 7"), e1.getMessage());
        ImagePlus flat = MedGanPhantoms.labelImage(new int[w * h], w, h, 1, "flat");
        UserInputException e2 = assertThrows(UserInputException.class, () -> m.synthesize(flat, MedGanModel.Options.defaults(1), Progress.NONE));
        assertTrue(e2.getMessage().contains("mode=2D"), e2.getMessage());
        UserInputException e3 = assertThrows(UserInputException.class,
                () -> m.synthesize(labels, MedGanModel.Options.defaults(1).withTile(10), Progress.NONE));
        assertTrue(e3.getMessage().contains("multiple of 4"), e3.getMessage());
        // a checkpoint is not a model
        UserInputException e4 = assertThrows(UserInputException.class, () -> MedGanModel.load(MedGanTraining.checkpointFor(model)));
        assertTrue(e4.getMessage().contains("checkpoint"), e4.getMessage());
    }

    /** A loaded model folds spectral norm into its weights (W / sigma once, not per tile): same volume as the trainer's graph. */
    @Test
    void aLoadedModelWithFoldedSpectralNormGivesWhatTheTrainerGives() throws Exception {
        MedGanTraining.Data data = MedGanPhantoms.data(12, 12, 12, 3);
        MedGanConfig cfg = MedGanTrainerTest.tiny().withIterations(3);
        MedGanTrainer t = new MedGanTrainer(cfg, data.cases(), data.names(), data.encoding(), data.mapping());
        for (int s = 0; s < 3; s++) t.step(s);
        Path f = dir.resolve("fold.zip");
        t.saveModel(f, 3, List.of());
        MedGanModel loaded = MedGanModel.load(f);
        assertFalse(loaded.generator().spectralNorm(), "folded");
        assertTrue(t.model().generator().spectralNorm());
        LabelVolume lv = new LabelVolume(16, 12, 12, MedGanPhantoms.ball(16, 12, 12, 8, 6, 6, 4), null, 8, "b");
        float[] a = t.model().synthesizeNormalized(lv, MedGanModel.Options.defaults(2), Progress.NONE);
        float[] b = loaded.synthesizeNormalized(lv, MedGanModel.Options.defaults(2), Progress.NONE);
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertTrue(max < 1e-5, "folded spectral norm changes the output by " + max);
        assertEquals(MedGanModel.KIND, loaded.manifest().metadata().get("kind"));
    }

    @Test
    void twoDimensionalModeTrainsOnSlicesAndSynthesisesSliceBySlice() throws Exception {
        MedGanTraining.Data data = MedGanPhantoms.data(12, 12, 6, 3);
        Path model = dir.resolve("medgan2d.zip");
        MedGanConfig cfg = MedGanTrainerTest.tiny().withSpatialDims(2).withIterations(2);
        MedGanTraining.train(data, model, cfg, false, Progress.NONE);
        MedGanModel m = MedGanModel.load(model);
        assertEquals(2, m.spatialDims());
        ImagePlus labels = MedGanPhantoms.labelImage(MedGanPhantoms.ball(14, 10, 5, 7, 5, 2, 3), 14, 10, 5, "slices");
        ImagePlus out = m.synthesize(labels, MedGanModel.Options.defaults(1), Progress.NONE);
        assertArrayEquals(new int[]{14, 10, 1, 5, 1}, out.getDimensions());
        ImagePlus single = MedGanPhantoms.labelImage(MedGanPhantoms.ball(14, 10, 1, 7, 5, 0, 3), 14, 10, 1, "one");
        assertEquals(1, m.synthesize(single, MedGanModel.Options.defaults(1), Progress.NONE).getNSlices());
        assertEquals(SlidingWindow.Blend.GAUSSIAN, MedGanModel.Options.defaults(1).blend());
    }
}
