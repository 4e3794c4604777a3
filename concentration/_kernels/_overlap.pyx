# cython: language_level=3
"""Pairwise row-overlap products of sparse matrices (compiled kernel).

The readable specification is :mod:`concentration._kernels._overlap_ref`; tests
check that both agree.  Every function here assumes input that
:func:`concentration.overlap` has already validated: CSR arrays with a correct
``indptr``, column indices in range, finite values, and (for the right-hand
matrix, given transposed) sorted indices.  Nothing here raises on bad data.

Layout of one product ``S = A · Bᵀ`` (rows of A against rows of B):

* ``A`` is CSR (``a_indptr``, ``a_indices``, ``a_data``), one row per left item;
* ``B`` is passed transposed, as CSR of ``Bᵀ`` (``bt_*``): row ``i`` of ``Bᵀ`` lists
  the right items ``k`` that have column ``i``, sorted by ``k``;
* columns flagged in ``skip`` are left out (their products come from a dense BLAS
  block computed by the caller).

``op`` selects the semiring: 0 accumulates ``a · b`` (dot products and, with
binary data, intersection counts), 1 accumulates ``min(a, b)`` (weighted
Jaccard / overlap numerators).
"""

from cython.parallel cimport prange, parallel
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libc.stdlib cimport malloc, calloc, free, qsort
from cpython.pyport cimport PY_SSIZE_T_MAX
from libc.math cimport NAN, isnan
cimport openmp

import numpy as np

cdef extern from *:
    """
    #ifdef _OPENMP
    static const int CONC_OVL_HAVE_OPENMP = 1;
    #else
    static const int CONC_OVL_HAVE_OPENMP = 0;
    #endif
    """
    const int CONC_OVL_HAVE_OPENMP

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #endif
    /* Threads for a parallel region: n (or the OpenMP default when n <= 0), at most
       the processors this process may run on: a last line of defence, since libgomp
       ends the process when it cannot create a requested thread. */
    static int conc_ovl_team(int n) {
    #ifdef _OPENMP
        int procs = omp_get_num_procs();
        if (n <= 0) n = omp_get_max_threads();
        return n < 1 ? 1 : (n > procs ? procs : n);
    #else
        (void)n; return 1;
    #endif
    }
    """
    int _team "conc_ovl_team"(int n) noexcept nogil

HAVE_OPENMP = bool(CONC_OVL_HAVE_OPENMP)

ctypedef fused idx_t:
    int32_t
    int64_t

# Metric codes shared with the Python wrapper.
DOT = 0
COSINE = 1
JACCARD = 2          # numerator / (left + right - numerator)
OVERLAP = 3          # numerator / min(left, right)
KAPPA = 4            # numerator / left  (NaN when left == 0)

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    static inline int conc_ctz64(unsigned long long x) { return __builtin_ctzll(x); }
    #else
    static inline int conc_ctz64(unsigned long long x) {
        int n = 0; while (!(x & 1ULL)) { x >>= 1; ++n; } return n;
    }
    #endif
    """
    int _ctz "conc_ctz64"(uint64_t x) noexcept nogil


cdef struct pair_t:
    int64_t col
    double val


def max_threads():
    """Number of threads OpenMP would use (1 without OpenMP)."""
    if CONC_OVL_HAVE_OPENMP:
        return openmp.omp_get_max_threads()
    return 1


cdef inline Py_ssize_t _lower_bound(const idx_t[::1] idx, Py_ssize_t lo, Py_ssize_t hi,
                                    int64_t key) noexcept nogil:
    """First position p in [lo, hi) with idx[p] >= key (idx sorted in that range)."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if idx[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef inline double _score(double v, double left, double right, int metric) noexcept nogil:
    """Turn an accumulated numerator into the metric's score (0 when the denominator is 0)."""
    cdef double d
    if metric == 0:
        return v
    elif metric == 1:
        d = left * right
    elif metric == 2:
        d = left + right - v
    elif metric == 3:
        d = left if left < right else right
    else:
        if left == 0.0:
            return NAN
        return v / left
    if d == 0.0:
        return 0.0
    return v / d


