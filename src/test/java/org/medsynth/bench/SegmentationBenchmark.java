package org.medsynth.bench;

import org.bytedeco.javacpp.Pointer;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworks;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.testutil.Phantoms;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Train-step and inference time of the segmentation networks for one 256 x 256 slice (batch 1,
 * 1 channel, 3 classes) at the paper's width (64 feature maps at the first level, 3
 * down-samplings, batch norm), Adam. Writes a markdown section into the given file (default
 * docs/benchmarks.md), replacing an earlier one:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-opens=java.base/java.lang=ALL-UNNAMED -Xmx6g -Dorg.bytedeco.javacpp.maxphysicalbytes=12G \
 *      -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *      org.medsynth.bench.SegmentationBenchmark docs/benchmarks.md [steps] [networks...]
 * </pre>
 * Default networks: unet, mlu-net; "all" adds attention-unet, unet++, info-max-net, im-mlu-net
 * (the MI networks with batch 2, which they need for negative pairs).
 */
public final class SegmentationBenchmark {

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> nets = new ArrayList<>(args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of("unet", "mlu-net"));
        if (nets.contains("all")) nets = new ArrayList<>(SegmentationNetworks.NAMES);
        List<String> rows = new ArrayList<>();
        String load0 = loadAverage();
        for (String name : nets) {
            rows.add(run(name, Norm.BATCH, steps));
            System.out.println(rows.get(rows.size() - 1));
        }
        rows.add(run("unet", Norm.NONE, steps));
        System.out.println(rows.get(rows.size() - 1));
        rows.add(reference(steps));
        System.out.println(rows.get(rows.size() - 1));
        StringBuilder md = new StringBuilder();
        md.append("## Segmentation networks (org.medsynth.nn.networks)\n\n");
        md.append("`org.medsynth.bench.SegmentationBenchmark` on this machine (").append(BenchmarkReport.machine())
                .append(", ND4J 1.0.0-M2.1 oneDNN CPU, float32). ")
                .append("One 256 x 256 slice, 1 channel, 3 classes, the paper's width (64 feature maps at the first level, 3 "
                        + "down-samplings), batch norm (the default) and, for U-Net, without normalisation. Train step = forward + backward + Adam update (soft Dice eq. 1, plus deep "
                        + "supervision for MLU-Net and the BCE of the critic for the MI networks, which run with batch 2 to have "
                        + "negative pairs); inference = forward pass of the INFERENCE graph on one 256 x 256 tile. Mean of ")
                .append(steps).append(" runs after 2 warm-up runs. ")
                .append("Load average before/after: ").append(load0).append(" / ").append(loadAverage())
                .append(" (other jobs on the shared machine slow the numbers down; the last row, a network measured at 1.9 s per "
                        + "step on a quiet machine in docs/design.md, gives the scale). Batch norm is built from element-wise "
                        + "SameDiff ops (memory-bound) and about doubles the step time.\n\n");
        md.append("| network | batch | parameters | train step (s) | inference (s) | resident memory after (GB) |\n|---|---|---|---|---|---|\n");
        for (String s : rows) md.append(s).append('\n');
        BenchmarkReport.writeSection(target, "segmentation", md.toString());
        System.out.println(md);
    }

    static String run(String name, Norm norm, int steps) {
        SegmentationNetwork net = SegmentationNetworks.create(name, SegConfig.paper(2, 1, 3).withNorm(norm));
        int batch = net.usesMutualInformation() ? 2 : 1;
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        Tensor x = b.input("image", 1, 256, 256);
        SDVariable target = b.sd().placeHolder("target", DataType.FLOAT, -1, 3, 256, 256);
        SegmentationNetwork.Training t = net.training(b.network("seg"), x, target);
        TrainStep step = new TrainStep(b, t.loss(), "seg", new Adam(1e-4, 0.9, 0.999, 1e-8));
        Random r = new Random(1);
        SplittableRandom sr = new SplittableRandom(2);
        double train = 0;
        for (int i = 0; i < steps + 2; i++) {
            INDArray[] data = Phantoms.batch2d(batch, 256, 0.15, r);
            Map<String, INDArray> f = new HashMap<>();
            f.put("image", data[0]);
            f.put("target", data[1]);
            if (net.usesMutualInformation()) f.putAll(InfoMaxNet.feeds(data[0], null, sr));
            long t0 = System.nanoTime();
            step.run(f);
            if (i >= 2) train += (System.nanoTime() - t0) / 1e9;
        }
        train /= steps;
        NetBuilder ib = NetBuilder.forInference(store);
        SegmentationNetwork.Output o = net.apply(ib.network("seg"), ib.input("image", 1, 256, 256));
        String out = o.probabilities().var().name();
        INDArray img = Phantoms.batch2d(1, 256, 0.15, r)[0];
        double infer = 0;
        for (int i = 0; i < steps + 2; i++) {
            long t0 = System.nanoTime();
            ib.sd().output(Map.of("image", img), out).get(out).close();
            if (i >= 2) infer += (System.nanoTime() - t0) / 1e9;
        }
        infer /= steps;
        System.gc();
        return String.format(Locale.ROOT, "| %s (%s) | %d | %,d | %.2f | %.3f | %.2f |", name, norm == Norm.NONE ? "no norm" : norm.name().toLowerCase(Locale.ROOT) + " norm",
                batch, store.countTrainable(null), train, infer, Pointer.physicalBytes() / 1e9);
    }

    /** The nn toolkit's pix2pix unet_256 (L1 loss, batch 1) as a yardstick: docs/design.md measured 1.9 s per step on a quiet machine. */
    static String reference(int steps) {
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forTraining(store, "G");
        Tensor x = b.input("image", 1, 256, 256);
        SDVariable target = b.sd().placeHolder("target", DataType.FLOAT, -1, 3, 256, 256);
        Tensor y = UNet.builder().inChannels(1).outChannels(3).depth(8).dropoutBlocks(0).build().apply(b.network("G"), x);
        TrainStep step = new TrainStep(b, Losses.l1(b.sd(), y.var(), target).rename("l1"), "G", new Adam(1e-4, 0.9, 0.999, 1e-8));
        INDArray[] data = Phantoms.batch2d(1, 256, 0.15, new Random(1));
        Map<String, INDArray> f = Map.of("image", data[0], "target", data[1]);
        double train = BenchmarkReport.secondsPerCall(2, steps, i -> step.run(f));
        return String.format(Locale.ROOT, "| reference: pix2pix unet_256 (nn toolkit, L1) | 1 | %,d | %.2f | | %.2f |",
                store.countTrainable(null), train, Pointer.physicalBytes() / 1e9);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
