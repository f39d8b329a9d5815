package org.medsynth.spark;

import org.medsynth.nn.engine.Engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What an executor keeps between tasks (one JVM, several task threads): loaded models, so that a model is read once
 * per executor and not once per file, and pools of objects that one thread uses at a time (inference graphs are not
 * thread-safe), so that concurrent tasks of one executor do not wait for each other.
 */
public final class ExecutorCache {
    private static final Map<String, Object> VALUES = new ConcurrentHashMap<>();
    private static final Map<String, Pool<?>> POOLS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();

    private ExecutorCache() { }

    /** The value for {@code key}, made by {@code loader} the first time in this JVM. */
    @SuppressWarnings("unchecked")
    public static <T> T get(String key, Supplier<T> loader) {
        Object v = VALUES.get(key);
        if (v != null) return (T) v;
        synchronized (VALUES) {
            v = VALUES.get(key);
            if (v == null) {
                v = loader.get();
                LOADS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                VALUES.put(key, v);
            }
            return (T) v;
        }
    }

    /** Runs {@code use} with an object of the pool {@code key} (made by {@code maker} when none is free). */
    @SuppressWarnings("unchecked")
    public static <T, R> R withPooled(String key, Supplier<T> maker, java.util.function.Function<T, R> use) {
        Pool<T> pool = (Pool<T>) POOLS.computeIfAbsent(key, k -> new Pool<>());
        T t = pool.borrow();
        if (t == null) {
            t = maker.get();
            LOADS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        try {
            return use.apply(t);
        } finally {
            pool.release(t);
        }
    }

    /**
     * {@code key} with the engine selected on this thread ({@link Engine#selected()}: the property medsynth.engine of the
     * executor JVM) appended, for pools of objects that run a network on the engine chosen when they were made: a later
     * job of the same JVM on the other engine must not get them.
     */
    public static String onEngine(String key) {
        return key + ":" + Engine.selected().userName();
    }

    /** How many times {@code key} was loaded or made in this JVM (for tests and logs). */
    public static int loads(String key) {
        AtomicInteger n = LOADS.get(key);
        return n == null ? 0 : n.get();
    }

    /** Forgets everything (tests). */
    public static void clear() {
        VALUES.clear();
        POOLS.clear();
        LOADS.clear();
    }

    private static final class Pool<T> {
        private final Deque<T> free = new ArrayDeque<>();

        synchronized T borrow() {
            return free.pollFirst();
        }

        synchronized void release(T t) {
            free.addFirst(t);
        }
    }
}
