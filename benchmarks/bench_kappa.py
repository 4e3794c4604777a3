"""Profit weights (κ) for a 13F-size quarter and MHHI for 10,000 markets.

    python benchmarks/bench_kappa.py            # 8,000 firms x 30,000 owners, 4M holdings
    python benchmarks/bench_kappa.py --small    # a quick check

Inputs come from ``benchmarks/generators.py`` (``make_ownership``,
``make_control_cashflow``).  Dual-class control rows are rescaled to the firm's
cash-flow total so that the voting stakes are valid fractions; κ is unchanged by
that rescaling (it is invariant to multiplying a firm's control row by a constant).
The long table lists the stakes owner by owner, as 13F information tables come (one
filer's holdings after another), not in firm order.

Timed in the same process on the same data:

* ``read_holdings`` of the long table (validation included);
* ``profit_weights(h, control_model="voting", output="dense")`` — κ through the
  library (structure + the overlap kernel);
* the scipy one-liner users would otherwise write,
  ``diags(1 / rowsum(G∘B)) @ (G @ B.T)``, checked to agree;
* ``mhhi`` over 10,000 markets of 2-12 firms drawn from the same firms, and the
  per-market scipy loop (κ block and sᵀKs by hand) it replaces;
* end to end from Parquet files (``--end-to-end``, on by default): the holdings and
  the market shares written with ``DataFrame.to_parquet`` (text owner and firm
  names), then ``read_holdings`` -> ``profit_weights`` -> ``mhhi`` against the
  pipeline a researcher writes with pandas and scipy: ``pd.read_parquet``,
  ``pd.factorize`` of owners and firms, CSR matrices, ``G @ B.T / diag`` and
  ``10,000 · sᵀκs`` per market (vectorised over the markets); then the overlap
  kernel alone (``cn.overlap(B, metric="kappa", control=G)`` on that pipeline's CSR
  matrices), the time the library pipeline is measured against.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best
from generators import make_control_cashflow, make_ownership

import concentration as cn


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="800 x 3,000, 40k holdings")
    ap.add_argument("--markets", type=int, default=10_000)
    ap.add_argument("--skip-scipy", action="store_true", help="skip the scipy κ anchor")
    ap.add_argument("--no-end-to-end", action="store_true",
                    help="skip the Parquet -> read_holdings -> profit_weights -> mhhi run")
    args = ap.parse_args(argv)
    shape = (800, 3000, 40_000) if args.small else (8000, 30000, 4_000_000)
    t_gen, W = best(lambda: make_ownership(*shape))
    G, B = make_control_cashflow(W)
    gsum = np.asarray(G.sum(axis=1)).ravel()
    scale = np.divide(np.asarray(B.sum(axis=1)).ravel(), gsum, out=np.zeros_like(gsum),
                      where=gsum > 0)
    G = G.copy()
    G.data = G.data * np.repeat(scale, np.diff(G.indptr))   # same pattern and order as B
    n_f, n_o = W.shape
    print(f"input: {n_f:,} firms x {n_o:,} owners, {W.nnz:,} holdings "
          f"(generated in {t_gen:.1f} s)")
    coo_b, coo_g = B.tocoo(), G.tocoo()
    # rows as a 13F information table lists them: filer by filer (owner order), not
    # in the firm order the sparse matrices hold
    by_owner = np.argsort(coo_b.col, kind="stable")
    firms = np.array([f"F{i}" for i in range(n_f)], dtype=object)
    owners = np.array([f"O{i}" for i in range(n_o)], dtype=object)
    table = pd.DataFrame({"owner": owners[coo_b.col[by_owner]],
                          "firm": firms[coo_b.row[by_owner]],
                          "cash_flow": coo_b.data[by_owner], "votes": coo_g.data[by_owner]})

    t_read, h = best(lambda: cn.read_holdings(table, control="votes", period=None))
    print(f"read_holdings (validated)        : {t_read:7.2f} s")
    t_lib, K = best(lambda: cn.profit_weights(h, control_model="voting", output="dense",
                                               firms=list(firms)))
    print(f"kappa, library (dense {n_f}x{n_f}) : {t_lib:7.2f} s")
    if not args.skip_scipy:
        def scipy_kappa():
            num = G @ B.T
            d = np.asarray(G.multiply(B).sum(axis=1)).ravel()
            inv = np.divide(1.0, d, out=np.zeros_like(d), where=d > 0)
            return sp.diags(inv) @ num
        t_sp, Ks = best(scipy_kappa)
        print(f"kappa, scipy G @ B.T + diag      : {t_sp:7.2f} s  "
              f"(library is {t_sp / t_lib:.1f}x faster; read_holdings excluded)")
        Ks = Ks.toarray()
        np.fill_diagonal(Ks, 1.0)   # firms without holdings: own weight only
        err = np.max(np.abs(Ks - K))
        print(f"max |kappa_lib - kappa_scipy|    : {err:.2e}")
        del Ks
    del K

    rng = np.random.default_rng(1)
    sizes = rng.integers(2, 13, size=args.markets)
    mk = np.repeat(np.arange(args.markets), sizes)
    fr = np.concatenate([rng.choice(n_f, size=s, replace=False) for s in sizes])
    sh = np.concatenate([rng.dirichlet(np.ones(s)) for s in sizes])
    shares = pd.DataFrame({"market": mk, "firm": firms[fr], "share": sh})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cn.exceptions.ConcentrationWarning)
        t_m, res = best(lambda: cn.mhhi(shares, h, control_model="voting", period=None))
    print(f"mhhi, {args.markets:,} markets (library)   : {t_m:7.2f} s "
          f"({1e6 * t_m / args.markets:.0f} us per market)")

    def loop():
        out = np.empty(args.markets)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        for m in range(args.markets):
            idx = fr[starts[m]:starts[m + 1]]
            s = sh[starts[m]:starts[m + 1]]
            g, b = G[idx], B[idx]
            num = (g @ b.T).toarray()
            d = np.asarray(g.multiply(b).sum(axis=1)).ravel()
            k = np.divide(num, d[:, None], out=np.zeros_like(num), where=d[:, None] > 0)
            np.fill_diagonal(k, 1.0)
            out[m] = 10_000 * s @ k @ s
        return out
    t_loop, ref = best(loop)
    print(f"mhhi, per-market scipy loop      : {t_loop:7.2f} s  "
          f"(ratio loop/library {t_loop / t_m:.2f}; the library also validates and keeps "
          "the decompositions)")
    np.testing.assert_allclose(res.to_frame()["mhhi"].to_numpy(), ref, rtol=1e-9)
    print("mhhi results agree with the loop")
    if not args.no_end_to_end:
        end_to_end(table, shares)


def end_to_end(table, shares):
    """Parquet -> read_holdings -> profit_weights -> mhhi vs pandas + scipy by hand."""
    with tempfile.TemporaryDirectory() as tmp:
        hp, sp_path = os.path.join(tmp, "holdings.parquet"), os.path.join(tmp, "shares.parquet")
        table.to_parquet(hp)
        shares.to_parquet(sp_path)

        def library():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cn.exceptions.ConcentrationWarning)
                t0 = time.perf_counter()
                h = cn.read_holdings(hp, control="votes", period=None)
                t1 = time.perf_counter()
                K = cn.profit_weights(h, control_model="voting", output="dense")
                t2 = time.perf_counter()
                m = cn.mhhi(cn.read_shares(sp_path, period=None), h, control_model="voting",
                            period=None)
                t3 = time.perf_counter()
            return (t1 - t0, t2 - t1, t3 - t2), m.to_frame()["mhhi"].to_numpy(), K

        def by_hand():
            t0 = time.perf_counter()
            df = pd.read_parquet(hp)
            f_codes, f_names = pd.factorize(df["firm"])
            o_codes, _ = pd.factorize(df["owner"])
            shape = (len(f_names), int(o_codes.max()) + 1)
            B = sp.csr_matrix((df["cash_flow"].to_numpy(), (f_codes, o_codes)), shape=shape)
            G = sp.csr_matrix((df["votes"].to_numpy(), (f_codes, o_codes)), shape=shape)
            t1 = time.perf_counter()
            num = (G @ B.T).toarray()
            d = np.asarray(G.multiply(B).sum(axis=1)).ravel()
            kappa = np.divide(num, d[:, None], out=np.zeros_like(num), where=d[:, None] > 0)
            np.fill_diagonal(kappa, 1.0)
            t2 = time.perf_counter()
            s = pd.read_parquet(sp_path)
            pos = f_names.get_indexer(s["firm"])
            mk, sh = s["market"].to_numpy(), s["share"].to_numpy()
            # sum over pairs (j, k) of one market: s_j s_k kappa_jk, as one sparse product
            starts = np.flatnonzero(np.r_[True, mk[1:] != mk[:-1]])
            sizes = np.diff(np.r_[starts, mk.size])
            rows = np.repeat(np.arange(mk.size), np.repeat(sizes, sizes))
            cols = np.concatenate([np.arange(a, a + n) for a, n in zip(starts, sizes,
                                                                       strict=True)
                                   for _ in range(n)])
            pr, pc = pos[rows], pos[cols]
            k = np.where((pr >= 0) & (pc >= 0), kappa[pr, pc], 0.0)
            k[rows == cols] = 1.0  # a firm without holdings weighs its own profit only
            terms = sh[rows] * sh[cols] * k
            out = 10_000.0 * np.bincount(np.searchsorted(starts, rows, side="right") - 1,
                                         weights=terms)
            t3 = time.perf_counter()
            return (t1 - t0, t2 - t1, t3 - t2), out, (B, G)

        runs_lib = [library() for _ in range(2)]
        runs_ref = [by_hand() for _ in range(2)]
        lib = min(runs_lib, key=lambda r: sum(r[0]))
        ref = min(runs_ref, key=lambda r: sum(r[0]))
        np.testing.assert_allclose(lib[1], ref[1], rtol=1e-9)
        with open("/proc/loadavg") as fh:
            load = fh.read().split()[0]
        print(f"\nend to end from Parquet (load {load}; best of 2, stages of that run):")
        for name, (a, b_) in zip(("read + validate / read + factorize + CSR",
                                  "profit weights kappa", "read shares + mhhi over the markets"),
                                 zip(lib[0], ref[0], strict=True), strict=True):
            print(f"  {name:<42s} library {a:7.2f} s   pandas+scipy {b_:7.2f} s")
        t_lib, t_ref = sum(lib[0]), sum(ref[0])
        print(f"  {'total':<42s} library {t_lib:7.2f} s   pandas+scipy {t_ref:7.2f} s   "
              f"ratio {t_ref / t_lib:.2f}x")
        # the overlap kernel's own time: cn.overlap on the quarter's CSR matrices alone
        B, G = runs_ref[0][2]
        del runs_lib, runs_ref, lib, ref
        t_kernel, _ = best(lambda: cn.overlap(B, metric="kappa", control=G, output="dense"),
                           repeat=2)
        print(f"  {'overlap kernel alone (the same CSR)':<42s} library {t_kernel:7.2f} s   "
              f"(the pipeline spends {100 * (t_lib / t_kernel - 1):.0f} % over it; "
              "goal 25 %)")


if __name__ == "__main__":
    main()
