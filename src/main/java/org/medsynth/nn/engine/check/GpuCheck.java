package org.medsynth.nn.engine.check;

import org.medsynth.nn.Backend;
import org.medsynth.nn.NetBuilder;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.libtorch.TorchDevice;
import org.medsynth.nn.engine.libtorch.TorchRuntime;
import org.medsynth.nn.layers.Norm;
import org.medsynth.nn.networks.SegConfig;
import org.medsynth.nn.networks.SegmentationNetwork;
import org.medsynth.nn.networks.SegmentationNetworkFamily;
import org.medsynth.nn.train.Adam;
import org.medsynth.nn.train.TrainStep;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

/**
 * The Java part of {@code bin/medsynth-gpu-check}: for each engine, the device it computes on (a GPU's name and compute
 * capability where the engine's API gives them) and a timed U-Net train step ({@link TrainStep}), so that one run
 * shows whether a GPU is used. Prints lines {@code <engine>: <what>: <value>} and one {@code summary:} line.
 *
 * <pre>
 * java -cp ... org.medsynth.nn.engine.check.GpuCheck [dl4j] [libtorch] [steps=3] [size=64] [width=8]
 * </pre>
 *
 * Exit status 0 when every engine asked for ran its step or is not installed (reported), 1 when one that is
 * installed could not run it (e.g. {@code -Dmedsynth.torch.device=cuda} without a CUDA device), 2 for bad arguments.
 */
public final class GpuCheck {

    /** What to run: engines in order, train steps per engine (the first one timed apart), image side, network width. */
    public record Settings(List<Engine> engines, int steps, int size, int width) {
        public Settings {
            if (engines.isEmpty()) throw new IllegalArgumentException("no engine to check");
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            if (size < 4 || size % 4 != 0) throw new IllegalArgumentException("size must be a positive multiple of 4, got " + size);
            if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
            engines = List.copyOf(engines);
        }

        /** {@code [dl4j] [libtorch] [steps=N] [size=N] [width=N]}; no engine named = both. */
        public static Settings parse(String... args) {
            List<Engine> engines = new ArrayList<>();
            int steps = 3, size = 64, width = 8;
            for (String a : args) {
                String s = a.trim().toLowerCase(Locale.ROOT);
                if (s.startsWith("steps=")) steps = number(s);
                else if (s.startsWith("size=")) size = number(s);
                else if (s.startsWith("width=")) width = number(s);
                else if (s.equals(Engine.AUTO)) throw new IllegalArgumentException("name the engines to check (dl4j, libtorch), not auto");
                else engines.add(Engine.parse(s));
            }
            if (engines.isEmpty()) engines.addAll(List.of(Engine.values()));
            return new Settings(engines, steps, size, width);
        }

