# cython: language_level=3
"""Grouped share statistics in one pass over the rows (compiled kernel).

The readable specification is :mod:`concentration._kernels._grouped_ref`; tests
check that both agree.  Callers guarantee ``codes`` in ``[0, n_groups)`` and equal
lengths; shares must be finite and non-negative except for :func:`grouped_sums`,
which checks them itself.
"""

from cython.parallel cimport prange
from libc.float cimport DBL_MAX
from libc.math cimport fabs, log, pow
cimport openmp

import numpy as np

cdef extern from *:
    """
    #ifdef _OPENMP
    static const int CONC_HAVE_OPENMP = 1;
    #else
    static const int CONC_HAVE_OPENMP = 0;
    #endif
    """
    const int CONC_HAVE_OPENMP

HAVE_OPENMP = bool(CONC_HAVE_OPENMP)


def max_threads():
    """Number of threads OpenMP would use (1 without OpenMP)."""
    if CONC_HAVE_OPENMP:
        return openmp.omp_get_max_threads()
    return 1


cdef inline void _topk_insert(double* top, int k, double s) noexcept nogil:
    """Insert s into the descending array top[0:k] if it belongs there."""
    cdef int i
    if k == 0 or s <= top[k - 1]:
        return
    i = k - 1
    while i > 0 and top[i - 1] < s:
        top[i] = top[i - 1]
        i -= 1
    top[i] = s


# One accumulator record per (chunk, group), stored together so that the random
# access of a row touches one record instead of five arrays.
cdef enum:
    _TOT = 0
    _SQ = 1
    _CNT = 2
    _MAX = 3
    _MIN = 4
    _REC = 5

# Rows per chunk below which extra chunks are not worth their accumulators.
cdef enum:
    _MIN_CHUNK = 131072
    _MAX_CHUNKS = 8


