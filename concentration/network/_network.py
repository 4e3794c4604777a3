"""Partnership networks over time: ties, snapshots, centrality, overlap between rivals.

A :class:`PartnershipNetwork` holds a long table of ties between organisations, one
row per tie (an investment, a cloud contract, a licence, a consortium membership),
each live from its ``start`` until its ``end``.  It answers three questions: who
sits at the centre of the web of alliances and how that changed (centrality per
snapshot, Freeman centralization); how much two rivals' partner sets overlap
(:meth:`PartnershipNetwork.partner_overlap`, through :func:`concentration.overlap`);
and, with :mod:`concentration.network`, what concentration looks like when
close allies are counted as partly one firm.

What an edge weight means
-------------------------
Every method that uses weights takes ``weight_as``:

``"strength"`` (default)
    The ``weight`` column is a tie strength: more is a closer tie (an amount, a
    count of deals).  Spectral measures (eigenvector, PageRank, Katz) and
    ``strength`` use it as is; path-based measures (betweenness, closeness,
    harmonic) use the length ``1 / strength``.
``"distance"``
    The ``weight`` column is a length: more is a weaker tie.  Path-based measures
    use it as is; spectral measures and ``strength`` use ``1 / distance``.
``None``
    Weights are ignored: every live pair of firms is one tie of strength and
    length 1.

Several live ties between one pair are combined into one edge: their strengths are
summed (``combine="sum"``) or the largest is kept (``combine="max"``); under
``weight_as="distance"`` the shortest length is kept.

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
.. [FTC25] Federal Trade Commission (2025). Partnerships Between Cloud Service
   Providers and AI Developers. FTC Staff Report, January 2025.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from .._kernels import default_threads, load
from .._validation import (
    as_list,
    check_bool,
    check_choice,
    check_columns,
    check_int,
    check_number,
    param_message,
)
from ..exceptions import (
    ConvergenceError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
)

_brandes = load("_brandes")

__all__ = [
    "PartnershipNetwork",
    "MEASURES",
    "MEMBERSHIP_KINDS",
    "centralization_from_values",
]

#: Centrality measures accepted by :meth:`PartnershipNetwork.centrality`.
MEASURES = ("degree", "strength", "eigenvector", "pagerank", "katz", "betweenness",
            "closeness", "harmonic")

#: Tie kinds read as membership of a firm (source) in an organisation (target).
MEMBERSHIP_KINDS = ("consortium_membership",)

_WEIGHT_AS = ("strength", "distance", None)
_COMBINE = ("sum", "max")
_MODES = ("all", "in", "out")
_PATH_MEASURES = ("betweenness", "closeness", "harmonic")
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


# --------------------------------------------------------------------------- helpers

def _networkx(func):
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx is a test dependency
        raise MissingDependencyError(
            f"{func} needs networkx, which is not installed. Install the optional extra: "
            "pip install antitrust-concentration[network]") from None
    return nx


def _timestamp(func, name, value, *, allow_none=False):
    if value is None and allow_none:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise InvalidParameterError(param_message(
            func, name, "a date (a string such as '2023-06-30', a datetime or a Timestamp)",
            value))
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _dates(frame, col, param, func, *, allow_missing):
    raw = frame[col]
    try:
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            # integer years (2019) rather than nanoseconds since 1970
            out = pd.to_datetime(raw.astype("Int64").astype("string"), format="%Y")
        else:
            out = pd.to_datetime(raw.astype("object").where(raw.notna(), None), format="mixed")
    except (TypeError, ValueError) as exc:
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} could not be read as dates ({exc}). "
            "Use ISO dates ('2023-01-23', '2023-01' or '2023') or datetime values.") from None
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    out = out.astype("datetime64[ns]")
    if not allow_missing and out.isna().any():
        i = int(np.flatnonzero(out.isna().to_numpy())[0])
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} has {int(out.isna().sum())} missing "
            f"date(s) (first in row {i}). A tie needs a start date; fill it (for example with "
            "the announcement year) or drop the row explicitly.")
    return out


def _resolve_names(entities, resolve, func):
    """Name resolution in force over time: a list ``[(since, mapping), ...]``.

    ``mapping`` takes each raw name to its canonical name (``resolve="canonical"``)
    or to its ultimate parent through the parent links in force from ``since`` on;
    the first entry's ``since`` is None (before any dated link).  A link with a
    ``parent_since`` date holds from that date on; one without holds at every date.
    Without dated links the list has one entry.
    """
    from .._tables import map_parents

    if isinstance(entities, pd.DataFrame):
        name_col = next((c for c in ("name", "entity", "canonical", "firm")
                         if c in entities.columns), None)
        if name_col is None:
            raise SchemaError(
                f"{func}: the 'entities' table needs a name column ('name', 'entity', "
                f"'canonical' or 'firm'). Columns present: {list(entities.columns)}. "
                "Rename it, or pass a mapping {firm: parent}.")
        alias_map = {}
        if "aliases" in entities.columns:
            for canon, aliases in zip(entities[name_col], entities["aliases"]):
                if aliases is None or (np.isscalar(aliases) and pd.isna(aliases)):
                    continue
                items = aliases.split(";") if isinstance(aliases, str) else list(aliases)
                for a in items:
                    a = str(a).strip()
                    if a and a != canon:
                        if alias_map.get(a, canon) != canon:
                            raise InvalidParameterError(param_message(
                                func, "entities", "a table where each alias names one "
                                "organisation", f"alias {a!r} of {alias_map[a]!r} and {canon!r}"))
                        alias_map[a] = canon
        links = {}  # canonical name -> (parent, date the link began or NaT)
        if resolve == "parent":
            if "parent" not in entities.columns:
                raise SchemaError(
                    f"{func}: the 'entities' table has no 'parent' column. Columns present: "
                    f"{list(entities.columns)}. Add it, or pass resolve='canonical'.")
            since = (_dates(entities, "parent_since", "parent_since", func, allow_missing=True)
                     if "parent_since" in entities.columns
                     else pd.Series(pd.NaT, index=entities.index, dtype="datetime64[ns]"))
            for canon, parent, day in zip(entities[name_col], entities["parent"], since):
                if parent is not None and not (np.isscalar(parent) and pd.isna(parent)) \
                        and str(parent).strip() and parent != canon:
                    links[canon] = (parent, day)
        names = set(alias_map) | set(links) | set(entities[name_col])
        canon = {n: alias_map.get(n, n) for n in names}
        if not links:
            return [(None, canon)]
        keys = list(canon)
        raw = np.asarray([canon[k] for k in keys], dtype=object)
        epochs = []
        for start in [None] + sorted({d for _, d in links.values() if not pd.isna(d)}):
            parents = {c: p for c, (p, d) in links.items()
                       if pd.isna(d) or (start is not None and d <= start)}
            epochs.append((start, dict(zip(keys, map_parents(raw, parents, func)))))
        return epochs
    if isinstance(entities, pd.Series):
        mapping = entities.dropna().to_dict()
    elif isinstance(entities, Mapping):
        mapping = dict(entities)
    else:
        raise InvalidParameterError(param_message(
            func, "entities", "a DataFrame (name, aliases, parent) or a mapping {firm: parent}",
            type(entities).__name__))
    keys = list(mapping)
    return [(None, dict(zip(keys, map_parents(np.asarray(keys, dtype=object), mapping,
                                              func))))]


def _resolve_ties(frame, epochs):
    """Replace the ends of each tie by their resolved names, in force at the tie's dates.

    The names as given move to ``source_name`` and ``target_name``.  A tie live
    across a date from which an end resolves differently (a ``parent_since`` date)
    is split there: one row up to the date with the earlier names, one from the
    date on with the later ones.  ``epochs`` is the output of :func:`_resolve_names`.
    """
    src = frame["source"].to_numpy(dtype=object)
    tgt = frame["target"].to_numpy(dtype=object)
    frame = frame.assign(source_name=src, target_name=tgt)
    maps = [m for _, m in epochs]
    moving = {n for n in maps[0] if any(m[n] != maps[0][n] for m in maps[1:])}
    split = np.fromiter((a in moving or b in moving for a, b in zip(src, tgt)), dtype=bool,
                        count=len(src))
    frame["source"] = [maps[0].get(x, x) for x in src]
    frame["target"] = [maps[0].get(x, x) for x in tgt]
    if not split.any():
        return frame
    dates = np.asarray([since for since, _ in epochs[1:]], dtype="datetime64[ns]")
    starts = frame["start"].to_numpy(dtype="datetime64[ns]")
    ends = frame["end"].to_numpy(dtype="datetime64[ns]")
    rows, lo, hi, a_out, b_out = [], [], [], [], []
    for i in np.flatnonzero(split):
        first = 0 if np.isnat(starts[i]) else int(np.searchsorted(dates, starts[i], "right"))
        last = len(dates) if np.isnat(ends[i]) else \
            max(first, int(np.searchsorted(dates, ends[i], "left")))
        for k in range(first, last + 1):
            pair = (maps[k].get(src[i], src[i]), maps[k].get(tgt[i], tgt[i]))
            until = ends[i] if k == last else dates[k]
            if k > first and pair == (a_out[-1], b_out[-1]):
                hi[-1] = until  # same names on both sides of the date: one row
                continue
            rows.append(i)
            lo.append(starts[i] if k == first else dates[k - 1])
            hi.append(until)
            a_out.append(pair[0])
            b_out.append(pair[1])
    pieces = frame.iloc[rows].assign(source=a_out, target=b_out,
                                     start=np.asarray(lo, dtype="datetime64[ns]"),
                                     end=np.asarray(hi, dtype="datetime64[ns]"))
    whole = frame[~split]
    order = np.argsort(np.concatenate([np.flatnonzero(~split), np.asarray(rows)]),
                       kind="stable")
    return pd.concat([whole, pieces]).iloc[order].reset_index(drop=True)


def _project_memberships(members: pd.DataFrame) -> pd.DataFrame:
    """Firm-firm co-membership ties: one per shared organisation, live while both are."""
    rows = []
    for org, grp in members.groupby("target", sort=True):
        g = grp.sort_values(["source", "start"], kind="stable").reset_index(drop=True)
        src = g["source"].to_numpy(dtype=object)
        st = g["start"].to_numpy()
        en = g["end"].to_numpy()
        w = g["weight"].to_numpy(dtype=np.float64)
        for a in range(len(g)):
            for b in range(a + 1, len(g)):
                if src[a] == src[b]:
                    continue
                s = max(st[a], st[b])
                if np.isnat(en[a]):
                    e = en[b]
                elif np.isnat(en[b]):
                    e = en[a]
                else:
                    e = min(en[a], en[b])
                if not np.isnat(e) and e <= s:
                    continue
                u, v = (src[a], src[b]) if str(src[a]) <= str(src[b]) else (src[b], src[a])
                rows.append((u, v, "co_membership", s, e, w[a] * w[b], False, org))
    return pd.DataFrame(rows, columns=["source", "target", "kind", "start", "end", "weight",
                                       "directed", "via"]).astype(
        {"start": "datetime64[ns]", "end": "datetime64[ns]", "weight": "float64",
         "directed": "bool"})


def _check_measure(func, measure):
    return check_choice(func, "measure", measure, MEASURES,
                        fix="See PartnershipNetwork.centrality for what each one means.")


def _options(func, measure, options):
    allowed = _OPTIONS[measure]
    unknown = [k for k in options if k not in allowed]
    if unknown:
        raise InvalidParameterError(param_message(
            func, unknown[0], f"an option of measure {measure!r} (one of "
            f"{sorted(allowed) or 'none'})", options[unknown[0]]))
    opts = dict(allowed)
    opts.update(options)
    return opts


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
    if S.shape[0] <= _DENSE_EIG_MAX:
        vals, vecs = np.linalg.eigh(S.toarray())
        return vals[-1], vecs[:, -1]
    try:
        vals, vecs = spla.eigsh(S, k=1, which="LA", tol=tol, maxiter=max_iter)
    except spla.ArpackNoConvergence as exc:
        raise _arpack_error(exc, tol, max_iter) from None
    return vals[0], vecs[:, 0]


def _eigenvector(A, *, tol, max_iter, directed):
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


def _betweenness(L, *, weighted, directed, normalized, k, seed, n_threads):
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
    threads = max(1, min(n_threads or default_threads(), max(1, sources.size)))
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


def _compute(measure, A, L, *, weighted, directed, opts, func):
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
        nt = check_int(func, "n_threads", opts["n_threads"], low=1, allow_none=True)
        seed = opts["seed"]
        if seed is not None:
            check_int(func, "seed", seed, low=0)
        return _betweenness(L, weighted=weighted, directed=directed,
                            normalized=check_bool(func, "normalized", opts["normalized"]),
                            k=k, seed=seed, n_threads=nt)
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
        vals = _compute(measure, S, S, weighted=False, directed=False, opts=opts,
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
    _check_measure(func, measure)
    opts = _options(func, measure, options)
    c = np.asarray(values, dtype=np.float64)
    n = c.size
    if n < 3:
        return float("nan")
    return float((c.max() - c).sum() / _star_spread(measure, n, opts))


# --------------------------------------------------------------------------- the network

class PartnershipNetwork:
    r"""Ties between organisations over time (alliances, investments, supply, memberships).

    Each row of ``edges`` is one tie from ``source`` to ``target``, live from its
    ``start`` (inclusive) until its ``end`` (exclusive); a missing ``end`` means the
    tie is still live.  Several rows for one pair (tranches, renewals, ties of
    different kinds) are kept; they are combined only when a graph is built.

    Parameters
    ----------
    edges : pandas.DataFrame
        One row per tie.  Other columns (``amount_usd``, ``confidence`` ...) are kept
        in :attr:`ties`.
    source, target : str, default "source", "target"
        Columns naming the two organisations.  For a directed tie the direction is
        the data's (for the bundled AI data: the supplier of capital, compute, chips,
        a model, or membership, to its recipient).
    kind : str, default "kind"
        Column of tie kinds (``"equity_investment"``, ``"consortium_membership"``
        ...).  When the default column is absent every tie has kind ``"tie"``.
    start, end : str, default "start", "end"
        Columns of dates (ISO strings such as ``"2019"``, ``"2019-07"``,
        ``"2019-07-22"``, dates or timestamps; a year means its first day).  A
        missing ``start`` is an error; a missing ``end`` means "still live".  When
        the default ``start`` column is absent every tie is live at every date.
    weight : str, default "weight"
        Column of tie weights (positive numbers; see ``weight_as`` in
        :meth:`centrality` for what they mean).  When the default column is absent
        every tie weighs 1.  Missing values are an error: fill them explicitly.
    directed : str, default "directed"
        Boolean column: True for a one-way tie.  When absent every tie is undirected.
        It matters only for analyses run with ``directed=True``.
    entities : pandas.DataFrame or mapping, optional
        Firm -> parent resolution.  A table with a name column (``name``,
        ``entity``, ``canonical`` or ``firm``), an optional ``aliases`` column
        (semicolon-separated or lists) and a ``parent`` column, such as
        ``concentration.datasets.load("entities")``; or a mapping
        ``{firm: parent}``.  Chains are followed to the ultimate parent.  A tie
        whose two ends resolve to one organisation becomes internal: it is kept
        in :attr:`internal`, not in the graph.  An optional ``parent_since``
        column dates each parent link: the firm is its parent's only from that
        date on (an acquisition in 2023 does not merge the 2019 network's nodes).
        A tie live across that date is split there into two rows, the earlier
        with the firm's own name, the later with its parent's.  A link without a
        date, and every link of a mapping, holds at every date.
    resolve : {"parent", "canonical"}, default "parent"
        With an entities table: map names to their ultimate parent, or only
        aliases to canonical names.
    consortia : {"project", "nodes"}, default "project"
        How membership ties (``kind`` in ``membership_kinds``: firm -> organisation)
        enter the graph.  ``"project"`` keeps them as a bipartite firm x
        organisation graph (:meth:`memberships_matrix`) and adds, for every pair of
        members of one organisation, a ``"co_membership"`` tie (weight the product
        of the two membership weights, live while both memberships are, column
        ``via`` naming the organisation); ``"nodes"`` keeps organisations as nodes.
    membership_kinds : sequence of str, default ("consortium_membership",)
        Tie kinds that are memberships.

    Attributes
    ----------
    ties : pandas.DataFrame
        Ties in the graph, columns ``source``, ``target``, ``kind``, ``start``,
        ``end``, ``weight``, ``directed`` (plus ``via`` for co-memberships,
        ``source_name``/``target_name`` before resolution, and the extra columns;
        with dated parent links one input tie may give two rows, split at the date).
    memberships : pandas.DataFrame
        Membership ties (firm -> organisation) when ``consortia="project"``.
    internal : pandas.DataFrame
        Ties between two units of one parent, left out of the graph.

    Notes
    -----
    Every method returning a network (:meth:`as_of`, :meth:`window`,
    :meth:`snapshots`) filters ties by time; the firms of a snapshot are those with a
    live tie.  The FTC's staff report on AI partnerships [FTC25]_ studies ties of
    exactly this kind.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "C", "C"],
    ...                       "start": ["2019", "2020", "2021"],
    ...                       "end": [None, "2021", None]})
    >>> net = PartnershipNetwork(edges)
    >>> net.as_of("2020-06-30").centrality("degree", weight_as=None).to_dict()
    {'A': 1.0, 'B': 0.5, 'C': 0.5}
    """

    def __init__(self, edges, *, source="source", target="target", kind="kind", start="start",
                 end="end", weight="weight", directed="directed", entities=None,
                 resolve="parent", consortia="project", membership_kinds=MEMBERSHIP_KINDS):
        func = "PartnershipNetwork"
        if not isinstance(edges, pd.DataFrame):
            raise InvalidParameterError(param_message(
                func, "edges", "a pandas DataFrame with one row per tie", type(edges).__name__,
                "Build one with pd.DataFrame({'source': [...], 'target': [...], ...})."))
        check_choice(func, "consortia", consortia, ("project", "nodes"))
        check_choice(func, "resolve", resolve, ("parent", "canonical"))
        membership_kinds = tuple(as_list(membership_kinds))
        check_columns(func, edges, {"source": source, "target": target})

        def optional(col, default):
            if col is None:
                return None
            if col not in edges.columns:
                if col == default:
                    return None
                check_columns(func, edges, {default: col})
            return col

        kind, start, end = optional(kind, "kind"), optional(start, "start"), optional(end, "end")
        weight, directed = optional(weight, "weight"), optional(directed, "directed")
        n = len(edges)
        src = edges[source].to_numpy(dtype=object)
        tgt = edges[target].to_numpy(dtype=object)
        for name, col, vals in (("source", source, src), ("target", target, tgt)):
            bad = pd.isna(vals)
            if bad.any():
                raise SchemaError(
                    f"{func}: the '{name}' column {col!r} has {int(bad.sum())} missing "
                    f"value(s) (first in row {int(np.flatnonzero(bad)[0])}). Every tie needs "
                    "both ends; fill or drop those rows first.")
        frame = pd.DataFrame({
            "source": src, "target": tgt,
            "kind": (edges[kind].astype("object").to_numpy() if kind is not None
                     else np.full(n, "tie", dtype=object)),
        })
        if kind is not None and frame["kind"].isna().any():
            raise SchemaError(f"{func}: the 'kind' column {kind!r} has missing values. "
                              "Fill them (for example with 'tie').")
        if start is not None:
            frame["start"] = _dates(edges, start, "start", func, allow_missing=False).to_numpy()
        else:
            frame["start"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        if end is not None:
            frame["end"] = _dates(edges, end, "end", func, allow_missing=True).to_numpy()
        else:
            frame["end"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
        bad = frame["end"].notna() & frame["start"].notna() & (frame["end"] < frame["start"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SchemaError(
                f"{func}: {int(bad.sum())} tie(s) end before they start (first: row {i}, "
                f"{frame['start'].iloc[i].date()} to {frame['end'].iloc[i].date()}). Correct "
                "the dates.")
        if weight is not None:
            w = edges[weight]
            if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
                raise SchemaError(
                    f"{func}: the 'weight' column {weight!r} must be numeric; it has dtype "
                    f"{w.dtype}. Convert it with pd.to_numeric.")
            wv = w.to_numpy(dtype=np.float64, na_value=np.nan)
            badw = ~np.isfinite(wv) | (wv <= 0)
            if badw.any():
                i = int(np.flatnonzero(badw)[0])
                raise SchemaError(
                    f"{func}: the 'weight' column {weight!r} must hold positive finite "
                    f"numbers; {int(badw.sum())} value(s) do not (first {wv[i]!r} in row {i}). "
                    "Fill missing weights explicitly (e.g. with 1), or pass weight=None to "
                    "give every tie weight 1.")
            frame["weight"] = wv
        else:
            frame["weight"] = np.ones(n)
        if directed is not None:
            d = edges[directed]
            if d.isna().any() or not (pd.api.types.is_bool_dtype(d)
                                      or set(pd.unique(d)) <= {0, 1, True, False}):
                raise SchemaError(
                    f"{func}: the 'directed' column {directed!r} must hold True/False for "
                    "every tie. Fill missing values (False means undirected).")
            frame["directed"] = d.astype(bool).to_numpy()
        else:
            frame["directed"] = np.zeros(n, dtype=bool)
        used = {source, target, kind, start, end, weight, directed}
        for col in edges.columns:
            if col not in used and col not in frame.columns:
                frame[col] = edges[col].to_numpy()
        if entities is not None:
            frame = _resolve_ties(frame, _resolve_names(entities, resolve, func))
        self_loop = (frame["source"] == frame["target"]).to_numpy()
        internal = frame[self_loop].reset_index(drop=True)
        frame = frame[~self_loop].reset_index(drop=True)
        is_member = frame["kind"].isin(membership_kinds).to_numpy() if membership_kinds \
            else np.zeros(len(frame), dtype=bool)
        if consortia == "project":
            memberships = frame[is_member].reset_index(drop=True)
            ties = frame[~is_member]
            if len(memberships):
                proj = _project_memberships(memberships)
                ties = pd.concat([ties, proj], ignore_index=True) if len(ties) else proj
        else:
            memberships = frame.iloc[0:0]
            ties = frame
        self._set(ties.reset_index(drop=True), memberships, internal,
                  dict(consortia=consortia, membership_kinds=membership_kinds), None)

    # -- construction helpers
    def _set(self, ties, memberships, internal, config, span):
        self.ties = ties
        self.memberships = memberships
        self.internal = internal
        self._config = config
        self._span = span  # (start, end) of the time filter that made this network
        self._cache = {}
        self._nodes = None  # fixed node set (snapshots with nodes="all"), else live firms
        self.attrs = {}

    def _derive(self, mask_ties, mask_members, mask_internal, span, nodes=None):
        new = object.__new__(type(self))
        new._set(self.ties[mask_ties].reset_index(drop=True),
                 self.memberships[mask_members].reset_index(drop=True),
                 self.internal[mask_internal].reset_index(drop=True), self._config, span)
        new.attrs = dict(self.attrs)
        new._nodes = nodes if nodes is not None else self._nodes
        return new

    def _node_set(self, func, nodes):
        check_choice(func, "nodes", nodes, ("live", "all"),
                     fix="'live': firms with a live tie in the period; 'all': every firm of "
                         "the whole network in every period (isolated ones score 0).")
        return self.firms if nodes == "all" else None

    @classmethod
    def from_parquet(cls, path, *, filters=None, **kwargs):
        """Read ties from a Parquet file, directory or hive dataset and build a network.

        Parameters
        ----------
        path : str or os.PathLike
            Parquet source (see :func:`concentration.read_table`).
        filters : list of tuples or pyarrow Expression, optional
            Row filter pushed down to the scan.
        **kwargs
            Column names and options of :class:`PartnershipNetwork`.

        Returns
        -------
        PartnershipNetwork
            With ``attrs`` holding the file's provenance.
        """
        from ..io import read_table

        frame = read_table(path, filters=filters, func="PartnershipNetwork.from_parquet",
                           required={"source": kwargs.get("source", "source"),
                                     "target": kwargs.get("target", "target")})
        net = cls(frame, **kwargs)
        net.attrs = dict(frame.attrs)
        return net

    # -- time
    def _live(self, table, lo, hi):
        """Mask of ties live at some time in [lo, hi) (lo == hi: live at the instant lo)."""
        st, en = table["start"], table["end"]
        started = st.isna() | ((st <= lo) if hi is None else (st < hi))
        not_ended = en.isna() | (en > lo)
        return (started & not_ended).to_numpy()

    def as_of(self, date, *, nodes="live"):
        """The network of ties live at ``date``: ``start <= date < end`` (no end: live).

        Parameters
        ----------
        date : str, datetime or pandas.Timestamp
        nodes : {"live", "all"}, default "live"
            The firms of the result: those with a live tie, or every firm of this
            network (firms without a live tie are isolated nodes).

        Returns
        -------
        PartnershipNetwork
        """
        func = "PartnershipNetwork.as_of"
        t = _timestamp(func, "date", date)
        return self._derive(self._live(self.ties, t, None), self._live(self.memberships, t, None),
                            self._live(self.internal, t, None), (t, t),
                            self._node_set(func, nodes))

    def window(self, start, end, *, nodes="live"):
        """The network of ties live at some time in ``[start, end)``.

        A tie is kept when ``tie.start < end`` and (``tie.end`` is missing or
        ``tie.end > start``): the window includes its start and excludes its end, as
        each tie does.

        Parameters
        ----------
        start, end : str, datetime or pandas.Timestamp
            ``start < end``.
        nodes : {"live", "all"}, default "live"
            As in :meth:`as_of`.

        Returns
        -------
        PartnershipNetwork
        """
        func = "PartnershipNetwork.window"
        lo = _timestamp(func, "start", start)
        hi = _timestamp(func, "end", end)
        if not hi > lo:
            raise InvalidParameterError(param_message(
                func, "end", f"a date after start ({lo.date()})", end))
        return self._derive(self._live(self.ties, lo, hi), self._live(self.memberships, lo, hi),
                            self._live(self.internal, lo, hi), (lo, hi),
                            self._node_set(func, nodes))

    def periods(self, freq="YS", *, start=None, end=None):
        """Start dates of the periods of frequency ``freq`` covering the ties.

        The first period contains the earliest tie start (or ``start``); the last
        contains the latest start or end date in the data (or ``end``).  Internal
        ties (within one parent) count for this span.
        """
        func = "PartnershipNetwork.periods"
        try:
            offset = pd.tseries.frequencies.to_offset(freq)
        except (TypeError, ValueError):
            raise InvalidParameterError(param_message(
                func, "freq", "a pandas frequency such as 'YS' (years), 'QS' or 'MS'",
                freq)) from None
        dates = pd.concat([t[c] for t in (self.ties, self.memberships, self.internal)
                           for c in ("start", "end")]).dropna()
        lo = _timestamp(func, "start", start, allow_none=True)
        hi = _timestamp(func, "end", end, allow_none=True)
        if lo is None:
            if dates.empty:
                return pd.DatetimeIndex([], name="period")
            lo = dates.min()
        if hi is None:
            hi = dates.max() if not dates.empty else lo
        first = offset.rollback(lo.normalize())
        return pd.date_range(first, hi, freq=offset, name="period")

    def snapshots(self, freq="YS", *, how="window", start=None, end=None, nodes="live"):
        """One network per period: ``{period start: PartnershipNetwork}``.

        Parameters
        ----------
        freq : str, default "YS"
            A pandas frequency: ``"YS"`` calendar years, ``"QS"`` quarters, ``"MS"``
            months.
        how : {"window", "as_of"}, default "window"
            ``"window"``: ties live at any time during the period ``[p, next p)``;
            ``"as_of"``: ties live on the period's first day.
        start, end : date, optional
            Limits of the periods (default: the span of the data).
        nodes : {"live", "all"}, default "live"
            ``"live"``: each snapshot's firms are those with a live tie;
            ``"all"``: every firm of this network is a node of every snapshot, so
            values (and their normalisation by ``n - 1``) compare across periods.

        Returns
        -------
        dict
            Ordered by period.
        """
        func = "PartnershipNetwork.snapshots"
        check_choice(func, "how", how, ("window", "as_of"))
        self._node_set(func, nodes)
        periods = self.periods(freq, start=start, end=end)
        offset = pd.tseries.frequencies.to_offset(freq)
        out = {}
        for p in periods:
            out[p] = self.as_of(p, nodes=nodes) if how == "as_of" else \
                self.window(p, p + offset, nodes=nodes)
        return out

    # -- graph
    @property
    def firms(self) -> pd.Index:
        """Nodes of the graph: every organisation with a tie in this network, sorted."""
        return self._graph(False, None, "sum")[0]

    def __len__(self):
        return len(self.ties)

    def __repr__(self):
        starts = self.ties["start"].dropna()
        span = f", {starts.min().year}-{starts.max().year}" if len(starts) else ""
        return (f"<PartnershipNetwork: {len(self.ties)} ties, {len(self.firms)} firms"
                f"{span}>")

    def _graph(self, directed, weight_as, combine):
        """(labels, A strength CSR, L length CSR) for the live ties; cached."""
        key = (bool(directed), weight_as, combine)
        if key in self._cache:
            return self._cache[key]
        t = self.ties
        labels, codes = None, None
        both = np.concatenate([t["source"].to_numpy(dtype=object),
                               t["target"].to_numpy(dtype=object)])
        if self._nodes is not None:
            labels = pd.Index(self._nodes, name="firm")
            codes = labels.get_indexer(both)
        else:
            try:
                codes, labels = pd.factorize(both, sort=True)
            except TypeError:
                codes, labels = pd.factorize(both, sort=False)
            labels = pd.Index(labels, name="firm")
        n = len(labels)
        m = len(t)
        u, v = codes[:m], codes[m:]
        w = t["weight"].to_numpy(dtype=np.float64)
        if weight_as is None:
            s = np.ones(m)
        elif weight_as == "strength":
            s = w
        else:
            s = 1.0 / w
        one_way = t["directed"].to_numpy(dtype=bool) if directed else np.zeros(m, dtype=bool)
        rows = np.concatenate([u, v[~one_way]])
        cols = np.concatenate([v, u[~one_way]])
        vals = np.concatenate([s, s[~one_way]])
        pairs = pd.DataFrame({"r": rows, "c": cols, "s": vals})
        if weight_as is None:
            agg = pairs.groupby(["r", "c"], sort=True)["s"].max()
        elif weight_as == "distance":
            agg = pairs.groupby(["r", "c"], sort=True)["s"].max()  # max strength = min length
        else:
            agg = pairs.groupby(["r", "c"], sort=True)["s"].agg(combine)
        r = agg.index.get_level_values(0).to_numpy(dtype=np.int64)
        c = agg.index.get_level_values(1).to_numpy(dtype=np.int64)
        sv = agg.to_numpy(dtype=np.float64)
        A = sp.csr_matrix((sv, (r, c)), shape=(n, n))
        L = sp.csr_matrix((1.0 / sv, (r, c)), shape=(n, n))
        A.sort_indices()
        L.sort_indices()
        self._cache[key] = (labels, A, L)
        return self._cache[key]

    def adjacency(self, *, weight_as="strength", directed=False, combine="sum"):
        """The adjacency matrix as a labelled scipy CSR: ``(matrix, firms)``.

        Entry ``[i, j]`` is the combined strength of the live ties from firm ``i`` to
        firm ``j`` (both directions for undirected ties, or when ``directed=False``);
        see the module notes for ``weight_as`` and ``combine``.
        """
        func = "PartnershipNetwork.adjacency"
        self._check_graph_args(func, weight_as, directed, combine)
        labels, A, _ = self._graph(directed, weight_as, combine)
        return A, labels

    def _check_graph_args(self, func, weight_as, directed, combine):
        check_choice(func, "weight_as", weight_as, _WEIGHT_AS,
                     fix="'strength': larger weight = closer tie; 'distance': larger weight = "
                         "longer path; None: ignore weights.")
        check_bool(func, "directed", directed)
        check_choice(func, "combine", combine, _COMBINE)

    # -- centrality
    def centrality(self, measure, *, weight_as="strength", directed=False, combine="sum",
                   **options):
        r"""Centrality of every firm in this network (one snapshot).

        Parameters
        ----------
        measure : str
            ``"degree"``
                Number of partners (distinct neighbours), divided by ``n - 1`` when
                ``normalized=True`` (default).  Weights are ignored.
            ``"strength"``
                Sum of tie strengths :math:`\sum_j a_{ij}` (``normalized=False``
                by default).
            ``"eigenvector"``
                The leading eigenvector :math:`A^\top x = \lambda x`, unit Euclidean
                norm, positive [B87]_.  Options ``tol`` (0: machine precision),
                ``max_iter``.  Raises ConvergenceError when it does not converge or
                is not unique (repeated or zero leading eigenvalue, e.g. two equal
                components).
            ``"pagerank"``
                :math:`x = \alpha P^\top x + \alpha (d^\top x) p + (1-\alpha) p`
                with :math:`P` row-normalised strengths, :math:`d` the dangling
                nodes, :math:`p` uniform or ``personalization`` [BP98]_.  Options
                ``alpha`` (0.85), ``tol`` (1e-12 per node, L1), ``max_iter`` (1000).
            ``"katz"``
                :math:`x = \alpha A^\top x + \beta`, by iteration; unit norm when
                ``normalized=True`` [K53]_.  Converges only for
                :math:`\alpha < 1/\rho(A)`; otherwise ConvergenceError names the
                bound.  Options ``alpha`` (0.1), ``beta`` (1), ``tol``, ``max_iter``.
            ``"betweenness"``
                :math:`\sum_{s \ne v \ne t} \sigma_{st}(v)/\sigma_{st}` by Brandes'
                algorithm [B01]_ (compiled, parallel over sources), over shortest
                paths by length.  ``normalized=True`` divides by
                :math:`(n-1)(n-2)`; otherwise undirected values count each pair once.
                ``k=`` samples k sources (with ``seed``) and rescales as networkx
                does; ``n_threads``.
            ``"closeness"``
                :math:`\frac{r-1}{\sum_v d(v,u)} \cdot \frac{r-1}{n-1}` over the
                :math:`r-1` nodes that reach :math:`u` (Wasserman-Faust
                [WF94]_; ``wf_improved=False`` drops the second factor).
            ``"harmonic"``
                :math:`\sum_{v \ne u} 1/d(v, u)` (0 for unreachable nodes) [MR00]_:
                the closeness to use on disconnected graphs.
        weight_as : {"strength", "distance", None}, default "strength"
            What the ``weight`` column means (see the module notes): spectral
            measures use strengths, path measures lengths; ``1/w`` converts.
        directed : bool, default False
            False: every tie is undirected.  True: ties flagged ``directed`` are
            one-way (source -> target); spectral measures then score the *receiving*
            end (in-links), and closeness/harmonic use distances *to* the firm, as
            networkx does.
        combine : {"sum", "max"}, default "sum"
            How several live ties of one pair combine into one strength.
        **options
            Options of the measure, listed above.  An unknown option is an error.

        Returns
        -------
        pandas.Series
            Indexed by firm (sorted), named after the measure.  Empty when no tie is
            live.

        Raises
        ------
        ConvergenceError
            Eigenvector, PageRank or Katz did not converge (or eigenvector
            centrality is not unique).
        InvalidParameterError
            An unknown measure or option, or an option out of range.

        Notes
        -----
        The values equal networkx's (``degree_centrality``, ``pagerank``,
        ``eigenvector_centrality_numpy``, ``katz_centrality_numpy``,
        ``betweenness_centrality``, ``closeness_centrality``,
        ``harmonic_centrality``) when networkx gets the strengths as ``weight`` for
        spectral measures and the lengths as ``weight`` for path measures.
        Betweenness costs O(nm) time (O(nm + n^2 log n) weighted), or O(km) with
        ``k`` sources; closeness and harmonic O(nm) with O(n) memory per row block.

        Examples
        --------
        >>> import pandas as pd
        >>> star = PartnershipNetwork(pd.DataFrame({"source": ["hub"] * 3,
        ...                                         "target": ["a", "b", "c"]}))
        >>> star.centrality("betweenness").to_dict()
        {'a': 0.0, 'b': 0.0, 'c': 0.0, 'hub': 1.0}
        """
        func = "PartnershipNetwork.centrality"
        _check_measure(func, measure)
        self._check_graph_args(func, weight_as, directed, combine)
        opts = _options(func, measure, options)
        labels, A, L = self._graph(directed, weight_as, combine)
        if measure == "pagerank" and opts["personalization"] is not None:
            opts["personalization"] = self._personalization(func, opts["personalization"],
                                                            labels)
        values = _compute(measure, A, L, weighted=weight_as is not None, directed=directed,
                          opts=opts, func=func)
        return pd.Series(values, index=labels, name=measure, dtype=np.float64)

    @staticmethod
    def _personalization(func, pers, labels):
        if not isinstance(pers, Mapping):
            raise InvalidParameterError(param_message(
                func, "personalization", "a mapping {firm: weight}", type(pers).__name__))
        p = np.array([float(pers.get(f, 0.0)) for f in labels])
        if (p < 0).any() or not np.isfinite(p).all() or p.sum() <= 0:
            raise InvalidParameterError(param_message(
                func, "personalization", "non-negative weights with a positive sum over the "
                "firms of the network", pers))
        return p / p.sum()

    def centralization(self, measure, *, weight_as=None, combine="sum", **options):
        r"""Freeman centralization of this (undirected) network [F79]_.

        .. math:: C = \frac{\sum_i (c^* - c_i)}{\max_{\text{star}} \sum_i (c^* - c_i)}

        1 for a star, 0 when every firm is equally central; NaN with fewer than three
        firms.  ``weight_as`` defaults to None because the reference star is
        unweighted.  See :func:`centralization_from_values`.

        Returns
        -------
        float
        """
        func = "PartnershipNetwork.centralization"
        values = self.centrality(measure, weight_as=weight_as, combine=combine, **options)
        opts = _options(func, measure, options)
        c = values.to_numpy()
        if c.size < 3:
            return float("nan")
        return float((c.max() - c).sum() / _star_spread(measure, c.size, opts))

    def centrality_over_time(self, measure, *, freq="YS", how="window", start=None, end=None,
                             nodes="live", weight_as="strength", directed=False, combine="sum",
                             **options):
        """Centrality per period, as a tidy table.

        Parameters
        ----------
        measure : str or list of str
            One or more of :data:`MEASURES`.
        freq, how, start, end, nodes
            The periods and their firms, as in :meth:`snapshots` (default: calendar
            years, ties live at any time in the year, the firms with a live tie).
        weight_as, directed, combine, **options
            As in :meth:`centrality`.

        Returns
        -------
        pandas.DataFrame
            Columns ``firm``, ``period`` (the period's first day), ``measure``,
            ``value``; one row per firm of each snapshot (``nodes``).  Periods
            without a live tie have no rows.

        Examples
        --------
        >>> import pandas as pd
        >>> edges = pd.DataFrame({"source": ["A", "A"], "target": ["B", "C"],
        ...                       "start": ["2019-05-01", "2020-02-01"]})
        >>> t = PartnershipNetwork(edges).centrality_over_time("degree", weight_as=None)
        >>> t.pivot(index="period", columns="firm", values="value").iloc[:, 0].tolist()
        [1.0, 1.0]
        """
        func = "PartnershipNetwork.centrality_over_time"
        measures = as_list(measure)
        for m in measures:
            _check_measure(func, m)
            _options(func, m, options)
        self._check_graph_args(func, weight_as, directed, combine)
        frames = []
        snaps = self.snapshots(freq, how=how, start=start, end=end, nodes=nodes)
        for period, snap in snaps.items():
            if len(snap.ties) == 0:
                continue
            for m in measures:
                s = snap.centrality(m, weight_as=weight_as, directed=directed, combine=combine,
                                    **options)
                frames.append(pd.DataFrame({"firm": s.index.to_numpy(dtype=object),
                                            "period": period, "measure": m,
                                            "value": s.to_numpy()}))
        if not frames:
            return pd.DataFrame({"firm": pd.Series(dtype=object),
                                 "period": pd.Series(dtype="datetime64[ns]"),
                                 "measure": pd.Series(dtype=object),
                                 "value": pd.Series(dtype=np.float64)})
        out = pd.concat(frames, ignore_index=True)
        out.attrs["weight_as"] = weight_as
        return out

    def centralization_over_time(self, measure, *, freq="YS", how="window", start=None,
                                 end=None, weight_as=None, combine="sum", **options):
        """Freeman centralization per period: a Series indexed by period start."""
        vals = {}
        for period, snap in self.snapshots(freq, how=how, start=start, end=end).items():
            if len(snap.ties):
                vals[period] = snap.centralization(measure, weight_as=weight_as,
                                                   combine=combine, **options)
        return pd.Series(vals, name=f"{measure}_centralization", dtype=np.float64).rename_axis(
            "period")

    # -- memberships
    def memberships_matrix(self):
        """Bipartite firm x organisation membership matrix: ``(CSR, firms, organisations)``.

        Entry ``[i, j]`` is the weight of firm ``i``'s membership of organisation
        ``j`` (summed over rows).  Its projection ``B @ B.T`` counts shared
        memberships; the ``co_membership`` ties of the graph carry the same weights,
        split by organisation and dated.
        """
        m = self.memberships
        f_codes, firms = pd.factorize(m["source"], sort=True)
        o_codes, orgs = pd.factorize(m["target"], sort=True)
        B = sp.csr_matrix((m["weight"].to_numpy(dtype=np.float64), (f_codes, o_codes)),
                          shape=(len(firms), len(orgs)))
        B.sum_duplicates()
        return B, pd.Index(firms, name="firm"), pd.Index(orgs, name="organisation")

    # -- overlap
    def partner_overlap(self, *, metric="jaccard", firms=None, others=None, weight_as=None,
                        combine="sum", **options):
        r"""Overlap of partner sets for pairs of firms (e.g. cloud providers vs model labs).

        Each firm's partners are its neighbours in the undirected graph (row
        :math:`w_j` of the adjacency matrix).  ``jaccard`` is
        :math:`|N_j \cap N_k| / |N_j \cup N_k|`, ``cosine``
        :math:`\langle w_j, w_k\rangle / \lVert w_j \rVert \lVert w_k \rVert`,
        ``weighted_jaccard`` :math:`\sum_i \min(w_{ji}, w_{ki}) / \sum_i \max(w_{ji},
        w_{ki})` (with ``weight_as`` set); ``overlap``, ``weighted_overlap`` and
        ``dot`` too.  Computed by :func:`concentration.overlap` (one kernel for every
        pairwise score in the library).

        Parameters
        ----------
        metric : str, default "jaccard"
            A metric of :func:`concentration.overlap`.
        firms : list, optional
            Row firms (the "from" set); all firms when omitted.
        others : list, optional
            Column firms (the "to" set); the same as ``firms`` when omitted.
        weight_as : {None, "strength", "distance"}, default None
            None: partner sets (0/1).  Otherwise the partner vectors hold strengths.
        combine : {"sum", "max"}
        **options
            Passed to :func:`concentration.overlap`.

        Returns
        -------
        pandas.DataFrame
            ``firms`` x ``others``.
        """
        func = "PartnershipNetwork.partner_overlap"
        self._check_graph_args(func, weight_as, False, combine)
        try:
            from .._pairwise import overlap
        except ImportError as exc:  # pragma: no cover - until the overlap module ships
            raise MissingDependencyError(
                f"{func} needs concentration.overlap, which could not be imported ({exc}).") \
                from None
        labels, A, _ = self._graph(False, weight_as, combine)
        rows = self._firm_positions(func, "firms", firms, labels)
        cols = self._firm_positions(func, "others", others, labels) if others is not None \
            else None
        W_rows = A[rows]
        if cols is None:
            res = overlap(W_rows, metric=metric, **options)
            col_labels = labels[rows]
        else:
            res = overlap(W_rows, metric=metric, other=A[cols], **options)
            col_labels = labels[cols]
        if isinstance(res, pd.DataFrame):
            res = res.to_numpy()
        if sp.issparse(res):
            res = res.toarray()
        out = pd.DataFrame(np.asarray(res, dtype=np.float64),
                           index=pd.Index(labels[rows], name="firm"),
                           columns=pd.Index(col_labels, name="other"))
        out.attrs["metric"] = metric
        return out

    @staticmethod
    def _firm_positions(func, name, firms, labels):
        if firms is None:
            return np.arange(len(labels))
        firms = as_list(firms)
        pos = labels.get_indexer(firms)
        if (pos < 0).any():
            missing = [f for f, p in zip(firms, pos) if p < 0]
            raise InvalidParameterError(param_message(
                func, name, "firms of this network", missing,
                "Check the names (after parent resolution) against net.firms, and that they "
                "have a live tie in this snapshot."))
        return pos

    # -- interop
    def to_networkx(self, *, multigraph=False, directed=False, weight_as="strength",
                    combine="sum"):
        """Return the network as a networkx graph (networkx is an optional extra).

        ``multigraph=False``: a ``Graph`` (or ``DiGraph``) with one edge per pair and
        attributes ``weight`` (combined strength, see ``weight_as``), ``distance``
        (``1 / weight``) and ``kinds`` (sorted, ``;``-joined).  ``multigraph=True``:
        a ``MultiGraph``/``MultiDiGraph`` with every tie and all its columns
        (dates as ISO strings; missing values omitted).
        """
        func = "PartnershipNetwork.to_networkx"
        nx = _networkx(func)
        self._check_graph_args(func, weight_as, directed, combine)
        check_bool(func, "multigraph", multigraph)
        labels, A, L = self._graph(directed, weight_as, combine)
        if multigraph:
            G = nx.MultiDiGraph() if directed else nx.MultiGraph()
            G.add_nodes_from(labels)
            for rec in self.ties.to_dict("records"):
                attrs = {}
                for k, v in rec.items():
                    if k in ("source", "target"):
                        continue
                    if v is None or (np.isscalar(v) and pd.isna(v)) or v is pd.NaT:
                        continue
                    if isinstance(v, (pd.Timestamp, np.datetime64)):
                        v = pd.Timestamp(v).date().isoformat()
                    elif isinstance(v, np.generic):
                        v = v.item()
                    attrs[k] = v
                G.add_edge(rec["source"], rec["target"], **attrs)
            return G
        G = nx.DiGraph() if directed else nx.Graph()
        G.add_nodes_from(labels)
        kinds = {}
        for s_, t_, k_ in zip(self.ties["source"], self.ties["target"], self.ties["kind"]):
            kinds.setdefault(frozenset((s_, t_)), set()).add(str(k_))
        coo = A.tocoo()
        for i, j, w in zip(coo.row, coo.col, coo.data):
            a, b = labels[i], labels[j]
            G.add_edge(a, b, weight=float(w), distance=float(1.0 / w),
                       kinds=";".join(sorted(kinds.get(frozenset((a, b)), ()))))
        return G

    @classmethod
    def from_networkx(cls, graph, *, kind="kind", start="start", end="end", weight="weight",
                      **kwargs):
        """Build a network from a networkx graph.

        Each edge becomes a tie; its attributes named by ``kind``, ``start``, ``end``
        and ``weight`` fill those columns (absent: kind ``"tie"``, always live, weight
        1), the others are kept.  Edges of a directed graph are directed ties.
        """
        _networkx("PartnershipNetwork.from_networkx")
        rows = []
        multi = graph.is_multigraph()
        edges = graph.edges(keys=True, data=True) if multi else graph.edges(data=True)
        for e in edges:
            u, v, data = (e[0], e[1], e[3]) if multi else e
            rec = {"source": u, "target": v}
            rec.update({k: val for k, val in data.items() if k not in ("source", "target")})
            rows.append(rec)
        frame = pd.DataFrame(rows, columns=None if rows else ["source", "target"])
        directed = graph.is_directed()
        frame["directed"] = directed
        if weight not in frame.columns:
            frame[weight] = 1.0
        kw = dict(kind=kind if kind in frame.columns else None,
                  start=start if start in frame.columns else None,
                  end=end if end in frame.columns else None, weight=weight,
                  directed="directed")
        kw.update(kwargs)
        return cls(frame, **kw)

    def write_graphml(self, path, *, directed=False):
        """Write every tie (a multigraph, with its attributes) to a GraphML file."""
        nx = _networkx("PartnershipNetwork.write_graphml")
        G = self.to_networkx(multigraph=True, directed=directed)
        for _, _, data in G.edges(data=True):
            for k, v in list(data.items()):
                if not isinstance(v, (str, int, float, bool)):
                    data[k] = str(v)
        nx.write_graphml(G, os.fspath(path))
