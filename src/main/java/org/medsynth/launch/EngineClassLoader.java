package org.medsynth.launch;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader that MedSynth's code and its engine libraries (ND4J, JavaCPP and their natives,
 * gson, commons-*, SciJava, ImgLib2, ...) run in: the jars of {@code <ImageJ or Fiji>/lib/medsynth/}.
 *
 * <p>Why a loader of our own: Fiji pins many of these libraries at other versions
 * ({@code org.scijava:pom-scijava}: javacpp 1.5.10 where MedSynth ships 1.5.13, gson 2.10.1, ...);
 * two versions of one library on Fiji's class path break whichever loads second. Here MedSynth's
 * libraries are looked up first in MedSynth's own jars ("child first") and never leak into Fiji's
 * class path. Only two things are shared with the host: ImageJ 1.x itself ({@code ij.*}: images, macros
 * and windows cross the boundary) and this launcher package (the error channel of the headless runner).
 *
 * <p>ServiceLoader and SciJava read index files with {@code getResources}; those answer from MedSynth's
 * jars only, so neither ND4J's backend lookup nor SciJava's plugin index sees (or is confused by) the
 * host's jars.
 *
 * <p>libtorch (its JavaCPP presets, 90 MB of natives) is an optional part of an install, in
 * {@code lib/medsynth/libtorch/}: when that folder exists its jars join the others, child first as they are.
 */
final class EngineClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    /** Packages the host and MedSynth share: the same classes on both sides of the boundary. */
    private static final String[] SHARED = {"ij.", "org.medsynth.launch."};

    /** The optional libtorch part of an install, a sub-folder of {@code lib/medsynth}. */
    static final String LIBTORCH = "libtorch";

    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    EngineClassLoader(File libDir, ClassLoader host) throws MalformedURLException {
        super(jarUrls(libDir), host);
    }

    /** The jars of {@code libDir}, then those of {@code libDir/libtorch} when it exists. */
    static URL[] jarUrls(File libDir) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        addJars(libDir, urls);
        addJars(new File(libDir, LIBTORCH), urls);
        return urls.toArray(new URL[0]);
    }

    private static void addJars(File dir, List<URL> urls) throws MalformedURLException {
        File[] jars = dir.listFiles((d, n) -> n.endsWith(".jar"));
        if (jars == null) return;
        Arrays.sort(jars);
        for (File jar : jars) urls.add(jar.toURI().toURL());
    }

    static boolean shared(String className) {
        for (String prefix : SHARED) if (className.startsWith(prefix)) return true;
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared(name)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = platform.loadClass(name);          // the JDK's own classes
                } catch (ClassNotFoundException notJdk) {
                    try {
                        c = findClass(name);               // MedSynth's jars before the host's
                    } catch (ClassNotFoundException notOurs) {
                        c = super.loadClass(name, false);  // the host (ImageJ/Fiji), e.g. ij.*
                    }
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    /** MedSynth's own copies only: index files (ServiceLoader, SciJava) must not list the host's classes. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        Enumeration<URL> own = findResources(name);
        if (own.hasMoreElements()) return own;
        URL platformResource = platform.getResource(name);
        return platformResource == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(platformResource));
    }
}
