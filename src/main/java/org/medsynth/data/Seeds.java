package org.medsynth.data;

import java.util.Random;

/** Seeding helpers shared by the phantom generators. */
final class Seeds {

    private Seeds() { }

    /**
     * A {@link Random} whose state depends on every bit of {@code seed}. The seed is first mixed
     * with SplitMix64, so that neighbouring seeds (1, 2, 3, ...) give unrelated sequences; plain
     * {@code new Random(seed)} gives correlated first draws for neighbouring seeds.
     * {@code java.util.Random} is used because its algorithm (including {@code nextGaussian})
     * is fixed by its specification, so a seed gives the same phantom on every JVM.
     */
    static Random random(long seed) {
        return new Random(mix(seed));
    }

    /** The SplitMix64 finaliser. */
    static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform draw in [lo, hi). */
    static double uniform(Random rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }
}
