package org.medsynth.bench;

import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.losses.WganGp;
import org.medsynth.nn.networks.PgganConfig;
import org.medsynth.nn.networks.PgganDiscriminator;
import org.medsynth.nn.train.Adam;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Time of one WGAN-GP critic step ({@link WganGp#step}: PGGAN's D, float32, during a fade-in) on each engine, median of
 * {@code reps} steps after warm-up, as wall-clock time and as CPU time of the whole process (all threads; less
 * sensitive to other jobs on a shared machine): a quick look at what the gradient penalty costs, without the whole
 * SkrGAN benchmark.
 * <pre>
 * java -cp "target/test-classes:target/classes:$(cat cp.txt)" org.medsynth.bench.WganGpStepTiming [resolutions=16,64] [batch=4] [reps=15]
 * </pre>
 */
public final class WganGpStepTiming {
    private WganGpStepTiming() { }

    public static void main(String[] args) {
        Map<String, String> opt = BenchmarkReport.options(args, "resolutions", "batch", "reps");
        int batch = Integer.parseInt(opt.getOrDefault("batch", "4"));
        int reps = Integer.parseInt(opt.getOrDefault("reps", "15"));
        org.medsynth.nn.Backend.require();
        for (String rs : opt.getOrDefault("resolutions", "16,64").split(",")) {
            int r = Integer.parseInt(rs);
            for (Engine e : Engine.values()) {
                double[] s = medians(e, r, batch, reps);
                System.out.printf(Locale.ROOT, "WGAN-GP critic step, PGGAN D %d px, batch %d, %s: wall %.4f s, CPU %.4f s%n",
                        r, batch, e.userName(), s[0], s[1]);
            }
        }
    }

    /** Median wall-clock and process CPU seconds of a step. */
    static double[] medians(Engine engine, int resolution, int batch, int reps) {
        PgganConfig cfg = PgganConfig.builder().channels(1).maxResolution(resolution).width(0.125).build();
        PgganDiscriminator d = new PgganDiscriminator(cfg);
        ParamStore store = new ParamStore(1);
        WganGp critic;
        try (Engine.Scope s = Engine.use(engine)) {
            critic = new WganGp(store, "DS", (b, image) -> d.apply(b, image, b.scalarInput("alpha")), 1,
                    new int[]{resolution, resolution}, 10.0, 0.001, Adam.pggan());
        }
        Nd4j.getRandom().setSeed(3);
        INDArray real = Nd4j.rand(DataType.FLOAT, batch, 1, resolution, resolution).muli(2).subi(1);
        INDArray fake = Nd4j.rand(DataType.FLOAT, batch, 1, resolution, resolution).muli(2).subi(1);
        Map<String, INDArray> extra = Map.of("alpha", Nd4j.scalar(DataType.FLOAT, 0.5));
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 3; i++) critic.step(real, fake, extra, rng);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] wall = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            critic.step(real, fake, extra, rng);
            wall[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (os.getProcessCpuTime() - c0) / 1e9;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[]{wall[reps / 2], cpu[reps / 2]};
    }
}
