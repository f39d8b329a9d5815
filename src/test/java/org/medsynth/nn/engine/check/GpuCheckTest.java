package org.medsynth.nn.engine.check;

import org.junit.jupiter.api.Test;
import org.medsynth.nn.engine.Engine;
import org.medsynth.nn.engine.libtorch.TorchDevice;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java part of bin/medsynth-gpu-check, on a tiny U-Net: its lines for both engines (on the CPU where no GPU is found). */
class GpuCheckTest {

    private static final Pattern STEP = Pattern.compile("(dl4j|libtorch): train step: U-Net 2D width 2 depth 2, batch 2 x 1 x 16 x 16 float32 on "
            + "(cpu|cuda:\\d[^:]*): first \\d+\\.\\d{3} s, then \\d+\\.\\d{3} s/step over 1 step\\(s\\), loss \\d\\.\\d{4} -> \\d\\.\\d{4}");

    @Test
    void reportsDeviceAndATimedTrainStepForEachEngine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<GpuCheck.Outcome> outcomes;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            outcomes = GpuCheck.run(GpuCheck.Settings.parse("steps=2", "size=16", "width=2"), out);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertEquals(7, lines.size(), text);

        assertTrue(lines.get(0).startsWith("dl4j: backend: ND4J "), text);
        assertTrue(lines.get(1).startsWith("dl4j: device: "), text);
        assertTrue(lines.get(3).matches("libtorch: build: libtorch 2\\.10\\.0, (CPU build|GPU build for CUDA .+)"), text);
        assertTrue(lines.get(4).startsWith("libtorch: device: "), text);
        for (int i : new int[]{2, 5}) {
            Matcher m = STEP.matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            GpuCheck.Outcome o = outcomes.get(i == 2 ? 0 : 1);
            assertEquals(m.group(1), o.engine().userName());
            assertTrue(m.group(2).startsWith(o.device()), text);
            assertEquals(o.device().startsWith("cuda"), o.gpu());
            assertTrue(o.stepSeconds() > 0 && o.firstSeconds() > 0, text);
        }
        assertTrue(lines.get(6).startsWith("summary: GPU used by: "), text);

        if (TorchDevice.cudaMissing() != null) {
            // no CUDA for libtorch here (the CPU build, or the GPU build without its libraries or a device)
            assertEquals("libtorch: device: cpu (medsynth.torch.device=auto; no CUDA: " + TorchDevice.cudaMissing() + ")", lines.get(4));
            assertEquals("cpu", outcomes.get(1).device());
        }
        if (lines.get(1).startsWith("dl4j: device: cpu ") && outcomes.get(1).device().equals("cpu")) {
            assertTrue(lines.get(6).matches("summary: GPU used by: none \\(dl4j: cpu, \\d+\\.\\d{3} s/step; libtorch: cpu, \\d+\\.\\d{3} s/step\\)"),
                    lines.get(6));
        }
    }

    @Test
    void arguments() {
        GpuCheck.Settings s = GpuCheck.Settings.parse();
        assertEquals(List.of(Engine.DL4J, Engine.LIBTORCH), s.engines());
        assertEquals(3, s.steps());
        assertEquals(64, s.size());
        s = GpuCheck.Settings.parse("libtorch", "steps=1", "size=32", "width=4");
        assertEquals(List.of(Engine.LIBTORCH), s.engines());
        assertEquals(List.of(1, 32, 4), List.of(s.steps(), s.size(), s.width()));
        assertEquals("size must be a positive multiple of 4, got 30",
                assertThrows(IllegalArgumentException.class, () -> GpuCheck.Settings.parse("size=30")).getMessage());
        assertEquals("steps must be a whole number, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> GpuCheck.Settings.parse("steps=x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuCheck.Settings.parse("tensorflow"));
        assertThrows(IllegalArgumentException.class, () -> GpuCheck.Settings.parse("auto"));
    }
}
