"""Deterministic synthetic inputs of realistic shape for the project's benchmarks.

Every generator is a pure function of its arguments (NumPy PCG64 seeded from
``seed``), needs only numpy and scipy, and is importable on its own::

    from generators import make_ownership, make_control_cashflow, make_alliance_graph

Shapes (defaults):

* :func:`make_ownership` - a 13F-like quarter: 8,000 firms x 30,000 owners, about
  4 million holdings; owner portfolio sizes are power-law, so a few hundred
  index-fund-like owners hold most firms while most managers hold a handful.
* :func:`make_control_cashflow` - (G, B) for profit weights κ from such a W.
* :func:`make_alliance_graph` - a 100,000-node undirected alliance-like graph with
  power-law degrees (Chung-Lu model).
* :func:`make_market_rows` - long (market, firm, value) rows for grouped HHI.
* :func:`make_share_rows` - long (market, firm, sales) rows in random order, with or
  without repeated (market, firm) pairs, for the label-dtype HHI benchmark.
* :func:`make_holdings_panel` - quarters of 13F-like long holdings (owner, firm,
  cash_flow), one quarter at a time, for the Dask benchmark.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "make_alliance_graph",
    "make_control_cashflow",
    "make_holdings_panel",
    "make_market_rows",
    "make_ownership",
    "make_share_rows",
    "products",
]


def _pareto_degrees(rng, n, total, alpha, lo, hi):
    """n integer degrees in [lo, hi], Pareto(alpha)-tailed, scaled so they sum to ~total."""
    raw = rng.pareto(alpha, size=n) + 1.0
    a, b = 1e-9, float(total)
    for _ in range(200):  # bisection on the scale factor of the clipped sum
        c = 0.5 * (a + b)
        s = np.clip(np.rint(c * raw), lo, hi).sum()
        if s > total:
            b = c
        else:
            a = c
        if b - a < 1e-9 * b:
            break
    return np.clip(np.rint(a * raw), lo, hi).astype(np.int64)


def make_ownership(n_firms=8000, n_owners=30000, nnz=4_000_000, seed=0, *,
                   alpha=1.05, popularity_sigma=1.5, max_frac=0.8):
    """13F-like holdings matrix W (firms x owners, CSR float64, int32 indices).

    ``W[f, o]`` is the fraction of firm f held by owner o; each firm's institutional
    ownership sums to a value drawn uniformly in [0.3, 0.95].  Owner degrees are
    Pareto(``alpha``) between 1 and ``max_frac * n_firms``; owners pick firms with
    probability proportional to a lognormal popularity (market capitalisation).
    The number of stored entries is close to, and at most, ``nnz``.
    """
    rng = np.random.default_rng([seed, 2026, 1])
    deg = _pareto_degrees(rng, n_owners, nnz, alpha, 1, max(1, int(max_frac * n_firms)))
    pop = np.exp(rng.normal(0.0, popularity_sigma, size=n_firms))
    cdf = np.cumsum(pop) / pop.sum()
    big = deg * 8 >= n_firms
    rows_parts, cols_parts = [], []
    # big portfolios: weighted sampling without replacement (exponential keys / weight)
    for o in np.flatnonzero(big):
        d = int(deg[o])
        keys = rng.exponential(size=n_firms) / pop
        sel = np.argpartition(keys, d - 1)[:d] if d < n_firms else np.arange(n_firms)
        rows_parts.append(sel)
        cols_parts.append(np.full(d, o))
    # small portfolios: weighted draws with replacement, duplicates removed
    small = np.flatnonzero(~big)
    owners = np.repeat(small, deg[small])
    firms = np.minimum(np.searchsorted(cdf, rng.random(owners.size)), n_firms - 1)
    rows_parts.append(firms)
    cols_parts.append(owners)
    r = np.concatenate(rows_parts).astype(np.int64)
    c = np.concatenate(cols_parts).astype(np.int64)
    key = np.unique(r * n_owners + c)
    r, c = key // n_owners, key % n_owners
    size = deg.astype(np.float64) ** 1.1 * rng.lognormal(0.0, 1.0, size=n_owners)
    val = size[c] * pop[r] ** 0.2 * rng.lognormal(0.0, 1.0, size=r.size)
    W = sp.csr_matrix((val, (r, c)), shape=(n_firms, n_owners))
    W.sum_duplicates()
    rowsum = np.asarray(W.sum(axis=1)).ravel()
    target = rng.uniform(0.3, 0.95, size=n_firms)
    scale = np.divide(target, rowsum, out=np.zeros(n_firms), where=rowsum > 0)
    W = sp.csr_matrix(sp.diags(scale) @ W)
    W.sort_indices()
    W.indices = W.indices.astype(np.int32)
    W.indptr = W.indptr.astype(np.int32)
    return W


def make_control_cashflow(W, seed=0, *, dual_class_frac=0.05):
    """Control and cash-flow weights (G, B) for κ_jk = <g_j, b_k> / <g_j, b_j>.

    B = W (cash flow).  G = W except on a fraction ``dual_class_frac`` of firms
    (dual-class shares), where each owner's votes are its cash flow times a factor
    drawn in [0.2, 5].  G has the sparsity pattern of W.
    """
    rng = np.random.default_rng([seed, 2026, 2])
    G = sp.csr_matrix(W, copy=True)
    dual = rng.random(W.shape[0]) < dual_class_frac
    per_entry = np.repeat(dual, np.diff(W.indptr))
    factor = np.ones(W.nnz)
    factor[per_entry] = rng.uniform(0.2, 5.0, size=int(per_entry.sum()))
    G.data = G.data * factor
    return G, W


def make_alliance_graph(n_nodes=100_000, avg_degree=8.0, gamma=2.3, seed=0, *,
                        max_degree_frac=0.05):
    """Undirected alliance-like graph: symmetric binary CSR, no self loops, sorted indices.

    Chung-Lu model with expected degrees ∝ i^(-1/(gamma-1)) (capped at
    ``max_degree_frac * n_nodes``) and mean ``avg_degree``; node ids are shuffled so
    degree is not ordered by id.
    """
    rng = np.random.default_rng([seed, 2026, 3])
    w = np.arange(1, n_nodes + 1, dtype=np.float64) ** (-1.0 / (gamma - 1.0))
    w = np.minimum(w / w.sum() * n_nodes * avg_degree, max_degree_frac * n_nodes)
    p = w / w.sum()
    n_edges = int(n_nodes * avg_degree / 2 * 1.08)
    cdf = np.cumsum(p)
    u = np.minimum(np.searchsorted(cdf, rng.random(n_edges)), n_nodes - 1)
    v = np.minimum(np.searchsorted(cdf, rng.random(n_edges)), n_nodes - 1)
    keep = u != v
    perm = rng.permutation(n_nodes)
    u, v = perm[u[keep]], perm[v[keep]]
    A = sp.csr_matrix((np.ones(2 * u.size), (np.r_[u, v], np.r_[v, u])),
                      shape=(n_nodes, n_nodes))
    A.sum_duplicates()
    A.data[:] = 1.0
    A.sort_indices()
    A.indices = A.indices.astype(np.int32)
    return A


def make_market_rows(n_rows=10_000_000, n_markets=100_000, seed=0, *, firms_per_market=20):
    """Long rows (market, firm, value) for grouped-HHI benchmarks, as three arrays.

    Markets are drawn with Zipf-like sizes; each row's firm is one of
    ``firms_per_market`` local firm ids (so a (market, firm) pair repeats and needs
    aggregation); values are lognormal sales.
    """
    rng = np.random.default_rng([seed, 2026, 4])
    sizes = 1.0 / np.arange(1, n_markets + 1) ** 0.8
    market = rng.choice(n_markets, size=n_rows, p=sizes / sizes.sum()).astype(np.int64)
    firm = (market * firms_per_market
            + rng.integers(0, firms_per_market, size=n_rows)).astype(np.int64)
    value = rng.lognormal(3.0, 1.5, size=n_rows)
    return market, firm, value


def products(A, B=None):
    """Number of scalar products of the Gustavson product A·Bᵀ: Σ_i deg_A(i)·deg_B(i)."""
    da = np.diff(sp.csc_matrix(A).indptr).astype(np.float64)
    db = da if B is None else np.diff(sp.csc_matrix(B).indptr).astype(np.float64)
    return float(da @ db)


def make_holdings_panel(n_quarters=40, n_firms=8000, n_owners=30000, nnz=4_000_000, seed=0, *,
                        turnover=0.05, start_year=2015):
    """13F-like long holdings, one quarter at a time: yields ``(period, DataFrame)``.

    The positions are those of :func:`make_ownership` (firms x owners).  Each quarter
    a random fraction ``turnover`` of them is absent (independently across quarters,
    so positions leave and come back), and every stake follows a lognormal random
    walk (sigma 0.05 per quarter); each firm is then rescaled so its institutional
    ownership keeps its :func:`make_ownership` total (below one).  Portfolio sizes
    and the dense core of index-fund-like owners are therefore stable over time, as
    in 13F filings.  Labels are integers in disjoint ranges, like CRSP PERMNOs and
    13F manager numbers: firms ``10_000 + f``, owners ``1_000_000 + o`` (so no owner
    is mistaken for a firm).  Columns: ``owner``, ``firm``, ``cash_flow`` (int64,
    int64, float64).  Periods are ``"2015Q1"``, ``"2015Q2"``, ...  Memory: one
    quarter at a time.
    """
    import pandas as pd

    rng = np.random.default_rng([seed, 2026, 5])
    W = make_ownership(n_firms, n_owners, nnz, seed).tocoo()
    r, c, v = W.row.astype(np.int64), W.col.astype(np.int64), W.data.copy()
    target = np.bincount(r, weights=v, minlength=n_firms)
    for q in range(n_quarters):
        if q:
            v = v * rng.lognormal(0.0, 0.05, size=v.size)
        keep = rng.random(r.size) >= turnover
        rq, cq, vq = r[keep], c[keep], v[keep]
        tot = np.bincount(rq, weights=vq, minlength=n_firms)
        vq = vq * np.divide(target, tot, out=np.zeros(n_firms), where=tot > 0)[rq]
        period = f"{start_year + q // 4}Q{q % 4 + 1}"
        yield period, pd.DataFrame({"owner": 1_000_000 + cq, "firm": 10_000 + rq,
                                    "cash_flow": vq})


def make_share_rows(n_rows=10_000_000, n_markets=100_000, n_firms=1_000_000, seed=0, *,
                    dup_frac=0.0):
    """Long (market, firm, sales) rows in random order, as the HHI issue measures them.

    Market sizes are lognormal (sigma 1.5: most markets small, a few about 100x the
    mean), firms are ids drawn from ``n_firms``, rows are in random order.  With
    ``dup_frac=0`` every (market, firm) pair occurs once (repeats of the random draw
    are dropped, so slightly fewer than ``n_rows`` rows come back); with
    ``dup_frac > 0`` that fraction of rows repeats an existing pair (several product
    lines of one firm in one market).
    """
    rng = np.random.default_rng([seed, 29])
    sizes = rng.lognormal(0.0, 1.5, size=n_markets)
    market = rng.choice(n_markets, size=n_rows, p=sizes / sizes.sum()).astype(np.int64)
    firm = rng.integers(0, n_firms, size=n_rows, dtype=np.int64)
    if dup_frac > 0:
        k = int(dup_frac * n_rows)
        src = rng.integers(0, n_rows, size=k)
        dst = rng.integers(0, n_rows, size=k)
        market[dst] = market[src]
        firm[dst] = firm[src]
    else:  # drop the later rows of pairs the draw repeated (few: sort, not argsort)
        key = market * n_firms + firm
        srt = np.sort(key)
        repeated = np.unique(srt[1:][srt[1:] == srt[:-1]])
        rows = np.flatnonzero(np.isin(key, repeated))
        _, first = np.unique(key[rows], return_index=True)
        keep = np.ones(n_rows, dtype=bool)
        keep[rows] = False
        keep[rows[first]] = True
        market, firm = market[keep], firm[keep]
    sales = rng.lognormal(10.0, 2.0, size=market.size)
    return market, firm, sales
