package org.medsynth.launch;

import ij.ImagePlus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medsynth.testutil.FormatFixtures;
import org.medsynth.workflow.segment.SegmenterModelCompatibilityTest;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MedSynth installed the way users install it, started the way users start it, in real java processes
 * with ImageJ's GUI classes (ImageJ -batch on a display; Xvfb when there is no display):
 * <ul>
 * <li>plain ImageJ 1.x: {@code java -jar ij.jar}, MedSynth loaded by ImageJ's plugin class loader;</li>
 * <li>Fiji: every jar of jars/ and plugins/ in one class loader (Fiji's launchers), with libraries at the
 * versions Fiji pins (javacpp 1.5.10, gson 2.10.1, jna 5.14.0, ...) beside MedSynth's other ones.</li>
 * <li>libtorch, the optional lib/medsynth/libtorch/ ({@code --with-libtorch}): installed only when asked for, and
 * then running beside ND4J in MedSynth's loader ({@link LibtorchProbe}).</li>
 * </ul>
 * Each runs Segment with a committed model and must give the probabilities that model gave when it was
 * made, which only a working neural-network engine can. The headless runner's layout is tested by the
 * macro tests in org.medsynth.ij1.
 */
class InstallLayoutsIT {

    private static final Path BUILD = Path.of(System.getProperty("medsynth.imagej.dir"));
    private static final Path BASE = Path.of(System.getProperty("medsynth.basedir", "."));
    private static final Path FIJI_HOST = Path.of(System.getProperty("medsynth.fiji.host", "target/fiji-host"));
    /** The JavaCPP that MedSynth ships in lib/medsynth (pom.xml's javacpp.version), not the host's. */
    private static final String JAVACPP = System.getProperty("medsynth.javacpp.version", "1.5.13");
    private static Process xvfb;
    private static String display;

    @TempDir
    Path tmp;

    @BeforeAll
    static void display() throws Exception {
        display = System.getenv("DISPLAY");
        if (display != null && !display.isEmpty()) return;
        display = null;
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (!Files.isExecutable(Path.of(dir, "Xvfb"))) continue;
            int n = 90 + (int) (ProcessHandle.current().pid() % 100);
            xvfb = new ProcessBuilder("Xvfb", ":" + n, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            for (int i = 0; i < 50 && !Files.exists(Path.of("/tmp/.X11-unix/X" + n)); i++) Thread.sleep(100);
            display = ":" + n;
            return;
        }
    }

    @AfterAll
    static void stopXvfb() {
        if (xvfb != null) xvfb.destroy();
    }

    private static void needDisplay() {
        assumeTrue(display != null, "no display and no Xvfb: install xvfb (.ci/run does) to run the GUI install tests");
    }

    record Run(int exit, String out) { }

    private static Run run(Path dir, int timeoutSeconds, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        if (display != null) pb.environment().put("DISPLAY", display);
        pb.environment().put("MEDSYNTH_IMAGEJ_DIR", BUILD.toString());
        pb.environment().put("MALLOC_ARENA_MAX", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!ended) p.destroyForcibly();
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(ended, "did not end (waiting on a dialog?):\n" + text);
        return new Run(p.exitValue(), text);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Run install(Path app, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BASE.resolve("bin/medsynth-install-fiji").toString()));
        cmd.addAll(List.of(options));
        cmd.add(app.toString());
        return run(tmp, 120, cmd.toArray(new String[0]));
    }

    /** A macro that segments the compatibility fixture's input with its model and saves the probabilities. */
    private Path segmentMacro(Path probabilities) throws Exception {
        Class<?> c = SegmenterModelCompatibilityTest.class;
        Path macro = tmp.resolve("segment.ijm");
        Files.writeString(macro, String.join("\n",
                "open(\"" + FormatFixtures.resource(c, "segmenter-input.tif") + "\");",
                "run(\"MedSynth Segment\", \"model=[" + FormatFixtures.resource(c, "mlu-net.zip") + "] probabilities overlap=0.5\");",
                "selectImage(\"segmenter-input-probabilities\");",
                "saveAs(\"Tiff\", \"" + probabilities + "\");",
                "print(\"SEGMENTED\");",
                "run(\"MedSynth About\");",
                "for (i = 0; i < nResults; i++) print(\"ABOUT \" + getResultString(\"item\", i) + \" = \" + getResultString(\"value\", i));", ""));
        return macro;
    }

    /** The model gave its recorded probabilities, with MedSynth's own libraries (not the host's) at work. */
    private static void assertFixtureProbabilities(Path app, Path probabilities, Run r) {
        assertTrue(r.out().contains("SEGMENTED") && Files.exists(probabilities), r.out());
        assertTrue(r.out().contains("ABOUT JavaCPP = " + JAVACPP), "MedSynth's JavaCPP, whatever the host has: " + r.out());
        assertTrue(r.out().contains("ABOUT loaded from = " + app.resolve("lib/medsynth/MedSynth-core.jar")), r.out());
        ImagePlus expected = FormatFixtures.openTiff(FormatFixtures.resource(SegmenterModelCompatibilityTest.class, "mlu-net-probabilities.tif"));
        FormatFixtures.assertSameImage(expected, FormatFixtures.openTiff(probabilities), 1e-4);
    }

    @Test
    void plainImageJSegmentsWithItsPluginClassLoader() throws Exception {
        needDisplay();
        Path app = Files.createDirectories(tmp.resolve("ImageJ"));
        Files.copy(BUILD.resolve("ij.jar"), app.resolve("ij.jar"));
        Run installed = install(app);
        assertEquals(0, installed.exit(), installed.out());
        assertTrue(installed.out().contains("added " + app.resolve("plugins/MedSynth_.jar")), installed.out());

        Path probabilities = tmp.resolve("p.tif");
        Run r = run(app, 300, java(), "-Xmx2g", "-jar", "ij.jar", "-batch", segmentMacro(probabilities).toString());
        assertFixtureProbabilities(app, probabilities, r);
    }

    @Test
    void aFailureInImageJBatchModeEndsTheMacroWithoutWaitingOnADialog() throws Exception {
        needDisplay();
        Path app = Files.createDirectories(tmp.resolve("ImageJ"));
        Files.copy(BUILD.resolve("ij.jar"), app.resolve("ij.jar"));
        assertEquals(0, install(app).exit());
        Path macro = tmp.resolve("fail.ijm");
        Files.writeString(macro, "newImage(\"x\", \"32-bit black\", 32, 32, 1);\n"
                + "run(\"MedSynth Segment\", \"model=[" + tmp.resolve("missing.zip") + "]\");\n"
                + "print(\"AFTER THE FAILURE\");\n");
        Run r = run(app, 60, java(), "-jar", "ij.jar", "-batch", macro.toString());
        assertTrue(r.out().contains("MedSynth Segment: model file " + tmp.resolve("missing.zip") + " not found"), r.out());
        assertFalse(r.out().contains("AFTER THE FAILURE"), "the macro stops at the failure: " + r.out());
    }

    /** Fiji's jars/: ImageJ (1.54g) plus libraries at the versions Fiji pins, several of which MedSynth needs older. */
    private Path fijiLikeInstall() throws Exception {
        Path app = tmp.resolve("Fiji.app");
        Path jars = Files.createDirectories(app.resolve("jars"));
        Files.createDirectories(app.resolve("plugins"));
        try (Stream<Path> host = Files.list(FIJI_HOST)) {
            for (Path jar : host.filter(p -> p.toString().endsWith(".jar")).toList()) Files.copy(jar, jars.resolve(jar.getFileName()));
        }
        assertTrue(Files.exists(jars.resolve("javacpp-1.5.10.jar")) && Files.exists(jars.resolve("ij-1.54g.jar")),
                "mvn verify copies Fiji's pinned jars to " + FIJI_HOST);
        return app;
    }

    @Test
    void fijiClassPathWithFijisPinnedLibrariesSegments() throws Exception {
        needDisplay();
        Path app = fijiLikeInstall();
        assertEquals(0, install(app).exit());
        Path probabilities = tmp.resolve("p.tif");
        Run r = run(app, 300, java(), "-Xmx2g", "-cp", System.getProperty("medsynth.test.classes", "target/test-classes"),
                FijiClassPathLauncher.class.getName(), app.toString(), "-batch", segmentMacro(probabilities).toString());
        assertFixtureProbabilities(app, probabilities, r);
    }

    private static List<Path> classPathJars(Path app) throws Exception {
        List<Path> jars = new ArrayList<>();
        for (String dir : new String[]{"jars", "plugins"}) {
            try (Stream<Path> s = Files.walk(app.resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        return jars;
    }

    @Test
    void nothingMedSynthPutsOnFijisClassPathIsASecondVersionOfAPinnedLibrary() throws Exception {
        FijiBillOfMaterials bom = FijiBillOfMaterials.read(FIJI_HOST.resolve("pom-scijava.pom"));
        assertTrue(bom.size() > 500, "pom-scijava pins " + bom.size() + " artifacts");
        assertEquals("1.5.10", bom.pinned("org.bytedeco:javacpp"));

        Path app = fijiLikeInstall();
        List<Path> before = classPathJars(app);
        assertEquals(0, install(app).exit());
        List<Path> added = classPathJars(app);
        added.removeAll(before);
        assertEquals(List.of(app.resolve("plugins/MedSynth_.jar")), added, "MedSynth adds one jar to Fiji's class path");
        assertEquals(List.of(), bom.conflicts(classPathJars(app)));
        try (JarFile launcher = new JarFile(app.resolve("plugins/MedSynth_.jar").toFile())) {
            launcher.stream().filter(e -> e.getName().endsWith(".class"))
                    .forEach(e -> assertTrue(e.getName().startsWith("org/medsynth/launch/"), "only the launcher: " + e.getName()));
        }
        // The check finds what putting MedSynth's libraries on Fiji's class path would do
        List<Path> engineJars;
        try (Stream<Path> s = Files.list(app.resolve("lib/medsynth"))) {
            engineJars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        String conflicts = String.join("\n", bom.conflicts(engineJars));
        assertTrue(conflicts.contains("org.bytedeco:javacpp " + JAVACPP + ", Fiji pins 1.5.10"), conflicts);
        assertTrue(conflicts.contains("com.google.code.gson:gson 2.8.0, Fiji pins 2.10.1"), conflicts);
    }

    /** The names of the jars under a folder, recursively, relative to it. */
    private static List<String> jarsUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void uninstallRemovesExactlyWhatTheInstallAdded() throws Exception {
        Path app = fijiLikeInstall();
        Path lib = app.resolve("lib/medsynth");
        List<Path> before;
        try (Stream<Path> s = Files.walk(app)) {
            before = s.sorted().toList();
        }
        assertEquals(0, install(app).exit());
        assertTrue(Files.exists(lib.resolve("MedSynth-core.jar")));
        assertFalse(Files.exists(lib.resolve("libtorch")), "libtorch only with --with-libtorch");
        assertTrue(jarsUnder(lib).stream().noneMatch(j -> j.contains("pytorch")), jarsUnder(lib).toString());
        Run second = install(app);
        assertTrue(second.out().contains("updated " + app.resolve("plugins/MedSynth_.jar")), second.out());
        assertFalse(Files.exists(lib.resolve("libtorch")));

        // a later --with-libtorch adds it (class jar and natives), and a plain update keeps it
        Run withLibtorch = install(app, "--with-libtorch");
        assertEquals(0, withLibtorch.exit(), withLibtorch.out());
        assertTrue(withLibtorch.out().contains("added " + lib.resolve("libtorch") + "/"), withLibtorch.out());
        List<String> libtorch = jarsUnder(lib.resolve("libtorch"));
        assertEquals(2, libtorch.size(), libtorch.toString());
        assertTrue(libtorch.stream().allMatch(j -> j.startsWith("pytorch-")) && libtorch.stream().anyMatch(j -> j.endsWith("-linux-x86_64.jar")),
                libtorch.toString());
        Run update = install(app);
        assertTrue(update.out().contains("updated " + lib.resolve("libtorch") + "/"), update.out());
        assertEquals(libtorch, jarsUnder(lib.resolve("libtorch")));

        Run removed = install(app, "--uninstall");
        assertEquals(0, removed.exit(), removed.out());
        try (Stream<Path> s = Files.walk(app)) {
            assertEquals(before, s.sorted().toList());
        }
    }

    /**
     * {@link LibtorchProbe} on a Fiji-like install, with Fiji's class path (jars/ with Fiji's JavaCPP 1.5.10, and
     * plugins/MedSynth_.jar) as the host's.
     */
    private Run probe(Path app) throws Exception {
        List<String> cp = new ArrayList<>(List.of(System.getProperty("medsynth.test.classes", "target/test-classes")));
        for (Path jar : classPathJars(app)) cp.add(jar.toString());
        return run(app, 180, java(), "-Xmx1g", "-Djava.awt.headless=true", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, cp), LibtorchProbe.class.getName());
    }

    @Test
    void libtorchIsInstalledOnlyWhenAskedForAndRunsBesideNd4jInTheEngineLoader() throws Exception {
        Path app = fijiLikeInstall();
        Path lib = app.resolve("lib/medsynth");
        assertEquals(0, install(app).exit());
        Run without = probe(app);
        assertEquals(0, without.exit(), without.out());
        assertTrue(without.out().contains("ND4J sum=6.0") && without.out().contains("NO LIBTORCH"), without.out());

        assertEquals(0, install(app, "--with-libtorch").exit());
        Run with = probe(app);
        assertEquals(0, with.exit(), with.out());
        assertTrue(with.out().contains("ND4J sum=6.0"), with.out());
        assertTrue(with.out().contains("LIBTORCH sum=6.0 loader=EngineClassLoader jar=" + lib.resolve("libtorch") + "/pytorch-"), with.out());
        assertTrue(with.out().contains(" javacpp=" + lib.resolve("javacpp-" + JAVACPP + ".jar")), "MedSynth's JavaCPP, not Fiji's: " + with.out());
    }

    @Test
    void theInstallRefusesToReplaceAFileThatIsNotMedSynths() throws Exception {
        Path app = fijiLikeInstall();
        Path foreign = app.resolve("plugins/MedSynth_.jar");
        Files.writeString(foreign, "someone else's");
        Run r = install(app);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("is not MedSynth's; nothing was changed"), r.out());
        assertEquals("someone else's", Files.readString(foreign));
        assertFalse(Files.exists(app.resolve("lib/medsynth")));
    }
}
