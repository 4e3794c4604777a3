"""Grouped HHI with a firm column, against pandas (1 and 2 levels) and polars.

    python benchmarks/bench_hhi.py                 # 10^7 rows, 10^5 markets
    python benchmarks/bench_hhi.py --full          # and 10^8 rows (int64 and categorical)
    python benchmarks/bench_hhi.py --rows 1e6      # a quick check

One long table per row count (``generators.make_share_rows``: lognormal market sizes,
firm ids out of 10^6, rows in random order), with and without 20 % repeated
(market, firm) rows.  The firm column is given as int64, categorical, object strings
and pandas' Arrow-backed ``str``; for each, in the same process and on the same data:

* concentration: ``cn.hhi(df, period=None, duplicates=...)`` (every check included:
  NaN/negative/unit/sum checks and repeated (market, firm) rows, an error or summed);
* pandas 1-level: ``(df["share"] ** 2).groupby(df["market"]).sum() * 10_000`` (no
  check, no aggregation: a lower bound for what a validated HHI can cost);
* pandas 2-level: ``groupby(["market", "firm"]).sum()`` then the HHI per market (the
  honest equivalent when a firm can have several rows);
* polars 2-level: the same two group-bys in polars (skipped, with a note, when polars
  is not installed).

Then the Parquet case: the table with text firm names written with
``DataFrame.to_parquet``; ``cn.hhi(cn.read_shares(path))`` against
``pd.read_parquet(path)`` + pandas 2-level.  Times are the best of ``--repeat`` runs;
the peak is the tracemalloc peak of one extra run (NumPy and pandas buffers; Arrow's
and polars' own allocators are not traced, so their figures are not shown).  Results
are checked to agree.  The machine's load average is printed with the results:
compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
import warnings
from functools import partial

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best, measure
from generators import make_share_rows

import concentration as cn

try:
    import polars as pl
except ImportError:  # pragma: no cover - optional anchor
    pl = None

DTYPES = ("int64", "category", "object", "str")


def _load():
    try:
        with open("/proc/loadavg") as fh:
            return fh.read().split()[0]
    except OSError:
        return "?"


def _firm_column(firm, dtype, names):
    if dtype == "int64":
        return firm
    if dtype == "category":
        return pd.Categorical.from_codes(firm, categories=pd.Index(names, dtype="str"))
    if dtype == "object":
        return names[firm]
    return pd.array(names[firm], dtype="str")


def _pandas_1(df):
    return (df["share"] ** 2).groupby(df["market"]).sum() * 10_000.0


def _pandas_2(df):
    pair = df.groupby(["market", "firm"], sort=False, observed=True)["share"].sum()
    return (pair ** 2).groupby(level=0).sum() * 10_000.0


def _polars_2(pdf):
    pair = pdf.group_by(["market", "firm"]).agg(pl.col("share").sum())
    return pair.group_by("market").agg((pl.col("share") ** 2).sum() * 10_000.0)


def _library(df, duplicates):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cn.exceptions.ConcentrationWarning)
        return cn.hhi(df, period=None, duplicates=duplicates)


def _line(label, t, ref_t=None, peak=None):
    ratio = f"  {ref_t / t:6.1f}x" if ref_t else ""
    mem = f"  peak +{peak / 2**20:6.0f} MiB" if peak else ""
    print(f"    {label:<30s} {t:8.3f} s{ratio}{mem}", flush=True)


def run(n_rows, n_markets, repeat, dtypes, memory, repeats=(0.0, 0.2)):
    for dup in repeats:
        t0 = time.perf_counter()
        market, firm, sales = make_share_rows(n_rows, n_markets=n_markets, dup_frac=dup)
        share = sales / np.bincount(market, weights=sales, minlength=n_markets)[market]
        del sales
        names = np.asarray([f"firm {i:07d}" for i in range(int(firm.max()) + 1)], dtype=object)
        duplicates = "sum" if dup else "error"
        print(f"\n{market.size:.2e} rows, {n_markets:.0e} markets, "
              f"{'20 % repeated (market, firm) rows, duplicates=sum' if dup else 'no repeated rows, duplicates=error'}"
              f" (data built in {time.perf_counter() - t0:.0f} s; load {_load()})", flush=True)
        base = pd.DataFrame({"market": market, "share": share}, copy=False)
        t_1, r_1 = best(partial(_pandas_1, base), repeat)
        print(f"  pandas 1-level, no checks: {t_1:.3f} s (the ratios below are "
              "pandas-or-polars time / concentration time)")
        del base
        for dtype in dtypes:
            df = pd.DataFrame({"market": market, "firm": _firm_column(firm, dtype, names),
                               "share": share}, copy=False)
            print(f"  firm {dtype} (load {_load()})", flush=True)
            t_cn, r_cn = best(partial(_library, df, duplicates), repeat)
            peak_cn = measure(partial(_library, df, duplicates))[1] if memory else None
            _line("concentration hhi", t_cn, peak=peak_cn)
            print(f"    {'vs pandas 1-level (no checks)':<30s} {t_1:8.3f} s  {t_1 / t_cn:6.1f}x")
            t_2, r_2 = best(partial(_pandas_2, df), repeat)
            peak_2 = measure(partial(_pandas_2, df))[1] if memory else None
            _line("pandas 2-level", t_2, t_2, peak=peak_2)
            print(f"    {'':<30s} {'':8s}    {t_2 / t_cn:6.1f}x faster"
                  + (f", memory {peak_cn / max(peak_2, 1):.2f} of pandas" if memory else ""))
            np.testing.assert_allclose(r_cn.to_numpy(), r_2.sort_index().to_numpy(), rtol=1e-9)
            if not dup:
                np.testing.assert_allclose(r_cn.to_numpy(), r_1.to_numpy(), rtol=1e-9)
            del r_2
            if pl is not None:
                pdf = pl.from_pandas(df)
                t_p, r_p = best(partial(_polars_2, pdf), repeat)
                _line("polars 2-level", t_p, t_p)
                print(f"    {'':<30s} {'':8s}    {t_p / t_cn:6.1f}x faster")
                got = r_p.sort("market")
                np.testing.assert_allclose(r_cn.to_numpy(), got["share"].to_numpy(), rtol=1e-9)
                del pdf, r_p, got
            del df, r_cn
            gc.collect()
        if not dup:
            parquet_case(market, firm, share, names, repeat)


def parquet_case(market, firm, share, names, repeat):
    """File -> read_shares -> hhi against pd.read_parquet + pandas 2-level."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "shares.parquet")
        pd.DataFrame({"market": market, "firm": names[firm], "share": share}).to_parquet(path)
        size = os.path.getsize(path)

        def library():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cn.exceptions.ConcentrationWarning)
                return cn.hhi(cn.read_shares(path, period=None), period=None)

        def with_pandas():
            return _pandas_2(pd.read_parquet(path))

        t_cn, r_cn = best(library, repeat)
        t_pd, r_pd = best(with_pandas, repeat)
        np.testing.assert_allclose(r_cn.to_numpy(), r_pd.sort_index().to_numpy(), rtol=1e-9)
        print(f"  Parquet file ({size / 2**20:.0f} MiB, text firm names; load {_load()})")
        _line("read_shares -> hhi", t_cn)
        _line("pd.read_parquet + 2-level", t_pd, t_pd)
        print(f"    {'':<30s} {'':8s}    {t_pd / t_cn:6.1f}x faster")
        if pl is not None and len(market) >= 5e7:
            print("    (polars skipped at this size: pl.read_parquet of the text column needs "
                  "more memory than this machine has next to the other copies)")
        elif pl is not None:
            def with_polars():
                return _polars_2(pl.read_parquet(path))
            t_p, _ = best(with_polars, repeat)
            _line("pl.read_parquet + 2-level", t_p, t_p)
            print(f"    {'':<30s} {'':8s}    {t_p / t_cn:6.1f}x faster")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=float, nargs="*", default=None,
                    help="row counts (default 1e7; 1e7 and 1e8 with --full)")
    ap.add_argument("--full", action="store_true",
                    help="also 10^8 rows (int64 and categorical firms only: 10^8 Python "
                         "strings do not fit a 2-core test machine next to pandas)")
    ap.add_argument("--markets", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dtypes", nargs="*", default=list(DTYPES), choices=DTYPES)
    ap.add_argument("--no-memory", action="store_true", help="skip the traced peak runs")
    ap.add_argument("--repeated", choices=("both", "none", "only"), default="both",
                    help="tables without repeated rows, with them, or both")
    args = ap.parse_args(argv)
    rows = args.rows or ([1e7, 1e8] if args.full else [1e7])
    print(f"{time.strftime('%Y-%m-%d %H:%M')} | {platform.processor() or platform.machine()}"
          f" | {os.cpu_count()} CPUs | load {_load()} | polars "
          f"{pl.__version__ if pl is not None else 'not installed (pip install polars)'}")
    cn.show_versions()
    for n in rows:
        dtypes = args.dtypes if n < 5e7 else [d for d in args.dtypes if d in ("int64", "category")]
        repeats = {"both": (0.0, 0.2), "none": (0.0,), "only": (0.2,)}[args.repeated]
        run(int(n), int(args.markets), args.repeat, dtypes, not args.no_memory, repeats)


if __name__ == "__main__":
    main()
