r"""Centrality measures on a sparse graph, and Freeman centralization.

The measures of :meth:`concentration.network.PartnershipNetwork.centrality`, each a
function of CSR matrices: ``A`` holds tie strengths (spectral measures and
``strength``), ``L`` tie lengths (path measures).  :func:`compute_centrality`
checks a measure's options and dispatches; :func:`centralization_from_values`
compares a graph's scores with those of the star graph on as many nodes.

* degree and strength: row (and column) sums;
* eigenvector: the leading eigenvector of :math:`A^\top`, per connected component
  when undirected (dense up to 400 nodes, ARPACK above) [B87]_;
* PageRank: power iteration on the row-normalised strengths with dangling mass
  spread by the personalization vector [BP98]_;
* Katz: the iteration :math:`x = \alpha A^\top x + \beta` [K53]_;
* betweenness: Brandes' algorithm in the compiled ``_brandes`` kernel, rescaled as
  networkx rescales it, also for sampled sources [B01]_;
* closeness (Wasserman-Faust for unreachable nodes) [WF94]_ and harmonic
  centrality [MR00]_: Dijkstra by blocks of rows of the transposed lengths;
* Freeman centralization: :math:`\sum_i (c^* - c_i)` over the same sum for the
  star [F79]_.

References
----------
.. [B01] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal
   of Mathematical Sociology 25(2), 163-177.
.. [F79] Freeman, L. C. (1979). Centrality in social networks: conceptual
   clarification. Social Networks 1(3), 215-239.
.. [BP98] Brin, S. and Page, L. (1998). The anatomy of a large-scale hypertextual
   Web search engine. Computer Networks and ISDN Systems 30, 107-117.
.. [K53] Katz, L. (1953). A new status index derived from sociometric analysis.
   Psychometrika 18(1), 39-43.
.. [B87] Bonacich, P. (1987). Power and centrality: a family of measures. American
   Journal of Sociology 92(5), 1170-1182.
.. [WF94] Wasserman, S. and Faust, K. (1994). Social Network Analysis. Cambridge
   University Press, section 5.3.1 (closeness with unreachable nodes).
.. [MR00] Marchiori, M. and Latora, V. (2000). Harmony in the small-world. Physica A
   285(3-4), 539-546 (harmonic centrality).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from .._kernels import load
from .._validation import (
    check_bool,
    check_choice,
    check_int,
    check_memory,
    check_number,
    check_threads,
    param_message,
)
from ..exceptions import ConvergenceError, InvalidParameterError

_brandes = load("_brandes")

__all__ = ["MEASURES", "centralization_from_values"]

#: Centrality measures accepted by :meth:`PartnershipNetwork.centrality`.
MEASURES = ("degree", "strength", "eigenvector", "pagerank", "katz", "betweenness",
            "closeness", "harmonic")


_MODES = ("all", "in", "out")
_DENSE_EIG_MAX = 400
_OPTIONS = {
    "degree": {"normalized": True, "mode": "all"},
    "strength": {"normalized": False, "mode": "all"},
    "eigenvector": {"tol": 0.0, "max_iter": None},
    "pagerank": {"alpha": 0.85, "tol": 1e-12, "max_iter": 1000, "personalization": None},
    "katz": {"alpha": 0.1, "beta": 1.0, "tol": 1e-12, "max_iter": 1000, "normalized": True},
    "betweenness": {"normalized": True, "k": None, "seed": None, "n_threads": None},
    "closeness": {"wf_improved": True},
    "harmonic": {},
}


# --------------------------------------------------------------------------- options

def check_measure(func, measure):
    """Return ``measure`` if it is one of :data:`MEASURES`; raise InvalidParameterError if not."""
    return check_choice(func, "measure", measure, MEASURES,
                        fix="See PartnershipNetwork.centrality for what each one means.")


def measure_options(func, measure, options):
    """The options of ``measure``: its defaults updated by ``options`` (an unknown one raises)."""
    allowed = _OPTIONS[measure]
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise InvalidParameterError(param_message(
            func, unknown[0], f"an option of measure {measure!r} (one of "
            f"{sorted(allowed) or 'none'})", options[unknown[0]]))
    opts = dict(allowed)
    opts.update(options)
    return opts


def personalization_vector(func, pers, labels):
    """PageRank's ``personalization`` mapping ``{firm: weight}`` as a vector over ``labels``.

    Firms not in the mapping weigh 0; the weights are scaled to sum to 1.
    """
    if not isinstance(pers, Mapping):
        raise InvalidParameterError(param_message(
            func, "personalization", "a mapping {firm: weight}", type(pers).__name__))
    p = np.array([float(pers.get(f, 0.0)) for f in labels])
    if (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
        raise InvalidParameterError(param_message(
            func, "personalization", "non-negative weights with a positive sum over the "
            "firms of the network", pers))
    return p / p.sum()


# --------------------------------------------------------------------------- measures on CSR

def _degree(A, n, *, normalized, mode, weighted, directed):
    B = A if weighted else (A != 0).astype(np.float64)
    out_deg = np.asarray(B.sum(axis=1)).ravel()
    in_deg = np.asarray(B.sum(axis=0)).ravel()
    if not directed:
        val = out_deg
    else:
        val = {"all": out_deg + in_deg, "in": in_deg, "out": out_deg}[mode]
    if normalized:
        if n <= 1:
            return np.ones(n)
        val = val / (n - 1)
    return val


def _arpack_error(exc, tol, max_iter):
    return ConvergenceError(
        f"eigenvector centrality: ARPACK did not converge within max_iter={max_iter} "
        f"at tol={tol} ({exc}). Raise max_iter, loosen tol, or use measure='pagerank' "
        "or 'katz'.")


def _not_unique(lead, zero):
    return ConvergenceError(
        "eigenvector centrality is not defined uniquely for this graph: the largest "
        f"eigenvalue ({lead:.6g}) is {'zero' if zero else 'repeated'} (for example two "
        "components with the same spectral radius, or a directed graph without cycles). "
        "Use measure='pagerank', 'katz' or 'harmonic', or analyse one component.")


def _top_symmetric(S, *, tol, max_iter):
    """Largest eigenvalue and its eigenvector of a symmetric (connected) block."""
    import scipy.sparse.linalg as spla

    if S.shape[0] <= _DENSE_EIG_MAX:
        vals, vecs = np.linalg.eigh(S.toarray())
        return vals[-1], vecs[:, -1]
    try:
        vals, vecs = spla.eigsh(S, k=1, which="LA", tol=tol, maxiter=max_iter)
    except spla.ArpackNoConvergence as exc:
        raise _arpack_error(exc, tol, max_iter) from None
    return vals[0], vecs[:, 0]


def _eigenvector(A, *, tol, max_iter, directed):
    import scipy.sparse.csgraph as csgraph
    import scipy.sparse.linalg as spla

    n = A.shape[0]
    if n == 1:
        return np.ones(1)
    if not directed:
        # Perron-Frobenius on each connected component: the leading eigenvalue of the
        # graph is the largest component radius; it is simple (and the eigenvector
        # unique, zero outside that component) unless two components share it.
        n_comp, lab = csgraph.connected_components(A, directed=False)
        order = np.argsort(lab, kind="stable")
        bounds = np.searchsorted(lab[order], np.arange(n_comp + 1))
        radii = np.zeros(n_comp)
        pairs = {}
        for c in range(n_comp):
            idx = order[bounds[c]:bounds[c + 1]]
            if idx.size == 1:
                continue
            lam, vec = _top_symmetric(A[idx][:, idx].tocsr(), tol=tol, max_iter=max_iter)
            radii[c] = lam
            pairs[c] = (idx, vec)
        best = int(np.argmax(radii))
        lead = radii[best]
        scale = max(1.0, abs(lead))
        if lead <= 1e-12 * scale:
            raise _not_unique(lead, True)
        if (np.abs(radii - lead) <= 1e-9 * scale).sum() > 1:
            raise _not_unique(lead, False)
        idx, vec = pairs[best]
        x = np.zeros(n)
        x[idx] = vec.real
        return x / (np.sign(x.sum()) * np.linalg.norm(x))
    M = A.T
    if n <= _DENSE_EIG_MAX:
        vals, vecs = np.linalg.eig(M.toarray())
        order = np.argsort(-vals.real, kind="stable")
        vals, vecs = vals[order], vecs[:, order]
    else:
        # strongly connected: the leading eigenvalue is simple (Perron-Frobenius), one
        # eigenpair suffices; otherwise ask for two to test uniqueness.
        n_comp = csgraph.connected_components(A, directed=True, connection="strong")[0]
        try:
            vals, vecs = spla.eigs(M.tocsr(), k=1 if n_comp == 1 else 2, which="LR", tol=tol,
                                   maxiter=max_iter)
        except spla.ArpackNoConvergence as exc:
            raise _arpack_error(exc, tol, max_iter) from None
        order = np.argsort(-vals.real, kind="stable")
        vals, vecs = vals[order], vecs[:, order]
    lead = vals[0].real
    second = vals[1].real if vals.size > 1 else -np.inf
    scale = max(1.0, abs(lead))
    if lead <= 1e-12 * scale or abs(lead - second) <= 1e-9 * scale:
        raise _not_unique(lead, lead <= 1e-12 * scale)
    x = vecs[:, 0].real
    return x / (np.sign(x.sum()) * np.linalg.norm(x))


def _pagerank(A, *, alpha, tol, max_iter, personalization):
    n = A.shape[0]
    S = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros(n)
    inv[S != 0] = 1.0 / S[S != 0]
    P = (sp.diags(inv) @ A).tocsr()
    PT = P.T.tocsr()
    p = np.full(n, 1.0 / n) if personalization is None else personalization
    dangling = S == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (PT @ last + last[dangling].sum() * p) + (1.0 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return x
    raise ConvergenceError(
        f"pagerank: the power iteration did not converge in max_iter={max_iter} iterations "
        f"to tol={tol:g} (per-node L1 change). Raise max_iter or loosen tol.")


def _katz(A, *, alpha, beta, tol, max_iter, normalized):
    import scipy.sparse.linalg as spla

    n = A.shape[0]
    AT = A.T.tocsr()
    x = np.zeros(n)
    b = np.full(n, beta)
    for _ in range(max_iter):
        last = x
        x = alpha * (AT @ last) + b
        if np.abs(x - last).sum() < n * tol:
            break
    else:
        try:
            rho = float(abs(spla.eigs(A.astype(np.float64), k=1, which="LM",
                                      return_eigenvectors=False)[0])) if n > 2 else \
                float(np.max(np.abs(np.linalg.eigvals(A.toarray()))))
            hint = f" The spectral radius is {rho:.6g}, so alpha must be below {1 / rho:.6g}."
        except Exception:  # pragma: no cover - hint only
            hint = ""
        raise ConvergenceError(
            f"katz: the iteration x = alpha A'x + beta did not converge in max_iter={max_iter} "
            f"iterations with alpha={alpha:g}.{hint} Lower alpha or raise max_iter.")
    if normalized:
        x = x / (np.sign(x.sum()) * np.linalg.norm(x))
    return x


def _transposed_csr(A):
    T = A.T.tocsr()
    T.sort_indices()
    return T


def _betweenness(L, *, weighted, directed, normalized, k, seed, n_threads, func):
    """Brandes betweenness on ``n_threads`` (checked) threads, at most one per source.

    Memory: per thread 8 n bytes of output and 41 n + 16 (m + 1) bytes of work buffers
    (distances, path counts, dependencies, visit order, Dijkstra heap), checked first.
    """
    n = L.shape[0]
    F = L.tocsr()
    F.sort_indices()
    R = _transposed_csr(F)
    if k is None or k >= n:
        sources = np.arange(n, dtype=np.int64)
        sampled = None
    else:
        rng = np.random.default_rng(seed)
        sources = np.sort(rng.choice(n, size=k, replace=False)).astype(np.int64)
        sampled = sources
    threads = max(1, min(n_threads, sources.size))
    check_memory(func, threads * (49 * n + 16 * (F.nnz + 1)),
                 what=f"betweenness on {threads} thread(s) for {n:,} nodes and {F.nnz:,} "
                      "edges", fits="Pass n_threads=1 (each thread holds its own buffers); "
                      "sampling sources with k= does not lower the memory.")
    out = np.zeros((threads, n))
    _brandes.betweenness_sum(F.indptr.astype(np.int64), F.indices.astype(np.int64),
                             F.data.astype(np.float64), R.indptr.astype(np.int64),
                             R.indices.astype(np.int64), R.data.astype(np.float64),
                             sources, bool(weighted), out)
    bc = out.sum(axis=0)
    return _rescale_betweenness(bc, n, normalized=normalized, directed=directed, sampled=sampled)


def _rescale_betweenness(bc, n, *, normalized, directed, sampled):
    """Rescale raw dependency sums as networkx 3.6 does (endpoints excluded)."""
    N = n - 1
    if N < 2:
        return bc
    correction = 1.0 if directed else 2.0
    if sampled is None:
        scale = 1.0 / (N * (N - 1)) if normalized else 1.0 / correction
        return bc * scale
    kk = sampled.size
    if normalized:
        s_src = 1.0 / ((kk - 1) * (N - 1)) if kk > 1 else np.nan
        s_non = 1.0 / (kk * (N - 1))
    else:
        s_src = N / ((kk - 1) * correction) if kk > 1 else np.nan
        s_non = N / (kk * correction)
    scale = np.full(n, s_non)
    scale[sampled] = s_src
    return bc * scale


def _distance_rows(L, *, weighted, chunk):
    """Yield (rows, D) with D[i, u] = distance from u to rows[i] (paths into rows[i])."""
    import scipy.sparse.csgraph as csgraph

    n = L.shape[0]
    R = _transposed_csr(L)
    for lo in range(0, n, chunk):
        rows = np.arange(lo, min(n, lo + chunk))
        D = csgraph.dijkstra(R, directed=True, indices=rows, unweighted=not weighted)
        yield rows, D


def _closeness(L, *, weighted, wf_improved):
    n = L.shape[0]
    out = np.zeros(n)
    chunk = max(1, (1 << 22) // max(n, 1))
    for rows, D in _distance_rows(L, weighted=weighted, chunk=chunk):
        finite = np.isfinite(D) & (D > 0)
        reach = finite.sum(axis=1)
        tot = np.where(finite, D, 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(tot > 0, reach / tot, 0.0)
            if wf_improved and n > 1:
                c = c * reach / (n - 1)
        out[rows] = c
    return out


def _harmonic(L, *, weighted):
    n = L.shape[0]
    out = np.zeros(n)
    chunk = max(1, (1 << 22) // max(n, 1))
    for rows, D in _distance_rows(L, weighted=weighted, chunk=chunk):
        finite = np.isfinite(D) & (D > 0)
        with np.errstate(divide="ignore"):
            out[rows] = np.where(finite, 1.0 / np.where(finite, D, 1.0), 0.0).sum(axis=1)
    return out


def compute_centrality(measure, A, L, *, weighted, directed, opts, func):
    """Dispatch one measure on strength matrix A and length matrix L (CSR, n x n)."""
    n = A.shape[0]
    if n == 0:
        return np.zeros(0)
    if measure in ("degree", "strength"):
        if opts["mode"] not in _MODES:
            check_choice(func, "mode", opts["mode"], _MODES)
        return _degree(A, n, normalized=check_bool(func, "normalized", opts["normalized"]),
                       mode=opts["mode"], weighted=(measure == "strength"), directed=directed)
    if measure == "eigenvector":
        tol = check_number(func, "tol", opts["tol"], low=0.0)
        mi = check_int(func, "max_iter", opts["max_iter"], low=1, allow_none=True)
        return _eigenvector(A, tol=tol, max_iter=mi, directed=directed)
    if measure == "pagerank":
        alpha = check_number(func, "alpha", opts["alpha"], low=0.0, high=1.0, high_open=True)
        tol = check_number(func, "tol", opts["tol"], low=0.0, low_open=True)
        mi = check_int(func, "max_iter", opts["max_iter"], low=1)
        return _pagerank(A, alpha=alpha, tol=tol, max_iter=mi,
                         personalization=opts["personalization"])
    if measure == "katz":
        alpha = check_number(func, "alpha", opts["alpha"], low=0.0, low_open=True)
        beta = check_number(func, "beta", opts["beta"])
        tol = check_number(func, "tol", opts["tol"], low=0.0, low_open=True)
        mi = check_int(func, "max_iter", opts["max_iter"], low=1)
        return _katz(A, alpha=alpha, beta=beta, tol=tol, max_iter=mi,
                     normalized=check_bool(func, "normalized", opts["normalized"]))
    if measure == "betweenness":
        k = check_int(func, "k", opts["k"], low=1, allow_none=True)
        nt = check_threads(func, opts["n_threads"])
        seed = opts["seed"]
        if seed is not None:
            check_int(func, "seed", seed, low=0)
        return _betweenness(L, weighted=weighted, directed=directed,
                            normalized=check_bool(func, "normalized", opts["normalized"]),
                            k=k, seed=seed, n_threads=nt, func=func)
    if measure == "closeness":
        return _closeness(L, weighted=weighted,
                          wf_improved=check_bool(func, "wf_improved", opts["wf_improved"]))
    return _harmonic(L, weighted=weighted)


def _star_graph(n):
    rows = np.r_[np.zeros(n - 1, dtype=np.int64), np.arange(1, n)]
    cols = np.r_[np.arange(1, n), np.zeros(n - 1, dtype=np.int64)]
    return sp.csr_matrix((np.ones(2 * (n - 1)), (rows, cols)), shape=(n, n))


def _star_spread(measure, n, opts):
    """(n - 1) * (centre - leaf) for the star graph on n nodes: Freeman's denominator."""
    if measure in ("degree", "strength"):
        centre, leaf = (1.0, 1.0 / (n - 1)) if opts["normalized"] else (n - 1.0, 1.0)
    elif measure == "betweenness":
        centre = 1.0 if opts["normalized"] else (n - 1.0) * (n - 2.0) / 2.0
        leaf = 0.0
    elif measure == "closeness":
        centre, leaf = 1.0, (n - 1.0) / (2.0 * n - 3.0)
    elif measure == "harmonic":
        centre, leaf = n - 1.0, n / 2.0
    else:
        S = _star_graph(n)
        vals = compute_centrality(measure, S, S, weighted=False, directed=False, opts=opts,
                                  func="centralization")
        centre, leaf = vals[0], vals[1]
    return (n - 1.0) * (centre - leaf)


