"""Measuring helper shared by the benchmarks: best time (and traced peak memory) of a call."""

from __future__ import annotations

import gc
import time
import tracemalloc
import warnings

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


def loopback_cluster(workers, memory_limit):
    """A Dask LocalCluster on 127.0.0.1 and its client, the library's warnings silenced.

    Used as ``with loopback_cluster(2, "4GiB") as (cluster, client): ...``; workers are
    single-threaded processes with the given memory limit each.
    """
    import contextlib

    import concentration as cn
    from dask.utils import parse_bytes
    from distributed import Client, LocalCluster

    @contextlib.contextmanager
    def run():
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          memory_limit=parse_bytes(memory_limit),
                          silence_logs=40) as cluster, Client(cluster) as client:
            client.run(warnings.simplefilter, "ignore", cn.exceptions.ConcentrationWarning)
            yield cluster, client

    return run()
