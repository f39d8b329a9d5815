package org.medsynth.nn.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** engine=auto: DL4J wherever it can drive the hardware, libtorch for a GPU only libtorch can drive. */
class AutoEngineTest {

    @Test
    void libtorchOnlyForAGpuThatNd4jCannotDrive() {
        assertEquals(Engine.DL4J, AutoEngine.choose(false, false, false, Double.NaN), "CPU machine");
        assertEquals(Engine.DL4J, AutoEngine.choose(false, true, false, 9.0), "GPU but libtorch's CPU build: DL4J on the CPU");
        assertEquals(Engine.DL4J, AutoEngine.choose(true, false, false, Double.NaN), "libtorch's GPU build but no device");
        assertEquals(Engine.LIBTORCH, AutoEngine.choose(true, true, false, 8.0), "ND4J's CPU build cannot use an Ampere GPU");
        assertEquals(Engine.DL4J, AutoEngine.choose(true, true, true, 8.6), "ND4J's CUDA build drives Ampere (sm_86)");
        assertEquals(Engine.LIBTORCH, AutoEngine.choose(true, true, true, 9.0), "Hopper: only libtorch");
        assertEquals(Engine.LIBTORCH, AutoEngine.choose(true, true, true, 12.0), "Blackwell: only libtorch");
        assertEquals(Engine.LIBTORCH, AutoEngine.choose(true, true, true, Double.NaN), "an unknown GPU counts as newer");
    }

    @Test
    void thisMachineHasNoGpuSoAutoIsDl4j() {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidia0")));
        assertEquals(Engine.DL4J, Engine.auto());
        assertEquals(Engine.DL4J, Engine.parse("auto"));
    }
}