cdef inline void _accumulate_row(double* acc, Py_ssize_t r, int64_t lo_key,
                                 const int64_t[::1] a_indptr, const idx_t[::1] a_indices,
                                 const double[::1] a_data, const int64_t[::1] bt_indptr,
                                 const idx_t[::1] bt_indices, const double[::1] bt_data,
                                 const uint8_t[::1] skip, bint upper, int op) noexcept nogil:
    """acc[k] += a_ri (op) b_ki over the non-skipped columns i of row r (k >= lo_key if upper)."""
    cdef Py_ssize_t p, q, q0, q1
    cdef int64_t i
    cdef double a, b
    for p in range(a_indptr[r], a_indptr[r + 1]):
        i = a_indices[p]
        if skip[i]:
            continue
        a = a_data[p]
        q0 = bt_indptr[i]
        q1 = bt_indptr[i + 1]
        if upper:
            q0 = _lower_bound(bt_indices, q0, q1, lo_key)
        if op == 0:
            for q in range(q0, q1):
                acc[bt_indices[q]] += a * bt_data[q]
        else:
            for q in range(q0, q1):
                b = bt_data[q]
                acc[bt_indices[q]] += a if a < b else b


def accumulate_dense(double[:, ::1] out, const int64_t[::1] a_indptr,
                     const idx_t[::1] a_indices, const double[::1] a_data,
                     const int64_t[::1] bt_indptr, const idx_t[::1] bt_indices,
                     const double[::1] bt_data, const uint8_t[::1] skip,
                     bint upper, int op, int n_threads):
    """Add the sparse products of every row of A into the dense rows ``out[r, :]``.

    With ``upper`` (A and B are the same matrix) only ``k >= r`` is computed.
    """
    cdef Py_ssize_t nr = a_indptr.shape[0] - 1
    cdef Py_ssize_t r
    cdef int nt = _team(n_threads)
    if nr == 0 or out.shape[1] == 0:
        return
    for r in prange(nr, nogil=True, schedule="dynamic", chunksize=8, num_threads=nt):
        _accumulate_row(&out[r, 0], r, r, a_indptr, a_indices, a_data,
                        bt_indptr, bt_indices, bt_data, skip, upper, op)


def finalize_dense(double[:, ::1] out, const double[::1] left, const double[::1] right,
                   int metric, bint upper, int n_threads):
    """Apply the metric's normalisation in place.

    With ``upper`` (a square ``out`` of a symmetric metric) only ``k >= r`` is read and
    normalised, and that upper triangle is then copied onto the lower one.
    """
    cdef Py_ssize_t nr = out.shape[0]
    cdef Py_ssize_t m = out.shape[1]
    cdef Py_ssize_t r, k, k0
    cdef double lv
    cdef int nt = _team(n_threads)
    if nr == 0 or m == 0:
        return
    if metric != 0:
        for r in prange(nr, nogil=True, schedule="static", num_threads=nt):
            lv = left[r]
            k0 = r if upper else 0
            for k in range(k0, m):
                out[r, k] = _score(out[r, k], lv, right[k], metric)
    if upper:
        _mirror_upper(out, nt)


cdef void _mirror_upper(double[:, ::1] out, int nt) noexcept nogil:
    """Copy the upper triangle onto the lower one (square ``out``), tile by tile."""
    cdef Py_ssize_t n = out.shape[0]
    cdef Py_ssize_t T = 64
    cdef Py_ssize_t nb = (n + T - 1) // T
    cdef Py_ssize_t bi, bj, r, c, r1, c1
    if nb == 1:  # one tile: no thread team
        for r in range(n):
            for c in range(r):
                out[r, c] = out[c, r]
        return
    for bi in prange(nb, schedule="dynamic", chunksize=1, num_threads=nt):
        r1 = (bi + 1) * T
        if r1 > n:
            r1 = n
        for bj in range(bi + 1):
            c1 = (bj + 1) * T
            if c1 > n:
                c1 = n
            for r in range(bi * T, r1):
                for c in range(bj * T, c1):
                    if c >= r:
                        break
                    out[r, c] = out[c, r]


cdef int _cmp_pair_col(const void* x, const void* y) noexcept nogil:
    cdef int64_t a = (<const pair_t*> x).col
    cdef int64_t b = (<const pair_t*> y).col
    return (a > b) - (a < b)


cdef inline bint _worse(pair_t x, pair_t y) noexcept nogil:
    """True if x ranks below y: lower score, or equal score and larger column."""
    return x.val < y.val or (x.val == y.val and x.col > y.col)


