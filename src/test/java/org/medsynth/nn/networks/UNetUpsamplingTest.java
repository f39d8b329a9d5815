package org.medsynth.nn.networks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Activations;
import org.medsynth.nn.layers.Norm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Up-sampling checkerboards (Odena et al., Distill 2016). On a constant input every voxel far enough from the
 * border sees the same input, so a generator without a built-in pattern gives a constant output there. The
 * 4x4 stride-2 transposed convolution (pix2pix) does not: its even and odd output voxels use different kernel
 * taps, a period-2 pattern in every freshly initialised network. Nearest x2 + 3x3 convolution (PGGAN's
 * up-sampling) cannot create one.
 */
public class UNetUpsamplingTest {

    /** G (random weights, seed) on a constant input of {@code size}^dims; returns the first output channel, c-order. */
    public static float[] constantResponse(UNet g, int size, long seed) {
        NetBuilder b = NetBuilder.forInference(new ParamStore(seed));
        int[] sp = new int[g.spatialDims()];
        java.util.Arrays.fill(sp, size);
        Tensor in = b.input("x", g.inChannels(), sp);
        Tensor out = g.apply(b.network("G"), in);
        long[] shape = new long[2 + sp.length];
        shape[0] = 1;
        shape[1] = g.inChannels();
        for (int i = 0; i < sp.length; i++) shape[2 + i] = size;
        INDArray x = Nd4j.zeros(DataType.FLOAT, shape);
        x.slice(0).slice(0).assign(1); // channel 0 = 1 everywhere (a one-hot map of one label), the rest 0
        INDArray y = b.sd().output(Map.of("x", x), out.var().name()).get(out.var().name());
        return y.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** Largest deviation from the mean inside the central cube [lo, hi)^dims of a size^dims output. */
    public static double interiorSpread(float[] y, int dims, int size, int lo, int hi) {
        double sum = 0;
        int n = 0;
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (int z = dims == 3 ? lo : 0; z < (dims == 3 ? hi : 1); z++)
            for (int yy = lo; yy < hi; yy++)
                for (int x = lo; x < hi; x++) {
                    double v = y[x + size * (yy + size * z)];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                    n++;
                }
        return max - min;
    }

    static UNet unet(int dims, int depth, Norm norm, UNet.Upsample up) {
        return UNet.builder().spatialDims(dims).inChannels(2).outChannels(1).width(8).depth(depth).norm(norm)
                .dropoutBlocks(0).upSlope(0.2).upsample(up).output(Activations.Output.TANH).build();
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 64, 24, 40, INSTANCE", "2, 3, 64, 24, 40, BATCH", "3, 2, 32, 10, 22, INSTANCE"})
    void nearestUpsamplingLeavesNoCheckerboardWhereTransposedConvolutionDoes(int dims, int depth, int size, int lo, int hi, Norm norm) {
        double nearest = interiorSpread(constantResponse(unet(dims, depth, norm, UNet.Upsample.NEAREST), size, 3), dims, size, lo, hi);
        double skip = interiorSpread(constantResponse(unet(dims, depth, norm, UNet.Upsample.NEAREST_INPUT_SKIP), size, 3), dims, size, lo, hi);
        double transposed = interiorSpread(constantResponse(unet(dims, depth, norm, UNet.Upsample.TRANSPOSED), size, 3), dims, size, lo, hi);
        assertTrue(nearest < 1e-5, "nearest + conv: constant interior, spread " + nearest);
        assertTrue(skip < 1e-5, "nearest + conv with the input skip: constant interior, spread " + skip);
        assertTrue(transposed > 1e-3, "the test sees the transposed convolution's checkerboard, spread " + transposed);
    }

    @Test
    void theUpsamplingIsPartOfTheSavedSettingsAndOlderSettingsMeanTransposed() {
        UNet n = unet(3, 2, Norm.INSTANCE, UNet.Upsample.NEAREST);
        assertEquals("NEAREST", n.toMap().get("upsample"));
        assertEquals(UNet.Upsample.NEAREST, UNet.fromMap(n.toMap()).upsample());
        UNet k = unet(3, 2, Norm.INSTANCE, UNet.Upsample.NEAREST_INPUT_SKIP);
        assertEquals(UNet.Upsample.NEAREST_INPUT_SKIP, UNet.fromMap(k.toMap()).upsample());
        UNet t = unet(3, 2, Norm.INSTANCE, UNet.Upsample.TRANSPOSED);
        assertFalse(t.toMap().containsKey("upsample"), "a transposed U-Net writes the settings older builds wrote");
        Map<String, Object> old = new LinkedHashMap<>(n.toMap());
        old.remove("upsample");
        assertEquals(UNet.Upsample.TRANSPOSED, UNet.fromMap(old).upsample(), "a manifest without the field is an older model");
        assertEquals(UNet.Upsample.TRANSPOSED, UNet.pix2pix(3, 3).build().upsample(), "pix2pix's unet_256 stays as published");
    }

    /** PGGAN's generator (SkrGAN's G_S) up-samples nearest + 3x3 conv: the parameters of a block are two 3x3 convolutions. */
    @Test
    void pgganGrowsWithNearestUpsamplingAndThreeByThreeConvolutions() {
        PgganGenerator g = new PgganGenerator(PgganConfig.builder().channels(1).maxResolution(16).width(0.01).build());
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forInference(store);
        g.apply(b.network("GS"), b.vectorInput("z", g.config().latentSize()), 16, null);
        assertArrayEquals(new long[]{3, 3, g.config().nf(2), g.config().nf(3)}, store.array("GS/b16/conv0/W").shape());
        assertTrue(b.sd().ops().length > 0);
        assertFalse(java.util.Arrays.stream(b.sd().ops()).anyMatch(o -> o.opName().toLowerCase().contains("deconv")), "no transposed convolution");
    }
}
