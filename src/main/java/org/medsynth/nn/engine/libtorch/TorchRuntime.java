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
            try {
                Class<?> torch = Class.forName("org.bytedeco.pytorch.global.torch", true, TorchRuntime.class.getClassLoader());
                Class.forName("org.bytedeco.javacpp.Loader").getMethod("load", Class.class).invoke(null, torch);
                loaded = true;
                return;
            } catch (ReflectiveOperationException | LinkageError e) {
                failure = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            }
        }
        throw new IllegalStateException("the libtorch engine is not available here (" + failure.getClass().getSimpleName() + ": "
                + failure.getMessage() + "); install MedSynth with libtorch (bin/medsynth-install-fiji --with-libtorch) or use engine=dl4j",
                failure);
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
