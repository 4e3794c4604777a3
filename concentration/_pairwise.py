"""Pairwise network overlap between the rows of a weight matrix: κ, cosine, Jaccard.

One public function, :func:`overlap`, validates its input once and then calls the
compiled kernel :mod:`concentration._kernels._overlap` (the readable specification
is :mod:`concentration._kernels._overlap_ref`).  See ``docs/overlap.md``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._constants import OVERLAP_METRICS
from ._kernels import load
from ._progress import stage
from ._validation import (
    available_memory,
    check_choice,
    check_int,
    check_memory,
    check_number,
    check_threads,
    format_bytes,
    param_message,
    warn,
)
from .exceptions import (
    DataQualityWarning,
    InvalidMatrixError,
    InvalidParameterError,
    SchemaError,
)

__all__ = ["overlap", "OVERLAP_METRICS"]

_K = load("_overlap")
_F = "overlap"

_OUTPUTS = ("auto", "dense", "csr", "frame", "pairs")
_SYMMETRIC = {"dot", "cosine", "jaccard", "overlap", "weighted_jaccard", "weighted_overlap"}
_NONNEGATIVE = {"jaccard", "overlap", "weighted_jaccard", "weighted_overlap", "kappa"}
_CODE = {"dot": 0, "cosine": 1, "jaccard": 2, "overlap": 3, "weighted_jaccard": 2,
         "weighted_overlap": 3, "kappa": 4}
# A column goes to the dense BLAS block when its sparse cost deg_A·deg_B exceeds the
# dense cost n_A·n_B scaled by the measured speed ratio of BLAS FMAs to sparse
# scatter-adds on this class of machine (≈ 45 G/s vs ≈ 1.2 G/s).
_HEAVY_RATIO = 1.0 / 40.0
# Memory planning.  Plans below _SMALL_BYTES are not checked (no /proc read for small
# calls).  A sparse result whose reserved upper bound fits in _DIRECT_SHARE of the
# available memory is written straight into one reservation; otherwise (and for a
# thresholded result whose reservation exceeds _BLOCK_ENTRIES entries) rows go through
# a reused block buffer of about _BLOCK_ENTRIES entries into output arrays that grow.
_SMALL_BYTES = 64 << 20
_DIRECT_SHARE = 0.5
_BLOCK_ENTRIES = 1 << 23


# ----------------------------------------------------------------------------- input

def _frame_columns(frame, name):
    cols = list(frame.columns)
    if {"row", "column", "weight"} <= set(cols):
        return "row", "column", "weight"
    if len(cols) == 3:
        return tuple(cols)
    raise SchemaError(
        f"{_F}: the '{name}' table must be a long table with columns (row, column, weight) "
        f"or exactly three columns in that order. Got columns {cols!r}. "
        "Rename the columns to 'row', 'column' and 'weight', or select those three.")


def _check_values(values, name, metric):
    """Validate and return float64 weights (a copy only when the dtype changes)."""
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise InvalidMatrixError(param_message(
            _F, name, "real numeric weights (bool, integer or float)",
            f"weights of dtype {values.dtype}", "Convert the weights to float64."))
    values = values.astype(np.float64, copy=False)
    finite = np.count_nonzero(np.isfinite(values))  # (far cheaper than .all() when small)
    if finite < values.size:
        raise InvalidMatrixError(param_message(
            _F, name, "finite weights", f"{values.size - finite} NaN or infinite weight(s)",
            "Drop or fill those entries before computing overlaps."))
    if metric in _NONNEGATIVE and values.size and values.min() < 0:
        raise InvalidMatrixError(param_message(
            _F, name, f"non-negative weights for metric={metric!r}",
            f"{int((values < 0).sum())} negative weight(s), the smallest {values.min()!r}",
            "Use metric='dot' or 'cosine' for signed weights, or correct the data."))
    return values


def _check_index_array(arr, name, what):
    arr = np.asarray(arr)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise InvalidMatrixError(param_message(
            _F, name, f"a matrix whose {what} is a 1-D integer array",
            f"{what} of dtype {arr.dtype} and shape {arr.shape}",
            "Rebuild the matrix with scipy.sparse.csr_matrix((data, indices, indptr))."))
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise InvalidMatrixError(param_message(
            _F, name, f"{what} that fit in int64", "larger values", ""))
    return np.ascontiguousarray(arr)  # scipy accepts strided index arrays; kernels do not


def _validated_compressed(indptr, indices, data, n_major, n_minor, name, metric, kind):
    """Check compressed (CSR-like) arrays; return canonical (indptr64, indices, data64)."""
    major, minor = ("row", "column") if kind == "csr" else ("column", "row")
    indptr = _check_index_array(indptr, name, "indptr")
    indices = _check_index_array(indices, name, "indices")
    data = np.asarray(data)
    if data.ndim != 1:
        raise InvalidMatrixError(param_message(
            _F, name, "a matrix whose data is a 1-D array", f"data of shape {data.shape}"))
    data = np.ascontiguousarray(data)
    if indptr.size != n_major + 1:
        raise InvalidMatrixError(param_message(
            _F, name, f"a {kind.upper()} matrix whose indptr has n_{major}s + 1 = "
            f"{n_major + 1} entries", f"an indptr of length {indptr.size}",
            "Rebuild the matrix; its indptr does not match its shape."))
    indptr = indptr.astype(np.int64, copy=False)
    nnz = int(indptr[-1]) if indptr.size else 0
    if (indptr.size and indptr[0] != 0) or np.any(np.diff(indptr) < 0) \
            or nnz > indices.size or nnz > data.size or nnz < 0:
        raise InvalidMatrixError(param_message(
            _F, name, "an indptr that starts at 0, never decreases and ends at most at "
            "the number of stored entries",
            f"indptr[0]={int(indptr[0])}, indptr[-1]={nnz}, {indices.size} indices, "
            f"{data.size} values", "Rebuild the matrix; its indptr is corrupt."))
    indices = indices[:nnz]
    data = data[:nnz]
    if indices.dtype not in (np.int32, np.int64):
        indices = indices.astype(np.int64)
    code, pos = _K.check_csr(indptr, indices, n_minor)
    if code == 1:
        raise InvalidMatrixError(param_message(
            _F, name, f"{minor} indices in [0, {n_minor})",
            f"index {int(indices[pos])} at position {pos}",
            "Rebuild the matrix with the correct shape or indices."))
    if code == 2:
        raise InvalidMatrixError(param_message(
            _F, name, f"a {kind.upper()} matrix with sorted indices in each {major}",
            f"unsorted indices at position {pos}",
            "Call W.sort_indices() (or W.sum_duplicates()) first."))
    data = _check_values(data, name, metric)
    return indptr, indices, data, code == 3


def _to_csr(X, name, metric):
    """Coerce X (scipy sparse, dense array) to a canonical float64 CSR without modifying it."""
    if sp.issparse(X):
        fmt = X.format
        n_rows, n_cols = (int(d) for d in X.shape)
        if fmt in ("csr", "csc"):
            n_major, n_minor = (n_rows, n_cols) if fmt == "csr" else (n_cols, n_rows)
            indptr, indices, data, dup = _validated_compressed(
                X.indptr, X.indices, X.data, n_major, n_minor, name, metric, fmt)
            cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
            M = cls((data, indices, indptr), shape=(n_rows, n_cols), copy=False)
            if dup:
                M = M.copy()
                M.sum_duplicates()  # duplicate entries add up, as everywhere in scipy.sparse
            M = M.tocsr() if fmt == "csc" else M
        elif fmt == "coo":
            r = _check_index_array(X.row if hasattr(X, "row") else X.coords[0], name, "row")
            c = _check_index_array(X.col if hasattr(X, "col") else X.coords[1], name, "col")
            data = np.asarray(X.data)
            if not (r.size == c.size == data.size):
                raise InvalidMatrixError(param_message(
                    _F, name, "a COO matrix with equally long row, col and data",
                    f"lengths {r.size}, {c.size}, {data.size}"))
            for arr, n, what in ((r, n_rows, "row"), (c, n_cols, "column")):
                if arr.size and (arr.min() < 0 or arr.max() >= n):
                    raise InvalidMatrixError(param_message(
                        _F, name, f"{what} indices in [0, {n})",
                        f"indices from {int(arr.min())} to {int(arr.max())}",
                        "Rebuild the matrix with the correct shape or indices."))
            data = _check_values(data, name, metric)
            M = sp.csr_matrix((data, (r, c)), shape=(n_rows, n_cols))
        else:
            M = sp.csr_matrix(X.tocsr(), dtype=np.float64)
            _check_values(M.data, name, metric)
    else:
        try:
            arr = np.asarray(X)
        except ValueError:  # ragged nested lists
            raise InvalidParameterError(param_message(
                _F, name, "a 2-D matrix (scipy sparse, ndarray) or a long DataFrame",
                "nested lists of unequal lengths",
                "Give every row the same length, or pass a scipy.sparse matrix.")) from None
        if arr.ndim != 2:
            raise InvalidParameterError(param_message(
                _F, name, "a 2-D matrix (scipy sparse, ndarray) or a long DataFrame "
                "(row, column, weight)", f"an object of shape {arr.shape}"))
        arr = _check_values(arr, name, metric)
        return _dense_to_csr(arr)   # a new canonical float64 CSR already
    M = sp.csr_matrix(M, dtype=np.float64)
    if M.nnz and np.any(M.data == 0):
        M = M.copy()
        M.eliminate_zeros()  # a stored zero is not a tie: it never counts in a pattern
    M.sort_indices()
    return _Csr.of(M)


def _dense_to_csr(arr):
    """``scipy.sparse.csr_matrix(arr)`` of a float64 2-D array as a :class:`_Csr`.

    The nonzero entries in row-major order, int32 indices (what scipy picks for
    fewer than 2**31 entries), made without a COO step and without a scipy matrix;
    larger arrays go through scipy itself.
    """
    if arr.size >= 2**31 - 1:
        return _Csr.of(sp.csr_matrix(arr))
    stored = arr != 0
    n_rows, n_cols = arr.shape
    if arr.size and np.count_nonzero(stored) == arr.size:  # every row holds every column
        indptr = np.arange(0, arr.size + 1, max(n_cols, 1), dtype=np.int32)
        indices = np.arange(arr.size, dtype=np.int32) % np.int32(n_cols)
        return _Csr(indptr, indices, arr.reshape(-1), arr.shape, dense=arr)
    r, c = stored.nonzero()  # (the methods: NumPy's functions add checks a small call feels)
    indptr = np.zeros(arr.shape[0] + 1, dtype=np.int32)
    # (a running sum into an array of another dtype is several times slower)
    np.bincount(r, minlength=arr.shape[0]).astype(np.int32).cumsum(out=indptr[1:])
    return _Csr(indptr, c.astype(np.int32), arr[stored], arr.shape, dense=arr)


class _Csr:
    """A canonical float64 CSR matrix (sorted indices, no duplicate, no stored zero)
    held as its three arrays; the ``scipy.sparse`` matrix is made when a step needs one.

    The kernels take the arrays.  Making a ``csr_matrix`` checks them again, which
    costs a dense 10 x 10 input more than its whole product, so the steps every call
    takes (row norms, degrees, the transpose, the dense core) read the arrays and the
    others (row selection, element-wise products, column slices) use :attr:`matrix`.
    Never modified in place: a step that changes the weights makes a new one.
    """

    __slots__ = ("indptr", "indices", "data", "shape", "_matrix", "_dense")

    def __init__(self, indptr, indices, data, shape, matrix=None, dense=None):
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.shape = (int(shape[0]), int(shape[1]))
        self._matrix = matrix
        self._dense = dense  # the float64 array it was made from (read, never written)

    @classmethod
    def of(cls, M):
        """The arrays of a canonical ``csr_matrix`` ``M`` (kept as :attr:`matrix`)."""
        nnz = M.nnz
        return cls(M.indptr, M.indices[:nnz], M.data[:nnz], M.shape, M)

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def matrix(self):
        """The same matrix as a ``scipy.sparse.csr_matrix`` (made on first use)."""
        if self._matrix is None:
            self._matrix = sp.csr_matrix((self.data, self.indices, self.indptr),
                                         shape=self.shape, copy=False)
        return self._matrix

    def with_data(self, data):
        """The same pattern with the weights ``data``."""
        return _Csr(self.indptr, self.indices, data, self.shape)

    def rows(self, pos):
        """The rows ``pos`` (positions, repeats allowed), in that order."""
        return _Csr.of(self.matrix[pos])

    def toarray(self):
        """The dense matrix (what ``csr_matrix.toarray()`` gives: no duplicate to add)."""
        if self._dense is not None:
            return self._dense + 0.0  # a new array; -0.0 (no stored entry) becomes 0.0
        out = np.zeros(self.shape)
        rows = np.repeat(np.arange(self.shape[0]), self.row_counts())
        out.reshape(-1)[rows * self.shape[1] + self.indices] = self.data
        return out

    def row_counts(self):
        """Stored entries per row (``np.diff(indptr)``, without its argument checks)."""
        return self.indptr[1:] - self.indptr[:-1]


def _unhashable_labels(parts):
    """SchemaError naming the first table column with an unhashable label (a list)."""
    for nm, (r, c, _, rc) in parts.items():
        for col, values in ((rc, r), ("column", c)):
            for v in values:
                try:
                    hash(v)
                except TypeError:
                    return SchemaError(
                        f"{_F}: the '{nm}' table holds an unhashable {col!r} label "
                        f"({v!r}). Labels must be hashable: strings, numbers or tuples, "
                        "not lists or dicts.")
    return SchemaError(f"{_F}: the tables' labels cannot be compared or hashed.")


def _unit_rows(M):
    """M with each row divided by its largest |weight|, when a weight lies beyond 1e±150.

    Cosine is unchanged by a positive scale of a row; scaled, its products and norms
    neither overflow (5e299² = inf) nor underflow (5e-301² = 0).  Other data is
    returned as it is.
    """
    if not M.nnz:
        return M
    mag = np.abs(M.data)
    if np.maximum.reduce(mag) <= 1e150 and np.minimum.reduce(mag) >= 1e-150:
        return M
    peak = np.asarray(abs(M.matrix).max(axis=1).toarray()).ravel()
    return M.with_data(M.data / np.repeat(peak, np.diff(M.indptr)))


#: κ's products g_jo · b_ko are kept between 2**_KAPPA_LOW and 2**_KAPPA_HIGH (less the
#: bits of the number of terms): the exponent range of float64 is -1022 to 1023.
_KAPPA_LOW, _KAPPA_HIGH = -960, 1000


def _kappa_in_range(gmax, gmin, bmax, bmin, width) -> bool:
    """Whether every κ product and sum surely stays in range: the largest and smallest
    stored control weights ``gmax`` and ``gmin``, cash-flow weights ``bmax`` and
    ``bmin`` (all positive) and at most ``width`` terms per sum (see
    :func:`_kappa_rows_in_range`)."""
    e = [math.frexp(float(v))[1] for v in (gmax, gmin, bmax, bmin)]
    return (e[0] + e[2] + int(width).bit_length() <= _KAPPA_HIGH
            and e[1] + e[3] >= _KAPPA_LOW)


def _kappa_rows_in_range(G, B):
    r"""G with each row scaled by a power of two where its products with B would leave float64.

    :math:`\kappa_{jk} = \langle g_j, b_k\rangle / \langle g_j, b_j\rangle` does not
    change when row :math:`g_j` is multiplied by a positive constant.  With
    :math:`2^{e_j}` bounding row j's largest control weight, :math:`2^{f_j}` row j's
    largest cash-flow weight, :math:`2^{f}` the largest of all of B and
    :math:`2^{w_j}` the row's number of stored entries:

    - a row with :math:`e_j + f + w_j > 1000` (a product or a sum could overflow:
      ``1e200 · 1e200 = inf``, then ``inf / inf = NaN``) is scaled down to that bound;
    - a row whose own products are below :math:`2^{-960}`
      (:math:`e_j + f_j < -960`: ⟨g_j, b_j⟩ could underflow to a false zero control
      mass) is scaled up towards :math:`e_j + f_j = 0`, as far as the bound above
      allows.

    A power of two changes no digit of a product or a sum that stays in range, so
    where the scaled row's products stay in range the scores are those of unlimited
    range, to the last bit.  What scaling one row of G cannot do: a row scaled down
    for a much larger row of B can make its products with much smaller rows of B
    subnormal (the last digits of those tiny scores), and rows of B more than
    about :math:`2^{1000}` apart leave κ itself beyond float64.  Input whose products are all
    in range (every stake of a holdings table) is returned as it is.
    """
    if not G.nnz or not B.nnz:
        return G
    counts = G.row_counts()
    # (weights are non-negative and a canonical CSR stores no zero)
    if _kappa_in_range(G.data.max(), G.data.min(), B.data.max(), B.data.min(),
                       counts.max()):
        return G

    def row_exponents(M):
        peak = np.zeros(M.shape[0])
        np.maximum.at(peak, np.repeat(np.arange(M.shape[0]), M.row_counts()), M.data)
        return np.frexp(peak)[1], peak > 0

    e_g, has_g = row_exponents(G)
    f_b, has_b = row_exponents(B)
    e_row = e_g + math.frexp(float(B.data.max()))[1]   # the largest product's exponent
    high = _KAPPA_HIGH - np.frexp(counts.astype(np.float64))[1]
    own = e_g + f_b                                     # the largest own product's
    up = np.minimum(-own, high - e_row)
    shift = np.where(e_row > high, high - e_row,
                     np.where((own < _KAPPA_LOW) & has_b & (up > 0), up, 0))
    shift[~has_g] = 0
    if not shift.any():
        return G
    return G.with_data(np.ldexp(G.data, np.repeat(shift, counts)))


def _labels(parts, row_groups):
    """Sorted (when comparable) column labels shared by every table; row labels per group."""
    col_labels = pd.Index(pd.unique(np.concatenate([p[1] for p in parts.values()])))
    try:
        col_labels = col_labels.sort_values()
    except TypeError:
        pass
    row_labels = {}
    for group in row_groups:
        present = [g for g in group if g in parts]
        if not present:
            continue
        lab = pd.Index(pd.unique(np.concatenate([parts[g][0] for g in present])))
        try:
            lab = lab.sort_values()
        except TypeError:
            pass
        for g in present:
            row_labels[g] = lab
    return col_labels, row_labels


def _may_overflow(A, B):
    """True when a dot product of a row of A and one of B could exceed float64's range."""
    if not (A.nnz and B.nnz):
        return False
    width = float(max(np.diff(A.indptr).max(), 1))
    return float(np.abs(A.data).max()) * float(np.abs(B.data).max()) * width > 1e307


