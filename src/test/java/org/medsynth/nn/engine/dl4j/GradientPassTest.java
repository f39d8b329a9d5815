package org.medsynth.nn.engine.dl4j;

import org.medsynth.nn.train.TrainStep;
import org.medsynth.nn.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.testutil.GlibcHeap;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The early-freeing pass gives exactly ND4J's own results (outputs and every gradient, bit for bit) for every
 * segmentation network in 2D and 3D, over two consecutive passes (the second reuses nothing of the first).
 * If the session released an array too early, a later op would overwrite it and some gradient would differ.
 */
class GradientPassTest {

    static Stream<Arguments> networks() {
        List<Arguments> l = new ArrayList<>();
        for (String n : SegmentationNetworkFamily.names()) {
            l.add(Arguments.of(n, new int[]{16, 16}));
            l.add(Arguments.of(n, new int[]{8, 8, 8}));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void sameOutputsAndGradientsAsNd4j(String name, int[] size) {
        Map<String, INDArray> ours = run(name, size, true), nd4j = run(name, size, false);
        assertEquals(nd4j.keySet(), ours.keySet());
        for (String k : nd4j.keySet()) assertEquals(nd4j.get(k), ours.get(k), k);
    }

    /**
     * The point of the early-freeing pass: the native memory alive at its peak is well below that of ND4J's own
     * pass, which keeps every array until the pass ends (measured with glibc's in-use counter after every op).
     */
    @Test
    void peakNativeMemoryIsLowerThanNd4jsPass() {
        assumeTrue(GlibcHeap.available(), "needs glibc's mallinfo2");
        // ours first: ND4J's pass leaves its arrays to the garbage collector, which would free them during the next pass
        long ours = peakDuringPass(true), nd4j = peakDuringPass(false);
        assertTrue(ours < 0.7 * nd4j, "peak during the pass: " + ours / 1e6 + " MB vs ND4J's " + nd4j / 1e6 + " MB");
    }

    private static long peakDuringPass(boolean freeEarly) {
        String before = System.getProperty(EngineOptions.FREE_EARLY);
        System.setProperty(EngineOptions.FREE_EARLY, String.valueOf(freeEarly));
        try {
            int[] size = {16, 64, 64};
            SegmentationNetwork net = SegmentationNetworkFamily.create("unet", SegConfig.paper(3, 1, 2).withWidth(8).withDepth(2));
            NetBuilder b = NetBuilder.forTraining(new ParamStore(5), "seg");
            SegmentationNetwork.Training t = net.training(b, "seg", 1, size);
            b.sd().setLossVariables(t.loss().name());
            INDArray image = Nd4j.randn(DataType.FLOAT, 2, 1, 16, 64, 64);
            INDArray fg = Nd4j.rand(DataType.FLOAT, 2, 1, 16, 64, 64).gt(0.5).castTo(DataType.FLOAT);
            Map<String, INDArray> feeds = Map.of(SegmentationNetwork.IMAGE, image, SegmentationNetwork.TARGET, Nd4j.concat(1, fg.rsub(1), fg));
            long[] peak = {0};
            b.sd().setListeners(new BaseListener() {
                @Override
                public boolean isActive(Operation operation) {
                    return true;
                }

                @Override
                public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
                    peak[0] = Math.max(peak[0], GlibcHeap.inUse());
                }
            });
            System.gc();
            long start = GlibcHeap.inUse();
            peak[0] = start;
            GradientPass.run(b.sd(), feeds, List.of(t.loss().name()), b.trainableVariables("seg"));
            return peak[0] - start;
        } finally {
            if (before == null) System.clearProperty(EngineOptions.FREE_EARLY);
            else System.setProperty(EngineOptions.FREE_EARLY, before);
        }
    }

    /** Loss and gradients of two passes with the same feeds (names prefixed with the pass number). */
    private static Map<String, INDArray> run(String name, int[] size, boolean freeEarly) {
        String before = System.getProperty(EngineOptions.FREE_EARLY);
        System.setProperty(EngineOptions.FREE_EARLY, String.valueOf(freeEarly));
        try {
            SegmentationNetwork net = SegmentationNetworkFamily.create(name, SegConfig.paper(size.length, 1, 2).withWidth(2).withDepth(2));
            NetBuilder b = NetBuilder.forTraining(new ParamStore(5), "seg");
            SegmentationNetwork.Training t = net.training(b, "seg", 1, size);
            Nd4j.getRandom().setSeed(11);
            long[] shape = new long[2 + size.length];
            shape[0] = 2;
            shape[1] = 1;
            for (int i = 0; i < size.length; i++) shape[2 + i] = size[i];
            INDArray image = Nd4j.randn(DataType.FLOAT, shape);
            long[] tshape = shape.clone();
            tshape[1] = 2;
            INDArray fg = Nd4j.rand(DataType.FLOAT, shape).gt(0.5).castTo(DataType.FLOAT);
            INDArray target = Nd4j.concat(1, fg.rsub(1), fg);
            assertEquals(List.of(tshape[1]), List.of(target.size(1)));
            Map<String, INDArray> feeds = new HashMap<>();
            feeds.put(SegmentationNetwork.IMAGE, image);
            feeds.put(SegmentationNetwork.TARGET, target);
            if (net.usesMutualInformation()) feeds.putAll(InfoMaxNet.feeds(image, null, new SplittableRandom(3)));
            b.sd().setLossVariables(t.loss().name());
            List<String> vars = b.trainableVariables("seg");
            Map<String, INDArray> r = new HashMap<>();
            for (int pass = 0; pass < 2; pass++) {
                OutAndGrad og = GradientPass.run(b.sd(), TrainStep.onlyPlaceholders(b.sd(), feeds), List.of(t.loss().name()), vars);
                r.put(pass + ":loss", og.getOutputs().get(t.loss().name()).dup());
                for (String v : vars) {
                    assertNotNull(og.getGradients().get(v), "gradient of " + v);
                    r.put(pass + ":" + v, og.getGradients().get(v).dup());
                }
            }
            return r;
        } finally {
            if (before == null) System.clearProperty(EngineOptions.FREE_EARLY);
            else System.setProperty(EngineOptions.FREE_EARLY, before);
        }
    }
}