def n_chunks(Py_ssize_t n, Py_ssize_t n_groups):
    """Number of row chunks with private accumulators for ``n`` rows.

    A function of the input size only (never of the thread count), so results are
    bit-for-bit identical whatever ``OMP_NUM_THREADS`` is.  A chunk's accumulators
    cost up to ``40 * n_groups`` bytes, so there is at most one chunk per four rows
    per group.
    """
    cdef Py_ssize_t c = min(_MAX_CHUNKS, n // _MIN_CHUNK, n // max(4 * n_groups, 1))
    return max(c, 1)


cdef inline Py_ssize_t _chunk_end(Py_ssize_t c, Py_ssize_t size, Py_ssize_t n) noexcept nogil:
    """End row (exclusive) of chunk ``c`` of ``size`` rows out of ``n``."""
    return n if (c + 1) * size > n else (c + 1) * size


cdef void _stats_chunk(const long long[::1] codes, const double[::1] shares,
                       Py_ssize_t lo, Py_ssize_t hi, double* acc, double* top,
                       int k) noexcept nogil:
    """Accumulate the records of rows lo:hi (clean shares)."""
    cdef Py_ssize_t i
    cdef double s
    cdef double* r
    for i in range(lo, hi):
        s = shares[i]
        r = acc + codes[i] * _REC
        r[_TOT] += s
        r[_SQ] += s * s
        r[_CNT] += 1.0
        if s > r[_MAX]:
            r[_MAX] = s
        if s < r[_MIN]:
            r[_MIN] = s
        if k > 0:
            _topk_insert(top + codes[i] * k, k, s)


def grouped_stats(const long long[::1] codes, const double[::1] shares,
                  Py_ssize_t n_groups, int k=0, int n_threads=0):
    """Per-group sum, sum of squares, count, maximum, minimum and the k largest values.

    Returns ``(total, sumsq, count, maximum, minimum, top)`` with ``top`` of shape
    ``(n_groups, k)`` sorted in descending order and padded with zeros.  Shares must
    be finite and non-negative (see :func:`grouped_sums` for unchecked input).  The
    chunking depends on the input size only, so the result does not depend on the
    number of threads.
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t nc = n_chunks(n, n_groups)
    cdef Py_ssize_t size = (n + nc - 1) // nc
    cdef Py_ssize_t c
    cdef int kk = max(k, 0)
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if nt > nc:
        nt = <int>nc
    acc_np = np.zeros((nc, n_groups, _REC), dtype=np.float64)
    acc_np[:, :, _MAX] = -1.0
    acc_np[:, :, _MIN] = np.inf
    top_np = np.full((nc, n_groups, max(kk, 1)), -1.0, dtype=np.float64)
    cdef double[:, :, ::1] acc = acc_np
    cdef double[:, :, ::1] top = top_np
    if n > 0 and n_groups > 0:
        for c in prange(nc, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            _stats_chunk(codes, shares, c * size, _chunk_end(c, size, n), &acc[c, 0, 0],
                         &top[c, 0, 0], kk)
    # combine chunks in a fixed order
    total = acc_np[:, :, _TOT].sum(axis=0)
    sumsq = acc_np[:, :, _SQ].sum(axis=0)
    count = acc_np[:, :, _CNT].sum(axis=0).astype(np.int64)
    maximum = acc_np[:, :, _MAX].max(axis=0)
    minimum = acc_np[:, :, _MIN].min(axis=0)
    maximum[count == 0] = 0.0
    minimum[count == 0] = 0.0
    if kk == 0:
        return total, sumsq, count, maximum, minimum, np.zeros((n_groups, 0), dtype=np.float64)
    if nc == 1:
        merged = top_np[0]
    else:
        merged = -np.sort(-top_np.transpose(1, 0, 2).reshape(n_groups, nc * kk), axis=1)[:, :kk]
    merged = np.where(merged < 0, 0.0, merged)
    return total, sumsq, count, maximum, minimum, np.ascontiguousarray(merged)


cdef inline double _checked(double s, Py_ssize_t i, long long* bad) noexcept nogil:
    """``s`` when it is finite and >= 0, else 0 with the row tallied in ``bad``.

    ``bad`` = [non-finite count, first non-finite row, negative count, first negative row].
    """
    if s >= 0.0 and s <= DBL_MAX:
        return s
    if not (fabs(s) <= DBL_MAX):
        if bad[0] == 0:
            bad[1] = i
        bad[0] += 1
    if s < 0.0:
        if bad[2] == 0:
            bad[3] = i
        bad[2] += 1
    return 0.0


cdef enum:
    _BLOCK = 65536


cdef void _sums_chunk(const long long[::1] codes, const double[::1] shares,
                      Py_ssize_t lo, Py_ssize_t hi, double* tot, double* sq,
                      long long* cnt, long long* bad, double* top) noexcept nogil:
    """Sums, sums of squares and counts of rows lo:hi, one accumulator per pass.

    Rows are taken in blocks; each block is swept once per accumulator so that the
    random access of a sweep touches one ``8 * n_groups``-byte array (it stays in the
    core's cache where a combined record would not).  ``bad`` as in
    :func:`_checked`; ``top`` = [largest share, its first row].
    """
    cdef Py_ssize_t b, i, end
    cdef double s
    b = lo
    while b < hi:
        end = b + _BLOCK
        if end > hi:
            end = hi
        for i in range(b, end):
            s = _checked(shares[i], i, bad)
            if s > top[0]:
                top[0] = s
                top[1] = <double>i
            tot[codes[i]] += s
        for i in range(b, end):
            s = shares[i]
            if not (s >= 0.0 and s <= DBL_MAX):
                s = 0.0
            sq[codes[i]] += s * s
        for i in range(b, end):
            cnt[codes[i]] += 1
        b = end


def grouped_sums(const long long[::1] codes, const double[::1] shares,
                 Py_ssize_t n_groups, int n_threads=0):
    """Per-group sum, sum of squares and count over unchecked shares, with the row checks.

    Non-finite and negative shares count as 0 in the sums.  Returns
    ``((total, sumsq, count), checks, (largest, largest_row))`` with
    ``checks = (n_nonfinite, first_nonfinite_row, n_negative, first_negative_row)``
    (rows are ``-1`` when there is none) and ``largest`` the largest valid share
    (0.0 and row -1 for no rows).  The chunking depends on the input size only, so
    the result does not depend on the number of threads.
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t nc = n_chunks(n, n_groups)
    cdef Py_ssize_t size = (n + nc - 1) // nc
    cdef Py_ssize_t c
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if nt > nc:
        nt = <int>nc
    tot_np = np.zeros((nc, n_groups), dtype=np.float64)
    sq_np = np.zeros((nc, n_groups), dtype=np.float64)
    cnt_np = np.zeros((nc, n_groups), dtype=np.int64)
    bad_np = np.zeros((nc, 4), dtype=np.int64)
    top_np = np.zeros((nc, 2), dtype=np.float64)
    top_np[:, 1] = -1.0
    cdef double[:, ::1] tot = tot_np
    cdef double[:, ::1] sq = sq_np
    cdef long long[:, ::1] cnt = cnt_np
    cdef long long[:, ::1] bad = bad_np
    cdef double[:, ::1] top = top_np
    if n > 0 and n_groups > 0:
        for c in prange(nc, nogil=True, num_threads=nt, schedule="static", chunksize=1):
            _sums_chunk(codes, shares, c * size, _chunk_end(c, size, n), &tot[c, 0], &sq[c, 0],
                        &cnt[c, 0], &bad[c, 0], &top[c, 0])
    hit = bad_np[:, 0] > 0
    neg = bad_np[:, 2] > 0
    checks = (int(bad_np[:, 0].sum()), int(bad_np[hit, 1].min()) if hit.any() else -1,
              int(bad_np[:, 2].sum()), int(bad_np[neg, 3].min()) if neg.any() else -1)
    best = int(np.argmax(top_np[:, 0]))  # first chunk holding the largest value
    largest = (float(top_np[best, 0]), int(top_np[best, 1]))
    sums = (tot_np.sum(axis=0), sq_np.sum(axis=0), cnt_np.sum(axis=0))
    return sums, checks, largest


def grouped_power_sum(const long long[::1] codes, const double[::1] shares,
                      Py_ssize_t n_groups, double alpha):
    """Per-group sum of ``s**alpha`` (``alpha != 1``) or of ``s*log(s)`` (``alpha == 1``).

    Zero shares contribute 0 in both cases (the limit of ``s*log(s)``; ``0**alpha``
    for ``alpha > 0``).
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t i
    cdef double s
    out_np = np.zeros(n_groups, dtype=np.float64)
    cdef double[::1] out = out_np
    cdef bint entropy = alpha == 1.0
    with nogil:
        for i in range(n):
            s = shares[i]
            if s > 0:
                if entropy:
                    out[codes[i]] += s * log(s)
                else:
                    out[codes[i]] += pow(s, alpha)
    return out_np