def centralization_from_values(values, measure, **options):
    r"""Freeman centralization of a graph from its node centralities.

    .. math:: C = \frac{\sum_i (c^* - c_i)}{\max \sum_i (c^* - c_i)}

    with :math:`c^*` the largest centrality in the graph; the denominator is the same
    sum for the star graph with as many nodes [F79]_, which is the largest possible
    value for degree, betweenness and closeness.  For the other measures the star is
    the conventional reference, not a proven maximum, so values above 1 are possible
    on weighted graphs.

    Parameters
    ----------
    values : array_like or pandas.Series
        Centralities of every node of one undirected graph, computed with the same
        ``options`` (and, for a comparison with the star, ``weight_as=None``).
    measure : str
        One of :data:`MEASURES`.
    **options
        The options used for ``values`` (e.g. ``normalized=False``).

    Returns
    -------
    float
        In [0, 1] for unweighted degree, betweenness and closeness; NaN for fewer than
        three nodes, where it is not defined.

    Examples
    --------
    >>> centralization_from_values([1.0, 1/3, 1/3, 1/3], "degree")  # a star
    1.0
    >>> centralization_from_values([1.0, 1.0, 1.0], "degree")  # a triangle
    0.0
    """
    func = "centralization_from_values"
    check_measure(func, measure)
    return freeman_centralization(values, measure, measure_options(func, measure, options))


def freeman_centralization(values, measure, opts):
    """Freeman centralization of ``values`` scored by ``measure`` with the checked ``opts``.

    The body of :func:`centralization_from_values`, for callers that have checked the
    measure and its options themselves: NaN for fewer than three nodes.
    """
    c = np.asarray(values, dtype=np.float64)
    if c.size < 3:
        return float("nan")
    return float((c.max() - c).sum() / _star_spread(measure, c.size, opts))

