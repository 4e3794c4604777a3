"""Unilateral-effects screens over many deals against a plain loop, in the same run.

    python benchmarks/bench_unilateral.py              # 10^5 two-party deals
    python benchmarks/bench_unilateral.py --deals 1e4  # a quick check

Random deals (shares from a Dirichlet over 2-8 firms, margins in [0.1, 0.8),
prices in [1, 20), profit weights in [0, 1]) are screened twice on the same data:

* loop: one deal at a time in plain Python over NumPy scalars: diversion
  proportional to share, GUPPI, UPP (efficiency 10%), IPR and the two-product
  Bertrand CMCR (Werden 1996) in closed form with the weights;
* library: ``cn.diversion_ratios`` on the stacked party shares, then ``cn.guppi``,
  ``cn.upp``, ``cn.ipr`` and ``cn.cmcr_bertrand`` over all deals at once (validated
  inputs; the CMCR by one batched linear solve);

and also the table path, ``cn.unilateral_screen`` on a long table with one market per
deal.  The results are checked to agree, and the ratios printed.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best  # noqa: E402

import concentration as cn  # noqa: E402


def make_deals(n, seed=0):
    rng = np.random.default_rng(seed)
    k = rng.integers(2, 9, n)
    raw = rng.gamma(1.0, size=(n, 8)) * (np.arange(8)[None, :] < k[:, None])
    shares = raw / raw.sum(axis=1, keepdims=True)
    margins = rng.uniform(0.1, 0.8, (n, 2))
    prices = rng.uniform(1, 20, (n, 2))
    kappa = rng.uniform(0, 1, (n, 2, 2))
    return shares, margins, prices, kappa


def with_loop(shares, margins, prices, kappa, efficiency=0.1):
    n = shares.shape[0]
    out = np.empty((n, 4, 2))
    for i in range(n):
        s1, s2 = shares[i, 0], shares[i, 1]
        d12, d21 = s2 / (1 - s1), s1 / (1 - s2)
        m1, m2 = margins[i]
        p1, p2 = prices[i]
        a, b = kappa[i, 0, 1], kappa[i, 1, 0]
        g1, g2 = a * d12 * m2 * p2 / p1, b * d21 * m1 * p1 / p2
        u1, u2 = g1 - efficiency * (1 - m1), g2 - efficiency * (1 - m2)
        i1, i2 = m1 * a * d12 / (1 - a * d12), m2 * b * d21 / (1 - b * d21)
        det = 1 - a * b * d12 * d21
        c1 = (a * d12 * p2 / p1 * m2 + a * b * d12 * d21 * m1) / det / (1 - m1)
        c2 = (b * d21 * p1 / p2 * m1 + a * b * d12 * d21 * m2) / det / (1 - m2)
        out[i] = ((g1, g2), (u1, u2), (i1, i2), (c1, c2))
    return out


def with_library(shares, margins, prices, kappa, efficiency=0.1):
    D = cn.diversion_ratios(shares[:, :2])     # the parties' block needs their shares only
    return np.stack([cn.guppi(D, margins, prices, kappa=kappa),
                     cn.upp(D, margins, prices, efficiency=efficiency, kappa=kappa),
                     cn.ipr(D, margins, kappa=kappa),
                     cn.cmcr_bertrand(D, margins, prices, kappa=kappa)], axis=1)


def long_table(shares):
    n, w = shares.shape
    firms = np.array([f"F{j}" for j in range(w)], dtype=object)
    market = np.repeat(np.arange(n), w)
    frame = pd.DataFrame({"market": market, "firm": np.tile(firms, n),
                          "share": shares.ravel()})
    return frame[frame["share"] > 0].reset_index(drop=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deals", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    n = int(args.deals)
    shares, margins, prices, kappa = make_deals(n)
    t_loop, ref = best(lambda: with_loop(shares, margins, prices, kappa), 1)
    t_lib, got = best(lambda: with_library(shares, margins, prices, kappa), args.repeat)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
    print(f"{n:,} two-party deals: GUPPI, UPP, IPR, CMCR")
    print(f"  plain loop      {t_loop:8.3f} s")
    print(f"  concentration   {t_lib:8.3f} s   ({t_loop / t_lib:,.0f}x faster)")
    frame = long_table(shares)
    t_tab, res = best(lambda: cn.unilateral_screen(
        frame, ["F0", "F1"], margins={"F0": 0.4, "F1": 0.5}, period=None), 1)
    print(f"  unilateral_screen, {len(frame):,}-row table ({n:,} markets; validation, "
          f"grouping and verdicts included) {t_tab:8.3f} s   (loop / table "
          f"{t_loop / t_tab:,.1f}x)")
    assert len(res.to_frame()) == 2 * n


if __name__ == "__main__":
    main()
