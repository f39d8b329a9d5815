package org.medsynth.bench;

import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.bytedeco.javacpp.Pointer;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.Tensor;
import org.medsynth.nn.losses.Losses;
import org.medsynth.nn.networks.PatchGan;
import org.medsynth.nn.networks.UNet;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.ConditionalGan;
import org.medsynth.nn.train.TrainStep;
import org.medsynth.util.AtomicFiles;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training-step timings of the nn toolkit and native memory (RSS) over a loop.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) -Xmx6g \
 *      -Dorg.bytedeco.javacpp.maxphysicalbytes=12G org.medsynth.bench.NnBenchmark [size] [steps] [gcEvery] [out.md]
 * </pre>
 * size: image size (256); steps: timed steps per case (10); gcEvery: System.gc() every k steps, 0 = never
 * (independent of TrainStep's MemoryGuard; disable that with -Dmedsynth.nn.gcOverhead=0);
 * writes a markdown section to out.md (default bench-out/nn-benchmark.md).
 */
public final class NnBenchmark {
    private NnBenchmark() { }

    record Run(String name, List<Double> millis, List<Double> rssMb) { }

    static double rssMb() {
        return Pointer.physicalBytes() / 1e6;
    }

    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int gcEvery = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Path out = Path.of(args.length > 3 ? args[3] : "bench-out/nn-benchmark.md");
        List<Run> runs = new ArrayList<>();
        double rss0 = rssMb();

        // 1. U-Net alone: pix2pix unet_256 layout, L1 loss, batch 1 (a supervised / segmentation-like step)
        {
            ParamStore store = new ParamStore(1);
            NetBuilder b = NetBuilder.forTraining(store, "G");
            Tensor x = b.input("x", 1, size, size);
            Tensor y = b.input("y", 1, size, size);
            UNet unet = UNet.builder().inChannels(1).outChannels(1).depth(Integer.numberOfTrailingZeros(size)).build();
            Tensor g = unet.apply(b.network("G"), x);
            SDVariable loss = Losses.l1(b.sd(), g.var(), y.var()).rename("loss");
            TrainStep step = new TrainStep(b, loss, "G", Adam.pix2pix());
            INDArray xi = Nd4j.rand(DataType.FLOAT, 1, 1, size, size);
            INDArray yi = Nd4j.rand(DataType.FLOAT, 1, 1, size, size);
            runs.add(loop("U-Net " + size + " (" + store.countTrainable("G") / 1_000_000 + "M params) L1 step, batch 1", steps, gcEvery,
                    () -> step.run(Map.of("x", xi, "y", yi))));
        }
        // 2. pix2pix iteration: D step + G step (U-Net + 70x70 PatchGAN, vanilla GAN + 100 L1)
        {
            ParamStore store = new ParamStore(2);
            UNet unet = UNet.builder().inChannels(1).outChannels(1).depth(Integer.numberOfTrailingZeros(size)).build();
            PatchGan d = PatchGan.builder().inChannels(2).build();
            ConditionalGan gan = new ConditionalGan(store, unet::apply, d::apply, 1, 1, new int[]{size, size},
                    ConditionalGan.GanLoss.VANILLA, 100, Adam.pix2pix(), Adam.pix2pix());
            INDArray c = Nd4j.rand(DataType.FLOAT, 1, 1, size, size);
            INDArray r = Nd4j.rand(DataType.FLOAT, 1, 1, size, size);
            runs.add(loop("pix2pix iteration (D step + G step) " + size + ", batch 1", steps, gcEvery, () -> gan.step(c, r)));
        }

        String load = "?";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception ignored) {
            // not Linux
        }
        StringBuilder md = new StringBuilder();
        md.append("## nn toolkit training steps (").append(size).append('x').append(size).append(")\n\n");
        md.append(String.format(Locale.ROOT, "ND4J %s, %d cores; extra System.gc() every %s; MemoryGuard max overhead %.2f "
                        + "(%d collections, %.1f s); RSS at start %.0f MB.%n%n",
                Nd4j.getBackend().getClass().getSimpleName(), Runtime.getRuntime().availableProcessors(),
                gcEvery == 0 ? "never" : gcEvery + " steps", org.medsynth.nn.engine.dl4j.MemoryGuard.global().maxOverhead(),
                org.medsynth.nn.engine.dl4j.MemoryGuard.global().collections(), org.medsynth.nn.engine.dl4j.MemoryGuard.global().collectionSeconds(), rss0));
        md.append("Load average at the end (other processes compete for the cores): ").append(load).append("\n\n");
        md.append("| case | first step (ms) | median of the rest (ms) | min (ms) | RSS after 1st / last step (MB) |\n|---|---|---|---|---|\n");
        for (Run run : runs) {
            List<Double> rest = new ArrayList<>(run.millis().subList(1, run.millis().size()));
            rest.sort(Double::compare);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f / %.0f |%n", run.name(), run.millis().get(0),
                    rest.get(rest.size() / 2), rest.get(0), run.rssMb().get(0), run.rssMb().get(run.rssMb().size() - 1)));
        }
        md.append("\nRSS per step (MB):\n\n");
        for (Run run : runs) {
            md.append("- ").append(run.name()).append(": ");
            for (double v : run.rssMb()) md.append(String.format(Locale.ROOT, "%.0f ", v));
            md.append('\n');
        }
        System.out.println(md);
        AtomicFiles.write(out, o -> o.write(md.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static Run loop(String name, int steps, int gcEvery, Runnable step) {
        List<Double> ms = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms.add((System.nanoTime() - t0) / 1e6);
            if (gcEvery > 0 && (i + 1) % gcEvery == 0) System.gc();
            rss.add(rssMb());
            System.out.printf(Locale.ROOT, "%s step %d: %.0f ms, RSS %.0f MB%n", name, i, ms.get(i), rss.get(i));
        }
        return new Run(name, ms, rss);
    }
}
