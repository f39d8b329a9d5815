package org.medsynth.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkReportTest {

    @Test
    void theMedianAnswerTakesEachNumbersMedianAndSkipsFailedRounds() {
        List<Map<String, Object>> rounds = List.of(
                Map.of("torch", "1.13", "pix2pix", Map.of("256", 0.30), "cases", List.of(Map.of("g", 1.0, "rss", 500))),
                Map.of("error", "exit code 137"),
                Map.of("torch", "1.13", "pix2pix", Map.of("256", 0.10), "cases", List.of(Map.of("g", 3.0, "rss", 700))),
                Map.of("torch", "1.13", "pix2pix", Map.of("256", 0.20), "cases", List.of(Map.of("g", 2.0, "rss", 600))));
        Map<String, Object> m = BenchmarkReport.median(rounds);
        assertEquals("1.13", m.get("torch"));
        assertEquals(0.20, BenchmarkReport.value(m, "pix2pix", "256"), 1e-12);
        assertEquals(2.0, BenchmarkReport.value(m, "cases", 0, "g"), 1e-12);
        assertEquals(600, BenchmarkReport.value(m, "cases", 0, "rss"), 1e-12);
        // an even count: the mean of the middle two
        assertEquals(0.25, BenchmarkReport.value(BenchmarkReport.median(List.of(rounds.get(0), rounds.get(3))), "pix2pix", "256"), 1e-12);
        // all failed: the first failure
        assertEquals("exit code 137", BenchmarkReport.median(List.of(rounds.get(1))).get("error"));
    }

    @Test
    void alternatingRoundsRunTheSidesInTurn() throws Exception {
        List<String> order = new ArrayList<>();
        List<Map<String, Object>> m = BenchmarkReport.alternating(2, List.of(
                () -> { order.add("a"); return Map.of("t", order.size()); },
                () -> { order.add("b"); return Map.of("t", 10.0 * order.size()); }));
        assertEquals(List.of("a", "b", "a", "b"), order);
        assertEquals(2.0, BenchmarkReport.value(m.get(0), "t"), 1e-12);    // median of 1 and 3
        assertEquals(30.0, BenchmarkReport.value(m.get(1), "t"), 1e-12);   // median of 20 and 40
    }

    @Test
    void warmUpLastsBothTheCallsAndTheSecondsAndTimesOnlyTheCallsAfterIt() {
        List<Long> starts = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        long before = System.nanoTime();
        double perCall = BenchmarkReport.secondsPerCall(2, 0.05, 3, i -> {
            starts.add(System.nanoTime());
            indices.add(i);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        });
        int warmUp = starts.size() - 3;
        assertTrue(warmUp >= 2, "at least the calls asked for");
        assertTrue(starts.get(warmUp) - before >= 50_000_000L, "the first timed call begins after at least the seconds asked for");
        for (int i = 0; i < indices.size(); i++) assertEquals(i, indices.get(i));
        assertTrue(perCall >= 0.001, "timed calls only: each parks 1 ms");
        // zero seconds: the calls alone
        List<Integer> calls = new ArrayList<>();
        BenchmarkReport.secondsPerCall(2, 0, 3, calls::add);
        assertEquals(List.of(0, 1, 2, 3, 4), calls);
    }
}
