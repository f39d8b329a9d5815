package org.medsynth.nn.engine.dl4j;

import org.medsynth.nn.EngineOptions;
import org.medsynth.nn.engine.Engine;
import org.bytedeco.javacpp.Pointer;

/**
 * Keeps native memory bounded in training loops.
 *
 * <p>ND4J (CPU) frees the native buffer of an array only when its Java object is garbage collected
 * (or closed). A training step creates hundreds of megabytes of short-lived activations but little
 * Java garbage, so the heap rarely fills up enough to trigger a collection. Measured on a 256x256
 * U-Net (batch 1, docs/nn-toolkit.md): without help the process RSS grew by about 330 MB per step and
 * steps got slower (page faults); with a collection after each step RSS stayed flat and steps were
 * faster. ND4J's allocation trackers and JavaCPP's counters do not see these buffers, and
 * RSS never shrinks after a collection (the allocator keeps the pages for reuse), so neither is a
 * usable trigger.
 *
 * <p>Policy: after a step, collect if the time since the end of the last collection is at least
 * {@code duration of the last collection / maxOverhead} — collections then take at most about
 * {@code maxOverhead} (default 10 %) of the wall time. Large networks (steps much longer than a
 * collection) collect after every step; tiny ones (short steps, which also allocate little) every few
 * dozen steps. {@link org.medsynth.nn.train.TrainStep} additionally closes the gradient arrays it consumes.
 * One guard per process and engine: {@link #global(Engine)}. Steps on libtorch leave far less ND4J memory behind (its
 * activations are libtorch's, freed at once; only feeds and results are ND4J arrays), so their guard allows 2 % by
 * default: a SkrGAN G_P/D_P iteration on libtorch spent 18 ms of 240 in collections at 10 %, 4 ms at 2 % with 3 % more
 * peak memory, and without collections its memory grew by 190 MB in 150 iterations.
 */
public final class MemoryGuard {
    private static final MemoryGuard GLOBAL = new MemoryGuard(EngineOptions.fromSystemProperties().gcOverhead());
    private static final MemoryGuard LIBTORCH = new MemoryGuard(EngineOptions.fromSystemProperties().forEngine(Engine.LIBTORCH).gcOverhead());

    private final double maxOverhead;
    private long lastGcEndNanos = -1;
    private long lastGcNanos;
    private long collections;
    private long gcNanosTotal;

    /** @param maxOverhead fraction of wall time collections may take (0 disables the guard) */
    public MemoryGuard(double maxOverhead) {
        if (maxOverhead < 0 || maxOverhead >= 1) throw new IllegalArgumentException("overhead must be in [0, 1)");
        this.maxOverhead = maxOverhead;
    }

    /** The process-wide guard of DL4J's steps (overhead {@link EngineOptions#gcOverhead()} when the class is loaded). */
    public static MemoryGuard global() {
        return GLOBAL;
    }

    /** The process-wide guard of steps on {@code engine} (overhead of {@link EngineOptions#forEngine}). */
    public static MemoryGuard global(Engine engine) {
        return engine == Engine.LIBTORCH ? LIBTORCH : GLOBAL;
    }

    /** Call after a training step; returns true when it collected. */
    public synchronized boolean afterStep() {
        if (maxOverhead <= 0) return false;
        long now = System.nanoTime();
        if (lastGcEndNanos >= 0 && now - lastGcEndNanos < lastGcNanos / maxOverhead) return false;
        System.gc();
        long end = System.nanoTime();
        lastGcNanos = Math.max(end - now, 1_000_000L);
        lastGcEndNanos = end;
        collections++;
        gcNanosTotal += end - now;
        return true;
    }

    /** Number of collections triggered. */
    public synchronized long collections() {
        return collections;
    }

    /** Total time spent in collections triggered by this guard, in seconds. */
    public synchronized double collectionSeconds() {
        return gcNanosTotal / 1e9;
    }

    public double maxOverhead() {
        return maxOverhead;
    }

    /** Resident set size of the process in bytes. */
    public static long residentBytes() {
        return Pointer.physicalBytes();
    }
}
