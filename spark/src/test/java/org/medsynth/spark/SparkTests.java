package org.medsynth.spark;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One Spark context for all tests of the JVM (local[2], a task may fail twice), and small helpers. */
public final class SparkTests {
    private static JavaSparkContext sc;

    private SparkTests() { }

    public static synchronized JavaSparkContext sc() {
        if (sc == null) {
            System.setProperty("medsynth.spark.testing", "true");
            // an ImageJ session (as Fiji and medsynth-headless): the in-process commands of the tests then write what they write there
            JobRunner.imageJPreferences();
            SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("MedSynth Spark tests")
                    .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.showConsoleProgress", "false");
            sc = new JavaSparkContext(conf);
            sc.setLogLevel("WARN");
            // a "remote" file system for the tests: the local disk under the scheme testfs:
            sc.hadoopConfiguration().set("fs.testfs.impl", TestFs.class.getName());
            sc.hadoopConfiguration().setBoolean("fs.testfs.impl.disable.cache", true);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> sc.stop()));
        }
        return sc;
    }

    /**
     * {@code body} with the JVM property {@code name} set to {@code value}, the earlier value restored afterwards; in
     * local mode the executors' task threads read such properties (medsynth.engine, medsynth.torch.device).
     */
    public static <T> T withProperty(String name, String value, java.util.function.Supplier<T> body) {
        String before = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return body.get();
        } finally {
            if (before == null) System.clearProperty(name); else System.setProperty(name, before);
        }
    }

    /** Runs {@code job} with its executors on {@code engine} (the property medsynth.engine). */
    public static JobRunner.Summary runOnEngine(String engine, String job, Map<String, String> keys) {
        return withProperty(org.medsynth.nn.engine.Engine.PROPERTY, engine, () -> MedSynthSpark.run(sc(), job, keys));
    }

    /** The local file system under another scheme (testfs:///path), so that the remote code paths run. */
    public static final class TestFs extends RawLocalFileSystem {
        @Override
        public URI getUri() {
            return URI.create("testfs:///");
        }

        @Override
        public String getScheme() {
            return "testfs";
        }
    }

    public static Map<String, String> keys(Object... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(String.valueOf(kv[i]), String.valueOf(kv[i + 1]));
        return m;
    }

    /** Writes n 2D phantoms (organ ellipse with a brighter disc, labels 0/1/2) as images/ and labels/ TIFFs; returns nothing. */
    public static void phantoms(Path images, Path labels, int n, int size, long seed) throws IOException {
        Files.createDirectories(images);
        if (labels != null) Files.createDirectories(labels);
        Random r = new Random(seed);
        for (int k = 0; k < n; k++) {
            double cx = size * (0.4 + 0.2 * r.nextDouble()), cy = size * (0.4 + 0.2 * r.nextDouble());
            double ax = size * (0.2 + 0.1 * r.nextDouble()), ay = size * (0.2 + 0.1 * r.nextDouble()), tr = Math.min(ax, ay) * 0.4;
            FloatProcessor img = new FloatProcessor(size, size);
            ByteProcessor lab = new ByteProcessor(size, size);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double ex = (x + 0.5 - cx) / ax, ey = (y + 0.5 - cy) / ay, v = 0;
                    int l = 0;
                    if (ex * ex + ey * ey <= 1) {
                        l = 1;
                        v = 0.5;
                        double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                        if (dx * dx + dy * dy <= tr * tr) {
                            l = 2;
                            v = 1;
                        }
                    }
                    img.setf(x, y, (float) (v + 0.15 * r.nextGaussian()));
                    lab.set(x, y, l);
                }
            }
            String name = String.format("case%02d", k);
            new FileSaver(new ImagePlus(name, img)).saveAsTiff(images.resolve(name + ".tif").toString());
            if (labels != null) new FileSaver(new ImagePlus(name, lab)).saveAsTiff(labels.resolve(name + ".tif").toString());
        }
    }

    /** A stack of 2D phantoms (a "volume" a 2D model segments slice by slice). */
    public static void stack(Path file, int slices, int size, long seed) throws IOException {
        Path tmp = Files.createTempDirectory("stack");
        phantoms(tmp.resolve("i"), null, slices, size, seed);
        ImageStack st = new ImageStack(size, size);
        try (Stream<Path> s = Files.list(tmp.resolve("i"))) {
            for (Path p : s.sorted().toList()) st.addSlice(ij.IJ.openImage(p.toString()).getProcessor());
        }
        new FileSaver(new ImagePlus("stack", st)).saveAsTiffStack(file.toString());
        Storage.deleteLocal(tmp);
    }

    /** Asserts that two folders hold the same files (names and bytes), ignoring the names in {@code except}. */
    public static void assertSameFiles(Path expected, Path actual, List<String> except) throws IOException {
        Map<String, byte[]> a = files(expected, except), b = files(actual, except);
        assertEquals(a.keySet(), b.keySet(), "the same files in " + expected + " and " + actual);
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), "byte for byte: " + k);
    }

    private static Map<String, byte[]> files(Path dir, List<String> except) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString();
                if (except.stream().noneMatch(rel::startsWith)) m.put(rel, Files.readAllBytes(p));
            }
        }
        return m;
    }

    /** The rows of a CSV file (header first). */
    public static List<List<String>> csv(Path file) throws IOException {
        return Csv.parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** The rows of a CSV file as maps column -> value. */
    public static List<Map<String, String>> table(Path file) throws IOException {
        List<List<String>> rows = csv(file);
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < rows.get(0).size(); i++) m.put(rows.get(0).get(i), i < r.size() ? r.get(i) : "");
            out.add(m);
        }
        return out;
    }

    /** Nothing of a task attempt is left in the output folder. */
    public static boolean noStaging(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.noneMatch(p -> p.getFileName().toString().startsWith(Storage.STAGING) || p.getFileName().toString().endsWith(".part")
                    || p.getFileName().toString().startsWith(".tmp-"));
        }
    }
}
