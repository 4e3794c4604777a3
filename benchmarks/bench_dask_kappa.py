"""κ per quarter over 40 quarters of 13F-size holdings on a Dask LocalCluster.

    python benchmarks/bench_dask_kappa.py                 # 40 quarters, 8,000 firms x
                                                          # 30,000 owners, 4M holdings each
    python benchmarks/bench_dask_kappa.py --quarters 2    # a quick check
    python benchmarks/bench_dask_kappa.py --quarters 4 --firms 800 --owners 3000 \\
        --holdings 40000                                  # small

1. ``generators.make_holdings_panel`` (the project's own generator: 13F-like
   quarters, 5 % of positions absent each quarter) is written quarter by
   quarter as a hive-partitioned Parquet dataset, ``holdings/period=2015Q1/part-0.parquet``, ...
2. A ``distributed.LocalCluster`` on 127.0.0.1 (2 single-threaded worker
   processes, ``--memory-limit`` each, chosen so that the κ matrices of all
   quarters -- 512 MB each at 8,000 firms -- and even the validated holdings of
   all quarters cannot be held at once) runs::

       h = cn.read_holdings(path, engine="dask")
       cn.profit_weights(h, output="dense", reduce=summarise, client=client)

   Each task validates one quarter, computes its dense κ (8,000 x 8,000) with the
   in-memory code path, and reduces it on the worker to the mean and maximum
   off-diagonal profit weight (the quarterly series of Backus, Conlon and
   Sinkinson 2021, Fig. 3); only those numbers reach the client.
3. The naive pandas loop users would otherwise write -- ``pd.read_parquet`` of
   the whole dataset, ``read_holdings``, then one ``profit_weights`` per quarter --
   runs in a fresh process on the first ``--naive-quarters`` quarters only (it
   holds every quarter in memory); its time and memory for all quarters are
   extrapolated linearly and printed as such.  Its results are checked to equal
   the Dask results exactly.

Printed: generation time, total and per-quarter wall time, per-task compute time,
peak resident memory of each worker (``getrusage`` in the worker) and of the
cluster (distributed's ``MemorySampler``), worker restarts (must be zero), and
the naive loop's figures.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import loopback_cluster  # noqa: E402
from generators import make_holdings_panel  # noqa: E402

import concentration as cn  # noqa: E402

GiB = 1024.0 ** 3


def summarise(kappa):
    """Mean and maximum off-diagonal κ of one quarter (runs on the worker)."""
    n = kappa.shape[0]
    off = n * (n - 1)
    total = float(kappa.sum()) - float(np.trace(kappa))
    np.fill_diagonal(kappa, -np.inf)
    top = float(kappa.max())
    return {"n_firms": n, "mean_kappa": total / off if off else float("nan"),
            "max_kappa": top}


def _peak_rss():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0   # Linux: KiB


def write_dataset(root, args):
    """Write the quarters as a hive dataset; returns (seconds, rows, bytes on disk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    rows = 0
    for period, frame in make_holdings_panel(args.quarters, args.firms, args.owners,
                                             args.holdings, seed=args.seed):
        d = os.path.join(root, f"period={period}")
        os.makedirs(d, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False),
                       os.path.join(d, "part-0.parquet"))
        rows += len(frame)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(root) for f in fs)
    return time.perf_counter() - t0, rows, size


