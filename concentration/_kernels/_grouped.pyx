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
        if nc == 1:  # no thread team for one chunk (small calls)
            with nogil:
                _stats_chunk(codes, shares, 0, n, &acc[0, 0, 0], &top[0, 0, 0], kk)
        else:
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
    cdef long long bad1[4]
    cdef double top1[2]
    cdef double[::1] tot1
    cdef double[::1] sq1
    cdef long long[::1] cnt1
    if nc == 1:  # one chunk, no thread team, no per-chunk arrays (small calls)
        tot1_np = np.zeros(n_groups, dtype=np.float64)
        sq1_np = np.zeros(n_groups, dtype=np.float64)
        cnt1_np = np.zeros(n_groups, dtype=np.int64)
        bad1[0] = bad1[1] = bad1[2] = bad1[3] = 0
        top1[0] = 0.0
        top1[1] = -1.0
        if n > 0 and n_groups > 0:
            tot1, sq1, cnt1 = tot1_np, sq1_np, cnt1_np
            with nogil:
                _sums_chunk(codes, shares, 0, n, &tot1[0], &sq1[0], &cnt1[0], bad1, top1)
        return ((tot1_np, sq1_np, cnt1_np),
                (int(bad1[0]), int(bad1[1]) if bad1[0] else -1,
                 int(bad1[2]), int(bad1[3]) if bad1[2] else -1),
                (float(top1[0]), int(top1[1])))
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
            _sums_chunk(codes, shares, c * size, _chunk_end(c, size, n), &tot[c, 0],
                        &sq[c, 0], &cnt[c, 0], &bad[c, 0], &top[c, 0])
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


# ---------------------------------------------------------------------------
# Repeated (group, key) pairs: a stable LSD radix sort of (row, key) by group (one to
# three passes of at most 11 bits, so each pass scatters into a few thousand
# cache-resident streams), then one small open-addressing table per group, reused
# by each thread.  A global table over every pair would make each row a DRAM miss.

from cython.parallel cimport threadid

ctypedef fused key_t:
    int
    long long

ctypedef fused offset_t:
    int
    long long

cdef enum:
    _SMALL_GROUP = 12        # groups up to this size compare keys pairwise
    _PARALLEL_ROWS = 131072  # fewer rows than this run on one thread
    _RADIX_BITS = 11
    _BITMAP_BITS = 24        # keys of up to this many bits: a 2 MiB bitmap per thread

cdef unsigned long long _ROW_MASK = 0xffffffffULL


cdef inline unsigned long long _mix(unsigned long long x) noexcept nogil:
    """The 64-bit finalizer of MurmurHash3 (a bijection that spreads every input bit)."""
    x ^= x >> 33
    x *= 0xff51afd7ed558ccdULL
    x ^= x >> 33
    x *= 0xc4ceb9fe1a85ec53ULL
    x ^= x >> 33
    return x


cdef inline unsigned long long _group_mask(Py_ssize_t m, long long n_keys) noexcept nogil:
    """Slot mask of one group's table: a power of two, at least 16 and twice the group's
    rows (or twice ``n_keys`` when that is smaller), minus one."""
    cdef Py_ssize_t limit = m if n_keys <= 0 or n_keys > m else n_keys
    cdef Py_ssize_t cap = 16
    while cap < 2 * limit:
        cap *= 2
    return <unsigned long long>(cap - 1)


