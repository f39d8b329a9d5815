package org.medsynth.launch;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts ImageJ the way Fiji's launchers do, for the install tests: every jar under {@code jars/} and
 * {@code plugins/} (recursively) in one class loader that is also the thread's context loader (the
 * ImageJ launcher's ClassLauncher with {@code -ijjarpath jars -ijjarpath plugins}; Jaunch's
 * {@code --full-classpath}), then {@code ij.ImageJ.main}. Only the JDK is on the system class path.
 * <pre>java -cp target/test-classes org.medsynth.launch.FijiClassPathLauncher FIJI_DIR -batch MACRO</pre>
 */
public final class FijiClassPathLauncher {

    private FijiClassPathLauncher() { }

    public static void main(String[] args) throws Exception {
        File app = new File(args[0]).getAbsoluteFile();
        List<URL> urls = new ArrayList<>();
        addJars(new File(app, "jars"), urls);
        addJars(new File(app, "plugins"), urls);
        System.setProperty("ij.dir", app.getPath());
        System.setProperty("plugins.dir", app.getPath());
        ClassLoader fiji = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        Thread.currentThread().setContextClassLoader(fiji);
        Method main = fiji.loadClass("ij.ImageJ").getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }

    private static void addJars(File dir, List<URL> urls) throws Exception {
        File[] files = dir.listFiles();
        if (files == null) return;
        Arrays.sort(files);
        for (File f : files) {
            if (f.isDirectory()) addJars(f, urls);
            else if (f.getName().endsWith(".jar")) urls.add(f.toURI().toURL());
        }
    }
}