def naive_loop(root, quarters):
    """The pandas loop on the first ``quarters`` quarters (run in a fresh process)."""
    import pyarrow.parquet as pq

    periods = sorted(d.split("=", 1)[1] for d in os.listdir(root) if d.startswith("period="))
    keep = periods[:quarters]
    t0 = time.perf_counter()
    frame = pq.read_table(root, filters=[("period", "in", keep)]).to_pandas()
    frame["period"] = frame["period"].astype(str)
    h = cn.read_holdings(frame)
    table_bytes = float(h.table.memory_usage(deep=True).sum())
    out = {p: summarise(cn.profit_weights(h, period=p, output="dense")) for p in h.periods}
    return time.perf_counter() - t0, _peak_rss(), table_bytes / len(keep), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarters", type=int, default=40)
    ap.add_argument("--firms", type=int, default=8000)
    ap.add_argument("--owners", type=int, default=30000)
    ap.add_argument("--holdings", type=int, default=4_000_000, help="holdings per quarter")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GiB", help="per worker (default 3GiB)")
    ap.add_argument("--naive-quarters", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dir", default=None, help="where to write the dataset (default: temp)")
    args = ap.parse_args(argv)

    from dask.utils import format_bytes, parse_bytes
    from distributed import get_task_stream
    from distributed.diagnostics import MemorySampler

    root_parent = args.dir or tempfile.mkdtemp(prefix="bench_dask_kappa_")
    root = os.path.join(root_parent, "holdings")
    shutil.rmtree(root, ignore_errors=True)
    t_gen, rows, size = write_dataset(root, args)
    print(f"dataset: {args.quarters} quarters x ~{rows / args.quarters:,.0f} holdings "
          f"({args.firms:,} firms x {args.owners:,} owners), {rows:,} rows, "
          f"{format_bytes(size)} of Parquet; generated and written in {t_gen:.1f} s")
    dense_q = args.firms ** 2 * 8
    print(f"dense kappa per quarter: {format_bytes(dense_q)}; all quarters: "
          f"{format_bytes(dense_q * args.quarters)}")

    limit = parse_bytes(args.memory_limit)
    with loopback_cluster(args.workers, args.memory_limit) as (cluster, client):
        before = set(client.scheduler_info()["workers"])
        sampler = MemorySampler()
        t0 = time.perf_counter()
        with sampler.sample("kappa", interval=0.25), get_task_stream(client) as stream:
            holdings = cn.read_holdings(root, engine="dask")
            result = cn.profit_weights(holdings, output="dense", reduce=summarise,
                                       client=client)
        wall = time.perf_counter() - t0
        after = set(client.scheduler_info()["workers"])
        peaks = client.run(_peak_rss)
        cluster_peak = float(sampler.to_pandas()["kappa"].max())
    spans = [sum(s["stop"] - s["start"] for s in t["startstops"] if s["action"] == "compute")
             for t in stream.data if "_pw_task" in str(t["key"])]
    print(f"\nDask LocalCluster: {args.workers} workers x 1 thread, memory limit "
          f"{format_bytes(limit)} each (cluster {format_bytes(limit * args.workers)})")
    print(f"  total wall time         {wall:8.1f} s for {len(result)} quarters "
          f"(scan, validation, kappa, reduction)")
    print(f"  wall time per quarter   {wall / len(result):8.2f} s")
    if spans:
        print(f"  per-quarter task        {np.mean(spans):8.2f} s mean, {np.max(spans):.2f} s "
              f"max (one worker, compute only)")
    ran = pd.Series([t["worker"] for t in stream.data if "_pw_task" in str(t["key"])])
    print(f"  quarters per worker     {sorted(ran.value_counts().tolist())}; load average "
          f"during the run {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for addr, peak in sorted(peaks.items()):
        print(f"  peak RSS {addr:<24} {format_bytes(peak)} "
              f"({peak / limit:.0%} of its limit)")
    print(f"  peak cluster memory     {format_bytes(cluster_peak)} (MemorySampler, process)")
    print(f"  worker restarts         {len(before - after)}")
    frame = pd.DataFrame(result).T.astype({"n_firms": int})
    shown = pd.concat([frame.head(3), frame.tail(3)]) if len(frame) > 6 else frame
    print("\nmean / max off-diagonal kappa by quarter" + (" (first and last 3):"
          if len(frame) > 6 else ":"))
    print(shown.to_string(float_format="{:.4f}".format))

    nq = min(args.naive_quarters, args.quarters)
    if nq > 0:
        with mp.get_context("spawn").Pool(1) as pool:
            t_naive, rss_naive, per_q, naive = pool.apply(naive_loop, (root, nq))
        for p, vals in naive.items():
            assert vals == result[p], (p, vals, result[p])
        per = t_naive / nq
        print(f"\nnaive pandas loop (read everything, then profit_weights per quarter), "
              f"measured on {nq} quarter(s):")
        print(f"  time                    {t_naive:8.1f} s ({per:.2f} s per quarter); "
              f"results equal the Dask results exactly")
        print(f"  peak RSS                {format_bytes(rss_naive)}")
        print(f"  EXTRAPOLATED to {args.quarters} quarters: {per * args.quarters:8.1f} s, "
              f"peak RSS >= {format_bytes(rss_naive + per_q * (args.quarters - nq))} "
              f"(+{format_bytes(per_q)} of validated holdings per extra quarter)")
        print(f"  naive / Dask wall time per quarter: {per / (wall / len(result)):.2f}x "
              f"(Dask with {args.workers} workers)")
    if args.dir is None:
        shutil.rmtree(root_parent, ignore_errors=True)


if __name__ == "__main__":
    main()