cdef inline void _sift_down(pair_t* h, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """Restore the min-heap (root = worst kept entry) below position i."""
    cdef Py_ssize_t c
    cdef pair_t t
    while True:
        c = 2 * i + 1
        if c >= n:
            return
        if c + 1 < n and _worse(h[c + 1], h[c]):
            c += 1
        if _worse(h[c], h[i]):
            t = h[c]
            h[c] = h[i]
            h[i] = t
            i = c
        else:
            return


cdef inline void _sift_up(pair_t* h, Py_ssize_t i) noexcept nogil:
    cdef Py_ssize_t p
    cdef pair_t t
    while i > 0:
        p = (i - 1) // 2
        if _worse(h[i], h[p]):
            t = h[p]
            h[p] = h[i]
            h[i] = t
            i = p
        else:
            return


cdef inline Py_ssize_t _offer(pair_t* heap, Py_ssize_t n, Py_ssize_t k, int64_t col,
                              double val) noexcept nogil:
    """Offer (col, val) to a bounded heap of capacity k holding n entries; return new n."""
    cdef pair_t e
    e.col = col
    e.val = val
    if n < k:
        heap[n] = e
        _sift_up(heap, n)
        return n + 1
    if _worse(heap[0], e):
        heap[0] = e
        _sift_down(heap, n, 0)
    return n


cdef inline Py_ssize_t _keep(int64_t k, double v, double lv, double rk, int metric,
                             bint has_threshold, double threshold, Py_ssize_t top_k,
                             pair_t* heap, Py_ssize_t nkeep, idx_t* cols,
                             double* vals, Py_ssize_t cap) noexcept nogil:
    """Score the numerator ``v`` of column k and keep it if it passes; the new count.

    Kept entries go to the top-k heap, or straight to ``cols/vals[nkeep]`` while
    ``nkeep < cap`` (the row's slot); a count above ``cap`` tells the caller that its
    bound was wrong, and nothing is written past the slot.  A κ row with zero
    control mass (``lv == 0``) keeps nothing: NaN row by policy, stored empty.
    """
    cdef double s
    if metric == 4 and lv == 0.0:
        return nkeep
    s = _score(v, lv, rk, metric)
    if s == 0.0 or (has_threshold and not (s >= threshold)):
        return nkeep
    if top_k > 0:
        return _offer(heap, nkeep, top_k, k, s)
    if nkeep < cap:
        cols[nkeep] = <idx_t> k
        vals[nkeep] = s
    return nkeep + 1


def sparse_rows(const int64_t[::1] a_indptr, const idx_t[::1] a_indices,
                const double[::1] a_data, const int64_t[::1] bt_indptr,
                const idx_t[::1] bt_indices, const double[::1] bt_data,
                const uint8_t[::1] skip, double[:, ::1] heavy, bint has_heavy,
                const double[::1] left, const double[::1] right, Py_ssize_t m,
                int metric, int op, bint has_threshold, double threshold, Py_ssize_t top_k,
                const int64_t[::1] row_off, idx_t[::1] out_cols, double[::1] out_vals,
                int64_t[::1] counts, int n_threads):
    """Score every row of A (a block of rows) against all m rows of B, keeping a sparse subset.

    Per row: accumulate the raw products into a per-thread dense accumulator of
    length m (or into ``heavy[r, :]``, which holds the BLAS part when
    ``has_heavy``) while a bitmap records the touched columns; then walk the
    bitmap in column order, normalise, keep entries whose score is not 0 and
    (with ``has_threshold``) is ``>= threshold``, and at most ``top_k`` of them
    (best scores, ties to the smaller column) when ``top_k > 0``.  Row r's kept
    entries are written, sorted by column, to ``out_cols/out_vals[row_off[r] :
    row_off[r] + counts[r]]``; the caller sizes ``row_off[r+1] - row_off[r]`` to an
    upper bound of the row's kept entries (its flop count, capped by m and top_k).

    Sizes are checked before anything is allocated: the per-thread buffers (``m``
    doubles, ``m / 64`` words, ``top_k`` pairs) with overflow-checked products
    (MemoryError: the caller plans memory and clamps ``top_k`` to ``m``, so this is a
    last line of defence), the output arrays against ``row_off`` (ValueError).  A row
    that would keep more entries than its slot writes none past it (RuntimeError).
    """
    cdef Py_ssize_t nr = a_indptr.shape[0] - 1
    cdef Py_ssize_t nwords = (m + 63) // 64
    cdef Py_ssize_t r, j, q, nkeep, base, wi
    cdef int64_t k
    cdef uint64_t word
    cdef double v, s, lv
    cdef double* acc
    cdef double* own
    cdef uint64_t* bm
    cdef pair_t* heap
    cdef bint dense_row
    cdef int nt = _team(n_threads)
    cdef Py_ssize_t p, q0, q1, i, slot
    cdef double a, b
    own = NULL
    bm = NULL
    heap = NULL
    if nr == 0 or m == 0:
        return
    if top_k < 0 or <size_t> top_k > <size_t> PY_SSIZE_T_MAX // sizeof(pair_t):
        raise MemoryError(f"overlap kernel: a heap of top_k={top_k} entries of "
                          f"{sizeof(pair_t)} bytes does not fit in the address space")
    if <size_t> m > <size_t> PY_SSIZE_T_MAX // sizeof(double):
        raise MemoryError(f"overlap kernel: an accumulator of {m} doubles does not fit in "
                          "the address space")
    if (row_off.shape[0] != nr + 1 or counts.shape[0] < nr or left.shape[0] < nr
            or right.shape[0] < m or row_off[0] < 0
            or row_off[nr] > out_cols.shape[0] or row_off[nr] > out_vals.shape[0]
            or (has_heavy and (heavy.shape[0] < nr or heavy.shape[1] < m))):
        raise ValueError("overlap kernel: the output arrays do not match row_off, or the "
                         "row arrays do not match a_indptr")
    with nogil, parallel(num_threads=nt):
        own = <double*> calloc(m, sizeof(double))
        bm = <uint64_t*> calloc(nwords, sizeof(uint64_t))
        heap = <pair_t*> malloc((top_k if top_k > 0 else 1) * sizeof(pair_t))
        for r in prange(nr, schedule="dynamic", chunksize=4):
            if own == NULL or bm == NULL or heap == NULL:
                counts[r] = -1
                continue
            base = row_off[r]
            slot = row_off[r + 1] - base
            lv = left[r]
            nkeep = 0
            dense_row = has_heavy
            if dense_row:
                acc = &heavy[r, 0]
                _accumulate_row(acc, r, 0, a_indptr, a_indices, a_data, bt_indptr, bt_indices,
                                bt_data, skip, False, op)
            else:
                acc = own  # as _accumulate_row, also marking touched columns
                for p in range(a_indptr[r], a_indptr[r + 1]):
                    i = a_indices[p]
                    if skip[i]:
                        continue
                    a = a_data[p]
                    q0 = bt_indptr[i]
                    q1 = bt_indptr[i + 1]
                    if op == 0:
                        for q in range(q0, q1):
                            k = bt_indices[q]
                            acc[k] += a * bt_data[q]
                            bm[k >> 6] |= (<uint64_t> 1) << (k & 63)
                    else:
                        for q in range(q0, q1):
                            k = bt_indices[q]
                            b = bt_data[q]
                            acc[k] += a if a < b else b
                            bm[k >> 6] |= (<uint64_t> 1) << (k & 63)
            if dense_row:
                for k in range(m):
                    v = acc[k]
                    if v == 0.0:
                        continue
                    acc[k] = 0.0
                    nkeep = _keep(k, v, lv, right[k], metric, has_threshold, threshold,
                                  top_k, heap, nkeep, &out_cols[base], &out_vals[base], slot)
            else:
                for wi in range(nwords):
                    word = bm[wi]
                    if word == 0:
                        continue
                    bm[wi] = 0
                    while word != 0:
                        k = wi * 64 + _ctz(word)
                        word = word & (word - 1)
                        v = acc[k]
                        acc[k] = 0.0
                        if v == 0.0:
                            continue
                        nkeep = _keep(k, v, lv, right[k], metric, has_threshold, threshold,
                                      top_k, heap, nkeep, &out_cols[base], &out_vals[base], slot)
            if nkeep > slot:
                counts[r] = -2
                continue
            if top_k > 0:
                qsort(heap, nkeep, sizeof(pair_t), _cmp_pair_col)
                for j in range(nkeep):
                    out_cols[base + j] = <idx_t> heap[j].col
                    out_vals[base + j] = heap[j].val
            counts[r] = nkeep
        free(own)
        free(bm)
        free(heap)
    for r in range(nr):
        if counts[r] == -1:
            raise MemoryError("could not allocate the per-thread accumulator of the overlap kernel")
    for r in range(nr):
        if counts[r] < 0:
            raise RuntimeError(f"overlap kernel: row {r} keeps more entries than the "
                               f"{row_off[r + 1] - row_off[r]} its slot holds")


def squeeze(const int64_t[::1] row_off, const int64_t[::1] counts, idx_t[::1] cols,
            double[::1] vals):
    """Move each row's kept entries left, in place, so rows are contiguous; return nnz."""
    cdef Py_ssize_t nr = counts.shape[0]
    cdef Py_ssize_t r, j, src, pos = 0
    with nogil:
        for r in range(nr):
            src = row_off[r]
            if src != pos:
                for j in range(counts[r]):
                    cols[pos + j] = cols[src + j]
                    vals[pos + j] = vals[src + j]
            pos += counts[r]
    return pos


def check_csr(const int64_t[::1] indptr, const idx_t[::1] indices, Py_ssize_t n_cols):
    """Structural check of CSR arrays (indptr already known monotone and in range).

    Returns ``(code, position)``: code 0 = fine, 1 = an index out of ``[0, n_cols)``,
    2 = indices not sorted within a row, 3 = duplicate indices within a row (sorted).
    The first problem found is reported.
    """
    cdef Py_ssize_t nr = indptr.shape[0] - 1
    cdef Py_ssize_t r, p
    cdef int64_t c, prev
    cdef int dup = 0
    cdef Py_ssize_t dup_pos = -1
    for r in range(nr):
        prev = -1
        for p in range(indptr[r], indptr[r + 1]):
            c = indices[p]
            if c < 0 or c >= n_cols:
                return 1, p
            if c < prev:
                return 2, p
            if c == prev and not dup:
                dup = 1
                dup_pos = p
            prev = c
    if dup:
        return 3, dup_pos
    return 0, -1


cdef _check_heaps(uint8_t[::1] heapbuf, const int64_t[::1] heap_n, Py_ssize_t n,
                  Py_ssize_t top_k):
    """Raise unless ``heapbuf`` holds n heaps of top_k pairs (overflow-checked)."""
    if top_k < 1 or n < 0 or heap_n.shape[0] < n:
        raise ValueError(f"overlap kernel: top_k={top_k} heaps for {n} rows, "
                         f"{heap_n.shape[0]} heap counts")
    if n and <size_t> top_k > <size_t> PY_SSIZE_T_MAX // sizeof(pair_t) // <size_t> n:
        raise MemoryError(f"overlap kernel: {n} heaps of top_k={top_k} entries do not "
                          "fit in the address space")
    if <size_t> heapbuf.shape[0] < <size_t> n * <size_t> top_k * sizeof(pair_t):
        raise ValueError(f"overlap kernel: a heap buffer of {heapbuf.shape[0]} bytes is "
                         f"smaller than {n} x {top_k} pairs")


def topk_sym_block(double[:, ::1] D, Py_ssize_t b0, const int64_t[::1] a_indptr,
                   const idx_t[::1] a_indices, const double[::1] a_data,
                   const int64_t[::1] bt_indptr, const idx_t[::1] bt_indices,
                   const double[::1] bt_data, const uint8_t[::1] skip, int op,
                   const double[::1] left, const double[::1] right, int metric,
                   bint has_threshold, double threshold, Py_ssize_t top_k,
                   uint8_t[::1] heapbuf, int64_t[::1] heap_n, int n_threads):
    """One block of rows [b0, b0 + D.shape[0]) of a symmetric top-k selection.

    ``D[r, c]`` holds (on entry) the dense-core part of S[b0 + r, b0 + c] for
    columns ``>= b0`` only; the sparse tail is added, scores are formed, and each
    score is offered to the bounded heap of its row (``b0 + r``) and, for columns
    beyond the block, to the heap of its column (S is symmetric), so every pair is
    computed once.  Heaps (``top_k`` entries per row of S, packed as pair_t in
    ``heapbuf``) persist across blocks; blocks must be processed in order from
    ``b0 = 0``.
    """
    cdef Py_ssize_t nb = D.shape[0]
    cdef Py_ssize_t w = D.shape[1]
    cdef Py_ssize_t n = b0 + w
    cdef Py_ssize_t b1 = b0 + nb
    cdef pair_t* H = <pair_t*> &heapbuf[0]
    cdef Py_ssize_t r, c, gr, p, q, q0, q1
    cdef int64_t i, k
    cdef double a, b, v, s, lv
    cdef double* row
    cdef int nt = _team(n_threads)
    if nb == 0 or w == 0:
        return
    _check_heaps(heapbuf, heap_n, n, top_k)
    for r in prange(nb, nogil=True, schedule="dynamic", chunksize=4, num_threads=nt):
        gr = b0 + r
        row = &D[r, 0]
        for p in range(a_indptr[gr], a_indptr[gr + 1]):
            i = a_indices[p]
            if skip[i]:
                continue
            a = a_data[p]
            q0 = _lower_bound(bt_indices, bt_indptr[i], bt_indptr[i + 1], b0)
            q1 = bt_indptr[i + 1]
            if op == 0:
                for q in range(q0, q1):
                    row[bt_indices[q] - b0] += a * bt_data[q]
            else:
                for q in range(q0, q1):
                    b = bt_data[q]
                    row[bt_indices[q] - b0] += a if a < b else b
        lv = left[gr]
        for c in range(w):
            v = row[c]
            if v == 0.0:
                continue
            s = _score(v, lv, right[b0 + c], metric)
            if s == 0.0 or (has_threshold and not (s >= threshold)):
                row[c] = 0.0
                continue
            row[c] = s
            heap_n[gr] = _offer(H + gr * top_k, heap_n[gr], top_k, b0 + c, s)
    for k in prange(b1, n, nogil=True, schedule="static", num_threads=nt):
        for r in range(nb):
            s = D[r, k - b0]
            if s != 0.0:
                heap_n[k] = _offer(H + k * top_k, heap_n[k], top_k, b0 + r, s)


def topk_finish(uint8_t[::1] heapbuf, const int64_t[::1] heap_n, Py_ssize_t top_k,
                idx_t[::1] out_cols, double[::1] out_vals):
    """Write each row's heap, sorted by column, into packed CSR arrays (row order)."""
    cdef pair_t* H = <pair_t*> &heapbuf[0]
    cdef Py_ssize_t n = heap_n.shape[0]
    cdef Py_ssize_t g, j, pos = 0
    _check_heaps(heapbuf, heap_n, n, top_k)
    for g in range(n):
        if heap_n[g] < 0 or heap_n[g] > top_k:
            raise ValueError(f"overlap kernel: heap {g} holds {heap_n[g]} entries, "
                             f"not in [0, {top_k}]")
        pos += heap_n[g]
    if pos > out_cols.shape[0] or pos > out_vals.shape[0]:
        raise ValueError(f"overlap kernel: {pos} kept entries do not fit the output arrays")
    pos = 0
    with nogil:
        for g in range(n):
            qsort(H + g * top_k, heap_n[g], sizeof(pair_t), _cmp_pair_col)
            for j in range(heap_n[g]):
                out_cols[pos] = <idx_t> H[g * top_k + j].col
                out_vals[pos] = H[g * top_k + j].val
                pos += 1
    return pos


def pair_lookup(const int64_t[::1] a_indptr, const idx_t[::1] a_indices,
                const int64_t[::1] b_indptr, const idx_t[::1] b_indices,
                const double[::1] b_data, const int64_t[::1] rows,
                const int64_t[::1] others, const int64_t[::1] out_start, double[::1] out):
    """For each p, B[others[p], c] at every column c of A's row ``rows[p]`` (0 if absent).

    Row ``rows[p]`` of A has ``n = a_indptr[r + 1] - a_indptr[r]`` columns; their
    values in B's row ``others[p]`` go to ``out[out_start[p] : out_start[p] + n]``
    in A's column order.  Both matrices have sorted indices; one merge per pair.
    """
    cdef Py_ssize_t n = rows.shape[0]
    cdef Py_ssize_t p, i, i0, i1, q, q1, o
    cdef int64_t ci
    with nogil:
        for p in range(n):
            i0 = a_indptr[rows[p]]
            i1 = a_indptr[rows[p] + 1]
            q = b_indptr[others[p]]
            q1 = b_indptr[others[p] + 1]
            o = out_start[p]
            for i in range(i0, i1):
                ci = a_indices[i]
                while q < q1 and b_indices[q] < ci:
                    q = q + 1
                if q < q1 and b_indices[q] == ci:
                    out[o + i - i0] = b_data[q]
                else:
                    out[o + i - i0] = 0.0


cdef enum:
    _CSR_PARALLEL = 131072    # fewer entries than this are put in order on one thread


cdef inline Py_ssize_t _slot(int64_t* hist, int64_t key) noexcept nogil:
    """The next output slot of ``key`` in a thread's counting-sort offsets (claimed)."""
    cdef int64_t p = hist[key]
    hist[key] = p + 1
    return <Py_ssize_t>p


cdef void _csr_pass(const int64_t* keys, Py_ssize_t n, Py_ssize_t n_keys, int nt,
                    int64_t* hist, int64_t* starts) noexcept nogil:
    """Counts of ``keys`` per thread chunk, turned into each chunk's first output slot
    per key (a stable counting sort's offsets); ``starts[k]`` is key k's first slot."""
    cdef Py_ssize_t t, e, k
    cdef int64_t run = 0, c
    for t in prange(nt, num_threads=nt, schedule="static", chunksize=1):
        for e in range(n * t // nt, n * (t + 1) // nt):
            hist[t * n_keys + keys[e]] += 1
    for k in range(n_keys):
        starts[k] = run
        for t in range(nt):
            c = hist[t * n_keys + k]
            hist[t * n_keys + k] = run
            run += c
    starts[n_keys] = run


cdef int64_t _csr_scatter(const int64_t[::1] o_e, const int64_t[::1] o_r,
                          const int64_t[::1] o_c, const double[::1] a, const double[::1] b,
                          double[::1] a_out, double[::1] b_out, idx_t[::1] ind,
                          int64_t[::1] hist, const int64_t[::1] indptr, Py_ssize_t n,
                          Py_ssize_t n_rows, int nt) noexcept nogil:
    """The second (by row) scatter of :func:`coo_to_csr` into ``ind``, ``a_out`` and
    ``b_out``; returns how many entries repeat the (row, column) before them."""
    cdef Py_ssize_t i, p, t, j
    cdef int64_t src, n_rep = 0
    for t in prange(nt, num_threads=nt, schedule="static", chunksize=1):
        for i in range(n * t // nt, n * (t + 1) // nt):
            p = _slot(&hist[t * n_rows], o_r[i])
            src = o_e[i]
            ind[p] = <idx_t> o_c[i]
            a_out[p] = a[src]
            b_out[p] = b[src]
    for j in prange(n_rows, num_threads=nt, schedule="static"):
        for p in range(indptr[j] + 1, indptr[j + 1]):
            if ind[p] == ind[p - 1]:
                n_rep += 1
    return n_rep


def coo_to_csr(const int64_t[::1] rows, const int64_t[::1] cols, const double[::1] a,
               const double[::1] b, Py_ssize_t n_rows, Py_ssize_t n_cols, int n_threads):
    """Two value arrays of the entries ``(rows[e], cols[e])`` in CSR order.

    Two stable counting sorts (by column, then by row; each thread sorts a chunk of
    the entries into its own slots), O(entries + threads x (rows + columns)): the
    entries end sorted by row, then column, then position.  Returns ``(indptr,
    indices, a_csr, b_csr, n_repeated)``: the CSR row pointer (int64, length
    ``n_rows + 1``), the column of each entry in that order (int32 when ``n_cols`` <
    2**31, else int64), ``a`` and ``b`` in that order, and how many entries repeat
    the (row, column) of the entry before them (such matrices must be summed).  The
    caller checks that every row and column number is in range.
    """
    cdef Py_ssize_t n = rows.shape[0]
    cdef Py_ssize_t e, i, p, t
    cdef int64_t n_rep
    cdef int nt = _team(n_threads) if n >= _CSR_PARALLEL else 1
    if a.shape[0] != n or b.shape[0] != n or cols.shape[0] != n:
        raise ValueError("rows, cols, a and b must have the same length")
    if n_rows < 0 or n_cols < 0:
        raise ValueError("n_rows and n_cols must be >= 0")
    wide = n_cols >= 2 ** 31
    indptr_np = np.zeros(n_rows + 1, dtype=np.int64)
    ind_np = np.empty(n, dtype=np.int64 if wide else np.int32)
    a_out_np = np.empty(n, dtype=np.float64)
    b_out_np = np.empty(n, dtype=np.float64)
    if n == 0:
        return indptr_np, ind_np, a_out_np, b_out_np, 0
    cstart_np = np.zeros(n_cols + 1, dtype=np.int64)
    hist_np = np.zeros(nt * max(n_rows, n_cols), dtype=np.int64)
    o_e_np = np.empty(n, dtype=np.int64)
    o_r_np = np.empty(n, dtype=np.int64)
    o_c_np = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] indptr = indptr_np
    cdef int64_t[::1] cstart = cstart_np
    cdef int64_t[::1] hist = hist_np
    cdef int64_t[::1] o_e = o_e_np
    cdef int64_t[::1] o_r = o_r_np
    cdef int64_t[::1] o_c = o_c_np
    cdef double[::1] a_out = a_out_np
    cdef double[::1] b_out = b_out_np
    cdef int32_t[::1] ind32
    cdef int64_t[::1] ind64
    with nogil:
        # by column: entry e goes, with its row and column, to its column's next slot
        _csr_pass(&cols[0], n, n_cols, nt, &hist[0], &cstart[0])
        for t in prange(nt, num_threads=nt, schedule="static", chunksize=1):
            for e in range(n * t // nt, n * (t + 1) // nt):
                p = _slot(&hist[t * n_cols], cols[e])
                o_e[p] = e
                o_r[p] = rows[e]
                o_c[p] = cols[e]
        # by row, reading the column order in sequence
        for i in range(nt * n_rows):
            hist[i] = 0
        _csr_pass(&o_r[0], n, n_rows, nt, &hist[0], &indptr[0])
    if wide:
        ind64 = ind_np
        with nogil:
            n_rep = _csr_scatter(o_e, o_r, o_c, a, b, a_out, b_out, ind64, hist,
                                 indptr, n, n_rows, nt)
    else:
        ind32 = ind_np
        with nogil:
            n_rep = _csr_scatter(o_e, o_r, o_c, a, b, a_out, b_out, ind32, hist,
                                 indptr, n, n_rows, nt)
    return indptr_np, ind_np, a_out_np, b_out_np, int(n_rep)


def block_dots(const int64_t[::1] a_indptr, const idx_t[::1] a_indices,
               const double[::1] a_data, const int64_t[::1] b_indptr,
               const idx_t[::1] b_indices, const double[::1] b_data,
               const int64_t[::1] rows, const int64_t[::1] starts,
               const int64_t[::1] offsets, Py_ssize_t n_cols, double[::1] out,
               int n_threads):
    """Every within-block dot product ``<a_j, b_k>`` of blocks of rows (dense per block).

    Block ``m`` is ``rows[starts[m]:starts[m + 1]]`` (``s`` rows); its ``s x s``
    products go row-major to ``out[offsets[m]:offsets[m] + s * s]``.  Row ``a_j`` is
    scattered into a dense vector of ``n_cols`` values (one per thread, cleared after
    use) and each ``b_k`` is gathered against it, summing in ``b_k``'s column order.
    The caller checks every row number and the column range.
    """
    cdef Py_ssize_t n_blocks = starts.shape[0] - 1
    cdef Py_ssize_t m, x, y, s, p, q
    cdef int64_t j, k
    cdef double acc
    cdef double* dense
    cdef int nt = _team(n_threads)
    cdef int[::1] failed = np.zeros(1, dtype=np.intc)
    if n_blocks <= 0:
        return
    if n_cols > 0 and <size_t>n_cols > <size_t>PY_SSIZE_T_MAX // sizeof(double):
        raise MemoryError("block_dots: too many columns")
    with nogil, parallel(num_threads=nt):
        dense = <double*>calloc(n_cols if n_cols > 0 else 1, sizeof(double))
        if dense == NULL:
            failed[0] = 1
        else:
            for m in prange(n_blocks, schedule="dynamic", chunksize=16):
                s = starts[m + 1] - starts[m]
                for x in range(s):
                    j = rows[starts[m] + x]
                    for p in range(a_indptr[j], a_indptr[j + 1]):
                        dense[a_indices[p]] = a_data[p]
                    for y in range(s):
                        k = rows[starts[m] + y]
                        acc = 0.0
                        for q in range(b_indptr[k], b_indptr[k + 1]):
                            acc = acc + dense[b_indices[q]] * b_data[q]
                        out[offsets[m] + x * s + y] = acc
                    for p in range(a_indptr[j], a_indptr[j + 1]):
                        dense[a_indices[p]] = 0.0
            free(dense)
    if failed[0]:
        raise MemoryError(f"block_dots: no memory for a dense row of {n_cols} values")
