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
  spread by ``dangling`` (default: the personalization vector), stopped when the
  L1 error of the scores, not the step, is below ``tol`` [BP98]_;
* Katz: the linear system :math:`(I - \alpha A^\top) x = \beta 1` solved directly
  (conjugate gradients when symmetric, BiCGSTAB otherwise, dense up to 400 nodes),
  with default :math:`\alpha = 0.5 / \rho(A)` [K53]_;
* betweenness (node and edge): Brandes' algorithm in the compiled ``_brandes``
  kernel with tie-tolerant length comparison, rescaled as networkx rescales it,
  also for sampled sources, endpoints and source/target subsets [B01]_ [B08]_;
* closeness (Wasserman-Faust for unreachable nodes) [WF94]_ and harmonic
  centrality [MR00]_: one BFS or Dijkstra per firm on the reversed graph in the
  compiled kernel, in parallel over firms;

A graph whose edges all have one length runs the BFS kernels whatever
``weight_as`` says (lengths scale closeness and harmonic, not betweenness).
* Freeman centralization: :math:`\sum_i (c^* - c_i)` over the same sum for the
  star [F79]_.

References
----------
.. [B01] Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal
   of Mathematical Sociology 25(2), 163-177.
.. [B08] Brandes, U. (2008). On variants of shortest-path betweenness centrality and
   their generic computation. Social Networks 30(2), 136-145.
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
_DENSE_SOLVE_MAX = 400
#: Katz's default alpha as a fraction of 1 / rho(A).
KATZ_ALPHA_FRACTION = 0.5
_OPTIONS = {
    "degree": {"normalized": True, "mode": "all"},
    "strength": {"normalized": False, "mode": "all"},
    "eigenvector": {"tol": 0.0, "max_iter": None},
    "pagerank": {"alpha": 0.85, "tol": 1e-10, "max_iter": 1000, "personalization": None,
                 "dangling": None},
    "katz": {"alpha": None, "beta": 1.0, "tol": 1e-12, "max_iter": 1000, "normalized": True},
    "betweenness": {"normalized": True, "k": None, "seed": None, "n_threads": None,
                    "endpoints": False, "sources": None, "targets": None},
    "closeness": {"wf_improved": True, "u": None, "n_threads": None},
    "harmonic": {"nbunch": None, "sources": None, "n_threads": None},
}
#: Options naming firms (converted to positions by the caller).
FIRM_OPTIONS = {"betweenness": ("sources", "targets"), "closeness": ("u",),
                "harmonic": ("nbunch", "sources")}
#: Options of edge betweenness (:meth:`PartnershipNetwork.edge_betweenness`).
EDGE_OPTIONS = {"normalized": True, "k": None, "seed": None, "n_threads": None}


# --------------------------------------------------------------------------- options

def check_measure(func, measure):
    """Return ``measure`` if it is one of :data:`MEASURES`; raise InvalidParameterError if not."""
    return check_choice(func, "measure", measure, MEASURES,
                        fix="See PartnershipNetwork.centrality for what each one means.")


def measure_options(func, measure, options, allowed=None):
    """The options of ``measure``: its defaults updated by ``options`` (an unknown one raises)."""
    allowed = _OPTIONS[measure] if allowed is None else allowed
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise InvalidParameterError(param_message(
            func, unknown[0], f"an option of measure {measure!r} (one of "
            f"{sorted(allowed) or 'none'})", options[unknown[0]]))
    opts = dict(allowed)
    opts.update(options)
    return opts


