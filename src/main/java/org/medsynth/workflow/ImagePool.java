package org.medsynth.workflow;

import org.medsynth.core.UserInputException;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The image buffer of CycleGAN (Shrivastava et al. 2017; junyanz/pytorch-CycleGAN-and-pix2pix
 * {@code ImagePool}) used by 3D-MedGAN: the discriminator is shown generated images from a
 * history of generators, not only the latest one.
 * <ul>
 * <li>capacity 0: disabled, {@link #query} returns its argument;</li>
 * <li>while fewer than {@code capacity} samples are stored: stores a copy of the sample and
 *     returns the sample;</li>
 * <li>when full: with probability 1/2 returns a uniformly chosen stored sample and stores a copy
 *     of the new one in its place, otherwise returns the new sample (the pool is unchanged).</li>
 * </ul>
 * Seeded; not thread-safe (one pool per training loop).
 */
public final class ImagePool<T> {

    private final int capacity;
    private final Random random;
    private final UnaryOperator<T> copy;
    private final List<T> stored = new ArrayList<>();

    /**
     * @param copy makes the copy that is stored (so that later changes to the caller's sample do not
     *             reach the pool); {@code UnaryOperator.identity()} for immutable samples
     */
    public ImagePool(int capacity, long seed, UnaryOperator<T> copy) {
        if (capacity < 0) throw new UserInputException("The image pool size must be >= 0 (0 = no pool), not " + capacity + ".");
        this.capacity = capacity;
        this.random = new Random(seed);
        this.copy = copy;
    }

    /** A pool of ND4J arrays; stored samples are detached copies. */
    public static ImagePool<INDArray> ofArrays(int capacity, long seed) {
        return new ImagePool<>(capacity, seed, a -> a.dup().detach());
    }

    public T query(T sample) {
        return query(sample, random);
    }

    /**
     * {@link #query(Object)} with the caller's random generator instead of the pool's own (the same
     * rule and the same draws): lets a training loop make every step a pure function of its seed and
     * step index, so that a resumed run continues exactly. While the pool is filling no random number
     * is drawn, so querying the saved {@link #contents()} in order rebuilds a pool exactly.
     */
    public T query(T sample, RandomGenerator random) {
        if (capacity == 0) return sample;
        if (stored.size() < capacity) {
            stored.add(copy.apply(sample));
            return sample;
        }
        if (random.nextDouble() < 0.5) {
            int i = random.nextInt(capacity);
            T old = stored.get(i);
            stored.set(i, copy.apply(sample));
            return old;
        }
        return sample;
    }

    /** Queries each sample of a batch (dimension 0) separately, as CycleGAN does, and returns the batch of answers. */
    public static INDArray queryEach(ImagePool<INDArray> pool, INDArray batch) {
        if (pool.capacity == 0) return batch;
        long n = batch.size(0);
        INDArray[] out = new INDArray[(int) n];
        for (int i = 0; i < n; i++) {
            INDArray one = batch.get(NDArrayIndex.interval(i, i + 1)).dup();
            out[i] = pool.query(one);
        }
        return Nd4j.concat(0, out);
    }

    public int capacity() {
        return capacity;
    }

    /** The stored samples in slot order (read-only view; for checkpoints). */
    public List<T> contents() {
        return Collections.unmodifiableList(stored);
    }

    /** Number of samples stored (at most the capacity). */
    public int size() {
        return stored.size();
    }
}