def _frames_to_csr(frames, names, metric, row_groups):
    """Factorise long tables over shared column labels; rows per ``row_groups``."""
    parts = {}
    for nm, fr in zip(names, frames):
        if fr is None:
            continue
        rc, cc, wc = _frame_columns(fr, nm)
        for col, what in ((rc, "row"), (cc, "column")):
            missing = np.flatnonzero(pd.isna(fr[col].to_numpy()))
            if missing.size:
                raise SchemaError(
                    f"{_F}: the '{nm}' table has {missing.size} missing (NaN/None) {what} "
                    f"label(s) in column {col!r}, the first at position {int(missing[0])}. "
                    f"Drop those lines first, e.g. table.dropna(subset=[{col!r}]).")
        parts[nm] = (fr[rc].to_numpy(), fr[cc].to_numpy(), fr[wc].to_numpy(), rc)
    try:
        col_labels, row_labels = _labels(parts, row_groups)
    except TypeError:
        raise _unhashable_labels(parts) from None
    out = {}
    for nm, (r, c, w, rc) in parts.items():
        w = _check_values(w, nm, metric)
        ri = row_labels[nm].get_indexer(r)  # every label is present: none is missing
        ci = col_labels.get_indexer(c)
        M = sp.csr_matrix((w, (ri, ci)), shape=(len(row_labels[nm]), len(col_labels)))
        out[nm] = _to_csr(M, nm, metric)
    return out, row_labels, parts[names[0]][3]


