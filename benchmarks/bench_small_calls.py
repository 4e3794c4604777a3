"""Small calls, as users make them in loops over deals and quarters.

    python benchmarks/bench_small_calls.py            # 2,000 calls of each
    python benchmarks/bench_small_calls.py --calls 200

Each library call is timed against the plain numpy/pandas expression that computes the
same number without validation, in the same process (best of 5 batches of ``--calls``
calls, microseconds per call):

* ``hhi`` of a 5-firm dict against ``10_000 * np.square(np.fromiter(d.values())).sum()``
  and against the pandas expression ``(pd.Series(d) ** 2).sum() * 10_000``;
* ``screen_merger`` of a 5-firm dict (two merging firms, one guideline edition)
  against the same ΔHHI = 2·s_a·s_b and post-merger HHI in numpy, and in pandas
  (``s = pd.Series(d); pre = (s**2).sum()*1e4; delta = 2e4*s["A"]*s["B"]``); the
  screen's table is built when first read, so the call is also timed with
  ``.to_frame()``;
* ``overlap`` of a 10 x 10 dense weight matrix (cosine) against the numpy
  ``X @ X.T`` normalised by the row norms, and against what a user with sparse data
  writes (``W = scipy.sparse.csr_matrix(X)``, ``W @ W.T`` normalised), with the
  default thread count and with ``n_threads=1``;
* ``mhhi`` of 2 firms and 3 owners (the shares a dict, then a long DataFrame) against
  the O'Brien-Salop sum written in numpy, and in pandas from the same long tables (a
  pivot of the holdings, then the sum).

The ratio column is library / plain (the goal: at most 5, target 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import concentration as cn

SHARES = {"A": 0.30, "B": 0.25, "C": 0.20, "D": 0.15, "E": 0.10}


def per_call(fn, calls, batches=5):
    """Best microseconds per call of ``fn()`` over ``batches`` batches of ``calls`` calls."""
    fn()
    best = float("inf")
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best * 1e6


def _row(name, lib, plain, plain_name):
    print(f"  {name:<34s} {lib:9.1f} us   {plain_name:<30s} {plain:8.1f} us   "
          f"ratio {lib / plain:6.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args(argv)
    n = args.calls
    warnings.simplefilter("ignore", cn.exceptions.ConcentrationWarning)
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[0]
    print(f"{time.strftime('%Y-%m-%d %H:%M')} | {os.cpu_count()} CPUs | load {load} | "
          f"{n} calls per batch, best of 5 batches")

    d = SHARES
    t_lib = per_call(lambda: cn.hhi(d), n)
    t_np = per_call(lambda: 10_000.0 * np.square(np.fromiter(d.values(), float)).sum(), n)
    t_pd = per_call(lambda: (pd.Series(d) ** 2).sum() * 10_000.0, n)
    _row("hhi, 5-firm dict", t_lib, t_np, "numpy on the values")
    _row("", t_lib, t_pd, "pandas Series expression")

    def plain_screen():
        s = np.fromiter(d.values(), float)
        pre = 10_000.0 * (s * s).sum()
        delta = 20_000.0 * s[0] * s[1]
        return pre, pre + delta, delta

    def pandas_screen():
        s = pd.Series(d)
        pre = (s ** 2).sum() * 1e4
        delta = 2e4 * s["A"] * s["B"]
        return pre, pre + delta, delta

    t_lib = per_call(lambda: cn.screen_merger(d, merging=("A", "B"), guidelines="us2023"),
                     max(n // 10, 20))
    t_frame = per_call(lambda: cn.screen_merger(d, merging=("A", "B"),
                                                guidelines="us2023").to_frame(),
                       max(n // 10, 20))
    t_np = per_call(plain_screen, n)
    t_pd = per_call(pandas_screen, n)
    _row("screen_merger, 5 firms, us2023", t_lib, t_np, "numpy ΔHHI and post HHI")
    _row("", t_lib, t_pd, "pandas Series ΔHHI, post HHI")
    _row("screen_merger(...).to_frame()", t_frame, t_np, "numpy ΔHHI and post HHI")
    _row("", t_frame, t_pd, "pandas Series ΔHHI, post HHI")

    rng = np.random.default_rng(0)
    X = rng.random((10, 10))

    def plain_cosine():
        g = X @ X.T
        norm = np.sqrt(np.diag(g))
        return g / np.outer(norm, norm)

    def scipy_cosine():
        W = sp.csr_matrix(X)
        g = (W @ W.T).toarray()
        norm = np.sqrt(np.diag(g))
        return g / np.outer(norm, norm)

    t_np = per_call(plain_cosine, n)
    t_sp = per_call(scipy_cosine, n)
    t_lib = per_call(lambda: cn.overlap(X, metric="cosine"), n)
    t_one = per_call(lambda: cn.overlap(X, metric="cosine", n_threads=1), n)
    np.testing.assert_allclose(cn.overlap(X, metric="cosine"), scipy_cosine(), rtol=1e-12)
    _row("overlap 10x10 cosine (default)", t_lib, t_np, "numpy X @ X.T / norms")
    _row("", t_lib, t_sp, "scipy.sparse W @ W.T / norms")
    _row("overlap 10x10 cosine, n_threads=1", t_one, t_np, "numpy X @ X.T / norms")
    _row("", t_one, t_sp, "scipy.sparse W @ W.T / norms")

    shares = pd.DataFrame({"firm": ["A", "B"], "share": [0.6, 0.4]})
    holdings = pd.DataFrame({"owner": ["o1", "o1", "o2", "o3"],
                             "firm": ["A", "B", "A", "B"],
                             "cash_flow": [0.2, 0.3, 0.5, 0.4]})
    h = cn.read_holdings(holdings, period=None)
    beta = np.array([[0.2, 0.5, 0.0], [0.3, 0.0, 0.4]])  # firms x owners
    s2 = np.array([0.6, 0.4])

    def plain_mhhi():
        g = beta @ beta.T
        kappa = g / np.diag(g)[:, None]
        return 10_000.0 * s2 @ kappa @ s2

    def pandas_mhhi():
        b = holdings.pivot_table(index="firm", columns="owner", values="cash_flow",
                                 aggfunc="sum", fill_value=0.0)
        g = b @ b.T
        kappa = g.div(pd.Series(np.diag(g), index=g.index), axis=0)
        s = shares.set_index("firm")["share"].reindex(kappa.index)
        return 10_000.0 * s @ kappa @ s

    def library_mhhi():
        return cn.mhhi(shares, h, market=None, period=None).mhhi

    as_dict = dict(zip(shares["firm"], shares["share"].tolist()))

    def library_mhhi_dict():
        return cn.mhhi(as_dict, h).mhhi

    t_lib = per_call(library_mhhi, max(n // 10, 20))
    t_dict = per_call(library_mhhi_dict, n)
    t_np = per_call(plain_mhhi, n)
    t_pd = per_call(pandas_mhhi, max(n // 10, 20))
    np.testing.assert_allclose(np.asarray(library_mhhi()).ravel()[0], plain_mhhi(), rtol=1e-9)
    assert library_mhhi_dict() == library_mhhi()
    np.testing.assert_allclose(pandas_mhhi(), plain_mhhi(), rtol=1e-9)
    _row("mhhi, 2 firms x 3 owners, dict", t_dict, t_np, "numpy κ and sᵀκs")
    _row("", t_dict, t_pd, "pandas pivot, κ and sᵀκs")
    _row("mhhi, the same, shares a DataFrame", t_lib, t_np, "numpy κ and sᵀκs")
    _row("", t_lib, t_pd, "pandas pivot, κ and sᵀκs")


if __name__ == "__main__":
    main()