        private static int number(String keyValue) {
            String v = keyValue.substring(keyValue.indexOf('=') + 1);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(keyValue.substring(0, keyValue.indexOf('=')) + " must be a whole number, got '" + v + "'");
            }
        }
    }

    /**
     * Where one engine ran its step and how long it took; {@code problem} is null when it ran, {@code device} null when
     * the engine is not installed (then it is no failure).
     */
    public record Outcome(Engine engine, String device, boolean gpu, double firstSeconds, double stepSeconds, String problem) {
        boolean failed() {
            return problem != null && device != null;
        }
    }

    private final PrintStream out;

    private GpuCheck(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("medsynth-gpu-check: " + e.getMessage()
                    + " (arguments: [dl4j] [libtorch] [steps=N] [size=N] [width=N])");
            System.exit(2);
            return;
        }
        List<Outcome> outcomes = run(s, System.out);
        System.out.flush();
        System.exit(outcomes.stream().anyMatch(Outcome::failed) ? 1 : 0);
    }

    /** Checks each engine of {@code s}, printing to {@code out}; the outcomes in the same order. */
    public static List<Outcome> run(Settings s, PrintStream out) {
        GpuCheck c = new GpuCheck(out);
        List<Outcome> outcomes = new ArrayList<>();
        for (Engine e : s.engines()) outcomes.add(e == Engine.DL4J ? c.dl4j(s) : c.libtorch(s));
        StringBuilder sb = new StringBuilder("summary: GPU used by: ");
        List<String> gpu = outcomes.stream().filter(Outcome::gpu).map(o -> o.engine().userName()).toList();
        sb.append(gpu.isEmpty() ? "none" : String.join(", ", gpu)).append(" (");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (i > 0) sb.append("; ");
            sb.append(o.engine().userName()).append(": ");
            if (o.problem() != null) sb.append(o.device() == null ? "not available" : "failed (" + o.device() + ")");
            else sb.append(o.device()).append(String.format(Locale.ROOT, ", %.3f s/step", o.stepSeconds()));
        }
        out.println(sb.append(')'));
        return outcomes;
    }

    private void line(Engine e, String what, String value) {
        out.println(e.userName() + ": " + what + ": " + value);
    }

    private Outcome dl4j(Settings s) {
        Engine e = Engine.DL4J;
        try {
            Backend.require();
        } catch (RuntimeException ex) {
            line(e, "not available", ex.getMessage());
            return new Outcome(e, "ND4J does not start", false, 0, 0, ex.getMessage());
        }
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        boolean cuda = String.valueOf(env.get("backend")).equalsIgnoreCase("CUDA");
        line(e, "backend", "ND4J " + Backend.name() + " (" + Nd4j.getBackend().getClass().getSimpleName() + "), BLAS "
                + env.getOrDefault("blas.vendor", "?") + (cuda ? "" : ", " + env.getOrDefault("omp.threads", "?") + " OpenMP threads"));
        String device;
        if (cuda) {
            Object info = env.get("cuda.devicesInformation");
            int index = Nd4j.getAffinityManager().getDeviceForCurrentThread();
            device = "cuda:" + index;
            if (info instanceof List<?> l && index >= 0 && index < l.size() && l.get(index) instanceof Map<?, ?> m) {
                device += " " + m.get("cuda.deviceName") + ", compute capability " + m.get("cuda.deviceMajor") + "." + m.get("cuda.deviceMinor")
                        + (m.get("cuda.totalMemory") instanceof Number n ? String.format(Locale.ROOT, ", %.1f GiB", n.doubleValue() / (1L << 30)) : "");
            }
            line(e, "device", device + " (" + env.getOrDefault("cuda.availableDevices", "?") + " visible)");
        } else {
            device = "cpu";
            line(e, "device", "cpu (" + env.getOrDefault("cores", "?") + " cores; this ND4J build has no GPU support: the cuda build is mvn -Pcuda package)");
        }
        return step(e, s, device, cuda);
    }

    private Outcome libtorch(Settings s) {
        Engine e = Engine.LIBTORCH;
        if (!TorchRuntime.available()) {
            String why;
            try {
                TorchRuntime.load();
                why = "?";
            } catch (IllegalStateException ex) {
                why = ex.getMessage();
            }
            line(e, "not available", why);
            // not installed (no pytorch jars) is no failure; installed but not loading is
            return new Outcome(e, installed() ? "its natives do not load" : null, false, 0, 0, why);
        }
        line(e, "build", TorchDevice.build());
        String missing = TorchDevice.cudaMissing();
        String choice = TorchDevice.PROPERTY + "=" + System.getProperty(TorchDevice.PROPERTY, "auto");
        String device;
        try {
            device = TorchDevice.current();
        } catch (IllegalStateException ex) {
            line(e, "device", "none: " + ex.getMessage());
            return new Outcome(e, choice, false, 0, 0, ex.getMessage());
        }
        boolean cuda = device.startsWith("cuda");
        if (cuda) {
            line(e, "device", device + " (" + choice + "; " + TorchDevice.deviceCount() + " CUDA device(s) visible, cuDNN "
                    + (TorchDevice.cudnnAvailable() ? "available" : "not available") + "; name and compute capability: nvidia-smi)");
        } else {
            line(e, "device", "cpu (" + choice + (missing == null ? "" : "; no CUDA: " + missing) + ")");
        }
        return step(e, s, device, cuda);
    }

    /** True when libtorch's Java classes are here (its jars installed), whether or not its natives load. */
    private static boolean installed() {
        return GpuCheck.class.getClassLoader().getResource("org/bytedeco/pytorch/global/torch.class") != null;
    }

    /** Builds a 2D U-Net on {@code e} and times {@code s.steps()} train steps. */
    private Outcome step(Engine e, Settings s, String device, boolean gpu) {
        String what = String.format(Locale.ROOT, "U-Net 2D width %d depth 2, batch 2 x 1 x %d x %d float32", s.width(), s.size(), s.size());
        try (Engine.Scope scope = Engine.use(e)) {
            SegmentationNetwork net = SegmentationNetworkFamily.create("unet", new SegConfig(2, 1, 2, s.width(), 2, Norm.BATCH));
            NetBuilder b = NetBuilder.forTraining(new ParamStore(7), "seg");
            SegmentationNetwork.Training t = net.training(b, "seg", 1, s.size(), s.size());
            TrainStep step = new TrainStep(b, t.loss(), "seg", new Adam(1e-3, 0.9, 0.999, 1e-8)).memoryGuard(null);
            Map<String, INDArray> feeds = feeds(s.size(), new Random(5));
            double first = 0, rest = 0, loss0 = 0, loss = 0;
            for (int i = 0; i < s.steps(); i++) {
                long t0 = System.nanoTime();
                loss = step.run(feeds).loss();   // the loss is read on the host: the step has finished on the device
                double sec = (System.nanoTime() - t0) / 1e9;
                if (i == 0) {
                    first = sec;
                    loss0 = loss;
                } else {
                    rest += sec;
                }
            }
            double per = s.steps() > 1 ? rest / (s.steps() - 1) : first;
            line(e, "train step", String.format(Locale.ROOT, "%s on %s: first %.3f s, then %.3f s/step over %d step(s), loss %.4f -> %.4f",
                    what, device, first, per, Math.max(0, s.steps() - 1), loss0, loss));
            return new Outcome(e, device, gpu, first, per, null);
        } catch (RuntimeException | LinkageError ex) {
            String msg = ex.getClass().getSimpleName() + ": " + String.valueOf(ex.getMessage()).lines().findFirst().orElse("");
            line(e, "train step", "failed on " + device + ": " + msg);
            return new Outcome(e, device, gpu, 0, 0, msg);
        }
    }

    /** Random images and one-hot targets of two classes, [2, 1, size, size] and [2, 2, size, size]. */
    private static Map<String, INDArray> feeds(int size, Random r) {
        int n = 2, vox = size * size;
        float[] img = new float[n * vox];
        float[] target = new float[n * 2 * vox];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < vox; i++) {
                img[k * vox + i] = r.nextFloat();
                int c = img[k * vox + i] > 0.5f ? 1 : 0;
                target[(k * 2 + c) * vox + i] = 1;
            }
        }
        return Map.of(SegmentationNetwork.IMAGE, Nd4j.create(img, new long[]{n, 1, size, size}, 'c'),
                SegmentationNetwork.TARGET, Nd4j.create(target, new long[]{n, 2, size, size}, 'c'));
    }
}