# ----------------------------------------------------------------------------- compute

def _row_sums_of_squares(M):
    """``M.multiply(M).sum(axis=1)`` of a canonical CSR, as a flat array.

    Read straight from ``M.data``: the squares summed row by row by ``np.add.reduceat``
    as ``scipy.sparse`` sums a CSR's rows.  A square that underflows to 0 would be
    dropped by ``multiply`` (so summed in another grouping): that case goes through
    scipy itself.
    """
    sq = M.data * M.data
    if np.count_nonzero(sq) < sq.size or not sq.size:
        return np.asarray(M.matrix.multiply(M.matrix).sum(axis=1)).ravel()
    return _row_sums(M, sq)


def _row_sums(M, values):
    """``values`` (one per stored entry of M, none zero) added up row by row.

    ``np.add.reduceat`` over each nonempty row's segment, as ``scipy.sparse`` sums a
    CSR's rows (``sum(axis=1)``); 0 for an empty row.
    """
    counts = M.row_counts()
    if np.count_nonzero(counts) == counts.size:  # no empty row: every segment at once
        return np.add.reduceat(values, M.indptr[:-1])
    out = np.zeros(M.shape[0])
    rows = np.flatnonzero(counts)
    out[rows] = np.add.reduceat(values, M.indptr[rows])
    return out


def _column_degrees(M):
    """Stored entries per column of a canonical CSR (``np.diff(M.tocsc().indptr)``)."""
    return np.bincount(M.indices, minlength=M.shape[1])


def _row_stats(M, metric):
    if metric == "cosine":
        return np.sqrt(_row_sums_of_squares(M))
    if metric in ("jaccard", "overlap"):
        return M.row_counts().astype(np.float64)
    if metric in ("weighted_jaccard", "weighted_overlap"):
        return np.asarray(M.matrix.sum(axis=1)).ravel()
    return np.ones(M.shape[0])


