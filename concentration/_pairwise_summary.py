"""A readable summary of a matrix of pairwise scores (the result of :func:`overlap`).

:func:`overlap` returns what scikit-learn's ``pairwise_distances`` and SciPy
return (an ndarray, a CSR matrix, or a DataFrame for labelled input), so that
results go straight into NumPy, SciPy and pandas code.  For reading one in a
notebook, :func:`describe_overlap` summarises it, as :func:`scipy.stats.describe`
and :meth:`pandas.DataFrame.describe` do for their inputs: its shape, how many
scores are stored, whether it is symmetric, the spread of the scores and the
largest pairs, with a notebook display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._results import ResultMixin
from ._validation import check_int, param_message
from .exceptions import InvalidParameterError

__all__ = ["OverlapSummary", "describe_overlap"]

_FUNC = "describe_overlap"
_PAIR_COLUMNS = ("row", "row_other")


@dataclass(frozen=True, repr=False)
class OverlapSummary(ResultMixin):
    """Summary of a matrix of pairwise scores; see :func:`describe_overlap`.

    Attributes
    ----------
    shape : tuple of int
        ``(rows, columns)`` of the score matrix.
    metric : str
        The score's name (``"score"`` when unknown).
    stored : int
        Scores stored: the nonzero (and NaN) entries.
    symmetric : bool or None
        Whether ``S[j, k] == S[k, j]`` for every pair (None for a rectangular matrix).
    nan_rows : int
        Rows whose scores are all NaN (κ of a firm with no control-weighted own cash flow).
    quantiles : tuple of float
        Minimum, median and maximum of the stored scores off the diagonal.
    pairs : pandas.DataFrame
        The largest scores off the diagonal (``row``, ``row_other``, the metric), largest
        first; for a symmetric matrix each pair once.
    """

    shape: tuple
    metric: str
    stored: int
    symmetric: object
    nan_rows: int
    quantiles: tuple
    pairs: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The largest pairs, as a DataFrame (a copy)."""
        return self.pairs.copy()

    def _summary_parts(self):
        n, m = self.shape
        cells = n * m
        facts = [("shape", f"{n:,} × {m:,}"), ("metric", self.metric),
                 ("stored scores", f"{self.stored:,} ({self.stored / cells:.1%} of the matrix)"
                  if cells else "0")]
        if self.symmetric is not None:
            facts.append(("symmetric", bool(self.symmetric)))
        lo, mid, hi = self.quantiles
        if np.isfinite(hi):
            facts.append(("off-diagonal scores", f"min {lo:.3g}, median {mid:.3g}, max {hi:.3g}"))
        if self.nan_rows:
            facts.append(("rows of NaN", self.nan_rows))
        notes = []
        if self.metric == "kappa":
            notes.append("kappa[j, k] is the weight firm j's managers (row) place on firm k's "
                         "profit (column); kappa is not symmetric.")
        if len(self.pairs):
            notes.append(f"The table lists the {len(self.pairs)} largest scores off the diagonal"
                         + (", each pair once." if self.symmetric else "."))
        return "Pairwise overlap", facts, notes


def _as_matrix(S, labels, other_labels):
    """``(CSR or ndarray, row labels, column labels, metric or None)``."""
    metric = None
    if isinstance(S, pd.DataFrame):
        cols = [c for c in S.columns if c not in _PAIR_COLUMNS]
        if all(c in S.columns for c in _PAIR_COLUMNS) and len(cols) == 1:
            metric = str(cols[0])
            rows = pd.Index(pd.unique(S["row"]))
            others = pd.Index(pd.unique(S["row_other"]))
            if set(rows) | set(others) and set(others) <= set(rows):
                others = rows
            elif set(rows) <= set(others):
                rows = others
            r = rows.get_indexer(S["row"])
            c = others.get_indexer(S["row_other"])
            mat = sp.csr_matrix((S[metric].to_numpy(dtype=float), (r, c)),
                                shape=(len(rows), len(others)))
            return mat, rows, others, metric
        return S.to_numpy(dtype=float), pd.Index(S.index), pd.Index(S.columns), metric
    if sp.issparse(S):
        mat = sp.csr_matrix(S, dtype=float)
    else:
        mat = np.asarray(S, dtype=float)
        if mat.ndim != 2:
            raise InvalidParameterError(param_message(
                _FUNC, "S", "a 2-D score matrix (ndarray, scipy.sparse or DataFrame)",
                f"an array of {mat.ndim} dimension(s)"))
    n, m = mat.shape
    rows = pd.Index(labels) if labels is not None else pd.RangeIndex(n)
    if other_labels is not None:
        others = pd.Index(other_labels)
    else:
        others = rows if (labels is not None and n == m) else pd.RangeIndex(m)
    for name, idx, size in (("labels", rows, n), ("other_labels", others, m)):
        if len(idx) != size:
            raise InvalidParameterError(param_message(
                _FUNC, name, f"{size} labels (one per {'row' if name == 'labels' else 'column'})",
                f"{len(idx)}"))
    return mat, rows, others, None


