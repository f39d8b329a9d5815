package org.medsynth.nn.engine.libtorch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medsynth.nn.engine.Engine;
import org.nd4j.autodiff.samediff.SameDiff;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device property of the libtorch engine: its values, and that asking for CUDA where libtorch has none stops at
 * once with one line that says what is missing and what to use instead (on a machine without a CUDA device).
 */
class TorchDeviceTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(TorchDevice.PROPERTY);
    }

    @Test
    void valuesAndMessage() {
        assertEquals(TorchDevice.Choice.AUTO, TorchDevice.parse(null));
        assertEquals(TorchDevice.Choice.AUTO, TorchDevice.parse(" Auto "));
        assertEquals(TorchDevice.Choice.CPU, TorchDevice.parse("CPU"));
        assertEquals(TorchDevice.Choice.CUDA, TorchDevice.parse("cuda"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchDevice.parse("gpu"));
        assertEquals("medsynth.torch.device must be auto (the default), cpu or cuda, got 'gpu'", e.getMessage());

        System.setProperty(TorchDevice.PROPERTY, "gpu");
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> new TorchGraph(SameDiff.create()));
        assertTrue(s.getMessage().startsWith("medsynth.torch.device must be"), s.getMessage());
    }

    @Test
    void cpuAndAutoRunOnTheCpuWithoutACudaDevice() {
        assumeTrue(TorchDevice.cudaMissing() != null, "a CUDA device is present");
        System.setProperty(TorchDevice.PROPERTY, "cpu");
        assertEquals("cpu", new TorchGraph(SameDiff.create()).device());
        System.setProperty(TorchDevice.PROPERTY, "auto");
        assertEquals("cpu", new TorchGraph(SameDiff.create()).device());
        assertEquals("cpu", TorchDevice.current());
    }

    @Test
    void cudaWithoutACudaDeviceStopsAtOnceSayingWhatIsMissing() {
        String missing = TorchDevice.cudaMissing();
        assumeTrue(missing != null, "a CUDA device is present");
        System.setProperty(TorchDevice.PROPERTY, "cuda");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new TorchGraph(SameDiff.create()));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith("medsynth.torch.device=cuda, but libtorch has no CUDA device here: " + missing), m);
        assertTrue(m.contains(TorchDevice.gpuBuild() ? "CUDA part did not load" : "CPU build"), m);
        assertTrue(m.endsWith("use medsynth.torch.device=auto or cpu, or engine=dl4j (bin/medsynth-gpu-check shows what is found)"), m);
        // commands choose the engine first: the same message before any work
        IllegalStateException atUse = assertThrows(IllegalStateException.class, () -> Engine.use(Engine.LIBTORCH).close());
        assertEquals(m, atUse.getMessage());
    }

    @Test
    void bothNativeBuildsOnTheClassPathAreRefusedBeforeLoading() throws MalformedURLException {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        String cpu = "org/bytedeco/pytorch/" + platform + "/libjnitorch.so";
        String gpu = "org/bytedeco/pytorch/" + platform + "-gpu/libjnitorch.so";
        URL cpuUrl = new URL("jar:file:/x/lib/medsynth/pytorch-2.10.0-1.5.13-" + platform + ".jar!/" + cpu);
        URL gpuUrl = new URL("jar:file:/x/lib/medsynth/pytorch-2.10.0-1.5.13-" + platform + "-gpu.jar!/" + gpu);

        String both = TorchRuntime.bothNatives(loader(Set.of(cpu, gpu), cpuUrl, gpuUrl));
        assertTrue(both != null && both.startsWith("both the CPU and the GPU natives of libtorch are installed (pytorch-2.10.0-1.5.13-"
                + platform + ".jar, pytorch-2.10.0-1.5.13-" + platform + "-gpu.jar)"), both);
        assertNull(TorchRuntime.bothNatives(loader(Set.of(cpu), cpuUrl, gpuUrl)));
        assertNull(TorchRuntime.bothNatives(loader(Set.of(gpu), cpuUrl, gpuUrl)));
    }

    /** A loader that finds the natives in {@code present} (at the URLs given) and everything else as the test's loader. */
    private static ClassLoader loader(Set<String> present, URL cpuUrl, URL gpuUrl) {
        return new ClassLoader(TorchDeviceTest.class.getClassLoader()) {
            @Override
            public URL getResource(String name) {
                if (name.endsWith("/libjnitorch.so")) {
                    if (!present.contains(name)) return null;
                    return name.contains("-gpu/") ? gpuUrl : cpuUrl;
                }
                return super.getResource(name);
            }
        };
    }
}
