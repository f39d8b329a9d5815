package org.medsynth.bench;

import org.medsynth.nn.engine.dl4j.FusedBatchNormOp;
import org.medsynth.nn.EngineOptions;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.layers.BatchNorm;
import org.medsynth.nn.networks.InfoMaxNet;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Segmentation networks, MedSynth vs PyTorch in the same run: train step (forward + soft Dice, plus
 * deep supervision for MLU-Net and the mutual-information BCE for the Info-Max networks, + backward +
 * Adam) and inference (forward of the INFERENCE graph to the class probabilities) for one 256 x 256
 * slice and one 48 x 256 x 256 volume (1 channel, 3 classes, batch 1; the MI networks batch 2, which
 * they need for negative pairs), and the peak resident memory of each side.
 *
 * <p>Every case runs in a fresh process on each side, so that the peak memory (VmHWM of the JVM, ru_maxrss
 * of Python) belongs to that case alone: MedSynth in a child JVM with this JVM's options
 * ({@code --worker}), PyTorch by {@code src/test/python/bench_segmentation_torch.py} (the same networks
 * written in PyTorch; the parameter counts of both are in the table). Writes the section
 * "segmentation" of the given markdown file (default docs/benchmarks.md):
 * <pre>
 * mvn -B -o test-compile package -DskipTests
 * java -cp "target/test-classes:target/classes:target/imagej/ij.jar:target/imagej/lib/medsynth/*" --add-opens=java.base/java.lang=ALL-UNNAMED \
 *      -Xmx8g -Dorg.bytedeco.javacpp.maxphysicalbytes=16G org.medsynth.bench.SegmentationBenchmark docs/benchmarks.md \
 *      [warmup=1] [steps=2] [networks=all|unet,mlu-net,...] [cases=2d,3d] [width2d=64] [width3d=16] [size3d=48x256x256]
 *      [composed=true] [python=/usr/bin/python3] [rounds=1] [section=segmentation]
 * </pre>
 * {@code rounds=3} runs each case three times alternating the MedSynth and PyTorch processes and reports the median
 * of the rounds; {@code section=ID} writes into its own section of the target file.
 * {@code composed=true} adds a MedSynth-only row for the 2D U-Net with batch norm built from element-wise
 * ops ({@link BatchNorm.Implementation#COMPOSED}, the implementation before the fused kernels).
 */
public final class SegmentationBenchmark {
    static final int CLASSES = 3;
    static final int DEPTH = 3;
    static final String SCRIPT = "src/test/python/bench_segmentation_torch.py";
    static final long CASE_TIMEOUT_MIN = 20;

    /** One benchmark case. */
    record Case(String network, int[] size, int width, int batch) {
        int dims() { return size.length; }

        String sizeText() {
            return Arrays.stream(size).mapToObj(Integer::toString).collect(Collectors.joining("x"));
        }

        @Override
        public String toString() {
            return network + " " + sizeText() + " width " + width + " batch " + batch;
        }
    }

    /** What one side measured (null fields: failed, with {@code error}). */
    record Measured(long parameters, double train, List<Double> trainAll, double infer, double peakRssGb, String error) {
        static Measured failed(String why) {
            return new Measured(-1, Double.NaN, List.of(), Double.NaN, Double.NaN, why);
        }

        boolean ok() { return error == null; }

        /**
         * One figure per side from several rounds of the same case: the median of the rounds' mean times (robust against
         * one round disturbed by the shared machine), all timed steps, the largest peak memory; failed if any round failed.
         */
        static Measured medianOf(List<Measured> rounds) {
            for (Measured m : rounds) if (!m.ok()) return m;
            if (rounds.size() == 1) return rounds.get(0);
            List<Double> all = new ArrayList<>();
            rounds.forEach(m -> all.addAll(m.trainAll()));
            return new Measured(rounds.get(0).parameters(), BenchmarkReport.medianOfNumbers(rounds.stream().map(Measured::train).toList()), all,
                    BenchmarkReport.medianOfNumbers(rounds.stream().map(Measured::infer).toList()),
                    rounds.stream().mapToDouble(Measured::peakRssGb).max().orElse(Double.NaN), null);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--worker")) {
            worker(args);
            return;
        }
        Path target = Path.of(args.length > 0 && !args[0].contains("=") ? args[0] : "docs/benchmarks.md");
        Map<String, String> opt = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 0) opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "1"));
        int steps = Integer.parseInt(opt.getOrDefault("steps", "2"));
        // rounds=R: each case R times, alternating MedSynth and PyTorch processes, so that a slow spell of the shared machine
        // hits both sides; section=ID writes the table into its own docs section (e.g. a 2D-only re-run beside the full table)
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "1"));
        String sectionId = opt.getOrDefault("section", "segmentation");
        String nets = opt.getOrDefault("networks", "all");
        List<String> networks = nets.equals("all") ? SegmentationNetworkFamily.names() : Arrays.asList(nets.split(","));
        List<String> cases = Arrays.asList(opt.getOrDefault("cases", "2d,3d").split(","));
        int width2d = Integer.parseInt(opt.getOrDefault("width2d", "64"));
        int width3d = Integer.parseInt(opt.getOrDefault("width3d", "16"));
        int[] size3d = parseSize(opt.getOrDefault("size3d", "48x256x256"));
        int[] size2d = parseSize(opt.getOrDefault("size2d", "256x256"));
        boolean composed = Boolean.parseBoolean(opt.getOrDefault("composed", "true"));
        // libtorch=false leaves out the column of MedSynth on its libtorch engine
        boolean libtorch = Boolean.parseBoolean(opt.getOrDefault("libtorch", "true"));
        String python = opt.getOrDefault("python", "/usr/bin/python3");

        List<String> rows = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        String torchVersion = "?";
        String load0 = loadAverage();
        long start = System.nanoTime();
        int total = cases.size() * networks.size(), done = 0;
        for (String dims : cases) {
            for (String n : networks) {
                int batch = SegmentationNetworkFamily.create(n, SegConfig.paper(2, 1, CLASSES)).usesMutualInformation() ? 2 : 1;
                Case c = dims.equals("3d") ? new Case(n, size3d, width3d, batch) : new Case(n, size2d, width2d, batch);
                String before = loadAverage();
                List<Measured> javaRounds = new ArrayList<>(), libtorchRounds = new ArrayList<>(), torchRounds = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    javaRounds.add(runJava(c, warmup, steps, null, "dl4j"));
                    System.out.println("MedSynth on DL4J     " + c + " round " + (r + 1) + ": " + javaRounds.get(r));
                    if (libtorch) {
                        libtorchRounds.add(runJava(c, warmup, steps, null, "libtorch"));
                        System.out.println("MedSynth on libtorch " + c + " round " + (r + 1) + ": " + libtorchRounds.get(r));
                    }
                    torchRounds.add(runPython(python, c, warmup, steps));
                    System.out.println("PyTorch              " + c + " round " + (r + 1) + ": " + torchRounds.get(r));
                }
                Measured java = Measured.medianOf(javaRounds);
                Measured onLibtorch = libtorch ? Measured.medianOf(libtorchRounds) : null;
                Measured torch = Measured.medianOf(torchRounds);
                if (torch.ok() && torchVersion.equals("?")) torchVersion = lastTorchVersion;
                rows.add(row(c, java, onLibtorch, torch, before, loadAverage()));
                if (java.parameters() >= 0 && torch.parameters() >= 0 && java.parameters() != torch.parameters()) mismatched.add(c.toString());
                if (composed && dims.equals("2d") && n.equals("unet")) {
                    String b2 = loadAverage();
                    Measured old = runJava(c, warmup, steps, "composed", "dl4j");
                    System.out.println("MedSynth composed batch norm " + c + ": " + old);
                    rows.add(row(new Case("unet, batch norm composed of element-wise ops (before)", c.size(), c.width(), c.batch()),
                            old, null, null, b2, loadAverage()));
                }
                done++;
                String md = section(rows, mismatched, networks, torchVersion, load0, start, warmup, steps, rounds, cases, size2d, width2d, size3d, width3d,
                        done < total ? "**Run in progress: " + done + " of " + total + " cases measured.**\n\n" : "");
                BenchmarkReport.writeSection(target, sectionId, md);
                if (done == total) System.out.println(md);
            }
        }
    }

    static String section(List<String> rows, List<String> mismatched, List<String> networks, String torchVersion, String load0, long start,
                          int warmup, int steps, int rounds, List<String> cases, int[] size2d, int width2d, int[] size3d, int width3d,
                          String status) {
        double minutes = (System.nanoTime() - start) / 60e9;
        StringBuilder md = new StringBuilder();
        md.append(libtorchColumn(rows) ? "## Segmentation networks: MedSynth on DL4J and on libtorch vs PyTorch" : "## Segmentation networks: MedSynth vs PyTorch").append(cases.size() == 1 ? " (" + cases.get(0).toUpperCase(Locale.ROOT) + ")" : "")
                .append(rounds > 1 ? " (" + rounds + " alternating rounds)" : "")
                .append("\n\n").append(status);
        md.append(String.format(Locale.ROOT, "`org.medsynth.bench.SegmentationBenchmark`, %s; MedSynth on its two engines: DL4J (ND4J "
                        + "1.0.0-M2.1, CPU, oneDNN) and libtorch (2.10 through the JavaCPP presets, CPU, the same graph replayed), "
                        + "PyTorch %s (CPU, `torch.set_num_threads(2)`, float32, run by `src/test/python/bench_segmentation_torch.py` in the "
                        + "same run). Load average %s at the start, %s at the end (2 cores shared with other jobs: absolute times vary "
                        + "with the load, compare the two sides of one row, measured one after the other). Whole run %.0f min.\n\n",
                BenchmarkReport.machine(), torchVersion, load0, loadAverage(), minutes));
        String slice = String.format(Locale.ROOT, "one %s slice at the paper's width (%d feature maps at the first level, %d down-samplings)",
                String.join(" x ", Arrays.stream(size2d).mapToObj(Integer::toString).toList()), width2d, DEPTH);
        String volume = String.format(Locale.ROOT, "one %s volume (3D networks) at width %d, depth %d%s",
                String.join(" x ", Arrays.stream(size3d).mapToObj(Integer::toString).toList()), width3d, DEPTH,
                width3d < width2d ? " (at the paper's width a 48 x 256 x 256 training step does not fit this machine's 24 GB "
                        + "and the run's time on either side; both sides use the same smaller width)" : "");
        String caseText = cases.contains("2d") && cases.contains("3d") ? slice + " and " + volume : cases.contains("3d") ? volume : slice;
        md.append(String.format(Locale.ROOT, "Cases: %s. 1 channel, %d classes, batch norm, batch 1; "
                        + "Info-Max-Net and IM-MLU-Net batch 2 (negative pairs), including their MI encoder U-Net and bilinear critic. "
                        + "Train step = forward + soft Dice (eq. 1; MLU-Net: + 0.5 x mean Dice of the scale-wise maps; MI networks: + BCE) "
                        + "+ backward + Adam; inference = forward to the class probabilities of one image (running batch-norm "
                        + "statistics). Mean of %d timed runs after %d warm-up run(s)%s; each case in a fresh process on each side; "
                        + "peak memory = peak resident set of that process (MedSynth: VmHWM of the JVM incl. heap and native "
                        + "arrays; PyTorch: ru_maxrss).\n\n",
                caseText, CLASSES, steps, warmup,
                rounds > 1 ? String.format(Locale.ROOT, ", each case run %d times alternating the processes of the sides "
                        + "(DL4J, libtorch, PyTorch, DL4J, ...); the table gives the median of the %d rounds' means per side and the largest "
                        + "peak memory", rounds, rounds) : ""));
        md.append("| network | case | batch | parameters MedSynth | parameters PyTorch | train step DL4J (s) | train step libtorch (s) "
                + "| train step PyTorch (s) | train DL4J / PyTorch | train libtorch / PyTorch | inference DL4J (s) | inference libtorch (s) "
                + "| inference PyTorch (s) | inference DL4J / PyTorch | inference libtorch / PyTorch | peak memory DL4J / libtorch / PyTorch (GB) "
                + "| load before / after |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String r : rows) md.append(r).append('\n');
        List<String> missing = new ArrayList<>(SegmentationNetworkFamily.names());
        missing.removeAll(networks);
        md.append("\n").append(missing.isEmpty() ? "All six networks of the Train Segmenter command are compared. "
                : "Not measured in this run: " + missing + ". ");
        md.append(mismatched.isEmpty() ? "Parameter counts are equal on both sides in every row where both sides finished. "
                : "PARAMETER COUNTS DIFFER (the PyTorch network is not the same) in: " + mismatched + ". ");
        md.append("Batch norm runs on libnd4j's fused batchnorm / batchnorm_bp kernels (org.medsynth.nn.engine.dl4j.FusedBatchNormOp)")
                .append(rows.stream().anyMatch(r -> r.contains("(before)"))
                        ? "; the \"before\" row is the same U-Net with the earlier batch norm composed of element-wise SameDiff ops.\n" : ".\n");
        return md.toString();
    }

    /** True when some row has a libtorch measurement (its column is not "-"). */
    static boolean libtorchColumn(List<String> rows) {
        return rows.stream().anyMatch(r -> !r.split("\\|")[7].trim().equals("-"));
    }

    static int[] parseSize(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }

    /** One table row: DL4J side {@code j}, libtorch side {@code l} and PyTorch side {@code t} (either may be null: not run). */
    static String row(Case c, Measured j, Measured l, Measured t, String loadBefore, String loadAfter) {
        String caseText = c.sizeText() + (c.dims() == 3 ? " volume" : " slice") + ", width " + c.width();
        return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s / %s |",
                c.network(), caseText, c.batch(), count(j), t == null ? "-" : count(t),
                sec(j, j.train(), 2), l == null ? "-" : sec(l, l.train(), 2), t == null ? "-" : sec(t, t.train(), 2),
                t == null ? "-" : ratio(j.train(), t.train()), t == null || l == null ? "-" : ratio(l.train(), t.train()),
                sec(j, j.infer(), 3), l == null ? "-" : sec(l, l.infer(), 3), t == null ? "-" : sec(t, t.infer(), 3),
                t == null ? "-" : ratio(j.infer(), t.infer()), t == null || l == null ? "-" : ratio(l.infer(), t.infer()),
                gb(j), l == null ? "-" : gb(l), t == null ? "-" : gb(t), loadBefore, loadAfter);
    }

    private static String count(Measured m) {
        return m.parameters() < 0 ? "-" : String.format(Locale.ROOT, "%,d", m.parameters());
    }

    private static String sec(Measured m, double v, int digits) {
        if (!m.ok()) return "failed: " + m.error().replace('|', '/');
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String gb(Measured m) {
        return m.ok() ? String.format(Locale.ROOT, "%.1f", m.peakRssGb()) : "-";
    }

    private static String ratio(double a, double b) {
        if (!(a > 0) || !(b > 0)) return "-";
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    // ---------------------------------------------------------------- MedSynth side (child JVM)

    /** MedSynth's side in a child JVM on {@code engine} (dl4j or libtorch); {@code batchNorm} null = the default implementation. */
    static Measured runJava(Case c, int warmup, int steps, String batchNorm, String engine) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        }
        if (batchNorm != null) cmd.add("-D" + EngineOptions.BATCH_NORM + "=" + batchNorm);
        cmd.add("-D" + org.medsynth.nn.engine.Engine.PROPERTY + "=" + engine);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SegmentationBenchmark.class.getName(), "--worker",
                c.network(), c.sizeText(), Integer.toString(c.width()), Integer.toString(c.batch()), Integer.toString(warmup),
                Integer.toString(steps)));
        List<String> out = run(cmd);
        for (String line : out) {
            if (line.startsWith("RESULT ")) {
                Map<String, String> kv = new HashMap<>();
                for (String p : line.substring(7).trim().split(" ")) {
                    int eq = p.indexOf('=');
                    kv.put(p.substring(0, eq), p.substring(eq + 1));
                }
                List<Double> all = Arrays.stream(kv.get("trainAll").split(",")).map(Double::parseDouble).toList();
                return new Measured(Long.parseLong(kv.get("parameters")), Double.parseDouble(kv.get("train")), all,
                        Double.parseDouble(kv.get("infer")), Double.parseDouble(kv.get("peakRssGb")), null);
            }
        }
        return Measured.failed(lastError(out));
    }

    /** A network's train step on random data of one case: the graph, the step and its feeds ("image", "target", MI feeds). */
    record TrainCase(SegmentationNetwork network, ParamStore store, NetBuilder graph, TrainStep step, Map<String, INDArray> feeds) { }

    /** Builds the train step of {@code name} (paper config at this width and {@link #DEPTH}) with seeded random feeds. */
    static TrainCase trainCase(String name, int[] size, int width, int batch) {
        SegmentationNetwork net = SegmentationNetworkFamily.create(name, SegConfig.paper(size.length, 1, CLASSES).withWidth(width).withDepth(DEPTH));
        ParamStore store = new ParamStore(1);
        NetBuilder b = NetBuilder.forTraining(store, "seg");
        SegmentationNetwork.Training t = net.training(b, "seg", 1, size);
        TrainStep step = new TrainStep(b, t.loss(), "seg", new Adam(1e-4, 0.9, 0.999, 1e-8));
        Nd4j.getRandom().setSeed(1);
        long[] imageShape = new long[2 + size.length];
        imageShape[0] = batch;
        imageShape[1] = 1;
        for (int i = 0; i < size.length; i++) imageShape[2 + i] = size[i];
        INDArray image = Nd4j.randn(DataType.FLOAT, imageShape);
        Map<String, INDArray> f = new HashMap<>();
        f.put("image", image);
        f.put("target", randomOneHot(batch, size, new Random(2)));
        if (net.usesMutualInformation()) f.putAll(InfoMaxNet.feeds(image, null, new SplittableRandom(3)));
        return new TrainCase(net, store, b, step, f);
    }

    /** Child process: one case, prints {@code RESULT key=value ...}. */
    static void worker(String[] a) {
        org.medsynth.nn.Backend.require();   // the native settings a MedSynth command runs with
        String name = a[1];
        int[] size = parseSize(a[2]);
        int width = Integer.parseInt(a[3]);
        int batch = Integer.parseInt(a[4]);
        int warmup = Integer.parseInt(a[5]);
        int steps = Integer.parseInt(a[6]);
        TrainCase c = trainCase(name, size, width, batch);
        SegmentationNetwork net = c.network();
        ParamStore store = c.store();
        TrainStep step = c.step();
        Map<String, INDArray> f = c.feeds();
        INDArray image = f.get("image");
        List<Double> train = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            step.run(f);
            if (i >= warmup) train.add((System.nanoTime() - t0) / 1e9);
        }
        NetBuilder ib = NetBuilder.forInference(store);
        SegmentationNetwork.Output o = net.apply(ib.network("seg"), ib.input("image", 1, size));
        String out = o.probabilities().var().name();
        INDArray one = image.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
        // the engine of -Dmedsynth.engine (the train step above took it too)
        org.medsynth.nn.engine.libtorch.TorchGraph torch = org.medsynth.nn.engine.Engine.selected() == org.medsynth.nn.engine.Engine.LIBTORCH
                ? new org.medsynth.nn.engine.libtorch.TorchGraph(ib.sd()) : null;
        List<Double> infer = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
            long t0 = System.nanoTime();
            if (torch != null) torch.output(Map.of("image", one), List.of(out)).get(out).close();
            else ib.sd().output(Map.of("image", one), out).get(out).close();
            if (i >= warmup) infer.add((System.nanoTime() - t0) / 1e9);
        }
        System.out.println(String.format(Locale.ROOT, "RESULT parameters=%d train=%.6f trainAll=%s infer=%.6f peakRssGb=%.3f",
                store.countTrainable(null), mean(train), train.stream().map(v -> String.format(Locale.ROOT, "%.4f", v))
                        .collect(Collectors.joining(",")), mean(infer), peakRssGb()));
        System.exit(0);
    }

    static INDArray randomOneHot(int batch, int[] size, Random r) {
        int vox = 1;
        for (int s : size) vox *= s;
        float[] v = new float[batch * CLASSES * vox];
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < vox; i++) v[(n * CLASSES + r.nextInt(CLASSES)) * vox + i] = 1f;
        }
        long[] shape = new long[2 + size.length];
        shape[0] = batch;
        shape[1] = CLASSES;
        for (int i = 0; i < size.length; i++) shape[2 + i] = size[i];
        return Nd4j.create(v, shape, 'c');
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Peak resident set (VmHWM) of this process in GB. */
    static double peakRssGb() {
        return BenchmarkReport.peakRssMb() / 1024;
    }

    // ---------------------------------------------------------------- PyTorch side

    private static String lastTorchVersion = "?";

    static Measured runPython(String python, Case c, int warmup, int steps) throws IOException, InterruptedException {
        if (!new File(python).canExecute() || !Files.exists(Path.of(SCRIPT))) {
            return Measured.failed("no " + python + " or " + SCRIPT + " (run from the repository root)");
        }
        List<String> out = run(List.of(python, SCRIPT, c.network(), c.sizeText(), Integer.toString(c.width()), Integer.toString(DEPTH),
                Integer.toString(CLASSES), Integer.toString(c.batch()), Integer.toString(warmup), Integer.toString(steps), "batch"));
        for (String line : out) {
            if (line.startsWith("{")) {
                JsonNode j = new ObjectMapper().readTree(line);
                List<Double> all = new ArrayList<>();
                j.get("train_all").forEach(v -> all.add(v.asDouble()));
                lastTorchVersion = j.get("torch").asText();
                return new Measured(j.get("parameters").asLong(), j.get("train_s").asDouble(), all, j.get("infer_s").asDouble(),
                        j.get("peak_rss_gb").asDouble(), null);
            }
        }
        return Measured.failed(lastError(out));
    }

    // ---------------------------------------------------------------- processes

    /** Runs a child process (stderr merged), echoes and returns its output lines; kills it after the case timeout. */
    static List<String> run(List<String> cmd) throws IOException, InterruptedException {
        // both sides run as bin/medsynth-headless runs MedSynth: its OpenMP settings, one malloc arena
        ProcessBuilder pb = BenchmarkReport.withMedSynthThreadWaiting(new ProcessBuilder(cmd).redirectErrorStream(true));
        pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "1");
        Process p = pb.start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                    if (l.startsWith("RESULT") || l.startsWith("{") || l.contains("Exception") || l.contains("Error")) System.out.println("  > " + l);
                }
            } catch (IOException e) {
                lines.add("read error: " + e);
            }
        });
        reader.start();
        if (!p.waitFor(CASE_TIMEOUT_MIN, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            lines.add("ERROR timed out after " + CASE_TIMEOUT_MIN + " min");
        }
        reader.join(10_000);
        if (p.isAlive()) p.waitFor(30, TimeUnit.SECONDS);
        if (!p.isAlive() && p.exitValue() != 0) lines.add("ERROR exit code " + p.exitValue());
        return new ArrayList<>(lines);
    }

    static String lastError(List<String> out) {
        for (int i = out.size() - 1; i >= 0; i--) {
            String l = out.get(i);
            if (l.contains("OutOfMemory") || l.contains("Cannot allocate") || l.contains("Killed")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("maxPhysicalBytes \\((\\d+)M\\)").matcher(l);
                return m.find() ? String.format(Locale.ROOT, "out of memory (over the %.0f GB limit)", Long.parseLong(m.group(1)) / 1024.0)
                        : "out of memory";
            }
        }
        for (int i = out.size() - 1; i >= 0; i--) {
            String l = out.get(i);
            if (l.contains("Exception") || l.startsWith("ERROR") || l.contains("Error")) {
                return l.length() > 80 ? l.substring(0, 80) : l;
            }
        }
        return "no result";
    }

    private static String loadAverage() {
        return BenchmarkReport.loadAverage();
    }
}
