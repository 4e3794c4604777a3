"""Readable specification of the pairwise overlap scores (pure NumPy/SciPy).

This module is the reference the compiled kernel :mod:`concentration._kernels._overlap`
is tested against.  It favours clarity over speed and memory: it builds dense
matrices and is meant for small inputs only.  It is never used by the library at
run time.

All functions take clean ``scipy.sparse`` CSR matrices (float64, canonical: sorted
indices, no duplicates, no explicit zeros) and return a dense ``ndarray`` S with
``S[j, k]`` the score of left row j against right row k.

Definitions (w_j = row j of W, supp = set of columns with a nonzero entry):

* ``dot``:               <w_j, w_k>
* ``cosine``:            <w_j, w_k> / (||w_j|| ||w_k||)
* ``jaccard``:           |supp_j ∩ supp_k| / |supp_j ∪ supp_k|
* ``overlap``:           |supp_j ∩ supp_k| / min(|supp_j|, |supp_k|)
* ``weighted_jaccard``:  Σ_i min(w_ji, w_ki) / Σ_i max(w_ji, w_ki)
* ``weighted_overlap``:  Σ_i min(w_ji, w_ki) / min(Σ_i w_ji, Σ_i w_ki)
* ``kappa``:             κ_jk = <g_j, b_k> / <g_j, b_j>  (G = control, B = cash flow)

A zero denominator gives 0 for every metric except ``kappa``, whose row j is NaN
when <g_j, b_j> = 0.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["overlap_ref", "select_ref", "METRICS"]

METRICS = ("dot", "cosine", "jaccard", "overlap", "weighted_jaccard", "weighted_overlap",
           "kappa")


def _safe_divide(num, den):
    out = np.zeros(np.broadcast_shapes(num.shape, den.shape))
    np.divide(num, den, out=out, where=den != 0)
    return out


def overlap_ref(A, B=None, *, metric="cosine", control=None):
    """Dense matrix of scores between the rows of A and the rows of B (B defaults to A).

    For ``metric="kappa"`` A is the cash-flow matrix B of the definition and
    ``control`` is G (same shape); the result is κ with rows j of G.
    """
    A = sp.csr_matrix(A, dtype=np.float64)
    B = A if B is None else sp.csr_matrix(B, dtype=np.float64)
    if metric == "dot":
        return (A @ B.T).toarray()
    if metric == "cosine":
        na = np.sqrt(np.asarray(A.multiply(A).sum(axis=1)).ravel())
        nb = np.sqrt(np.asarray(B.multiply(B).sum(axis=1)).ravel())
        return _safe_divide((A @ B.T).toarray(), np.outer(na, nb))
    if metric in ("jaccard", "overlap"):
        Ab = (A != 0).astype(np.float64)
        Bb = (B != 0).astype(np.float64)
        common = (Ab @ Bb.T).toarray()
        da = np.asarray(Ab.sum(axis=1)).ravel()[:, None]
        db = np.asarray(Bb.sum(axis=1)).ravel()[None, :]
        if metric == "jaccard":
            return _safe_divide(common, da + db - common)
        return _safe_divide(common, np.minimum(da, db))
    if metric in ("weighted_jaccard", "weighted_overlap"):
        Ad = A.toarray()
        Bd = B.toarray()
        mins = np.array([np.minimum(a[None, :], Bd).sum(axis=1) for a in Ad]).reshape(
            A.shape[0], B.shape[0])
        if metric == "weighted_jaccard":
            maxs = np.array([np.maximum(a[None, :], Bd).sum(axis=1) for a in Ad]).reshape(
                A.shape[0], B.shape[0])
            return _safe_divide(mins, maxs)
        sa = Ad.sum(axis=1)[:, None]
        sb = Bd.sum(axis=1)[None, :]
        return _safe_divide(mins, np.minimum(sa, sb))
    if metric == "kappa":
        G = sp.csr_matrix(control, dtype=np.float64)
        num = (G @ B.T).toarray()          # <g_j, b_k>
        den = np.asarray(G.multiply(B).sum(axis=1)).ravel()   # <g_j, b_j>
        out = np.full(num.shape, np.nan)
        ok = den != 0
        out[ok] = num[ok] / den[ok, None]
        return out
    raise ValueError(f"unknown metric {metric!r}")


def select_ref(S, *, threshold=None, top_k=None):
    """Sparse selection of a dense score matrix, as the kernel's row flush does it.

    Keeps, per row, the entries that are not 0 (nor NaN) and ``>= threshold``; with
    ``top_k`` only the ``top_k`` largest scores, ties broken towards the smaller
    column.  Returns a canonical CSR matrix.
    """
    S = np.asarray(S, dtype=np.float64)
    rows, cols, vals = [], [], []
    for j, row in enumerate(S):
        keep = np.flatnonzero((row != 0) & ~np.isnan(row))
        if threshold is not None:
            keep = keep[row[keep] >= threshold]
        if top_k is not None:
            order = sorted(keep, key=lambda k: (-row[k], k))[:top_k]
            keep = np.sort(np.asarray(order, dtype=np.int64))
        rows.extend([j] * len(keep))
        cols.extend(keep)
        vals.extend(row[keep])
    out = sp.csr_matrix((vals, (rows, cols)), shape=S.shape, dtype=np.float64)
    out.sort_indices()
    return out


def block_dots(a_indptr, a_indices, a_data, b_indptr, b_indices, b_data, rows, starts):
    """Reference for ``_overlap.block_dots``: for each block of ``rows``, the dense
    products ``<a_j, b_k>`` of its rows, row-major, the blocks concatenated."""
    out = []
    for m in range(len(starts) - 1):
        block = rows[starts[m]:starts[m + 1]]
        for j in block:
            a = dict(zip(a_indices[a_indptr[j]:a_indptr[j + 1]].tolist(),
                         a_data[a_indptr[j]:a_indptr[j + 1]].tolist()))
            for k in block:
                b = zip(b_indices[b_indptr[k]:b_indptr[k + 1]].tolist(),
                        b_data[b_indptr[k]:b_indptr[k + 1]].tolist())
                out.append(sum(a[c] * v for c, v in b if c in a))
    return np.asarray(out, dtype=np.float64)

def pair_lookup(a_indptr, a_indices, b_indptr, b_indices, b_data, rows, others):
    """Reference for ``_overlap.pair_lookup``: for each pair, B's values in row
    ``others[p]`` at the columns of A's row ``rows[p]`` (0 where absent), concatenated."""
    out = []
    for j, k in zip(rows, others):
        b = dict(zip(b_indices[b_indptr[k]:b_indptr[k + 1]].tolist(),
                     b_data[b_indptr[k]:b_indptr[k + 1]].tolist()))
        out += [b.get(c, 0.0) for c in a_indices[a_indptr[j]:a_indptr[j + 1]].tolist()]
    return np.asarray(out, dtype=np.float64)


def coo_to_csr(rows, cols, a, b, n_rows, n_cols, n_threads=0):
    """Reference for ``_overlap.coo_to_csr``: the entries sorted stably by (row, column),
    as ``(indptr, indices, a, b, n_repeated)``."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    perm = np.lexsort((np.arange(len(rows)), cols, rows))
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    rs, cs = rows[perm], cols[perm]
    n_rep = int(((rs[1:] == rs[:-1]) & (cs[1:] == cs[:-1])).sum())
    indices = cs.astype(np.int32 if n_cols < 2**31 else np.int64)
    return (indptr, indices, np.asarray(a, dtype=np.float64)[perm],
            np.asarray(b, dtype=np.float64)[perm], n_rep)
