"""Grouped HHI against the idiomatic pandas one-liner.

    python benchmarks/bench_hhi.py            # 10^7 and 10^8 rows, 10^5 markets
    python benchmarks/bench_hhi.py --rows 1e6 # a quick check

Each run builds one long table (Zipf-like market sizes, random row order; shares
derived per market from lognormal sales), then times, in the same process and on the
same data:

* pandas: ``(df["share"] ** 2).groupby(df["market"]).sum() * 10_000``
* concentration: ``cn.hhi(df, market="market", period=None, firm=None)`` (validated:
  NaN/negative/unit/sum checks included)

and reports the ratio and the peak memory each allocates on top of the input
(tracemalloc, which sees NumPy and pandas buffers).  Results are checked to agree.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import measure  # noqa: E402
from generators import make_market_rows  # noqa: E402

import concentration as cn  # noqa: E402


def run(n_rows, n_markets, repeat):
    market, _firm, sales = make_market_rows(n_rows, n_markets=n_markets, seed=0)
    totals = np.bincount(market, weights=sales, minlength=n_markets)
    share = sales / totals[market]
    del sales, _firm
    df = pd.DataFrame({"market": market, "share": share}, copy=False)
    del market, share

    def with_pandas():
        return (df["share"] ** 2).groupby(df["market"]).sum() * 10_000.0

    def with_library():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return cn.hhi(df, market="market", period=None, firm=None)

    t_pd, m_pd, r_pd = measure(with_pandas, repeat)
    t_cn, m_cn, r_cn = measure(with_library, repeat)
    np.testing.assert_allclose(r_cn.to_numpy(), r_pd.to_numpy(), rtol=1e-9)
    print(f"rows={n_rows:.0e} markets={n_markets:.0e}: "
          f"pandas {t_pd:.3f} s, peak +{m_pd / 2**20:.0f} MiB | "
          f"concentration {t_cn:.3f} s, peak +{m_cn / 2**20:.0f} MiB | "
          f"speed ratio {t_pd / t_cn:.1f}x, memory ratio {m_cn / max(m_pd, 1):.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=float, nargs="*", default=[1e7, 1e8])
    ap.add_argument("--markets", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    cn.show_versions()
    for n in args.rows:
        run(int(n), int(args.markets), args.repeat)


if __name__ == "__main__":
    main()