def _transposed(B):
    """``(indptr, indices, data)`` of ``B.T.tocsr()`` (sorted indices), B a CSR.

    A small int32 matrix is transposed in numpy: its entries ordered by column, stably
    (in each column by row, as scipy's ``csr_tocsc`` places them), with the int32
    indices scipy gives it; other matrices go through scipy.
    """
    if B.nnz <= _ONE_THREAD_NNZ and B.indptr.dtype == np.int32 \
            and B.indices.dtype == np.int32 and max(B.shape) < 2**31 - 1:
        n_rows, n_cols = B.shape
        cols = B.indices[:B.indptr[-1]]
        order = np.argsort(cols, kind="stable")
        rows = np.repeat(np.arange(n_rows, dtype=np.int32), np.diff(B.indptr))
        indptr = np.zeros(n_cols + 1, dtype=np.int32)
        np.cumsum(np.bincount(cols, minlength=n_cols), out=indptr[1:])
        return indptr, rows[order], B.data[:B.indptr[-1]][order]
    Bt = B.matrix.T.tocsr()
    Bt.sort_indices()
    return Bt.indptr, Bt.indices, Bt.data


def _index_arrays(A, bt_indptr, bt_indices, n_b):
    """The kernels' index arrays: int64 row pointers, int32 column indices unless a
    matrix needs int64 ones (``n_b``: rows of B, the columns of Bᵀ)."""
    big = max(A.nnz, bt_indptr[-1], A.shape[1], n_b) >= 2**31 - 1
    dt = np.int64 if big or A.indices.dtype == np.int64 or bt_indices.dtype == np.int64 \
        else np.int32
    return (A.indptr.astype(np.int64), A.indices.astype(dt, copy=False),
            bt_indptr.astype(np.int64), bt_indices.astype(dt, copy=False))


def _plan(nbytes, what, fits):
    """Raise ResourceError (via check_memory) when a plan above _SMALL_BYTES cannot fit.

    ``fits`` is a callable returning the advice, built only for large plans.
    """
    if nbytes > _SMALL_BYTES:
        check_memory(_F, nbytes, what=what, fits=fits())