def firm_vector(func, name, weights, labels):
    """A mapping ``{firm: weight}`` (PageRank's ``personalization``, ``dangling``) as a
    probability vector over ``labels``.

    Firms not in the mapping weigh 0; the weights are scaled to sum to 1.
    """
    if not isinstance(weights, Mapping):
        raise InvalidParameterError(param_message(
            func, name, "a mapping {firm: weight}", type(weights).__name__))
    p = np.array([float(weights.get(f, 0.0)) for f in labels])
    if (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
        raise InvalidParameterError(param_message(
            func, name, "non-negative weights with a positive sum over the firms of the "
            "network", weights))
    return p / p.sum()


def firm_positions(func, name, firms, labels, *, unique=True):
    """Positions in ``labels`` of one firm or a list of firms (sorted and distinct when
    ``unique``, else in the order given)."""
    items = [firms] if isinstance(firms, (str, int, np.integer)) else list(firms)
    pos = labels.get_indexer(items) if len(items) else np.zeros(0, dtype=np.int64)
    if (pos < 0).any():
        missing = [f for f, p in zip(items, pos) if p < 0]
        raise InvalidParameterError(param_message(
            func, name, "firms of this network", missing,
            "Check the names (after parent resolution) against net.firms, and that they "
            "have a live tie in this snapshot."))
    return np.unique(pos).astype(np.int64) if unique else pos.astype(np.int64)


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


def _pagerank(A, *, alpha, tol, max_iter, personalization, dangling):
    """PageRank with a certified L1 error below ``tol``.

    The map :math:`G(x) = \alpha (P^\top x + (d^\top x) q) + (1 - \alpha) p` is an L1
    contraction of factor alpha on the simplex, so after a step of size
    ``delta = ||G(x) - x||_1`` the error of ``G(x)`` is at most
    ``alpha delta / (1 - alpha)``.  The iteration starts from ``p``.
    """
    n = A.shape[0]
    S = np.asarray(A.sum(axis=1)).ravel()
    inv = np.zeros(n)
    inv[S != 0] = 1.0 / S[S != 0]
    PT = (sp.diags(inv) @ A).T.tocsr()
    p = np.full(n, 1.0 / n) if personalization is None else personalization
    q = p if dangling is None else dangling
    dang = np.flatnonzero(S == 0)

    def step(x):
        y = PT @ x
        if dang.size:
            y += x[dang].sum() * q
        y *= alpha
        y += (1.0 - alpha) * p
        return y

    x = p.copy()
    bound = np.inf
    factor = alpha / (1.0 - alpha) if alpha < 1.0 else np.inf
    for _ in range(max_iter):
        last = x
        x = step(last)
        x /= x.sum()
        bound = factor * np.abs(x - last).sum()
        if bound <= tol:
            return x
    raise ConvergenceError(
        f"pagerank: the power iteration did not converge to an L1 error of tol={tol:g} in "
        f"max_iter={max_iter} iterations (bound reached: {bound:.2g}). Raise max_iter "
        "or loosen tol.")


def spectral_radius(A, *, directed, tol=1e-10):
    """rho(A), the largest |eigenvalue| of the non-negative matrix A (0 without edges)."""
    import scipy.sparse.linalg as spla

    n = A.shape[0]
    if A.nnz == 0:
        return 0.0
    symmetric = not directed or (abs(A - A.T) > 0).nnz == 0
    if n <= _DENSE_EIG_MAX:
        M = A.toarray()
        vals = np.linalg.eigvalsh(M) if symmetric else np.linalg.eigvals(M)
        return float(np.max(np.abs(vals)))
    try:
        if symmetric:
            return float(spla.eigsh(A, k=1, which="LA", tol=tol, return_eigenvectors=False)[0])
        return float(np.max(np.abs(spla.eigs(A, k=1, which="LM", tol=tol,
                                             return_eigenvectors=False))))
    except spla.ArpackNoConvergence as exc:
        raise ConvergenceError(
            f"katz: the spectral radius of the graph, needed for the default alpha, did not "
            f"converge ({exc}). Pass alpha= explicitly.") from None


def katz_alpha(A, *, directed):
    """The default alpha: KATZ_ALPHA_FRACTION / rho(A) (0.5 when rho(A) = 0)."""
    rho = spectral_radius(A, directed=directed)
    return KATZ_ALPHA_FRACTION / rho if rho > 1e-12 else KATZ_ALPHA_FRACTION


def _katz_error(A, alpha, directed, why):
    rho = spectral_radius(A, directed=directed)
    bound = f"below 1/rho(A) = {1 / rho:.6g} (spectral radius {rho:.6g})" if rho > 0 else \
        "any positive number"
    return ConvergenceError(
        f"katz: the series sum_k alpha^k (A')^k beta does not converge for alpha={alpha:g} "
        f"({why}); alpha must be {bound}. Pass a smaller alpha, or alpha=None for "
        f"{KATZ_ALPHA_FRACTION}/rho(A).")


def _katz(A, *, alpha, beta, tol, max_iter, normalized, directed):
    """Solve (I - alpha A') y = 1 directly, check y >= 1 (the series converged), x = beta y.

    ``y = sum_k alpha^k (A')^k 1 >= 1`` exactly when alpha rho(A) < 1: a Z-matrix
    I - alpha A' with a non-negative solution of (I - alpha A') y = 1 > 0 is a
    nonsingular M-matrix (Berman and Plemmons 1994, chapter 6,
    theorem 2.3), so a solution
    below 1 anywhere means alpha >= 1 / rho(A).
    """
    import scipy.sparse.linalg as spla

    n = A.shape[0]
    symmetric = not directed or (abs(A - A.T) > 0).nnz == 0
    M = (sp.identity(n, format="csr") - alpha * (A if symmetric else A.T)).tocsr()
    b = np.ones(n)
    if n <= _DENSE_SOLVE_MAX:
        try:
            y = np.linalg.solve(M.toarray(), b)
        except np.linalg.LinAlgError:
            raise _katz_error(A, alpha, directed, "I - alpha A' is singular") from None
        info = 0
    else:
        solver = spla.cg if symmetric else spla.bicgstab
        y, info = solver(M, b, rtol=tol, atol=0.0, maxiter=max_iter)
    if info != 0 or not np.isfinite(y).all() or y.min() < 1.0 - 1e-8:
        why = "the solution has entries below beta" if info == 0 else \
            f"the linear solver did not converge in max_iter={max_iter} iterations"
        raise _katz_error(A, alpha, directed, why)
    x = beta * y
    if normalized:
        x = x / (np.sign(x.sum()) * np.linalg.norm(x))
    return x


def _transposed_csr(A):
    T = A.T.tocsr()
    T.sort_indices()
    return T


def _csr_arrays(F):
    return (F.indptr.astype(np.int64), F.indices.astype(np.int64), F.data.astype(np.float64))


def _sample_sources(n, k, seed):
    """k distinct sources, sorted: ``random.Random(seed).sample(range(n), k)`` (networkx's
    choice for the same node order, reproducible across NumPy versions)."""
    import random

    return np.sort(np.asarray(random.Random(seed).sample(range(n), k), dtype=np.int64))


def _brandes_run(L, *, weighted, sources, n_threads, func, target_w=None, endpoints=False,
                 edges=False):
    """(node sums, arc sums or None, F) of the compiled Brandes kernel from ``sources``."""
    n = L.shape[0]
    F = L.tocsr()
    F.sort_indices()
    R = _transposed_csr(F)
    threads = max(1, min(n_threads, sources.size))
    check_memory(func, threads * (45 * n + 32 * (F.nnz + 1) + (8 * F.nnz if edges else 0)),
                 what=f"betweenness on {threads} thread(s) for {n:,} nodes and {F.nnz:,} "
                      "edges", fits="Pass n_threads=1 (each thread holds its own buffers); "
                      "sampling sources with k= does not lower the memory.")
    out = np.zeros((threads, n))
    edge_out = np.zeros((threads, F.nnz)) if edges else None
    _brandes.betweenness_sum(*_csr_arrays(F), *_csr_arrays(R), sources, bool(weighted), out,
                             target_w=target_w, endpoints=bool(endpoints), edge_out=edge_out)
    return out.sum(axis=0), (None if edge_out is None else edge_out.sum(axis=0)), R


def _betweenness(L, *, weighted, directed, normalized, k, seed, n_threads, endpoints,
                 sources, targets, func):
    """Brandes betweenness (sampled, subset or with endpoints) on ``n_threads`` threads.

    Memory: per thread 8 n bytes of output and 37 n + 32 (m + 1) bytes of work buffers
    (distances, path counts, dependencies, visit order, Dijkstra heap, the arcs of the
    shortest-path DAG), checked first.
    """
    n = L.shape[0]
    sampled = None
    target_w = None
    if sources is not None or targets is not None:
        src = np.arange(n, dtype=np.int64) if sources is None else sources
        if targets is not None:
            target_w = np.zeros(n)
            target_w[targets] = 1.0
    elif k is None or k >= n:
        src = np.arange(n, dtype=np.int64)
    else:
        src = sampled = _sample_sources(n, k, seed)
    bc, _, _ = _brandes_run(L, weighted=weighted, sources=src, n_threads=n_threads, func=func,
                            target_w=target_w, endpoints=endpoints)
    return rescale_betweenness(bc, n, normalized=normalized, directed=directed,
                               endpoints=endpoints, sampled=sampled)


def rescale_betweenness(bc, n, *, normalized, directed, endpoints=False, sampled=None):
    """Rescale raw dependency sums as networkx 3.6 ``_rescale`` does.

    ``N = n`` with endpoints, ``n - 1`` without; normalised values divide by the
    number of ordered pairs that could pass through a node, ``K (N - 1)`` with ``K``
    the number of sources (``N`` when exact); unnormalised undirected values count
    each unordered pair once.  Sampled sources without endpoints rescale source and
    non-source nodes separately.
    """
    N = n if endpoints else n - 1
    if N < 2:
        return bc
    correction = 1.0 if directed else 2.0
    kk = N if sampled is None else sampled.size
    if sampled is None or endpoints:
        scale = 1.0 / (kk * (N - 1)) if normalized else N / (kk * correction)
        return bc * scale
    if normalized:
        s_src = 1.0 / ((kk - 1) * (N - 1)) if kk > 1 else np.nan
        s_non = 1.0 / (kk * (N - 1))
    else:
        s_src = N / ((kk - 1) * correction) if kk > 1 else np.nan
        s_non = N / (kk * correction)
    scale = np.full(n, s_non)
    scale[sampled] = s_src
    return bc * scale


def edge_betweenness(L, *, weighted, directed, normalized, k, seed, n_threads, func):
    """Edge betweenness: ``(rows, cols, values)`` of the edges of ``L``.

    Undirected edges are listed once (row < col), with the sum over both arcs, as
    networkx's ``edge_betweenness_centrality``; rescaled as networkx does (endpoints
    included, ``N = n``).
    """
    n = L.shape[0]
    if k is None or k >= n:
        src, sampled = np.arange(n, dtype=np.int64), None
    else:
        src = sampled = _sample_sources(n, k, seed)
    _, ebc, R = _brandes_run(L, weighted=weighted, sources=src, n_threads=n_threads,
                             func=func, edges=True)
    C = R.tocoo()  # entry (w, v) of R is the arc v -> w, in the order of ebc
    rows, cols, vals = C.col.astype(np.int64), C.row.astype(np.int64), ebc
    if directed:
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
    else:
        # both arcs of an undirected edge add up to the edge (row < col)
        U = sp.triu(L, k=1).tocoo()
        order = np.lexsort((U.col, U.row))
        e_rows, e_cols = U.row[order].astype(np.int64), U.col[order].astype(np.int64)
        ids = sp.csr_matrix((np.arange(1, e_rows.size + 1, dtype=np.float64), (e_rows, e_cols)),
                            shape=(n, n))
        arc_id = np.asarray(ids[np.minimum(rows, cols), np.maximum(rows, cols)]).ravel()
        vals = np.bincount(arc_id.astype(np.int64) - 1, weights=vals, minlength=e_rows.size)
        rows, cols = e_rows, e_cols
    return rows, cols, rescale_betweenness(vals, n, normalized=normalized, directed=directed,
                                           endpoints=True, sampled=sampled)


def _path_sums(L, *, weighted, nodes, mask, n_threads, func):
    """(sum of distances, reach, sum of 1/d) *to* each of ``nodes`` from the masked nodes.

    Memory: per thread 21 n + 16 (m + 1) bytes of work buffers, checked first.
    """
    R = _transposed_csr(L.tocsr())
    threads = max(1, min(n_threads, nodes.size))
    check_memory(func, threads * (21 * R.shape[0] + 16 * (R.nnz + 1)),
                 what=f"shortest paths on {threads} thread(s) for {R.shape[0]:,} nodes",
                 fits="Pass n_threads=1 (each thread holds its own buffers).")
    out = np.zeros((nodes.size, 3))
    _brandes.path_sums(*_csr_arrays(R), nodes, bool(weighted), mask, out, int(n_threads))
    return out[:, 0], out[:, 1], out[:, 2]


def _uniform_length(L, weighted):
    """(weighted, unit): a graph whose edges all have one length runs BFS, with that length."""
    if weighted and L.nnz and np.ptp(L.data) == 0.0:
        return False, float(L.data[0])
    return weighted, 1.0


def _closeness(L, *, weighted, wf_improved, u, n_threads, func):
    n = L.shape[0]
    nodes = np.arange(n, dtype=np.int64) if u is None else u
    weighted, unit = _uniform_length(L, weighted)
    tot, reach, _ = _path_sums(L, weighted=weighted, nodes=nodes,
                               mask=np.ones(n, dtype=np.int8), n_threads=n_threads, func=func)
    tot = tot * unit
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(tot > 0, reach / np.where(tot > 0, tot, 1.0), 0.0)
        if wf_improved and n > 1:
            c = c * reach / (n - 1)
    return c


def _harmonic(L, *, weighted, nbunch, sources, n_threads, func):
    n = L.shape[0]
    nodes = np.arange(n, dtype=np.int64) if nbunch is None else nbunch
    mask = np.ones(n, dtype=np.int8)
    if sources is not None:
        mask[:] = 0
        mask[sources] = 1
    weighted, unit = _uniform_length(L, weighted)
    _, _, harm = _path_sums(L, weighted=weighted, nodes=nodes, mask=mask, n_threads=n_threads,
                            func=func)
    return harm / unit


def _check_positions(func, name, value, n):
    """Positions (from :func:`firm_positions`) or None; anything else is an error."""
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.ndim != 1 or (arr.size and (arr.min() < 0
                                                                    or arr.max() >= n)):
        raise InvalidParameterError(param_message(func, name, "firms of this network", value))
    return arr.astype(np.int64)


def check_edge_options(func, opts):
    """(k, seed, n_threads, normalized) of edge betweenness, checked."""
    k = check_int(func, "k", opts["k"], low=1, allow_none=True)
    seed = opts["seed"]
    if seed is not None:
        check_int(func, "seed", seed, low=0)
    return k, seed, check_threads(func, opts["n_threads"]), \
        check_bool(func, "normalized", opts["normalized"])


def compute_centrality(measure, A, L, *, weighted, directed, opts, func):
    """Dispatch one measure on strength matrix A and length matrix L (CSR, n x n).

    Returns the values, for every node, or for the nodes named by ``u`` (closeness)
    or ``nbunch`` (harmonic) in increasing position.
    """
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
                         personalization=opts["personalization"], dangling=opts["dangling"])
    if measure == "katz":
        alpha = opts["alpha"]
        if alpha is None:
            alpha = katz_alpha(A, directed=directed)
        alpha = check_number(func, "alpha", alpha, low=0.0, low_open=True)
        beta = check_number(func, "beta", opts["beta"])
        if beta == 0:
            raise InvalidParameterError(param_message(
                func, "beta", "a nonzero number (every score is beta times a positive sum)",
                beta))
        tol = check_number(func, "tol", opts["tol"], low=0.0, low_open=True)
        mi = check_int(func, "max_iter", opts["max_iter"], low=1)
        opts["alpha"] = alpha
        return _katz(A, alpha=alpha, beta=beta, tol=tol, max_iter=mi,
                     normalized=check_bool(func, "normalized", opts["normalized"]),
                     directed=directed)
    nt = check_threads(func, opts["n_threads"])
    if measure == "betweenness":
        k = check_int(func, "k", opts["k"], low=1, allow_none=True)
        seed = opts["seed"]
        if seed is not None:
            check_int(func, "seed", seed, low=0)
        endpoints = check_bool(func, "endpoints", opts["endpoints"])
        sources = _check_positions(func, "sources", opts["sources"], n)
        targets = _check_positions(func, "targets", opts["targets"], n)
        subset = sources is not None or targets is not None
        if subset and (k is not None or endpoints):
            raise InvalidParameterError(param_message(
                func, "k" if k is not None else "endpoints",
                "k=None and endpoints=False with sources= or targets=",
                k if k is not None else endpoints,
                "A subset of sources and targets is exact and excludes the endpoints (as "
                "networkx's betweenness_centrality_subset); drop k or endpoints."))
        weighted, _ = _uniform_length(L, weighted)
        return _betweenness(L, weighted=weighted, directed=directed,
                            normalized=check_bool(func, "normalized", opts["normalized"]),
                            k=k, seed=seed, n_threads=nt, endpoints=endpoints,
                            sources=sources, targets=targets, func=func)
    if measure == "closeness":
        return _closeness(L, weighted=weighted,
                          wf_improved=check_bool(func, "wf_improved", opts["wf_improved"]),
                          u=_check_positions(func, "u", opts["u"], n), n_threads=nt, func=func)
    return _harmonic(L, weighted=weighted, nbunch=_check_positions(func, "nbunch",
                                                                   opts["nbunch"], n),
                     sources=_check_positions(func, "sources", opts["sources"], n),
                     n_threads=nt, func=func)


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

