package org.medsynth.bench;

import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.engine.dl4j.MemoryGuard;
import org.medsynth.nn.engine.libtorch.TorchGraph;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the time of one segmentation train step goes: time per op type (summed over the graph's ops of
 * that type, measured by a SameDiff listener around each op execution), the rest of
 * {@code calculateGradientsAndOutputs} (SameDiff's own scheduling and array management), the Adam update
 * and the memory guard. A diagnostic for performance work, not a benchmark table:
 * <pre>
 * java -cp ... org.medsynth.bench.OpProfile unet 256x256 64 1 [steps=3]
 * </pre>
 * On libtorch ({@code -Dmedsynth.engine=libtorch -Dmedsynth.torch.profile=true}) the listener sees nothing; TorchGraph's
 * own timer gives the time per op kind of the replay, of autograd's backward pass and of the result copies.
 */
public final class OpProfile {

    /** Accumulates wall time per op name between {@code preOpExecution} and {@code opExecution}. */
    static final class Timer extends BaseListener {
        final Map<String, long[]> perOp = new TreeMap<>();
        /** Per op name: total nanoseconds with helpers as ND4J sets them [0] and off for the ops in noHelpers [1]. */
        final Map<String, long[]> ab = new TreeMap<>();
        boolean variantB;
        final Map<String, Long> perInstance = new TreeMap<>();
        private long start;
        boolean on;
        final java.util.Set<String> noHelpers = java.util.Set.of(System.getProperty("noHelpers", "").split(","));

        @Override
        public boolean isActive(Operation operation) { return on; }

        @Override
        public void preOpExecution(org.nd4j.autodiff.samediff.SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
            if (variantB && ctx != null && noHelpers.contains(op.getOp().opName())) ctx.allowHelpers(false);
            start = System.nanoTime();
        }

        @Override
        public void opExecution(org.nd4j.autodiff.samediff.SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx,
                                INDArray[] outputs) {
            long dt = System.nanoTime() - start;
            long[] acc = perOp.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
            acc[0] += dt;
            acc[1]++;
            ab.computeIfAbsent(op.getOp().opName(), k -> new long[2])[variantB ? 1 : 0] += dt;
            StringBuilder shapes = new StringBuilder(op.getName());
            if (ctx != null) for (INDArray in : ctx.getInputArrays()) shapes.append(' ').append(java.util.Arrays.toString(in.shape())).append(in.ordering());
            perInstance.merge(shapes.toString(), dt, Long::sum);
        }

        /** The {@code limit} op types taking most time, per {@code unit} (n units measured). */
        void printOps(int n, String unit, int limit) {
            perOp.entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0])).limit(limit)
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %-28s %8.1f ms/%s  %5d calls/%s%n", e.getKey(),
                            e.getValue()[0] / 1e6 / n, unit, e.getValue()[1] / n, unit));
        }

        /** The 25 slowest op instances, or with -Dinstances=TYPE every instance of the op types starting with TYPE. */
        void printInstances(int n, String unit) {
            String only = System.getProperty("instances", "");
            System.out.println(only.isEmpty() ? "slowest op instances:" : "op instances of " + only + "*:");
            perInstance.entrySet().stream().filter(e -> e.getKey().startsWith(only))
                    .sorted((p, q) -> Long.compare(q.getValue(), p.getValue())).limit(only.isEmpty() ? 25 : 1000)
                    .forEach(e -> System.out.printf(Locale.ROOT, "  %8.1f ms/%s  %s%n", e.getValue() / 1e6 / n, unit, e.getKey()));
        }
    }

    /**
     * SkrGAN's G_P/D_P ({@code pix2pix}) or G_S/D_S ({@code pggan RES}) iterations as in SkrGanBenchmark, or 3D-MedGAN's
     * ({@code medgan PATCH}) as in MedGanBenchmark: op times of both graphs (libtorch: TorchGraph's profile).
     */
    static void gan(String[] a) throws Exception {
        Timer timer = new Timer();
        java.util.function.IntConsumer iteration;
        Runnable attach;
        if (a[0].equals("medgan")) {
            int p = Integer.parseInt(a[1]);
            final org.medsynth.workflow.medgan.MedGanTrainer t = new org.medsynth.workflow.medgan.MedGanTrainer(
                    MedGanBenchmark.config().withPatch(p).withIterations(1_000_000), java.util.List.of(MedGanBenchmark.volume(p + 32, 4)),
                    java.util.List.of("random"), MedGanBenchmark.encoding(4), MedGanBenchmark.mapping());
            org.medsynth.workflow.medgan.MedGanTrainer.Batch batch = t.batch(0);
            Map<String, INDArray> dFeeds = t.discriminatorFeeds(batch, batch.oneHot(), batch.real());
            // "medgan P": whole iterations; "medgan P g" / "medgan P d": the G or the D step alone (as MedGanBenchmark times them)
            String only = a.length > 3 ? a[2] : "";
            iteration = only.equals("g") ? i -> t.generatorStep().run(batch.generatorFeeds())
                    : only.equals("d") ? i -> t.discriminatorStep().run(dFeeds) : t::step;
            attach = () -> {
                t.discriminatorStep().graph().sd().setListeners(timer);
                t.generatorStep().graph().sd().setListeners(timer);
            };
        } else if (a[0].equals("pix2pix")) {
            org.medsynth.workflow.skrgan.SkrGanSettings s = new org.medsynth.workflow.skrgan.SkrGanSettings("skrgan", 256, true, 7, 1, 1,
                    SkrGanBenchmark.WIDTH, SkrGanBenchmark.RENDER_WIDTH, 1).withRenderUpsample(SkrGanBenchmark.RENDER_UPSAMPLE);
            org.medsynth.nn.train.ConditionalGan render = new org.medsynth.nn.train.ConditionalGan(new ParamStore(1),
                    org.medsynth.workflow.skrgan.SkrGanNetworks.renderGenerator(s)::apply,
                    org.medsynth.workflow.skrgan.SkrGanNetworks.renderDiscriminator(s)::apply, 1, 3, new int[]{256, 256},
                    org.medsynth.nn.train.ConditionalGan.GanLoss.VANILLA, org.medsynth.workflow.skrgan.SkrGanTraining.LAMBDA_L1,
                    Adam.pix2pix(), Adam.pix2pix());
            // -DsharedGeneratorPass=false: G's fake computed again in the G step (as on DL4J)
            render.shareGeneratorPass(!"false".equals(System.getProperty("sharedGeneratorPass")));
            INDArray sketch = Nd4j.rand(DataType.FLOAT, 1, 1, 256, 256), image = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256);
            iteration = i -> render.step(sketch, image);
            attach = () -> {
                render.discriminatorStep().graph().sd().setListeners(timer);
                render.generatorStep().graph().sd().setListeners(timer);
            };
        } else {
            int r = Integer.parseInt(a[1]);
            org.medsynth.nn.networks.PgganConfig cfg = org.medsynth.nn.networks.PgganConfig.builder().channels(1).maxResolution(r)
                    .width(SkrGanBenchmark.WIDTH).build();
            org.medsynth.workflow.skrgan.ProgressiveGanTraining t = new org.medsynth.workflow.skrgan.ProgressiveGanTraining(new ParamStore(1), cfg,
                    org.medsynth.workflow.skrgan.ProgressiveSchedule.fixed(r, 100, SkrGanBenchmark.BATCH),
                    (n, res, rng) -> Nd4j.rand(DataType.FLOAT, n, 1, res, res).muli(2).subi(1), "GS", "DS", true, 1e-3, 1);
            iteration = t::step;
            attach = () -> {
                try {
                    java.lang.reflect.Field g = t.getClass().getDeclaredField("gStep");
                    g.setAccessible(true);
                    ((TrainStep) g.get(t)).graph().sd().setListeners(timer);
                    java.lang.reflect.Field c = t.getClass().getDeclaredField("critic");
                    c.setAccessible(true);
                    ((org.medsynth.nn.losses.WganGp) c.get(t)).trainStep().graph().sd().setListeners(timer);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        int steps = Integer.parseInt(a[a.length - 1]);
        iteration.accept(0);
        attach.run();
        timer.on = true;
        timer.variantB = !timer.noHelpers.contains("");   // -DnoHelpers=op,...: those ops without oneDNN in every iteration
        iteration.accept(1);
        if (TorchGraph.PROFILE != null) TorchGraph.PROFILE.clear();
        long t0 = System.nanoTime();
        for (int i = 2; i < steps + 2; i++) iteration.accept(i);
        double total = (System.nanoTime() - t0) / 1e9 / steps;
        if (TorchGraph.PROFILE != null) {
            System.out.printf(Locale.ROOT, "%s: %.3f s per iteration%n", String.join(" ", a), total);
            printTorchProfile(steps);
        }
        long ops = timer.perOp.values().stream().mapToLong(v -> v[0]).sum();
        System.out.printf(Locale.ROOT, "%s: %.3f s per iteration, of which %.3f s in ops%n", String.join(" ", a), total, ops / 1e9 / steps);
        timer.printOps(steps, "it", 25);
        timer.printInstances(steps, "it");
        System.exit(0);
    }

    /** With -Dmedsynth.engine=libtorch -Dmedsynth.torch.profile=true: TorchGraph's time per op kind, per step. */
    static void printTorchProfile(int steps) {
        long total = TorchGraph.PROFILE.values().stream().mapToLong(v -> v[0]).sum();
        System.out.printf(Locale.ROOT, "libtorch: %.3f s per step in the replayed ops, autograd and result copies:%n", total / 1e9 / steps);
        TorchGraph.PROFILE.entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0]))
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-28s %8.1f ms/step  %5d calls/step%n", e.getKey(),
                        e.getValue()[0] / 1e6 / steps, e.getValue()[1] / steps));
    }

    /** Minor page faults of this process so far (field 10 of /proc/self/stat; -1 where there is none). */
    static long minorFaults() {
        return statField(7);
    }

    /** CPU time of this process in the kernel so far, in clock ticks (field 15 of /proc/self/stat). */
    static long systemTicks() {
        return statField(12);
    }

    private static long statField(int indexAfterState) {
        try {
            String st = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            return Long.parseLong(st.substring(st.lastIndexOf(')') + 2).split(" ")[indexAfterState]);
        } catch (Exception e) {
            return -1;
        }
    }

    /** -Dinfer=true: time per op type of the inference graph's forward pass (one image, running statistics). */
    static void inference(SegmentationBenchmark.TrainCase c, String size, int steps) {
        NetBuilder ib = NetBuilder.forInference(c.store());
        org.medsynth.nn.networks.SegmentationNetwork.Output o =
                c.network().apply(ib.network("seg"), ib.input("image", 1, SegmentationBenchmark.parseSize(size)));
        String out = o.probabilities().var().name();
        INDArray one = c.feeds().get("image").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        Timer timer = new Timer();
        ib.sd().setListeners(timer);
        // on the engine selected (-Dmedsynth.engine=libtorch with -Dmedsynth.torch.profile=true: TorchGraph's profile)
        org.medsynth.nn.engine.GraphRunner runner = new org.medsynth.nn.engine.GraphRunner(ib.sd(), org.medsynth.nn.engine.Engine.selected());
        for (int i = 0; i < steps + 1; i++) {
            timer.on = i > 0;
            if (i == 1 && TorchGraph.PROFILE != null) TorchGraph.PROFILE.clear();
            long t0 = System.nanoTime();
            runner.output(Map.of("image", one), out).get(out).close();
            System.out.printf(Locale.ROOT, "inference %d: %.3f s%n", i, (System.nanoTime() - t0) / 1e9);
        }
        if (TorchGraph.PROFILE != null) printTorchProfile(steps);
        long ops = timer.perOp.values().stream().mapToLong(v -> v[0]).sum();
        System.out.printf(Locale.ROOT, "sum of op times over %d passes: %.3f s%n", steps, ops / 1e9);
        timer.printOps(steps, "pass", 20);
        timer.printInstances(steps, "pass");
        System.exit(0);
    }

    public static void main(String[] a) throws Exception {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        if (System.getProperty("ewThreshold") != null) Nd4j.getEnvironment().setElementwiseThreshold(Integer.getInteger("ewThreshold"));
        if (System.getProperty("tadThreshold") != null) Nd4j.getEnvironment().setTadThreshold(Integer.getInteger("tadThreshold"));
        System.out.println("element-wise threshold " + Nd4j.getEnvironment().elementwiseThreshold() + ", TAD threshold "
                + Nd4j.getEnvironment().tadThreshold() + ", max threads " + Nd4j.getEnvironment().maxThreads());
        if (a[0].equals("pix2pix") || a[0].equals("pggan") || a[0].equals("medgan")) {
            gan(a);
            return;
        }
        String name = a[0];
        int[] size = SegmentationBenchmark.parseSize(a[1]);
        int width = Integer.parseInt(a[2]);
        int batch = Integer.parseInt(a[3]);
        int steps = a.length > 4 ? Integer.parseInt(a[4]) : 3;
        SegmentationBenchmark.TrainCase c = SegmentationBenchmark.trainCase(name, size, width, batch);
        if (Boolean.getBoolean("infer")) {
            inference(c, a[1], steps);
            return;
        }
        NetBuilder b = c.graph();
        TrainStep step = c.step().memoryGuard(null);
        Map<String, INDArray> f = c.feeds();
        Timer timer = new Timer();
        b.sd().setListeners(timer);
        System.out.printf(Locale.ROOT, "%s %s width %d batch %d: %d ops in the graph%n", name, a[1], width, batch, b.sd().getOps().size());
        MemoryGuard guard = new MemoryGuard(0.1);
        for (int i = 0; i < steps + 1; i++) {
            timer.on = i > 0;
            if (i == 1) {
                timer.ab.clear();
                timer.perOp.clear();
                timer.perInstance.clear();
                if (TorchGraph.PROFILE != null) TorchGraph.PROFILE.clear();
            }
            timer.variantB = i % 2 == 0;
            long f0 = minorFaults(), s0 = systemTicks();
            long t0 = System.nanoTime();
            TrainStep.Result r = step.compute(f);
            long t1 = System.nanoTime();
            step.apply(r);
            r.closeGradients();
            long t2 = System.nanoTime();
            guard.afterStep();
            long t3 = System.nanoTime();
            long ops = timer.perOp.values().stream().mapToLong(v -> v[0]).sum();
            System.out.printf(Locale.ROOT, "step %d: forward+backward %.3f s, Adam+stats %.3f s, gc %.3f s, %d minor page faults, %.2f s CPU in the kernel%n",
                    i, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, minorFaults() - f0, (systemTicks() - s0) / 100.0);
            if (i == steps) {
                System.out.printf(Locale.ROOT, "peak resident memory %.2f GB%n", SegmentationBenchmark.peakRssGb());
                System.out.printf(Locale.ROOT, "sum of op times over %d steps: %.3f s%n", steps, ops / 1e9);
                timer.printOps(steps, "step", 30);
                if (TorchGraph.PROFILE != null) printTorchProfile(steps);
                if (!System.getProperty("noHelpers", "").isEmpty()) {
                    System.out.println("A/B (odd steps: helpers as set; even steps: no helpers for " + timer.noHelpers + "), ms per step:");
                    int na = (steps + 1) / 2, nb = steps / 2;
                    timer.ab.forEach((k, v) -> {
                        if (timer.noHelpers.contains(k)) System.out.printf(Locale.ROOT, "  %-28s %8.1f  %8.1f%n", k, v[0] / 1e6 / na, v[1] / 1e6 / Math.max(1, nb));
                    });
                }
                timer.printInstances(steps, "step");
            }
        }
        System.exit(0);
    }
}