def _fits(nA, nB, entry, row_bytes):
    """The options that make an ``nA x nB`` result fit, as advice for a ResourceError.

    ``entry`` is the size of one stored score (column index + float64), ``row_bytes``
    what one row of the requested result needs.
    """
    room = 0.4 * available_memory()
    k_fit = int(min(nB, room // max(1, nA * entry)))
    r_fit = int(min(nA, room // max(1, row_bytes)))
    opts = []
    if k_fit >= 1:
        opts.append(f"top_k={k_fit} or fewer per row (about "
                    f"{format_bytes(nA * k_fit * entry)})")
    opts.append(f"threshold=<score>, which stores only the pairs that pass ({entry} bytes "
                "each)")
    if r_fit >= 1:
        opts.append(f"rows= blocks of at most {r_fit:,} rows at a time (about "
                    f"{format_bytes(r_fit * row_bytes)} each)")
    opts.append("the same rows= blocks as Dask tasks, one block a task")
    return "Options that fit: " + "; ".join(opts) + "."


def _lower_nnz(a_indptr, a_indices, degB, left, metric, signed, top_k):
    """Stored scores the sparse result surely has: per row, the rows of B it shares its
    most widely held column with (capped by top_k); 0 for signed weights (sums can cancel)
    and for κ rows without control mass."""
    nA = a_indptr.size - 1
    lb = np.zeros(nA, dtype=np.int64)
    nonempty = np.diff(a_indptr) > 0
    if signed or not nonempty.any():
        return 0
    per = degB[a_indices[:a_indptr[-1]]]
    lb[nonempty] = np.maximum.reduceat(per, a_indptr[:-1][nonempty])
    if metric == "kappa":
        lb[left == 0] = 0
    if top_k:
        np.minimum(lb, top_k, out=lb)
    return int(lb.sum())


#: Inputs up to this many stored weights (both matrices) and this many result pairs
#: run on one thread.
_ONE_THREAD_NNZ = 20_000
_ONE_THREAD_PAIRS = 250_000


#: A dense ndarray of at most this many weights, scored against itself into a dense
#: result, is multiplied as it is (see :func:`_small_dense`).
_SMALL_DENSE = 4096


def _small_dense(X, G, metric):
    """The dense scores of a small, clean dense ``X`` against itself, or None.

    What :func:`_compute` does when every column is heavy (the BLAS block is the whole
    matrix), without the CSR arrays that the sparse kernels would read: ``dsyrk`` of X
    (of its 0/1 pattern for ``jaccard``/``overlap``) or, for ``kappa``, ``G @ Xᵀ``; then
    the kernels' own normalisation, so every score is the general path's exactly.

    None (the general path then takes the input, with its checks, warnings and
    messages) unless X is a 2-D ndarray of at most 4,096 numbers (bool, integer or
    float) in at most 500 rows (a result of at most 2 MB), every one finite and
    non-negative where the metric needs it; every column dense enough for the general
    path's BLAS block; for cosine, every nonzero magnitude in [1e-150, 1e150]; for
    ``kappa``, G an ndarray like X and every ⟨g_j, b_j⟩ positive and finite.
    """
    if metric.startswith("weighted_") or X.ndim != 2 or not 0 < X.size <= _SMALL_DENSE \
            or X.shape[0] ** 2 > _ONE_THREAD_PAIRS or X.dtype.kind not in "biuf":
        return None  # (a result of at most 2 MB needs no memory plan)
    X = np.ascontiguousarray(X, dtype=np.float64)
    full = np.count_nonzero(X) == X.size  # (NaN is not zero)
    if metric == "cosine" and full:  # every row a full CSR row: one segment each
        mag = np.abs(X)
        if not (np.maximum.reduce(mag, axis=None) <= 1e150
                and np.minimum.reduce(mag, axis=None) >= 1e-150):
            return None  # NaN, inf, or weights beyond 1e±150 (rescaled rows, in general)
    elif np.count_nonzero(np.isfinite(X)) < X.size:
        return None
    if metric == "kappa":
        if type(G) is not np.ndarray or G.shape != X.shape or G.dtype.kind not in "biuf":
            return None
        G = np.ascontiguousarray(G, dtype=np.float64)
        if np.count_nonzero(np.isfinite(G)) < G.size or G.min() < 0 or X.min() < 0:
            return None
        stored, weights = G[G > 0], X[X > 0]
        if stored.size and weights.size and not _kappa_in_range(
                stored.max(), stored.min(), weights.max(), weights.min(),
                np.count_nonzero(G, axis=1).max()):
            return None   # products that may leave float64: rows the general path scales
    # every column in the general path's BLAS block (else part of the sum is sparse)
    if not full or (metric == "kappa" and np.count_nonzero(G) < G.size):
        n = X.shape[0]
        deg = np.count_nonzero(X, axis=0).astype(np.float64)
        deg = deg * (np.count_nonzero(G, axis=0) if metric == "kappa" else deg)
        if np.count_nonzero(deg > _HEAVY_RATIO * float(n) * float(n)) < deg.size:
            return None
    if metric == "kappa":
        # <g_j, b_j>: the nonzero products summed as scipy sums the rows of G ∘ B
        with np.errstate(over="ignore"):  # (an overflow is left to the general path)
            products = _dense_to_csr(G * X)
            diag = _row_sums(products, products.data)
        if np.count_nonzero(diag) < diag.size or not np.isfinite(diag).all():
            return None  # firms without control mass (a warning), or sums beyond float64
        # (new arrays, as the general path's dense blocks: numpy gives X @ X.T to syrk;
        # an overflowing product is inf there too, without a warning)
        with np.errstate(over="ignore"):
            out = np.matmul(G + 0.0, (X + 0.0).T)
        _K.finalize_dense(out, diag, np.ones(X.shape[0]), _CODE[metric], False, 1)
        return out
    if metric in _NONNEGATIVE and X.min() < 0:
        return None
    if metric == "cosine":
        if full:
            norms = np.sqrt(np.add.reduceat(X * X, [0], axis=1)[:, 0])
        else:
            M = _dense_to_csr(X)
            if _unit_rows(M) is not M:
                return None
            norms = _row_stats(M, metric)  # (summed as for any CSR)
    elif metric in ("jaccard", "overlap"):
        X = (X != 0).astype(np.float64)
        norms = X.sum(axis=1)
    else:
        norms = np.ones(X.shape[0])
    from scipy.linalg import blas
    out = blas.dsyrk(1.0, (X + 0.0).T, trans=1, lower=1).T  # upper triangle, C order
    if metric == "dot" and np.count_nonzero(np.isfinite(out)) < out.size:
        return None  # products beyond float64: the general path says so
    _K.finalize_dense(out, norms, norms, _CODE[metric], True, 1)  # (and mirrored)
    return out


def _compute(A, B, *, metric, sym, left, right, threshold, top_k, sparse_out,
             block_rows, nt):
    """Scores of the rows of A against the rows of B (canonical float64 CSR).

    Plans memory before every large allocation (dense result, heavy-column blocks,
    sparse reservation); ``top_k`` and ``block_rows`` arrive clamped to the result.
    """
    code = _CODE[metric]
    op = 1 if metric.startswith("weighted_") else 0
    if metric in ("jaccard", "overlap"):
        A = A.with_data(np.ones_like(A.data))
        B = A if sym else B.with_data(np.ones_like(B.data))
    nA, nB = A.shape[0], B.shape[0]
    n_cols = A.shape[1]
    # heavy (high-degree) columns: dense BLAS block; only for the product semiring
    if op == 0 and nA and nB and n_cols:
        degA = _column_degrees(A).astype(np.float64)
        degB = degA if sym else _column_degrees(B).astype(np.float64)
        heavy = degA * degB > _HEAVY_RATIO * float(nA) * float(nB)
    else:
        heavy = np.zeros(n_cols, dtype=bool)
    left = np.ascontiguousarray(left, dtype=np.float64)
    right = np.ascontiguousarray(right, dtype=np.float64)
    n_heavy = int(np.count_nonzero(heavy))
    heavy_bytes = 8 * n_heavy * (nA + (0 if sym else nB))
    arrays = []  # the kernels' CSR arrays of A and Bᵀ, made when a kernel reads them

    def kernel_arrays():
        if not arrays:
            bt_indptr, bt_indices, bt_data = _transposed(B)
            a_indptr, a_indices, bt_indptr, bt_indices = _index_arrays(
                A, bt_indptr, bt_indices, nB)
            arrays.extend((a_indptr, a_indices, np.ascontiguousarray(A.data, dtype=np.float64),
                           bt_indptr, bt_indices,
                           np.ascontiguousarray(bt_data, dtype=np.float64)))
        return arrays

    def entry_bytes():
        """Bytes of one stored score: a column index and a float64."""
        return kernel_arrays()[1].dtype.itemsize + 8

    def columns(M):
        # every column heavy (a small dense input): the whole matrix, no column selection
        return M.toarray() if n_heavy == n_cols else M.matrix[:, heavy].toarray()

    def heavy_blocks():
        Ah = np.ascontiguousarray(columns(A))
        return Ah, (Ah if sym else np.ascontiguousarray(columns(B)))

    if not sparse_out:
        _plan(8 * nA * nB + heavy_bytes, f"a dense {nA:,} x {nB:,} float64 result",
              lambda: _fits(nA, nB, entry_bytes(), 8 * nB))
        if n_heavy and sym:
            # dsyrk on Ahᵀ: its Fortran-order lower triangle is the C-order upper one
            from scipy.linalg import blas
            Ah, _ = heavy_blocks()
            out = blas.dsyrk(1.0, Ah.T, trans=1, lower=1).T
            del Ah
        elif n_heavy:
            Ah, Bh = heavy_blocks()
            with np.errstate(over="ignore"):  # an overflow is reported after, for dot
                out = np.matmul(Ah, Bh.T)  # one dgemm for the dense core
            del Ah, Bh
        else:
            out = np.zeros((nA, nB))
        if n_heavy < n_cols:  # (with every column in the BLAS block there is nothing to add)
            _K.accumulate_dense(out, *kernel_arrays(), heavy.astype(np.uint8), sym, op, nt)
        _K.finalize_dense(out, left, right, code, sym, nt)  # (mirrored when sym)
        return out

    a_indptr, a_indices, a_data, bt_indptr, bt_indices, bt_data = kernel_arrays()
    skip = heavy.astype(np.uint8)  # the columns of the BLAS block, for the sparse kernels
    entry = entry_bytes()
    if sym and top_k and n_heavy:
        if block_rows is None:
            block_rows = max(1, min(nA, (1 << 22) // max(nA, 1)))
        _plan(nA * top_k * (16 + entry) + 8 * block_rows * nA + heavy_bytes,
              f"a top_k={top_k} selection of {nA:,} rows ({nA:,} heaps of {top_k} "
              f"entries, {block_rows:,}-row blocks of scores and the result)",
              lambda: _fits(nA, nB, entry, top_k * (16 + entry)))
        Ah, _ = heavy_blocks()
        return _topk_symmetric(A, Ah, a_indptr, a_indices, a_data, bt_indptr, bt_indices,
                               bt_data, skip, op, left, right, code, threshold, top_k,
                               block_rows, nt)
    # Upper bound of each row's kept entries: its flop count (it scores nonzero only
    # against the rows it shares a column with; the BLAS block adds exact zeros
    # elsewhere), capped by nB and top_k.
    degB_all = np.diff(bt_indptr).astype(np.int64)
    csum = np.zeros(A.nnz + 1, dtype=np.int64)
    np.cumsum(degB_all[a_indices], out=csum[1:])
    flops = csum[a_indptr[1:]] - csum[a_indptr[:-1]]
    bound = np.minimum(flops, nB)
    if top_k:
        bound = np.minimum(bound, top_k)
    row_off = np.zeros(nA + 1, dtype=np.int64)
    np.cumsum(bound, out=row_off[1:])
    cap = int(row_off[-1])
    if block_rows is None:
        block_rows = max(1, nA) if not n_heavy else max(1, min(nA, (1 << 22) // max(nB, 1)))
    fixed = (heavy_bytes + (8 * block_rows * nB if n_heavy else 0) + 48 * (nA + 1)
             + nt * (8 * nB + nB // 8 + 16 * (top_k or 1)))
    counts = np.zeros(nA, dtype=np.int64)
    dummy = np.zeros((1, 1))
    dense_core = []  # (Ah, Bh), made at the first block: after the memory plan

    def run(b0, b1, off, cols, vals):
        if n_heavy and not dense_core:
            dense_core.extend(heavy_blocks())
        with np.errstate(over="ignore"):  # an overflow is reported after, for dot
            hv = np.ascontiguousarray(dense_core[0][b0:b1] @ dense_core[1].T) if n_heavy \
                else dummy
        _K.sparse_rows(a_indptr[b0:b1 + 1], a_indices, a_data, bt_indptr, bt_indices,
                       bt_data, skip, hv, bool(n_heavy), left[b0:b1], right, nB, code, op,
                       threshold is not None, 0.0 if threshold is None else threshold,
                       int(top_k or 0), off, cols, vals, counts[b0:b1], nt)

    direct = entry * cap + fixed
    if cap <= _BLOCK_ENTRIES or (threshold is None and (
            direct <= _SMALL_BYTES or direct <= _DIRECT_SHARE * available_memory())):
        # Rows write straight into their slot of the final arrays; a last in-place pass
        # closes the gaps.  Untouched slack is never written, so stays unallocated.
        _plan(direct, f"a sparse {nA:,} x {nB:,} result reserving {cap:,} entries",
              lambda: _fits(nA, nB, entry, entry * max(1, cap // max(nA, 1))))
        cols = np.empty(cap, dtype=a_indices.dtype)
        vals = np.empty(cap, dtype=np.float64)
        for b0 in range(0, nA, block_rows):
            b1 = min(nA, b0 + block_rows)
            run(b0, b1, row_off[b0:b1 + 1], cols, vals)
        nnz = _K.squeeze(row_off, counts, cols, vals)
        indices, data = cols[:nnz], vals[:nnz]
    else:
        signed = metric in ("dot", "cosine") and (A.data.min(initial=0.0) < 0
                                                  or B.data.min(initial=0.0) < 0)
        indices, data = _grow_rows(run, row_off, counts, nA, nB, entry, fixed, block_rows,
                                   a_indices.dtype, lower=0 if threshold is not None else
                                   _lower_nnz(a_indptr, a_indices, degB_all, left, metric,
                                              signed, top_k))
        nnz = indices.size
    indptr = np.zeros(nA + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    if nnz < 2**31 - 1 and nB < 2**31 - 1:
        indptr = indptr.astype(np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(nA, nB))


def _grow_rows(run, row_off, counts, nA, nB, entry, fixed, block_rows, dtype, *, lower):
    """The sparse result by blocks of rows, for reservations too large to make at once.

    Each block of rows (reserved bound at most ``_BLOCK_ENTRIES`` entries, or one row)
    is scored into one reused buffer, packed, and appended to output arrays that grow
    by half (``ndarray.resize``, a realloc) only as far as the kept entries need; the
    memory is the result, one buffer and ``fixed``.  ``lower`` (a number of entries the
    result surely holds) is checked against the memory first; each growth again.
    """
    buf = max(_BLOCK_ENTRIES, int(np.diff(row_off).max(initial=0)))
    what = f"a sparse {nA:,} x {nB:,} result"
    fits = lambda: _fits(nA, nB, entry, entry * max(1, lower // max(nA, 1)))  # noqa: E731
    _plan(entry * (lower + buf) + fixed,
          f"{what} with at least {lower:,} stored scores ({entry} bytes each)", fits)
    size = max(lower, min(int(row_off[-1]), buf))
    cols, vals = np.empty(size, dtype=dtype), np.empty(size, dtype=np.float64)
    bcols, bvals = np.empty(buf, dtype=dtype), np.empty(buf, dtype=np.float64)
    pos = b0 = 0
    while b0 < nA:
        b1 = int(np.searchsorted(row_off, row_off[b0] + buf, side="right")) - 1
        b1 = min(nA, b0 + block_rows, max(b1, b0 + 1))
        off = row_off[b0:b1 + 1] - row_off[b0]
        run(b0, b1, off, bcols, bvals)
        k = _K.squeeze(off, counts[b0:b1], bcols, bvals)
        if pos + k > cols.size:
            new = int(min(row_off[-1], max(pos + k, cols.size + cols.size // 2)))
            _plan(entry * (new + buf) + fixed,
                  f"{what}, at {pos + k:,} stored scores after {b1:,} of {nA:,} rows,", fits)
            cols.resize(new, refcheck=False)
            vals.resize(new, refcheck=False)
        cols[pos:pos + k] = bcols[:k]
        vals[pos:pos + k] = bvals[:k]
        pos += k
        b0 = b1
    cols.resize(pos, refcheck=False)
    vals.resize(pos, refcheck=False)
    return cols, vals


def _topk_symmetric(A, Ah, a_indptr, a_indices, a_data, bt_indptr, bt_indices, bt_data,
                    skip, op, left, right, code, threshold, top_k, block_rows, nt):
    """Top-k of a symmetric metric with a dense core: each pair computed once.

    Row blocks [b0, b1) are scored against columns >= b0 only (BLAS block plus
    sparse tail); every score goes to the bounded heaps of both its row and its
    column.  Memory: one block of block_rows x n doubles plus n x top_k heap entries.
    """
    n = A.shape[0]
    if block_rows is None:
        block_rows = max(1, min(n, (1 << 22) // max(n, 1)))
    heapbuf = np.empty(n * top_k * 16 + 16, dtype=np.uint8)  # pair_t = (int64, double)
    heap_n = np.zeros(n, dtype=np.int64)
    for b0 in range(0, n, block_rows):
        b1 = min(n, b0 + block_rows)
        with np.errstate(over="ignore"):  # an overflow is reported after, for dot
            D = np.ascontiguousarray(Ah[b0:b1] @ Ah[b0:].T)
        _K.topk_sym_block(D, b0, a_indptr, a_indices, a_data, bt_indptr, bt_indices,
                          bt_data, skip, op, left, right, code, threshold is not None,
                          0.0 if threshold is None else threshold, top_k, heapbuf,
                          heap_n, nt)
        del D
    nnz = int(heap_n.sum())
    cols = np.empty(nnz, dtype=a_indices.dtype)
    vals = np.empty(nnz, dtype=np.float64)
    _K.topk_finish(heapbuf, heap_n, top_k, cols, vals)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(heap_n, out=indptr[1:])
    if nnz < 2**31 - 1 and n < 2**31 - 1:
        indptr = indptr.astype(np.int32)
    return sp.csr_matrix((vals, cols, indptr), shape=(n, n))


# ----------------------------------------------------------------------------- public

def overlap(W, *, metric="cosine", other=None, control=None, threshold=None, top_k=None,
            rows=None, output="auto", block_rows=None, n_threads=None):
    r"""Pairwise overlap scores between the rows of a weight matrix.

    Rows are items (firms); columns are what they share (owners, partners,
    consortia); ``W[j, i] >= 0`` is the weight (a strength, not a distance) of
    column i in row j.  For every pair of rows (j, k), with w_j row j of W and
    supp(w_j) its nonzero columns:

    =====================  ==================================================================
    ``dot``                :math:`\langle w_j, w_k\rangle`
    ``cosine``             :math:`\langle w_j, w_k\rangle / (\lVert w_j\rVert\,\lVert w_k\rVert)`
    ``jaccard``            :math:`|S_j \cap S_k| / |S_j \cup S_k|`, :math:`S = \mathrm{supp}(w)`
    ``overlap``            :math:`|S_j \cap S_k| / \min(|S_j|, |S_k|)`
    ``weighted_jaccard``   :math:`\sum_i \min(w_{ji}, w_{ki}) / \sum_i \max(w_{ji}, w_{ki})`
    ``weighted_overlap``   :math:`\sum_i \min(w_{ji}, w_{ki}) / \min(\sum_i w_{ji}, \sum_i w_{ki})`
    ``kappa``              :math:`\kappa_{jk} = \langle g_j, b_k\rangle / \langle g_j, b_j\rangle`
    =====================  ==================================================================

    For ``kappa`` W holds the cash-flow rights B (``B[k, i]``: share of firm k's
    profit owned by owner i) and ``control`` the control rights G (same rows and
    columns).  κ_jk is the weight firm j's managers place on firm k's profit
    (O'Brien and Salop 2000; Backus, Conlon and Sinkinson 2021, eq. 3).  **κ is not
    symmetric**: row j is the firm whose managers weigh, column k the firm whose
    profit is weighed; κ_jj = 1.

    Parameters
    ----------
    W : scipy.sparse matrix (CSR, CSC, COO, ...), 2-D array, or DataFrame
        The weights.  A DataFrame is read as a long table (row, column, weight):
        columns named ``row``, ``column``, ``weight``, or exactly three columns in
        that order; the result is then labelled.  CSR/CSC indices may be int32 or
        int64 and must be sorted within each row (column); duplicate entries are
        summed and stored zeros ignored, as in ``scipy.sparse``.  Float32 and
        integer weights are converted to float64.  The input is never modified.
    metric : {"cosine", "dot", "jaccard", "overlap", "weighted_jaccard", "weighted_overlap", "kappa"}
        The score.  Only ``dot`` and ``cosine`` accept negative weights.
    other : same kinds as W, optional
        Score the rows of W (from) against the rows of ``other`` (to) instead of
        against themselves.  Same columns as W.  Not with ``kappa``.
    control : same kinds as W, optional
        Control rights G for ``metric="kappa"`` (refused for other metrics).  Omitted,
        control follows cash flow (G = W), as in :func:`concentration.read_holdings`
        without a control column and in ``concentration overlap --metric kappa``.
    threshold : float, optional
        Keep only scores ``>= threshold``; the result is sparse.
    top_k : int, optional
        Keep only the ``top_k`` largest scores of each row (ties go to the smaller
        column index); the result is sparse.  The pair (j, j) is a candidate
        like any other.  A value above the number of columns of the result keeps
        every nonzero score, as that number does (it is lowered to it).
    rows : array-like, optional
        Compute only these rows of W (positions, or labels for a DataFrame W).
    output : {"auto", "dense", "csr", "frame", "pairs"}
        ``auto``: a DataFrame for labelled input, else a CSR matrix when
        ``threshold`` or ``top_k`` is given, else a dense ndarray.  ``csr`` without
        threshold/top_k keeps every nonzero score.  ``frame``: a wide DataFrame
        (dense) or a long pair table (with threshold/top_k).  ``pairs``: always the
        long table of nonzero pairs (row, row_other, metric), never a dense matrix.
    block_rows : int, optional
        Rows per block of the sparse output path (memory bound); chosen
        automatically.  At most the number of rows (a larger value is lowered).
    n_threads : int, optional
        OpenMP threads; defaults to the CPUs available to the process.  A larger
        count is lowered to that number with a ``CappedParameterWarning`` (the
        result does not depend on it).  Small inputs (up to 20,000 stored weights
        and 250,000 result pairs) run on one thread whatever the count.

    Returns
    -------
    numpy.ndarray, scipy.sparse.csr_matrix or pandas.DataFrame
        ``S[j, k]`` for j in the rows of W (or ``rows``) and k in the rows of W (or
        ``other``).  A sparse result never stores zero scores.  A labelled dense
        result is a wide DataFrame; a labelled sparse result is a long DataFrame
        with columns (row, other row, metric).

    Raises
    ------
    InvalidParameterError
        An option is outside its documented values.
    InvalidMatrixError
        The matrix is malformed (indptr length, index range, unsorted indices),
        has NaN/inf weights, or negative weights for a metric that forbids them.
    SchemaError
        A DataFrame is not a (row, column, weight) table, or has missing (NaN)
        row or column labels.
    ResourceError
        The result (or what computing it needs) would not fit in the memory
        available; raised before the allocation, naming the estimate and the
        options that fit (``top_k=``, ``threshold=``, ``rows=`` blocks, Dask).

    Warns
    -----
    DataQualityWarning
        ``kappa``: some firms have zero control-weighted own cash flow
        (<g_j, b_j> = 0); their rows are NaN (dense) or empty (sparse).
    CappedParameterWarning
        ``n_threads`` is above the CPUs available; they are used instead.

    See Also
    --------
    describe_overlap : a readable summary of a result (spread, largest pairs), with a
        notebook display.
    profit_weights : κ from holdings, with entities, control policies and dates.

    Notes
    -----
    A zero denominator (an empty row) gives a score of 0 for every metric except
    ``kappa`` (NaN row).  Columns whose degree makes them expensive for a sparse
    accumulator (index funds holding most firms) are multiplied as a dense block
    through BLAS; the long tail goes through a row-wise Gustavson accumulator that
    writes straight into the output rows (the upper triangle only for symmetric
    metrics), or, for sparse output, through a bounded per-row selection that never
    builds the dense result.  Weighted Jaccard/overlap use the (+, min) semiring
    and take the sparse path for every column.  A small dense ndarray (up to 4,096
    weights in at most 500 rows) scored against itself into a dense result is one BLAS
    product with the same normalisation, and the same scores, as its CSR matrix.

    Memory is planned before the large allocations: a dense result needs
    8·n_A·n_B bytes; a sparse one 12 bytes a stored score (16 with int64
    indices).  Row j of a sparse result holds at most min(flops_j, n_B, top_k)
    scores, flops_j = Σ_{i ∈ supp(a_j)} deg_B(i); without ``threshold`` it holds at
    least min(max_{i ∈ supp(a_j)} deg_B(i), top_k) for non-negative weights.  When
    the upper bounds fit, rows write straight into one reservation; otherwise (and
    for a thresholded result with a large bound) blocks of rows go through one
    buffer into arrays that grow only as far as the kept scores need.

    References
    ----------
    .. [1] O'Brien, D. P. and Salop, S. C. (2000). "Competitive Effects of Partial
       Ownership: Financial Interest and Corporate Control." Antitrust Law Journal
       67(3), 559-614, Appendix C.
    .. [2] Backus, M., Conlon, C. and Sinkinson, M. (2021). "Common Ownership in
       America: 1980-2017." AEJ: Microeconomics 13(3), 273-308, Section II, eq. (3).
    .. [3] Gustavson, F. G. (1978). "Two Fast Algorithms for Sparse Matrices:
       Multiplication and Permuted Transposition." ACM TOMS 4(3), 250-269.

    Examples
    --------
    Two firms, two owners; owner 0 holds 50 % of firm 0 and 10 % of firm 1, owner 1
    holds 50 % of firm 1 only.  κ_01 = (.5·.1)/(.5·.5) = 0.2 and
    κ_10 = (.1·.5)/(.1·.1 + .5·.5) = 0.05/0.26 ≈ 0.1923:

    >>> import numpy as np
    >>> from concentration import overlap
    >>> B = np.array([[0.5, 0.0], [0.1, 0.5]])
    >>> overlap(B, metric="kappa", control=B).round(4)
    array([[1.    , 0.2   ],
           [0.1923, 1.    ]])
    >>> overlap(B, metric="jaccard")
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    check_choice(_F, "metric", metric, OVERLAP_METRICS)
    check_choice(_F, "output", output, _OUTPUTS)
    threshold = check_number(_F, "threshold", threshold, allow_none=True)
    top_k = check_int(_F, "top_k", top_k, low=1, allow_none=True)
    block_rows = check_int(_F, "block_rows", block_rows, low=1, allow_none=True)
    nt = check_threads(_F, n_threads)
    if metric == "kappa":
        if control is None:
            control = W  # control follows cash flow
        if other is not None:
            raise InvalidParameterError(param_message(
                _F, "other", "None when metric='kappa'", "a matrix",
                "κ pairs firms of one market; use rows= to select firms j."))
    elif control is not None:
        raise InvalidParameterError(param_message(
            _F, "control", "None unless metric='kappa'", "a matrix",
            "Pass metric='kappa' to compute profit weights, or drop control=."))

    if type(W) is np.ndarray and other is None and rows is None and threshold is None \
            and top_k is None and output in ("auto", "dense"):
        S = _small_dense(W, control, metric)
        if S is not None:
            stage(_F, "%s of %d x %d rows: a small dense input, one BLAS product", metric,
                  S.shape[0], S.shape[1])
            return S
    frames = [x for x in (W, other, control) if isinstance(x, pd.DataFrame)]
    labelled = bool(frames)
    if labelled:
        if len(frames) != sum(x is not None for x in (W, other, control)):
            raise InvalidParameterError(param_message(
                _F, "other" if other is not None else "control",
                "a long DataFrame like W", "a matrix",
                "Pass every input as a (row, column, weight) table, or none."))
        groups = [("W", "control"), ("other",)]
        mats, row_labels, row_name = _frames_to_csr(
            [W, other, control], ["W", "other", "control"], metric, groups)
        A0 = mats["W"]
        Bm = mats.get("other")
        G = mats.get("control")
        left_labels = row_labels["W"]
        right_labels = row_labels["other"] if other is not None else left_labels
    else:
        A0 = _to_csr(W, "W", metric)
        Bm = None if other is None else _to_csr(other, "other", metric)
        G = None if control is None else _to_csr(control, "control", metric)
        left_labels = right_labels = None
        row_name = "row"
    for M, nm in ((Bm, "other"), (G, "control")):
        if M is not None and M.shape[1] != A0.shape[1]:
            raise InvalidMatrixError(param_message(
                _F, nm, f"a matrix with the same {A0.shape[1]} columns as W",
                f"{M.shape[1]} columns", "Both matrices must share their column space."))
    if G is not None and G.shape != A0.shape:
        raise InvalidMatrixError(param_message(
            _F, "control", f"a matrix of the same shape as W {A0.shape}", G.shape,
            "G and B must describe the same firms and owners."))

    if rows is not None:
        try:
            sel = np.asarray(rows)
        except ValueError:  # ragged
            sel = np.empty((0, 0))
        if sel.ndim != 1:
            raise InvalidParameterError(param_message(
                _F, "rows", "a 1-D list of rows of W (positions, or labels)", rows,
                "Pass a flat list, e.g. rows=[0, 5, 7]."))
        if labelled:
            pos = left_labels.get_indexer(sel)
            if (pos < 0).any():
                raise InvalidParameterError(param_message(
                    _F, "rows", "labels of rows of W", list(sel[pos < 0][:5]),
                    "Pass row labels that occur in W."))
        else:
            if sel.dtype.kind not in "iu":
                raise InvalidParameterError(param_message(
                    _F, "rows", "integer row positions", rows))
            pos = sel.astype(np.int64)
            if pos.size and (pos.min() < 0 or pos.max() >= A0.shape[0]):
                raise InvalidParameterError(param_message(
                    _F, "rows", f"positions in [0, {A0.shape[0]})", rows))
    else:
        pos = None

    if metric == "cosine":
        A0 = _unit_rows(A0)
        Bm = None if Bm is None else _unit_rows(Bm)
    # left matrix A (rows j), right matrix B (rows k), per-row normalisers
    if metric == "kappa":
        G = _kappa_rows_in_range(G, A0)   # (rows scaled only where products leave float64)
        diag = np.asarray(G.matrix.multiply(A0.matrix).sum(axis=1)).ravel()   # <g_j, b_j>
        A, B = G, A0
        left, right = diag, np.ones(A0.shape[0])
    else:
        A = A0
        B = A0 if Bm is None else Bm
        left = _row_stats(A, metric)
        right = left if Bm is None else _row_stats(B, metric)
    sym = metric in _SYMMETRIC and Bm is None and pos is None
    if pos is not None:
        A = A.rows(pos)
        left = left[pos]
        if left_labels is not None:
            left_labels = left_labels[pos]
    if metric == "kappa":
        n_zero = int((left == 0).sum())
        if n_zero:
            warn(
                f"{_F}: {n_zero} firm(s) have zero control-weighted own cash flow "
                "<g_j, b_j> = 0, so κ_jk is undefined for them; their rows are NaN "
                "(empty in sparse output).", DataQualityWarning)

    sparse_out = threshold is not None or top_k is not None or output in ("csr", "pairs")
    # a size above the result's has the meaning of the result's size (and must not
    # reach the kernel's allocations): at most nB kept per row, at most nA rows a block
    if top_k is not None:
        top_k = min(top_k, max(1, B.shape[0]))
    if block_rows is not None:
        block_rows = min(block_rows, max(1, A.shape[0]))
    if A.nnz + B.nnz <= _ONE_THREAD_NNZ and A.shape[0] * B.shape[0] <= _ONE_THREAD_PAIRS:
        nt = 1  # starting a thread team costs more than a small product (and far more
        #         when the other cores are busy); results do not depend on the count
    started = stage(_F, "%s of %d x %d rows (%d and %d weights), %s output, %d thread(s)",
                    metric, A.shape[0], B.shape[0], A.nnz, B.nnz,
                    "sparse" if sparse_out else "dense", nt)
    S = _compute(A, B, metric=metric, sym=sym, left=left, right=right,
                 threshold=threshold, top_k=top_k, sparse_out=sparse_out,
                 block_rows=block_rows, nt=nt)
    stage(_F, "kernel done (%d scores kept)", S.nnz if sp.issparse(S) else S.size,
          start=started)
    if metric == "dot" and _may_overflow(A, B):
        scores = S.data if sp.issparse(S) else S
        if not np.isfinite(scores).all():
            raise InvalidMatrixError(param_message(
                _F, "W", "weights whose dot products fit in float64 (below 1.8e308)",
                f"weights up to {max(abs(A.matrix).max(), abs(B.matrix).max()):.3g}, whose "
                "products overflow", "Rescale the weights (e.g. divide by their largest value), "
                "or use metric='cosine', which does not depend on the scale."))
    if not sparse_out and metric == "kappa":
        S[left == 0, :] = np.nan
    want_frame = output in ("frame", "pairs") or (output == "auto" and labelled)
    if not want_frame:
        return S
    if left_labels is None:
        left_labels = pd.RangeIndex(A.shape[0]) if pos is None else pd.Index(pos)
        right_labels = pd.RangeIndex(B.shape[0])
    if sparse_out:
        C = S.tocoo()
        return pd.DataFrame({
            row_name: left_labels[C.row],
            f"{row_name}_other": right_labels[C.col],
            metric: C.data,
        })
    return pd.DataFrame(S, index=pd.Index(left_labels, name=row_name),
                        columns=pd.Index(right_labels, name=f"{row_name}_other"))
