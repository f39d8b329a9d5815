package org.medsynth.nn.engine.libtorch;

/**
 * Loads libtorch once and says in one line what is missing when it cannot. Refers to libtorch's classes only by
 * name, so that callers can ask before anything that needs libtorch is loaded (the libtorch jars are an optional
 * part of an install).
 */
public final class TorchRuntime {
    private static volatile Throwable failure;
    private static volatile boolean loaded;

    private TorchRuntime() { }

    /** Loads libtorch's natives, or throws an {@link IllegalStateException} that tells the user what to do. */
    public static synchronized void load() {
        if (loaded) return;
        if (failure == null) {
            String both = bothNatives(TorchRuntime.class.getClassLoader());
            if (both != null) {
                // not cached: the message is the whole story, and loading would abort the JVM
                throw new IllegalStateException("the libtorch engine is not available here: " + both);
            }
            try {
                Class<?> torch = Class.forName("org.bytedeco.pytorch.global.torch", true, TorchRuntime.class.getClassLoader());
                Class.forName("org.bytedeco.javacpp.Loader").getMethod("load", Class.class).invoke(null, torch);
                loaded = true;
                return;
            } catch (ReflectiveOperationException | LinkageError e) {
                // a memory limit reached while loading: the caller names the limit (not cached)
                OutOfMemoryError oom = org.medsynth.nn.Backend.outOfMemoryIn(e);
                if (oom != null) throw oom;
                failure = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            }
        }
        throw new IllegalStateException("the libtorch engine is not available here (" + failure.getClass().getSimpleName() + ": "
                + failure.getMessage() + "); install MedSynth with libtorch (bin/medsynth-install-fiji --with-libtorch) or use engine=dl4j",
                failure);
    }

    /**
     * A message when the natives of both libtorch builds, CPU and GPU, are on the class path, else null: JavaCPP tries
     * the GPU build first and, where its CUDA libraries are missing, loads parts of both, which aborts the JVM.
     */
    static String bothNatives(ClassLoader loader) {
        String platform;
        try {
            platform = (String) Class.forName("org.bytedeco.javacpp.Loader", false, loader).getMethod("getPlatform").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;  // no JavaCPP: load() says so
        }
        java.net.URL cpu = loader.getResource("org/bytedeco/pytorch/" + platform + "/libjnitorch.so");
        java.net.URL gpu = loader.getResource("org/bytedeco/pytorch/" + platform + "-gpu/libjnitorch.so");
        if (cpu == null || gpu == null) return null;
        return "both the CPU and the GPU natives of libtorch are installed (" + jarName(cpu) + ", " + jarName(gpu)
                + "), and loading them together aborts Java; keep one: rebuild with 'mvn clean package' (CPU) or "
                + "'mvn clean package -Plibtorch-gpu' (GPU), or remove one jar from lib/medsynth";
    }

    private static String jarName(java.net.URL resource) {
        String s = resource.toString();
        int bang = s.indexOf("!/");
        if (bang > 0) s = s.substring(0, bang);
        return s.substring(s.lastIndexOf('/') + 1);
    }

    /** True when libtorch loads (loading it if not done yet). */
    public static boolean available() {
        try {
            load();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