def describe_overlap(S, *, labels=None, other_labels=None, metric=None, top=10):
    r"""Summarise a matrix of pairwise scores: shape, symmetry, spread, largest pairs.

    For reading the result of :func:`concentration.overlap` in a notebook: the
    summary displays as a table (``_repr_html_``), prints as text (``summary()``)
    and gives the largest pairs as a DataFrame (``to_frame()``).  The scores are
    not changed; the diagonal (a row against itself: 1 for cosine, Jaccard and κ)
    is left out of the spread and of the pairs.

    Parameters
    ----------
    S : numpy.ndarray, scipy.sparse matrix or pandas.DataFrame
        What :func:`concentration.overlap` returned: a dense matrix, a sparse matrix
        (only its stored scores are read), a wide DataFrame (rows and columns
        labelled) or a long pair table with columns ``row``, ``row_other`` and the
        metric.
    labels, other_labels : sequence, optional
        Names of the rows and of the columns of an unlabelled matrix (the columns
        take ``labels`` when the matrix is square and ``other_labels`` is omitted).
    metric : str, optional
        The score's name, shown in the summary (``"kappa"`` adds the note on κ's
        orientation).  A long pair table names it; otherwise ``"score"``.
    top : int, default 10
        How many of the largest scores to list.

    Returns
    -------
    OverlapSummary
        With ``to_frame()`` (the largest pairs), ``summary()`` and a notebook display.

    Raises
    ------
    InvalidParameterError
        ``S`` is not 2-D, the labels do not match its shape, or ``top`` is not a
        non-negative integer.

    See Also
    --------
    concentration.overlap : Computes the scores.

    Notes
    -----
    A matrix is symmetric when ``S[j, k] == S[k, j]`` for every pair (to a relative
    tolerance of 1e-12); for a symmetric matrix each pair is listed once.  κ is not
    symmetric: row j is the firm whose managers weigh, column k the firm whose
    profit is weighed.

    Examples
    --------
    >>> import numpy as np
    >>> from concentration import describe_overlap
    >>> S = np.array([[1.0, 0.2], [0.1923, 1.0]])
    >>> d = describe_overlap(S, labels=["A", "B"], metric="kappa")
    >>> d.symmetric
    False
    >>> d.to_frame()
      row row_other   kappa
    0   A         B  0.2000
    1   B         A  0.1923
    """
    top = check_int(_FUNC, "top", top, low=0)
    mat, rows, others, named = _as_matrix(S, labels, other_labels)
    metric = str(metric) if metric is not None else (named or "score")
    n, m = mat.shape
    square = n == m and rows.equals(others)
    if sp.issparse(mat):
        mat.sum_duplicates()
        coo = mat.tocoo()
        r, c, v = coo.row, coo.col, coo.data
        keep = v != 0
        r, c, v = r[keep], c[keep], v[keep]
        stored = int(len(v))
        nan_rows = int(np.sum(np.diff(mat.indptr) == 0)) if metric == "kappa" else 0
        symmetric = None
        if square:
            diff = abs(mat - mat.T)
            scale = abs(mat).max() if mat.nnz else 0.0
            symmetric = bool(diff.nnz == 0 or diff.max() <= 1e-12 * max(scale, 1.0))
    else:
        finite = np.where(np.isnan(mat), 0.0, mat)
        stored = int(np.count_nonzero(finite) + np.count_nonzero(np.isnan(mat)))
        nan_rows = int(np.sum(np.all(np.isnan(mat), axis=1))) if m else 0
        symmetric = None
        if square:
            symmetric = bool(np.allclose(mat, mat.T, rtol=1e-12, atol=0.0, equal_nan=True))
        r, c = np.nonzero(finite)
        v = mat[r, c]
    off = r != c if square else np.ones(len(v), dtype=bool)
    if symmetric:
        off &= r < c
    r, c, v = r[off], c[off], v[off]
    ok = np.isfinite(v)
    r, c, v = r[ok], c[ok], v[ok]
    if len(v):
        quantiles = (float(v.min()), float(np.median(v)), float(v.max()))
    else:
        quantiles = (np.nan, np.nan, np.nan)
    k = min(top, len(v))
    if k:
        pick = np.argpartition(-v, k - 1)[:k] if k < len(v) else np.arange(len(v))
        pick = pick[np.lexsort((c[pick], r[pick], -v[pick]))]
    else:
        pick = np.array([], dtype=int)
    pairs = pd.DataFrame({"row": rows[r[pick]] if k else pd.Index([], dtype=object),
                          "row_other": others[c[pick]] if k else pd.Index([], dtype=object),
                          metric: v[pick]})
    return OverlapSummary(shape=(int(n), int(m)), metric=metric, stored=stored,
                          symmetric=symmetric, nan_rows=nan_rows, quantiles=quantiles,
                          pairs=pairs)
