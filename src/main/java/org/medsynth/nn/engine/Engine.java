package org.medsynth.nn.engine;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which library runs a network's graph. The networks build one graph (a SameDiff graph, MedSynth's description of
 * the computation); {@link #DL4J} executes it with SameDiff, {@link #LIBTORCH} replays it op by op on libtorch with
 * libtorch's autograd ({@link org.medsynth.nn.engine.libtorch.TorchGraph}). Parameters, optimiser state and model
 * archives are the same arrays either way, so a model trained on one engine runs and resumes on the other.
 */
public enum Engine {
    /** DL4J / ND4J SameDiff (oneDNN on the CPU; CUDA 11.6 up to Ampere with the {@code cuda} build). */
    DL4J("dl4j"),
    /** libtorch 2.10 through the JavaCPP presets (CPU; CUDA 13.1 GPUs from Turing to Blackwell with the {@code libtorch-gpu} build). */
    LIBTORCH("libtorch");

    /** What users type for "let MedSynth choose". */
    public static final String AUTO = "auto";
    /** System property with the default engine ({@code dl4j}, {@code libtorch} or {@code auto}); the MedSynth Options command sets it. */
    public static final String PROPERTY = "medsynth.engine";

    private static final ThreadLocal<Engine> CHOSEN = new ThreadLocal<>();

    private final String userName;

    Engine(String userName) {
        this.userName = userName;
    }

    public String userName() {
        return userName;
    }

    /**
     * The engine a user named: {@code dl4j}, {@code libtorch} or {@code auto} (= {@link #auto()}); case and blanks ignored.
     *
     * @throws IllegalArgumentException naming the allowed values
     */
    public static Engine parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.isEmpty() || n.equals(AUTO)) return auto();
        for (Engine e : values()) if (e.userName.equals(n)) return e;
        throw new IllegalArgumentException("engine must be dl4j, libtorch or auto, got '" + name + "'");
    }

    /**
     * The engine {@code auto} means here: DL4J wherever it can run the networks, libtorch for an NVIDIA GPU that ND4J
     * cannot drive (libtorch's GPU build installed, and ND4J the CPU build or the GPU newer than Ampere); see
     * {@link AutoEngine}.
     */
    public static Engine auto() {
        return AutoEngine.get();
    }

    /**
     * The engine that training steps and segmentations created now on this thread run on: the one a command chose
     * ({@link #use}), else the default of {@value #PROPERTY}, else {@link #auto()}.
     */
    public static Engine selected() {
        Engine e = CHOSEN.get();
        return e != null ? e : parse(System.getProperty(PROPERTY));
    }

    /**
     * Makes {@code engine} the {@link #selected} one on this thread until the returned scope is closed (a command runs
     * its work inside it); libtorch and its device ({@link org.medsynth.nn.engine.libtorch.TorchDevice}) are checked first,
     * so a missing install or a missing CUDA device is reported before any work starts.
     */
    public static Scope use(Engine engine) {
        if (engine == LIBTORCH) org.medsynth.nn.engine.libtorch.TorchDevice.resolve();
        Engine before = CHOSEN.get();
        CHOSEN.set(engine);
        return () -> CHOSEN.set(before);
    }

    /** The extent of a {@link #use}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** The user names, for messages and choice lists. */
    public static String[] choices() {
        String[] c = Arrays.stream(values()).map(Engine::userName).toArray(String[]::new);
        String[] all = Arrays.copyOf(c, c.length + 1);
        all[c.length] = AUTO;
        return all;
    }
}
