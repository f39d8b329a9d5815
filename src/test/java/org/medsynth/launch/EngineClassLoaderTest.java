package org.medsynth.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The engine loader on a small lib/medsynth made of links to this test's own jars: JavaCPP at the top, libtorch's
 * class jar in the optional {@code libtorch/} folder. Classes are loaded without initialising them, so no native
 * library is touched (InstallLayoutsIT runs libtorch through an installed loader in a process of its own).
 */
class EngineClassLoaderTest {

    private static final String TENSOR = "org.bytedeco.pytorch.Tensor";

    @TempDir
    Path tmp;

    /** The jar (on this test's class path) that holds a class. */
    private static Path jarOf(String className) throws Exception {
        Class<?> c = Class.forName(className, false, EngineClassLoaderTest.class.getClassLoader());
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private Path lib(boolean withLibtorch) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib/medsynth"));
        Files.createSymbolicLink(lib.resolve("javacpp.jar"), jarOf("org.bytedeco.javacpp.Pointer"));
        if (withLibtorch) {
            Path libtorch = Files.createDirectories(lib.resolve(EngineClassLoader.LIBTORCH));
            Files.createSymbolicLink(libtorch.resolve("pytorch.jar"), jarOf(TENSOR));
        }
        return lib;
    }

    private static List<String> names(URL[] urls) {
        return Arrays.stream(urls).map(u -> u.getPath().substring(u.getPath().indexOf("/lib/medsynth/") + 14)).toList();
    }

    @Test
    void withoutTheLibtorchFolderNoClassOfLibtorchIsThere() throws Exception {
        Path lib = lib(false);
        assertEquals(List.of("javacpp.jar"), names(EngineClassLoader.jarUrls(lib.toFile())));
        try (EngineClassLoader loader = new EngineClassLoader(lib.toFile(), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(TENSOR, false, loader));
            assertSame(loader, Class.forName("org.bytedeco.javacpp.Pointer", false, loader).getClassLoader());
        }
    }

    @Test
    void theJarsOfTheLibtorchFolderLoadChildFirstLikeTheRest() throws Exception {
        File lib = lib(true).toFile();
        assertEquals(List.of("javacpp.jar", "libtorch/pytorch.jar"), names(EngineClassLoader.jarUrls(lib)));
        // the host has libtorch too (this test's class path): MedSynth's copy wins, with MedSynth's JavaCPP beneath it
        ClassLoader host = EngineClassLoaderTest.class.getClassLoader();
        assertNotNull(Class.forName(TENSOR, false, host));
        try (EngineClassLoader loader = new EngineClassLoader(lib, host)) {
            Class<?> tensor = Class.forName(TENSOR, false, loader);
            assertSame(loader, tensor.getClassLoader());
            Class<?> pointer = tensor.getSuperclass();
            while (!pointer.getName().equals("org.bytedeco.javacpp.Pointer")) pointer = pointer.getSuperclass();
            assertSame(loader, pointer.getClassLoader());
        }
    }
}
