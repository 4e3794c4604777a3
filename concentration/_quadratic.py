"""The one implementation of the quadratic form behind every concentration measure.

    index(s, K) = 10,000 * sum_j sum_k s_j s_k K[j, k]

HHI is K = I; the O'Brien-Salop MHHI is K = kappa (profit weights, not symmetric:
K[j, k] is the weight firm j's managers put on firm k's profit); partnership-adjusted
concentration takes K from alliance ties.  Measures build K and call these helpers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["quadratic_form", "quadratic_forms", "pair_terms"]


def quadratic_form(shares, weights) -> float:
    """Return ``10,000 * s @ K @ s`` for shares ``s`` (fractions) and a weight matrix ``K``.

    ``weights`` may be a dense array or a scipy sparse matrix of shape (n, n).
    """
    s = np.asarray(shares, dtype=np.float64)
    ks = weights @ s if sp.issparse(weights) else np.asarray(weights, dtype=np.float64) @ s
    return float(10_000.0 * (s @ np.asarray(ks).ravel()))


def quadratic_forms(shares, weights=None) -> np.ndarray:
    r"""Return ``10,000 * s_m @ K_m @ s_m`` for each of a stack of markets of one size.

    .. math:: \mathrm{index}_m = 10{,}000 \sum_j \sum_k s_{mj} s_{mk} K_m[j, k]

    Parameters
    ----------
    shares : numpy.ndarray
        Shares (fractions), shape (markets, n).
    weights : numpy.ndarray or None
        Dense weight matrices, shape (markets, n, n); None is the identity in every
        market (the HHI: ``K s = s`` exactly, so only the dot product remains).

    Returns
    -------
    numpy.ndarray
        One value per market (points), each equal to :func:`quadratic_form` of that
        market to the last bit: NumPy's ``matmul`` over the stack makes the same
        matrix-vector and dot-product calls per market as the one-market product,
        so the sums are taken in the same order.
    """
    s = np.asarray(shares, dtype=np.float64)
    ks = s[:, :, None] if weights is None else np.matmul(
        np.asarray(weights, dtype=np.float64), s[:, :, None])
    return 10_000.0 * np.matmul(s[:, None, :], ks)[:, 0, 0]


def pair_terms(shares, weights, firms) -> pd.DataFrame:
    """Each ordered pair's term ``10,000 * s_j * s_k * K[j, k]`` (nonzero weights only).

    Returns a DataFrame with columns ``firm`` (j, whose managers weigh), ``other`` (k,
    whose profit is weighed), ``share``, ``other_share``, ``weight`` and
    ``contribution``; the contributions sum to :func:`quadratic_form`.
    """
    s = np.asarray(shares, dtype=np.float64)
    coo = sp.coo_matrix(weights) if sp.issparse(weights) else sp.coo_matrix(
        np.asarray(weights, dtype=np.float64))
    j, k, w = coo.row, coo.col, coo.data
    keep = w != 0
    j, k, w = j[keep], k[keep], w[keep]
    order = np.lexsort((k, j))
    j, k, w = j[order], k[order], w[order]
    firms = np.asarray(firms, dtype=object)
    return pd.DataFrame({"firm": firms[j], "other": firms[k], "share": s[j],
                         "other_share": s[k], "weight": w,
                         "contribution": 10_000.0 * s[j] * s[k] * w})