cdef void _group_pass(const unsigned long long* rows, const key_t* keys, Py_ssize_t lo,
                      Py_ssize_t hi, long long n_keys, long long* tkey, long long* trow,
                      double* tsum, char* trep, const double* values, double* summed,
                      char* keep, long long* rep, bint want_rep, bint want_sum,
                      long long* out) noexcept nogil:
    """Repeated pairs among the sorted rows ``lo:hi`` of one group (ascending rows).

    The first repeated row met is the group's smallest.  ``out`` = [repeated rows
    so far, smallest repeated row (or -1)].  ``values`` are in row order and read
    only at the rows of pairs that repeat.  With ``want_sum`` each first row ``r``
    gets ``keep[r] = 1``, or ``keep[r] = 2`` and ``summed[r]`` = the sum of its pair's
    values in row order when the pair has repeats (a pair without repeats writes no
    sum: its value is the row's own); with ``want_rep`` each row gets the first row
    of its pair.
    """
    cdef Py_ssize_t m = hi - lo, j, l, cap
    cdef long long r, first, found
    cdef long long k
    cdef unsigned long long h, mask
    if m <= _SMALL_GROUP:
        for j in range(lo, hi):
            r = <long long>(rows[j] & _ROW_MASK)
            k = keys[j]
            first = r
            for l in range(lo, j):
                if keys[l] == k:
                    first = <long long>(rows[l] & _ROW_MASK)
                    break
            if first != r:
                out[0] += 1
                if out[1] < 0 or r < out[1]:
                    out[1] = r
                if want_sum:
                    if keep[first] == 1:    # the pair's first repeat: start its sum
                        keep[first] = 2
                        summed[first] = values[first]
                    summed[first] += values[r]
            elif want_sum:
                keep[r] = 1
            if want_rep:
                rep[r] = first
        return
    mask = _group_mask(m, n_keys)
    cap = <Py_ssize_t>mask + 1
    for j in range(cap):
        trow[j] = -1
    for j in range(lo, hi):
        r = <long long>(rows[j] & _ROW_MASK)
        k = keys[j]
        h = _mix(<unsigned long long>k) & mask
        while True:
            found = trow[h]
            if found < 0:
                trow[h] = r
                tkey[h] = k
                first = r
                if want_sum:
                    trep[h] = 0
                break
            if tkey[h] == k:
                first = found
                if want_sum:
                    if not trep[h]:     # the pair's first repeat: start its sum
                        trep[h] = 1
                        tsum[h] = values[found]
                    tsum[h] += values[r]
                break
            h = (h + 1) & mask
        if first != r:
            out[0] += 1
            if out[1] < 0 or r < out[1]:
                out[1] = r
        if want_rep:
            rep[r] = first
    if want_sum:
        for j in range(cap):
            r = trow[j]
            if r >= 0:
                if trep[j]:
                    keep[r] = 2
                    summed[r] = tsum[j]
                else:
                    keep[r] = 1


cdef void _thread_offsets(long long* hist, int nt, long long width) noexcept nogil:
    """Turn per-thread digit counts (``hist[t * width + d]``) into each thread's first
    position for each digit: digit by digit, thread ``t`` after thread ``t - 1``, which
    keeps a radix pass over contiguous chunks stable."""
    cdef long long run = 0, total, d
    cdef int t
    for d in range(width):
        for t in range(nt):
            total = hist[t * width + d]
            hist[t * width + d] = run
            run += total


