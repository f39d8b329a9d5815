package org.medsynth.bench;

import org.medsynth.nn.engine.Engine;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.ToDoubleFunction;

/**
 * Shared pieces of the benchmark mains: arguments, timing, MedSynth's side in a child JVM per engine, the PyTorch side,
 * tables of both, and writing one section of docs/benchmarks.md.
 */
public final class BenchmarkReport {

    /** First argument of a main run as a child JVM that measures MedSynth's side and answers with one JSON line. */
    public static final String WORKER = "--worker";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchmarkReport() { }

    /** The {@code key=value} arguments from index {@code from} on, in their order. */
    public static Map<String, String> keyValues(String[] args, int from) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            int e = args[i].indexOf('=');
            if (e < 1) throw new IllegalArgumentException("expected key=value, got '" + args[i] + "'");
            kv.put(args[i].substring(0, e), args[i].substring(e + 1));
        }
        return kv;
    }

    /** The {@code key=value} arguments among {@code args} (the others are positional); a key not {@code allowed} is refused. */
    public static Map<String, String> options(String[] args, String... allowed) {
        Map<String, String> kv = keyValues(java.util.Arrays.stream(args).filter(a -> a.contains("=")).toArray(String[]::new), 0);
        for (String k : kv.keySet()) {
            if (!List.of(allowed).contains(k)) throw new IllegalArgumentException("unknown option '" + k + "'; options: " + String.join(", ", allowed));
        }
        return kv;
    }

    /**
     * Puts {@code markdown} into {@code target} between the markers of section {@code id}, replacing
     * an earlier run's section or appending a new one; other sections are left as they are.
     */
    public static void writeSection(Path target, String id, String markdown) throws IOException {
        String begin = "<!-- BEGIN " + id + " benchmark -->", end = "<!-- END " + id + " benchmark -->";
        String section = begin + "\n" + markdown.strip() + "\n" + end + "\n";
        String old = Files.exists(target) ? Files.readString(target) : "# Benchmarks\n\n";
        int b = old.indexOf(begin), e = old.indexOf(end);
        String updated;
        if (b >= 0 && e > b) {
            int after = e + end.length();
            if (after < old.length() && old.charAt(after) == '\n') after++;
            updated = old.substring(0, b) + section + old.substring(after);
        } else {
            updated = old + (old.endsWith("\n\n") ? "" : old.endsWith("\n") ? "\n" : "\n\n") + section;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, updated, StandardCharsets.UTF_8);
    }

    /**
     * Untimed calls before the GAN benchmarks time a step, on every side (the PyTorch scripts take the same number as an
     * argument): at least this many seconds of them. A JVM runs a new step's Java code interpreted, then compiles it,
     * and in a worker that timed other networks before, compiles again: SkrGAN's G_P/D_P iteration on libtorch took
     * 0.16-0.19 s on average over its first 20 iterations after the PGGAN cases and 0.105-0.13 s from about the 30th on (lab note
     * benchmark-warm-up.md). Users train for thousands of iterations, so the tables give the steady state.
     */
    public static final double WARM_UP_SECONDS = 5;

    /** Seconds per call of {@code op}, after {@code warmUp} untimed calls. */
    public static double secondsPerCall(int warmUp, int reps, IntConsumer op) {
        return secondsPerCall(warmUp, 0, reps, op);
    }

    /**
     * Seconds per call of {@code op} over {@code reps} timed calls, after untimed calls until both at least
     * {@code warmUpCalls} calls and at least {@code warmUpSeconds} seconds have passed. {@code op} gets the call's index.
     */
    public static double secondsPerCall(int warmUpCalls, double warmUpSeconds, int reps, IntConsumer op) {
        int i = 0;
        for (long start = System.nanoTime(); i < warmUpCalls || System.nanoTime() - start < warmUpSeconds * 1e9; i++) op.accept(i);
        long t0 = System.nanoTime();
        for (int k = 0; k < reps; k++) op.accept(i + k);
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    /** "warm-up calls (at least N, and at least S s of them: the steady state)", for the head of a section. */
    public static String warmUpText(int warmUpCalls) {
        return String.format(Locale.ROOT, "warm-up calls (at least %d, and at least %.0f s of them on every side: the steady state)",
                warmUpCalls, WARM_UP_SECONDS);
    }

    /** One line on the machine and JVM, for the head of a section. */
    public static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores of " + cpu() + ", Java " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB";
    }

    /**
     * The processor's model name and widest vector instructions ("AMD EPYC, AVX-512"), "?" where unknown: the tables of
     * different sessions ran on different processors, and libtorch's and PyTorch's kernels differ between them.
     */
    public static String cpu() {
        try {
            String model = "?", vector = "";
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name") && model.equals("?")) model = l.substring(l.indexOf(':') + 1).strip();
                if (l.startsWith("flags") && vector.isEmpty()) {
                    List<String> flags = List.of(l.substring(l.indexOf(':') + 1).strip().split(" "));
                    vector = flags.contains("avx512f") ? ", AVX-512" : flags.contains("avx2") ? ", AVX2" : "";
                }
            }
            return model + vector;
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The 1-minute load average of the machine, as text ("?" where unknown). */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Peak resident set (VmHWM) of this process in MB, as PyTorch's side reports ru_maxrss; NaN where unknown. */
    public static double peakRssMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Double.NaN;
    }

    // ---------------------------------------------------------------- the sides

    /** The engines MedSynth is measured on: DL4J, and libtorch unless the option {@code libtorch=false}. */
    public static List<Engine> engines(Map<String, String> options) {
        return Boolean.parseBoolean(options.getOrDefault("libtorch", "true")) ? List.of(Engine.DL4J, Engine.LIBTORCH) : List.of(Engine.DL4J);
    }

    /** The column name of an engine: DL4J or libtorch. */
    public static String label(Engine e) {
        return e == Engine.DL4J ? "DL4J" : e.userName();
    }

    /** "Title: MedSynth on DL4J and on libtorch vs PyTorch" (or "Title: MedSynth vs PyTorch" with DL4J alone). */
    public static String title(String title, List<Engine> engines) {
        return title + (engines.size() > 1 ? ": MedSynth on DL4J and on libtorch vs PyTorch" : ": MedSynth vs PyTorch");
    }

    /** What MedSynth ran on, for the head of a section. */
    public static String engineText(List<Engine> engines) {
        return "MedSynth on DL4J (ND4J 1.0.0-M2.1, CPU, oneDNN)"
                + (engines.contains(Engine.LIBTORCH) ? " and on libtorch (2.10 through the JavaCPP presets, CPU, the same graphs replayed)" : "")
                + (engines.size() > 1 ? ", each engine in its own JVM (" : ", in its own JVM (") + machine() + ")";
    }

    /**
     * MedSynth's side on {@code engine}: {@code main} run in a child JVM with this JVM's options and class path,
     * {@code -Dmedsynth.engine=} the engine and the arguments {@value #WORKER} + {@code args}, so that every network,
     * step and generator it makes runs on that engine and its peak memory is its own. The JSON object the worker
     * answered ({@link #answer}), or {@code {"error": why}}.
     */
    public static Map<String, Object> childJvm(Class<?> main, Engine engine, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        }
        cmd.add("-D" + Engine.PROPERTY + "=" + engine.userName());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), WORKER));
        cmd.addAll(args);
        System.out.println("MedSynth on " + label(engine) + " (child JVM)");
        return jsonOf(cmd);
    }

    /** A worker's answer: {@code result} as one JSON line on stdout; then ends the JVM (ND4J's threads would keep it). */
    public static void answer(Map<String, ?> result) throws IOException {
        System.out.println(JSON.writeValueAsString(result));
        System.out.flush();
        System.exit(0);
    }

    /**
     * Runs a side's process (stderr merged and echoed; OpenMP threads passive, as bin/medsynth-headless runs MedSynth)
     * and returns the JSON object of the last output line that starts with '{', or {@code {"error": the first line that
     * names an exception or error}}.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> jsonOf(List<String> cmd) throws IOException, InterruptedException {
        Process p = withMedSynthThreadWaiting(new ProcessBuilder(cmd).redirectErrorStream(true)).start();
        String json = null, error = null;
        try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("{")) {
                    json = l;
                    continue;
                }
                System.out.println("  > " + l);
                if (error == null && (l.contains("Exception") || l.contains("Error"))) error = l.strip();
            }
        }
        int rc = p.waitFor();
        if (json != null && rc == 0) return JSON.readValue(json, Map.class);
        String why = error == null ? "no result" : error.length() > 200 ? error.substring(0, 200) + "..." : error;
        return Map.of("error", (rc != 0 ? "exit code " + rc + ", " : "") + why);
    }

    /** One side of a benchmark run: a child JVM or the PyTorch script, answering a JSON object ({@link #jsonOf}). */
    public interface Side {
        Map<String, Object> run() throws IOException, InterruptedException;
    }

    /**
     * Runs the sides one after the other, {@code rounds} times in turn (so that a slow spell of the machine hits every
     * side alike), and gives each side's answer with every number replaced by its median over the rounds
     * ({@link #median}).
     */
    public static List<Map<String, Object>> alternating(int rounds, List<Side> sides) throws IOException, InterruptedException {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1");
        List<List<Map<String, Object>>> answers = new ArrayList<>();
        for (int i = 0; i < sides.size(); i++) answers.add(new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < sides.size(); i++) answers.get(i).add(sides.get(i).run());
        }
        List<Map<String, Object>> medians = new ArrayList<>();
        for (List<Map<String, Object>> a : answers) medians.add(median(a));
        return medians;
    }

    /** Each MedSynth engine's answer and PyTorch's ({@link #engineAndTorch}). */
    public record Answers(Map<Engine, Map<String, Object>> medsynth, Map<String, Object> torch) { }

    /**
     * MedSynth's side on each engine ({@link #childJvm} of {@code main} with {@code workerArgs}), then PyTorch's, in
     * {@code rounds} alternating rounds ({@link #alternating}).
     */
    public static Answers engineAndTorch(int rounds, Class<?> main, List<Engine> engines, List<String> workerArgs, Side torch)
            throws IOException, InterruptedException {
        List<Side> sides = new ArrayList<>();
        for (Engine e : engines) sides.add(() -> childJvm(main, e, workerArgs));
        sides.add(torch);
        List<Map<String, Object>> answers = alternating(rounds, sides);
        Map<Engine, Map<String, Object>> medsynth = new LinkedHashMap<>();
        for (int i = 0; i < engines.size(); i++) medsynth.put(engines.get(i), answers.get(i));
        return new Answers(medsynth, answers.get(engines.size()));
    }

    /** How a table's figures came from {@code rounds} rounds, for its description ("" for one round). */
    public static String roundsText(int rounds) {
        return rounds > 1 ? "; median of " + rounds + " rounds, the sides taking turns" : "";
    }

    /**
     * One answer from a side's answers of several rounds: each number the median of that number over the rounds that
     * answered it (the mean of the middle two for an even count), maps and lists kept, anything else as the first round
     * has it. Rounds that failed ({@code "error"}) are left out unless all failed (then the first failure).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> median(List<Map<String, Object>> rounds) {
        List<Object> ok = new ArrayList<>();
        for (Map<String, Object> a : rounds) if (!a.containsKey("error")) ok.add(a);
        if (ok.isEmpty()) return rounds.get(0);
        return (Map<String, Object>) medianOf(ok);
    }

    private static Object medianOf(List<Object> values) {
        Object first = values.get(0);
        if (first instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Object k : m.keySet()) {
                List<Object> v = new ArrayList<>();
                for (Object o : values) if (o instanceof Map<?, ?> mo && mo.containsKey(k)) v.add(mo.get(k));
                out.put(String.valueOf(k), medianOf(v));
            }
            return out;
        }
        if (first instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                List<Object> v = new ArrayList<>();
                for (Object o : values) if (o instanceof List<?> lo && i < lo.size()) v.add(lo.get(i));
                out.add(medianOf(v));
            }
            return out;
        }
        if (first instanceof Number && values.stream().allMatch(o -> o instanceof Number)) {
            return medianOfNumbers(values.stream().map(o -> ((Number) o).doubleValue()).toList());
        }
        return first;
    }

    /** The median (the mean of the middle two for an even count; NaN for none). */
    public static double medianOfNumbers(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /**
     * The OpenMP settings MedSynth's commands run with (Backend.preferPassiveThreadWaiting), for a benchmark side's process
     * unless this JVM's environment sets them: every side, PyTorch's included, waits for work the same way.
     */
    public static ProcessBuilder withMedSynthThreadWaiting(ProcessBuilder pb) {
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().putIfAbsent("GOMP_SPINCOUNT", org.medsynth.nn.Backend.OPENMP_SPIN_COUNT);
        return pb;
    }

    /** The number at {@code path} (map keys, list indices) in a side's answer; NaN where absent. */
    public static double value(Map<String, Object> answer, Object... path) {
        Object o = answer;
        for (Object k : path) {
            if (o instanceof Map<?, ?> m) o = m.get(String.valueOf(k));
            else if (o instanceof List<?> l && k instanceof Integer i && i < l.size()) o = l.get(i);
            else return Double.NaN;
        }
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * A markdown table with one row per figure: MedSynth on each engine, PyTorch, and each engine's figure over
     * PyTorch's; a failed side's cells are "-" and {@link #markdown} names why it failed.
     */
    public static final class EngineTable {
        private final Map<String, Map<String, Object>> sides = new LinkedHashMap<>();
        private final Map<String, Object> torch;
        private final StringBuilder md = new StringBuilder("| what |");

        /** {@code medsynth}: each engine's answer, in column order; {@code torch}: PyTorch's. */
        public EngineTable(Map<Engine, Map<String, Object>> medsynth, Map<String, Object> torch) {
            medsynth.forEach((e, a) -> sides.put(label(e), a));
            this.torch = torch;
            sides.keySet().forEach(k -> md.append(" MedSynth on ").append(k).append(" |"));
            md.append(" PyTorch |");
            sides.keySet().forEach(k -> md.append(' ').append(k).append(" / PyTorch |"));
            md.append("\n|---|").append("---|".repeat(2 * sides.size() + 1)).append('\n');
        }

        /** A row: {@code figure} of every side's answer, written with {@code format} (e.g. {@code "%.3f"}). */
        public EngineTable row(String what, String format, ToDoubleFunction<Map<String, Object>> figure) {
            double t = figure.applyAsDouble(torch);
            md.append("| ").append(what).append(" |");
            sides.values().forEach(a -> md.append(' ').append(number(format, figure.applyAsDouble(a))).append(" |"));
            md.append(' ').append(number(format, t)).append(" |");
            sides.values().forEach(a -> md.append(' ').append(number("%.2f", figure.applyAsDouble(a) / t)).append(" |"));
            md.append('\n');
            return this;
        }

        /** The table, then a line for each side that failed. */
        public String markdown() {
            StringBuilder out = new StringBuilder(md);
            Map<String, Map<String, Object>> all = new LinkedHashMap<>();
            sides.forEach((k, a) -> all.put("MedSynth on " + k, a));
            all.put("PyTorch", torch);
            all.forEach((k, a) -> {
                if (a.containsKey("error")) out.append("\n**").append(k).append(" failed:** ").append(String.valueOf(a.get("error")).replace('|', '/')).append('\n');
            });
            return out.toString();
        }

        private static String number(String format, double v) {
            return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
        }
    }
}
