"""Independent numpy oracles for the fuzz suite.

Every function here works on plain numpy arrays of shares as fractions and follows the
formulas in the docstrings of the public functions; none of them imports the library.
"""

import math

import numpy as np

POINTS = 10_000.0


def hhi(s):
    s = np.asarray(s, dtype=float)
    return POINTS * float(np.sum(s * s))


def cr(s, k):
    s = np.sort(np.asarray(s, dtype=float))[::-1]
    return float(np.sum(s[:k]))


def effective_number(s):
    s = np.asarray(s, dtype=float)
    return 1.0 / float(np.sum(s * s))


def entropy(s, normalize=False):
    s = np.asarray(s, dtype=float)
    p = s[s > 0]
    h = float(-np.sum(p * np.log(p)))
    if normalize:
        n = p.size
        return 0.0 if n <= 1 else h / math.log(n)
    return h


def hannah_kay(s, alpha):
    s = np.asarray(s, dtype=float)
    p = s[s > 0]
    if alpha == 1:
        return math.exp(float(-np.sum(p * np.log(p))))
    # in logs: the sum of p**alpha underflows for tiny shares and a large alpha
    a = alpha * np.log(p)
    top = float(a.max())
    return math.exp((top + math.log(float(np.sum(np.exp(a - top))))) / (1.0 - alpha))


def gini(s):
    x = np.sort(np.asarray(s, dtype=float))
    n = x.size
    if n <= 1 or x.sum() == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def hhi_bounds(s, n_fringe=None):
    s = np.asarray(s, dtype=float)
    base = float(np.sum(s * s))
    r = max(0.0, 1.0 - float(s.sum()))
    if r <= 1e-12:
        return POINTS * base, POINTS * base
    m = float(s.min())
    lo = base + (r * r / n_fringe if n_fringe else 0.0)
    rem = math.fmod(r, m)                     # r - q*m with q = floor(r / m)
    hi = base + (r - rem) * m + rem * rem
    return POINTS * lo, POINTS * hi


def hhi_as_firms(s, f):
    """HHI with the fringe split into firms of share ``f`` (the last smaller)."""
    s = np.asarray(s, dtype=float)
    base = float(np.sum(s * s))
    r = max(0.0, 1.0 - float(s.sum()))
    rem = math.fmod(r, f)                     # q = floor(r / f) firms of share f, one of rem
    return POINTS * (base + (r - rem) * f + rem * rem)


def delta_hhi(sa, sb):
    return 2.0 * POINTS * sa * sb


def lorenz(s):
    x = np.sort(np.asarray(s, dtype=float))
    n = x.size
    firm = np.arange(n + 1) / n
    cum = np.concatenate([[0.0], np.cumsum(x)]) / x.sum()
    return firm, cum


# ----------------------------------------------------------------------------- overlap

def _safe_div(num, den):
    out = np.zeros_like(num, dtype=float)
    np.divide(num, den, out=out, where=den != 0)
    return out


def overlap(W, metric, other=None, control=None):
    """Dense pairwise scores of the rows of W (against the rows of ``other``)."""
    A = np.asarray(W, dtype=float)
    B = A if other is None else np.asarray(other, dtype=float)
    if metric == "dot":
        return A @ B.T
    if metric == "cosine":
        na = np.sqrt((A * A).sum(1))
        nb = np.sqrt((B * B).sum(1))
        return _safe_div(A @ B.T, np.outer(na, nb))
    sa = (A != 0).astype(float)
    sb = (B != 0).astype(float)
    inter = sa @ sb.T
    if metric == "jaccard":
        union = sa.sum(1)[:, None] + sb.sum(1)[None, :] - inter
        return _safe_div(inter, union)
    if metric == "overlap":
        return _safe_div(inter, np.minimum(sa.sum(1)[:, None], sb.sum(1)[None, :]))
    if metric in ("weighted_jaccard", "weighted_overlap"):
        mins = np.minimum(A[:, None, :], B[None, :, :]).sum(2)
        if metric == "weighted_jaccard":
            return _safe_div(mins, np.maximum(A[:, None, :], B[None, :, :]).sum(2))
        return _safe_div(mins, np.minimum(A.sum(1)[:, None], B.sum(1)[None, :]))
    if metric == "kappa":
        G = np.asarray(control, dtype=float)
        num = G @ A.T
        den = np.diag(num)[:, None]
        return _safe_div(num, np.broadcast_to(den, num.shape).copy())
    raise ValueError(metric)


def weighted_hhi(s, K):
    s = np.asarray(s, dtype=float)
    return POINTS * float(s @ np.asarray(K, dtype=float) @ s)
