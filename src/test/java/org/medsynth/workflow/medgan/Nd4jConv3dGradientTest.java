package org.medsynth.workflow.medgan;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv3DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** ND4J's 3D convolution weight gradients against a brute-force reference, for the sizes 3D-MedGAN uses. */
class Nd4jConv3dGradientTest {
    static void poison() {
        for (int i = 0; i < 40; i++) {
            INDArray a = Nd4j.create(DataType.FLOAT, 1000L << (i % 12)).assign(Float.NaN);
            a.close();
        }
    }

    /** dL/dW for L = sum(y * g) with a fixed random g: linear in x, so dW = correlation of x and g; reference by brute force. */
    static double check(int dims, boolean deconv, int cin, int cout, int in) { return check(dims, deconv, cin, cout, in, 2); }

    static double check(int dims, boolean deconv, int cin, int cout, int in, int st) {
        SameDiff sd = SameDiff.create();
        Nd4j.getRandom().setSeed(1);
        long[] xs = dims == 3 ? new long[]{1, cin, in, in, in} : new long[]{1, cin, in, in};
        INDArray xa = Nd4j.rand(DataType.DOUBLE, xs).castTo(DataType.FLOAT);
        SDVariable x = sd.var("x", xa);
        long[] ws = dims == 3 ? (deconv ? new long[]{4, 4, 4, cout, cin} : new long[]{4, 4, 4, cin, cout}) : (deconv ? new long[]{4, 4, cout, cin} : new long[]{4, 4, cin, cout});
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, ws));
        SDVariable y;
        if (dims == 3) {
            y = deconv ? sd.cnn().deconv3d("y", x, w, DeConv3DConfig.builder().kD(4).kH(4).kW(4).sD(2).sH(2).sW(2).pD(1).pH(1).pW(1).dataFormat("NCDHW").build())
                    : sd.cnn().conv3d("y", x, w, Conv3DConfig.builder().kD(4).kH(4).kW(4).sD(st).sH(st).sW(st).pD(1).pH(1).pW(1).dataFormat("NCDHW").build());
        } else {
            y = deconv ? sd.cnn().deconv2d("y", x, w, DeConv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).dataFormat("NCHW").build())
                    : sd.cnn().conv2d("y", x, w, Conv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).dataFormat("NCHW").build());
        }
        INDArray yv = sd.output(Map.of(), "y").get("y");
        INDArray g = Nd4j.rand(DataType.FLOAT, yv.shape());
        SDVariable loss = y.mul(sd.constant("g", g)).sum().rename("loss");
        sd.setLossVariables(loss);
        INDArray gw = sd.calculateGradients(Map.of(), List.of("w", "x")).get("w").dup();
        poison();
        INDArray gw2 = sd.calculateGradients(Map.of(), List.of("w", "x")).get("w").dup();
        // reference: dW[k.., ci, co] = sum over output positions of x[ci, in pos] * g[co, out pos]
        int out = (int) yv.size(2);
        double[] ref = new double[(int) gw.length()];
        float[] xf = xa.dup('c').data().asFloat(), gf = g.dup('c').data().asFloat();
        int sp = dims == 3 ? 3 : 2;
        int inVox = (int) Math.pow(in, sp), outVox = (int) Math.pow(out, sp);
        int kVox = (int) Math.pow(4, sp);
        for (int ci = 0; ci < cin; ci++)
            for (int co = 0; co < cout; co++)
                for (int ko = 0; ko < kVox; ko++) {
                    int[] k = idx(ko, 4, sp);
                    double s = 0;
                    if (!deconv) {
                        for (int o = 0; o < outVox; o++) {
                            int[] p = idx(o, out, sp);
                            int iv = 0; boolean ok = true;
                            for (int a = 0; a < sp; a++) { int q = st * p[a] - 1 + k[a]; if (q < 0 || q >= in) ok = false; iv = iv * in + q; }
                            if (ok) s += xf[ci * inVox + iv] * gf[co * outVox + o];
                        }
                    } else {
                        for (int i = 0; i < inVox; i++) {
                            int[] p = idx(i, in, sp);
                            int ov = 0; boolean ok = true;
                            for (int a = 0; a < sp; a++) { int q = 2 * p[a] - 1 + k[a]; if (q < 0 || q >= out) ok = false; ov = ov * out + q; }
                            if (ok) s += xf[ci * inVox + i] * gf[co * outVox + ov];
                        }
                    }
                    int flat = deconv ? (ko * cout + co) * cin + ci : (ko * cin + ci) * cout + co;
                    ref[flat] = s;
                }
        float[] got = gw.dup('c').data().asFloat(), got2 = gw2.dup('c').data().asFloat();
        double err = 0, mx = 0;
        for (int i = 0; i < ref.length; i++) {
            err = Math.max(err, Math.max(Math.abs(got[i] - ref[i]), Math.abs(got2[i] - ref[i])));
            mx = Math.max(mx, Math.abs(ref[i]));
        }
        return err / mx;
    }

    static int[] idx(int flat, int n, int sp) {
        int[] r = new int[sp];
        for (int a = sp - 1; a >= 0; a--) { r[a] = flat % n; flat /= n; }
        return r;
    }

    /**
     * The 3D layers a 3D-MedGAN trains with ({@link MedGanConfig#MIN_INNERMOST_3D}: inputs of 4x4x4
     * stride-2 convolutions are at least 8 wide, of transposed ones at least 4) get correct weight
     * gradients, also after the allocator hands out memory full of NaN. For the record: with a 4-wide
     * input (conv, 16 -> 32 channels) or a 2-wide one (transposed, 32 -> 16) ND4J 1.0.0-M2.1 returns
     * uninitialised values (relative errors of 1e20 and NaN here); 2D convolutions of those sizes are right.
     */
    @Test
    void weightGradientsOfTheAllowed3dLayersAreRight() {
        for (int in : new int[]{8, 16}) {
            for (int[] c : new int[][]{{16, 32}, {32, 64}, {5, 16}}) {
                double conv = check(3, false, c[0], c[1], in);
                assertTrue(conv < 1e-5, "conv3d " + c[0] + "->" + c[1] + " on " + in + "^3: relative error " + conv);
            }
        }
        for (int in : new int[]{4, 8}) {
            for (int[] c : new int[][]{{64, 32}, {32, 16}, {32, 1}}) {
                double deconv = check(3, true, c[0], c[1], in);
                assertTrue(deconv < 1e-5, "deconv3d " + c[0] + "->" + c[1] + " on " + in + "^3: relative error " + deconv);
            }
        }
        for (int in : new int[]{3, 4, 5}) {
            double s1 = check(3, false, 64, 128, in, 1);
            assertTrue(s1 < 1e-5, "stride-1 conv3d 64->128 on " + in + "^3 (D's last layers): relative error " + s1);
        }
    }
}
