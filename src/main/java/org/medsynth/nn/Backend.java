package org.medsynth.nn;

import org.medsynth.workflow.UserInputException;

/**
 * Starts ND4J once and turns a failure into one message a user can act on. ND4J reports a
 * missing GPU, an unsupported GPU generation or missing native libraries with linkage errors deep
 * in its static initialisers (after which every later use fails with "Could not initialize class
 * Nd4j"), so commands that use networks call {@link #require()} first.
 */
public final class Backend {

    private static volatile boolean ready;
    private static volatile String failure;

    private Backend() { }

    /** Ensures ND4J works (runs one small operation); throws {@link UserInputException} if not. */
    public static void require() {
        if (ready) return;
        synchronized (Backend.class) {
            if (ready) return;
            if (failure != null) throw new UserInputException(failure);
            try {
                double sum = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4).addi(1).sumNumber().doubleValue();
                if (sum != 8.0) throw new IllegalStateException("ND4J computed 1+1 summed over 4 as " + sum);
                ready = true;
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) throw (VirtualMachineError) t;
                failure = describe(t, cudaBuild());
                throw new UserInputException(failure, t);
            }
        }
    }

    /** The backend in use, for logs and benchmark reports, e.g. "CPU (oneDNN)". */
    public static String name() {
        require();
        String env = String.valueOf(org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation());
        return cudaBuild() ? "CUDA" : env.contains("HAVE_ONEDNN") || onednnBuild() ? "CPU (oneDNN)" : "CPU";
    }

    /** True if this MedSynth build carries ND4J's CUDA backend (mvn -Pcuda). */
    static boolean cudaBuild() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean onednnBuild() {
        return Backend.class.getClassLoader().getResource("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn") != null;
    }

    /** A message that says what failed and what to do. */
    static String describe(Throwable t, boolean cuda) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String cause = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
        if (cuda) {
            return "The GPU (CUDA) backend of MedSynth could not start (" + cause + "). This build uses ND4J 1.0.0-M2.1 "
                    + "for CUDA 11.6: it needs an NVIDIA GPU of the Kepler to Ampere generations with a driver for CUDA 11.6 "
                    + "and the CUDA 11.6 / cuDNN 8.3 libraries; newer GPUs such as the H100/H200 (Hopper) are not supported. "
                    + "Use the default CPU build (mvn package without -Pcuda) on this machine.";
        }
        return "MedSynth's neural-network engine (ND4J, CPU) could not start (" + cause + "). It needs Linux on x86-64 "
                + "and about 500 MB free in ~/.javacpp/cache for its native libraries; check that every jar of "
                + "MedSynth's jars folder was installed (nd4j-native-*-linux-x86_64-onednn.jar and openblas-*-linux-x86_64.jar).";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
