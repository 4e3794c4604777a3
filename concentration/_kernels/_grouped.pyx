# cython: language_level=3
"""Grouped share statistics in one pass over the rows (compiled kernel).

The readable specification is :mod:`concentration._kernels._grouped_ref`; tests
check that both agree.  Callers guarantee clean input: ``codes`` in
``[0, n_groups)``, shares finite and non-negative, equal lengths.
"""

from cython.parallel cimport prange, threadid
from libc.math cimport log, pow
from libc.stdlib cimport malloc, free
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


def grouped_stats(const long long[::1] codes, const double[::1] shares,
                  Py_ssize_t n_groups, int k=0, int n_threads=0):
    """Per-group sum, sum of squares, count, maximum, minimum and the k largest values.

    Returns ``(total, sumsq, count, maximum, minimum, top)`` with ``top`` of shape
    ``(n_groups, k)`` sorted in descending order and padded with zeros.
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t i, g, t, j
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if n < 100_000:
        nt = 1
    cdef double s
    tot_np = np.zeros((nt, n_groups), dtype=np.float64)
    sq_np = np.zeros((nt, n_groups), dtype=np.float64)
    cnt_np = np.zeros((nt, n_groups), dtype=np.int64)
    mx_np = np.full((nt, n_groups), -1.0, dtype=np.float64)
    mn_np = np.full((nt, n_groups), np.inf, dtype=np.float64)
    top_np = np.full((nt, n_groups, max(k, 1)), -1.0, dtype=np.float64)
    cdef double[:, ::1] tot = tot_np
    cdef double[:, ::1] sq = sq_np
    cdef long long[:, ::1] cnt = cnt_np
    cdef double[:, ::1] mx = mx_np
    cdef double[:, ::1] mn = mn_np
    cdef double[:, :, ::1] top = top_np
    cdef Py_ssize_t chunk = (n + nt - 1) // nt
    cdef Py_ssize_t lo, hi

    for t in prange(nt, nogil=True, num_threads=nt, schedule="static", chunksize=1):
        lo = t * chunk
        hi = lo + chunk
        if hi > n:
            hi = n
        for i in range(lo, hi):
            g = codes[i]
            s = shares[i]
            tot[t, g] += s
            sq[t, g] += s * s
            cnt[t, g] += 1
            if s > mx[t, g]:
                mx[t, g] = s
            if s < mn[t, g]:
                mn[t, g] = s
            if k > 0:
                _topk_insert(&top[t, g, 0], k, s)

    total = tot_np.sum(axis=0)
    sumsq = sq_np.sum(axis=0)
    count = cnt_np.sum(axis=0)
    maximum = mx_np.max(axis=0)
    minimum = mn_np.min(axis=0)
    maximum[count == 0] = 0.0
    minimum[count == 0] = 0.0
    if k == 0:
        return total, sumsq, count, maximum, minimum, np.zeros((n_groups, 0), dtype=np.float64)
    if nt == 1:
        merged = top_np[0]
    else:
        merged = -np.sort(-top_np.transpose(1, 0, 2).reshape(n_groups, nt * k), axis=1)[:, :k]
    merged = np.where(merged < 0, 0.0, merged)
    return total, sumsq, count, maximum, minimum, np.ascontiguousarray(merged)


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
