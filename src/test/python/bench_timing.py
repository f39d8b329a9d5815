"""Timing rule of the PyTorch benchmark scripts, the one of MedSynth's side (BenchmarkReport.secondsPerCall)."""
import time


def seconds_per_call(fn, repeats, warmup_calls, warmup_seconds=0.0):
    """Mean seconds of `repeats` calls of fn, after untimed calls until both at least `warmup_calls` calls and at least
    `warmup_seconds` seconds have passed."""
    calls, start = 0, time.perf_counter()
    while calls < warmup_calls or time.perf_counter() - start < warmup_seconds:
        fn()
        calls += 1
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - t) / repeats