def sort_by_group(const long long[::1] codes, const key_t[::1] keys, Py_ssize_t n_groups,
                  int n_threads=0):
    """``(group << 32 | row, key)`` of every row, stably sorted by group.

    Returns ``(rows, keys)``: a radix sort in one to three passes of at most 11 bits
    of the group code.  Each pass counts the digits of contiguous chunks of rows, one
    chunk per thread, and each thread then moves its chunk's rows to its own
    positions: chunk ``t``'s rows of a digit come after chunk ``t - 1``'s, so the sort
    is stable and its result does not depend on the number of threads.
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t i, lo, hi, chunk
    cdef int bits = 1, n_pass, p, t, shift
    cdef long long width, d, pos
    cdef unsigned long long digit_mask, e
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if n < _PARALLEL_ROWS:
        nt = 1
    while (1LL << bits) < n_groups:
        bits += 1
    n_pass = (bits + _RADIX_BITS - 1) // _RADIX_BITS
    bits = (bits + n_pass - 1) // n_pass
    width = 1LL << bits
    digit_mask = <unsigned long long>(width - 1)
    kdtype = np.int32 if key_t is int else np.int64
    m = max(n, 1)
    pa_np = np.empty(m, dtype=np.uint64)
    ka_np = np.empty(m, dtype=kdtype)
    pb_np = np.empty(m if n_pass > 1 else 1, dtype=np.uint64)
    kb_np = np.empty(m if n_pass > 1 else 1, dtype=kdtype)
    hist_np = np.zeros((nt, width), dtype=np.int64)
    cdef unsigned long long[::1] pa = pa_np
    cdef key_t[::1] ka = ka_np
    cdef unsigned long long[::1] pb = pb_np
    cdef key_t[::1] kb = kb_np
    cdef long long[:, ::1] hist = hist_np
    cdef unsigned long long* src_p = &pb[0]
    cdef key_t* src_k = &kb[0]
    cdef unsigned long long* dst_p = &pa[0]
    cdef key_t* dst_k = &ka[0]
    if n == 0:
        return pa_np[:0], ka_np[:0]
    chunk = (n + nt - 1) // nt
    for p in range(n_pass):
        shift = p * bits
        if p > 0:   # the previous pass's output is this pass's input
            src_p, src_k, dst_p, dst_k = dst_p, dst_k, src_p, src_k
        hist[:, :] = 0
        for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
            lo = t * chunk
            hi = _chunk_end(t, chunk, n)
            for i in range(lo, hi):
                e = <unsigned long long>codes[i] if p == 0 else src_p[i] >> 32
                hist[t, <Py_ssize_t>((e >> shift) & digit_mask)] += 1
        _thread_offsets(&hist[0, 0], nt, width)
        for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
            lo = t * chunk
            hi = _chunk_end(t, chunk, n)
            if p == 0:
                for i in range(lo, hi):
                    e = <unsigned long long>codes[i]
                    d = <long long>(e & digit_mask)
                    pos = hist[t, d]
                    hist[t, d] = pos + 1
                    dst_p[pos] = (e << 32) | <unsigned long long>i
                    dst_k[pos] = keys[i]
            else:
                for i in range(lo, hi):
                    e = src_p[i]
                    d = <long long>(((e >> 32) >> shift) & digit_mask)
                    pos = hist[t, d]
                    hist[t, d] = pos + 1
                    dst_p[pos] = e
                    dst_k[pos] = src_k[i]
    if n_pass % 2 == 0:
        return pb_np[:n], kb_np[:n]
    return pa_np[:n], ka_np[:n]


cdef Py_ssize_t _table_capacity(const long long[::1] counts, long long n_keys):
    """Slots of the per-group tables: a power of two, at least 16 and twice the largest
    group (or twice ``n_keys``, the number of distinct keys, when that is smaller)."""
    cdef Py_ssize_t g, largest = 0, cap = 16
    for g in range(counts.shape[0]):
        if counts[g] > largest:
            largest = counts[g]
    if n_keys > 0 and n_keys < largest:
        largest = n_keys
    while cap < 2 * largest:
        cap *= 2
    return cap


def first_rows(const long long[::1] codes, const key_t[::1] keys, const long long[::1] counts,
               long long n_keys=0, values=None, bint want_rep=False, int n_threads=0):
    """Rows that repeat an earlier row's (group, key) pair, and the sums of each pair.

    ``counts[g]`` is the number of rows of group ``g`` (``codes`` in
    ``[0, len(counts))``, fewer than 2**32 rows); ``n_keys`` is the number of
    distinct keys when known (it bounds the tables), else 0.  Returns
    ``(n_repeated, first_repeated, kept, sums, rep)``: the number of rows whose
    pair occurred on an earlier row and the smallest such row (-1 when there is
    none); with ``values`` (float64), ``kept`` lists each pair's first row in
    ascending order and ``sums`` the pair's values added in row order; with
    ``want_rep``, ``rep[i]`` is the first row of row ``i``'s pair.  Outputs not
    asked for are None.

    The rows are sorted by group with a stable radix sort, then each group is
    scanned with a table of at most twice its size (next power of two), so the
    result does not depend on the number of threads.  Only the pairs with repeats
    write a sum at their first row; the others take their row's own value when the
    first rows are gathered in order.
    """
    vals_np = None
    if values is not None:
        vals_np = np.ascontiguousarray(values, dtype=np.float64)
        if vals_np.shape[0] != codes.shape[0]:
            raise ValueError("values and codes differ in length")
    # the pass returns before the rows are gathered, so its sort buffers are freed first
    n_rep, first, keep_np, summed_np, rep_np = _pair_pass(codes, keys, counts, n_keys,
                                                         vals_np, want_rep, n_threads)
    kept = sums = None
    if vals_np is not None:
        kept, sums = _gather_first(keep_np, summed_np, vals_np, codes.shape[0] - n_rep,
                                   n_threads)
    return n_rep, first, kept, sums, rep_np


def _gather_first(keep_np, summed_np, vals_np, Py_ssize_t n_kept, int n_threads):
    """The first rows in order (``keep[r]`` not 0) and the value of each: its sum where
    ``keep[r]`` is 2, else the row's own.  Each thread gathers a contiguous chunk of rows
    to the positions after the kept rows of the chunks before it."""
    cdef const char[::1] keep = keep_np.view(np.uint8).view(np.int8)
    cdef const double[::1] summed = summed_np
    cdef const double[::1] vals = vals_np
    cdef Py_ssize_t n = keep.shape[0]
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    cdef int t
    cdef Py_ssize_t i, lo, hi, pos, chunk
    cdef char k
    if n < _PARALLEL_ROWS:
        nt = 1
    chunk = (n + nt - 1) // nt
    kept_np = np.empty(n_kept, dtype=np.int64)
    sums_np = np.empty(n_kept, dtype=np.float64)
    start_np = np.zeros(nt + 1, dtype=np.int64)
    cdef long long[::1] kept = kept_np
    cdef double[::1] sums = sums_np
    cdef long long[::1] start = start_np
    if n_kept == 0:
        return kept_np, sums_np
    for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
        lo = t * chunk
        hi = _chunk_end(t, chunk, n)
        pos = 0   # counted in a register, written once (no shared cache line)
        for i in range(lo, hi):
            if keep[i] != 0:
                pos = pos + 1
        start[t + 1] = pos
    for t in range(nt):
        start[t + 1] += start[t]
    if start[nt] != n_kept:
        raise ValueError("the kept rows and the repeated rows do not add up")
    for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
        lo = t * chunk
        hi = _chunk_end(t, chunk, n)
        pos = start[t]
        for i in range(lo, hi):
            k = keep[i]
            if k != 0:
                kept[pos] = i
                sums[pos] = summed[i] if k == 2 else vals[i]
                pos = pos + 1
    return kept_np, sums_np


def _pair_pass(const long long[::1] codes, const key_t[::1] keys, const long long[::1] counts,
               long long n_keys, vals_np, bint want_rep, int n_threads):
    """The sort and the per-group scan of :func:`first_rows`: ``(n_repeated,
    first_repeated, keep, summed, rep)`` with ``keep[r]`` 1 at a first row, 2 at one
    whose pair has repeats (``summed[r]`` its sum; ``summed`` is not set elsewhere)."""
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t n_groups = counts.shape[0]
    cdef Py_ssize_t g, largest = 0, cap = 16
    cdef int t
    cdef bint want_sum = vals_np is not None
    if n >= (1LL << 32):
        raise ValueError("first_rows handles fewer than 2**32 rows")
    starts_np = np.zeros(n_groups + 1, dtype=np.int64)
    if n_groups:
        np.cumsum(counts, out=starts_np[1:])
    if starts_np[n_groups] != n:
        raise ValueError("counts do not add up to the number of rows")
    cdef long long[::1] starts = starts_np
    m = max(n, 1)
    # the values stay in row order: only the rows of pairs that repeat read theirs
    rows_np, keys_np = sort_by_group(codes, keys, n_groups, n_threads)
    cdef unsigned long long[::1] srows = rows_np
    cdef key_t[::1] skeys = keys_np
    cdef const double[::1] svals = vals_np if want_sum else np.zeros(1)
    cap = _table_capacity(counts, n_keys)
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if n < _PARALLEL_ROWS or n_groups < 2:
        nt = 1
    tkey_np = np.empty((nt, cap), dtype=np.int64)
    trow_np = np.empty((nt, cap), dtype=np.int64)
    tsum_np = np.empty((nt, cap if want_sum else 1), dtype=np.float64)
    trep_np = np.empty((nt, cap if want_sum else 1), dtype=np.int8)
    out_np = np.zeros((nt, 2), dtype=np.int64)
    out_np[:, 1] = -1
    summed_np = np.empty(m if want_sum else 1, dtype=np.float64)   # read where keep is 2
    keep_np = np.zeros(m if want_sum else 1, dtype=np.int8)
    rep_np = np.empty(m if want_rep else 1, dtype=np.int64)
    cdef long long[:, ::1] tkey = tkey_np
    cdef long long[:, ::1] trow = trow_np
    cdef double[:, ::1] tsum = tsum_np
    cdef char[:, ::1] trep = trep_np.view(np.uint8).view(np.int8)
    cdef long long[:, ::1] out = out_np
    cdef double[::1] summed = summed_np
    cdef char[::1] keep = keep_np.view(np.uint8).view(np.int8)
    cdef long long[::1] rep = rep_np
    if n > 0:
        if nt == 1:
            with nogil:
                for g in range(n_groups):
                    _group_pass(&srows[0], &skeys[0], starts[g], starts[g + 1], n_keys,
                                &tkey[0, 0], &trow[0, 0], &tsum[0, 0], &trep[0, 0],
                                &svals[0], &summed[0],
                                &keep[0], &rep[0], want_rep, want_sum, &out[0, 0])
        else:
            for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic",
                            chunksize=64):
                t = threadid()
                _group_pass(&srows[0], &skeys[0], starts[g], starts[g + 1], n_keys,
                            &tkey[t, 0], &trow[t, 0], &tsum[t, 0], &trep[t, 0],
                            &svals[0], &summed[0],
                            &keep[0], &rep[0], want_rep, want_sum, &out[t, 0])
    n_rep = int(out_np[:, 0].sum())
    hit = out_np[:, 1] >= 0
    first = int(out_np[hit, 1].min()) if hit.any() else -1
    return (n_rep, first, keep_np[:n] if want_sum else None,
            summed_np[:n] if want_sum else None, rep_np[:n] if want_rep else None)


cdef inline unsigned long long _rotl(unsigned long long x, int r) noexcept nogil:
    return (x << r) | (x >> (64 - r))


cdef inline unsigned long long _word(const unsigned char* p, Py_ssize_t m) noexcept nogil:
    """``m`` <= 8 bytes as a little-endian word (zero-padded)."""
    cdef unsigned long long w = 0
    cdef Py_ssize_t j
    for j in range(m):
        w |= (<unsigned long long>p[j]) << (8 * j)
    return w


cdef inline unsigned long long _bytes_hash(const unsigned char* p,
                                           Py_ssize_t m) noexcept nogil:
    """The bytes taken 8 at a time as little-endian words (the last zero-padded), each
    mixed in as one lane of MurmurHash3 x64 does; then the length and :func:`_mix`."""
    cdef unsigned long long h = 0xcbf29ce484222325ULL
    cdef unsigned long long k
    cdef Py_ssize_t j = 0
    while j < m:
        k = _word(p + j, 8 if m - j >= 8 else m - j)
        k *= 0x87c37b91114253d5ULL
        k = _rotl(k, 31)
        k *= 0x4cf5ad432745937fULL
        h ^= k
        h = _rotl(h, 27) * 5 + 0x52dce729ULL
        j += 8
    return _mix(h ^ (<unsigned long long>m))


cdef enum:
    _PARALLEL_STRINGS = 16384   # fewer strings than this are hashed on one thread


def string_hashes(const unsigned char[::1] data, const offset_t[::1] offsets,
                  int n_threads=0, long long[::1] out=None):
    """64-bit hash of each string ``data[offsets[i]:offsets[i + 1]]`` (Arrow layout).

    Equal strings get equal hashes; different strings almost never do, so callers
    compare the strings of the rows the hashes pair up.  Written to ``out`` when
    given (its length must be the number of strings), else to a new array.
    """
    cdef Py_ssize_t n = offsets.shape[0] - 1
    cdef Py_ssize_t i
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    if n < _PARALLEL_STRINGS:
        nt = 1
    if out is None:
        out_np = np.empty(max(n, 0), dtype=np.int64)
        out = out_np
    elif out.shape[0] != max(n, 0):
        raise ValueError("out must hold one hash per string")
    else:
        out_np = out.base if out.base is not None else np.asarray(out)
    if n <= 0:
        return out_np
    cdef const unsigned char* base = &data[0]
    for i in prange(n, nogil=True, num_threads=nt, schedule="static"):
        out[i] = <long long>_bytes_hash(base + offsets[i], offsets[i + 1] - offsets[i])
    return out_np


cdef Py_ssize_t _packed_group_repeats(const unsigned long long* words, Py_ssize_t lo,
                                      Py_ssize_t hi, unsigned long long key_mask,
                                      long long n_keys, unsigned long long* table,
                                      char* used) noexcept nogil:
    """Rows of one group (sorted packed words ``lo:hi``) whose key an earlier row had."""
    cdef Py_ssize_t m = hi - lo, j, l, cap, n_rep = 0
    cdef unsigned long long k, h, mask
    if m <= _SMALL_GROUP:
        for j in range(lo + 1, hi):
            k = words[j] & key_mask
            for l in range(lo, j):
                if (words[l] & key_mask) == k:
                    n_rep += 1
                    break
        return n_rep
    mask = _group_mask(m, n_keys)
    cap = <Py_ssize_t>mask + 1
    for j in range(cap):
        used[j] = 0
    for j in range(lo, hi):
        k = words[j] & key_mask
        h = _mix(k) & mask
        while used[h] and table[h] != k:
            h = (h + 1) & mask
        if used[h]:
            n_rep += 1
        else:
            used[h] = 1
            table[h] = k
    return n_rep


cdef Py_ssize_t _bitmap_group_repeats(const unsigned long long* words, Py_ssize_t lo,
                                      Py_ssize_t hi, unsigned long long key_mask,
                                      unsigned long long* seen) noexcept nogil:
    """:func:`_packed_group_repeats` for exact keys of at most :data:`_BITMAP_BITS` bits:
    one bit per key in ``seen`` (all clear on entry, cleared again on return: only this
    group's keys are set meanwhile, so each word a row touched is zeroed whole)."""
    cdef Py_ssize_t j, n_rep = 0
    cdef unsigned long long k, bit
    for j in range(lo, hi):
        k = words[j] & key_mask
        bit = 1ULL << (k & 63ULL)
        if seen[k >> 6] & bit:
            n_rep += 1
        else:
            seen[k >> 6] |= bit
    for j in range(lo, hi):
        seen[(words[j] & key_mask) >> 6] = 0
    return n_rep


cdef inline Py_ssize_t _group_repeats(const unsigned long long* words, Py_ssize_t lo,
                                      Py_ssize_t hi, unsigned long long key_mask,
                                      long long n_keys, bint bitmap,
                                      unsigned long long* table, char* used,
                                      unsigned long long* seen) noexcept nogil:
    """One group's repeats: by bitmap (``bitmap``, groups above :data:`_SMALL_GROUP`)
    or by :func:`_packed_group_repeats`."""
    if bitmap and hi - lo > _SMALL_GROUP:
        return _bitmap_group_repeats(words, lo, hi, key_mask, seen)
    return _packed_group_repeats(words, lo, hi, key_mask, n_keys, table, used)


cdef bint _non_decreasing(const long long[::1] codes) noexcept nogil:
    """Whether ``codes`` never decrease (the first descent ends the scan)."""
    cdef Py_ssize_t i
    for i in range(1, codes.shape[0]):
        if codes[i] < codes[i - 1]:
            return False
    return True


cdef inline unsigned long long _packed_word(const long long[::1] codes, const key_t[::1] keys,
                                            const unsigned long long* src, Py_ssize_t i,
                                            int p, int key_bits,
                                            unsigned long long key_mask) noexcept nogil:
    """Row ``i``'s word ``group << key_bits | (key & key_mask)``: built from the inputs on
    the first radix pass, read from the previous pass's buffer after."""
    if p == 0:
        return (<unsigned long long>codes[i] << key_bits) | (<unsigned long long>keys[i]
                                                             & key_mask)
    return src[i]


def count_repeats(const long long[::1] codes, const key_t[::1] keys,
                  const long long[::1] counts, int key_bits, long long n_keys=0,
                  int n_threads=0):
    """Number of rows that repeat an earlier row's (group, key) pair, on packed words.

    Each row becomes one 64-bit word ``group << key_bits | (key mod 2**key_bits)``
    (the group bits must fit above the key bits).  Keys in ``[0, 2**key_bits)`` give
    the exact count; longer keys (hashes) are cut to their low bits, so the count can
    only be too high, never too low: 0 still means no pair repeats;
    the words are sorted by group with a parallel, stable radix sort (per-thread
    histograms of contiguous chunks, one to three passes of at most 11 bits) and each
    group is scanned: exact keys (``0 < n_keys <= 2**key_bits``) of up to 24 bits
    against a bitmap of the key values per thread, other keys with a table of at most
    twice the group's size.  Half the bytes of
    :func:`first_rows` travel through the passes, and no row numbers: the answer is
    the count only (callers ask :func:`first_rows` for the rows when it is not 0).
    Rows already in group order (files written sorted by market, or a 13F table
    filer by filer) need no sort: the words are packed in one pass.
    """
    cdef Py_ssize_t n = codes.shape[0]
    cdef Py_ssize_t n_groups = counts.shape[0]
    cdef Py_ssize_t i, g, lo, hi, largest = 0, cap = 16
    cdef int t, p, gbits = 1, n_pass, bits, shift
    cdef bint in_order
    cdef int nt = n_threads if n_threads > 0 else max_threads()
    cdef long long d, width
    cdef unsigned long long e, digit_mask, key_mask
    if n == 0:
        return 0
    if n < _PARALLEL_ROWS or n_groups < 2:
        nt = 1
    while (1LL << gbits) < n_groups:
        gbits += 1
    if key_bits < 1 or key_bits + gbits > 64:
        raise ValueError("group and key bits do not fit in 64 bits")
    in_order = _non_decreasing(codes)
    n_pass = 0 if in_order else (gbits + _RADIX_BITS - 1) // _RADIX_BITS
    bits = 1 if in_order else (gbits + n_pass - 1) // n_pass
    width = 1LL << bits
    digit_mask = <unsigned long long>(width - 1)
    key_mask = (1ULL << key_bits) - 1ULL if key_bits < 64 else ~0ULL
    a_np = np.empty(n, dtype=np.uint64)
    b_np = np.empty(n if n_pass > 1 else 1, dtype=np.uint64)
    hist_np = np.zeros((nt, width), dtype=np.int64)
    cdef unsigned long long[::1] a = a_np
    cdef unsigned long long[::1] b = b_np
    cdef long long[:, ::1] hist = hist_np
    cdef unsigned long long* src
    cdef unsigned long long* dst
    cdef Py_ssize_t chunk = (n + nt - 1) // nt
    for p in range(n_pass):
        shift = key_bits + p * bits
        hist[:, :] = 0
        if p % 2 == 0:
            src, dst = &b[0], &a[0]
        else:
            src, dst = &a[0], &b[0]
        # histograms of each thread's chunk (the first pass reads the inputs)
        for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
            lo = t * chunk
            hi = _chunk_end(t, chunk, n)
            for i in range(lo, hi):
                e = _packed_word(codes, keys, src, i, p, key_bits, key_mask)
                hist[t, <Py_ssize_t>((e >> shift) & digit_mask)] += 1
        _thread_offsets(&hist[0, 0], nt, width)
        for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
            lo = t * chunk
            hi = _chunk_end(t, chunk, n)
            for i in range(lo, hi):
                e = _packed_word(codes, keys, src, i, p, key_bits, key_mask)
                d = <long long>((e >> shift) & digit_mask)
                dst[hist[t, d]] = e
                hist[t, d] += 1
    if in_order:   # the words in row order are in group order
        for t in prange(nt, nogil=True, num_threads=nt, schedule="static"):
            lo = t * chunk
            hi = _chunk_end(t, chunk, n)
            for i in range(lo, hi):
                a[i] = _packed_word(codes, keys, &a[0], i, 0, key_bits, key_mask)
    cdef unsigned long long* words = &a[0] if in_order or n_pass % 2 == 1 else &b[0]
    starts_np = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=starts_np[1:])
    if starts_np[n_groups] != n:
        raise ValueError("counts do not add up to the number of rows")
    cdef long long[::1] starts = starts_np
    # exact keys of few bits: one bit per key value (a bitmap per thread, in cache)
    cdef bint bitmap = key_bits <= _BITMAP_BITS and 0 < n_keys <= (1LL << key_bits)
    cap = 1 if bitmap else _table_capacity(counts, n_keys)
    table_np = np.empty((nt, cap), dtype=np.uint64)
    used_np = np.empty((nt, cap), dtype=np.int8)
    seen_np = np.zeros((nt, ((1 << key_bits) + 63) // 64 if bitmap else 1), dtype=np.uint64)
    reps_np = np.zeros(nt, dtype=np.int64)
    cdef unsigned long long[:, ::1] table = table_np
    cdef char[:, ::1] used = used_np.view(np.uint8).view(np.int8)
    cdef unsigned long long[:, ::1] seen = seen_np
    cdef long long[::1] reps = reps_np
    if nt == 1:   # (no thread team for a small input)
        with nogil:
            for g in range(n_groups):
                reps[0] += _group_repeats(words, starts[g], starts[g + 1], key_mask, n_keys,
                                          bitmap, &table[0, 0], &used[0, 0], &seen[0, 0])
    else:
        for g in prange(n_groups, nogil=True, num_threads=nt, schedule="dynamic",
                        chunksize=64):
            t = threadid()
            reps[t] += _group_repeats(words, starts[g], starts[g + 1], key_mask, n_keys,
                                      bitmap, &table[t, 0], &used[t, 0], &seen[t, 0])
    return int(reps_np.sum())


def first_appearance(const key_t[::1] values, Py_ssize_t n_values):
    """``pd.factorize`` of integers in ``[0, n_values)``: one pass, no hashing.

    Returns ``(codes, uniques)``: ``uniques`` lists the distinct values in order of
    first appearance and ``codes[i]`` is the position of ``values[i]`` in it (both
    int64).  For the codes of a dictionary-encoded column, whose range is the
    dictionary's length.  A value outside the range is a ValueError.
    """
    cdef Py_ssize_t n = values.shape[0]
    cdef Py_ssize_t i, n_uniq = 0, bad = -1
    cdef long long v, p
    if n_values < 0:
        raise ValueError("n_values must be >= 0")
    seen_np = np.full(n_values, -1, dtype=np.int64)
    codes_np = np.empty(n, dtype=np.int64)
    uniq_np = np.empty(min(n, n_values), dtype=np.int64)
    cdef long long[::1] seen = seen_np
    cdef long long[::1] codes = codes_np
    cdef long long[::1] uniq = uniq_np
    with nogil:
        for i in range(n):
            v = values[i]
            if v < 0 or v >= n_values:
                bad = i
                break
            p = seen[v]
            if p < 0:
                p = n_uniq
                seen[v] = p
                uniq[p] = v
                n_uniq += 1
            codes[i] = p
    if bad >= 0:
        raise ValueError(f"value {values[bad]} at row {bad} is outside [0, {n_values})")
    return codes_np, uniq_np[:n_uniq]
