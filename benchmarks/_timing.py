"""Measuring helper shared by the benchmarks: best time (and traced peak memory) of a call."""

from __future__ import annotations

import gc
import time
import tracemalloc

__all__ = ["measure", "best"]


def measure(fn, repeat=1, *, trace_memory=True):
    """(best seconds, traced peak bytes, result) of ``fn()`` over ``repeat`` runs.

    Before each run the previous result is released and the garbage collector runs,
    so one run's memory does not count against the next.  The peak is the
    tracemalloc peak of the call (NumPy buffers are traced; memory that compiled
    libraries allocate with plain malloc is not); with ``trace_memory=False``
    tracemalloc stays off (it slows Python-heavy code) and the peak is 0.
    """
    best_t, peak, out = float("inf"), 0, None
    for _ in range(repeat):
        out = None
        gc.collect()
        if trace_memory:
            tracemalloc.start()
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        if trace_memory:
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        best_t = min(best_t, dt)
    return best_t, peak, out


def best(fn, repeat=1):
    """(best seconds, result) of ``fn()`` over ``repeat`` runs, without memory tracing."""
    t, _, out = measure(fn, repeat, trace_memory=False)
    return t, out
