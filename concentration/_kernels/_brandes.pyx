# cython: language_level=3
"""Brandes betweenness over CSR, in parallel over sources.

Private kernel: :func:`concentration.network` validates everything first.  The graph
is given twice, forward (out-neighbours) and reversed (in-neighbours), as CSR arrays
with int64 ``indptr``/``indices`` and float64 lengths (positive; ignored when
``weighted`` is false).  No self loops, no duplicate edges.

Each OpenMP thread owns its buffers (distances, path counts, dependencies, the
visit order and, for Dijkstra, a binary heap) and its own betweenness row; the rows
are summed at the end.  Predecessors are not stored: in the accumulation phase an
in-neighbour ``v`` of ``w`` is a predecessor exactly when ``dist[v] + len(v, w) ==
dist[w]``, the same floating-point expression the forward phase used.

The readable specification is ``_brandes_ref.py`` beside this file.
"""

from cython.parallel cimport parallel, prange, threadid
from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc
from cpython.pyport cimport PY_SSIZE_T_MAX

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #endif
    /* At most the processors this process may run on (libgomp ends the process when
       it cannot create a requested thread): a last line of defence. */
    static int conc_bc_team(int n) {
    #ifdef _OPENMP
        int procs = omp_get_num_procs();
        return n < 1 ? 1 : (n > procs ? procs : n);
    #else
        (void)n; return 1;
    #endif
    }
    """
    int _team "conc_bc_team"(int n) noexcept nogil

ctypedef long long i64

ctypedef fused dist_t:  # hop counts (BFS) or path lengths (Dijkstra)
    i64
    double


cdef inline void _heap_push(double* keys, i64* vals, i64* size, double key, i64 val) noexcept nogil:
    cdef i64 i = size[0]
    cdef i64 parent
    size[0] += 1
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val


cdef inline void _heap_pop(double* keys, i64* vals, i64* size, double* key, i64* val) noexcept nogil:
    cdef i64 n, i, child
    cdef double last_key
    cdef i64 last_val
    key[0] = keys[0]
    val[0] = vals[0]
    size[0] -= 1
    n = size[0]
    if n == 0:
        return
    last_key = keys[n]
    last_val = vals[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= last_key:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = last_key
    vals[i] = last_val


cdef inline void _accumulate(i64 count, const i64* order, const i64* rindptr,
                             const i64* rindices, const double* rlength, dist_t* dist,
                             char* done, double* sigma, double* delta,
                             double* bc) noexcept nogil:
    """Brandes' backward phase over the visit ``order``, then reset the buffers.

    An in-neighbour ``v`` of ``w`` is a predecessor when it was reached and lies one
    hop (BFS, ``dist_t`` = i64) or one edge length (Dijkstra, ``double``) before ``w``.
    """
    cdef i64 j, v, w, e
    cdef double coeff
    j = count - 1
    while j > 0:
        w = order[j]
        coeff = (1.0 + delta[w]) / sigma[w]
        for e in range(rindptr[w], rindptr[w + 1]):
            v = rindices[e]
            if dist_t is i64:
                if dist[v] >= 0 and dist[v] == dist[w] - 1:
                    delta[v] += sigma[v] * coeff
            else:
                if done[v] and dist[v] + rlength[e] == dist[w]:
                    delta[v] += sigma[v] * coeff
        bc[w] += delta[w]
        j -= 1
    for j in range(count):
        w = order[j]
        if dist_t is i64:
            dist[w] = -1
        else:
            dist[w] = INFINITY
            done[w] = 0
        sigma[w] = 0.0
        delta[w] = 0.0


cdef void _bfs_source(i64 s, const i64* indptr, const i64* indices, const i64* rindptr,
                      const i64* rindices, i64* dist, double* sigma, double* delta,
                      i64* order, double* bc) noexcept nogil:
    cdef i64 head = 0, tail = 1, v, w, e
    dist[s] = 0
    sigma[s] = 1.0
    order[0] = s
    while head < tail:
        v = order[head]
        head += 1
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            if dist[w] < 0:
                dist[w] = dist[v] + 1
                order[tail] = w
                tail += 1
            if dist[w] == dist[v] + 1:
                sigma[w] += sigma[v]
    _accumulate(tail, order, rindptr, rindices, NULL, dist, NULL, sigma, delta, bc)


cdef void _dijkstra_source(i64 s, const i64* indptr, const i64* indices, const double* length,
                           const i64* rindptr, const i64* rindices, const double* rlength,
                           double* dist, char* done, double* sigma, double* delta, i64* order,
                           double* hkeys, i64* hvals, double* bc) noexcept nogil:
    cdef i64 hsize = 0, count = 0, v, w, e
    cdef double d, nd
    dist[s] = 0.0
    sigma[s] = 1.0
    _heap_push(hkeys, hvals, &hsize, 0.0, s)
    while hsize > 0:
        _heap_pop(hkeys, hvals, &hsize, &d, &v)
        if done[v]:
            continue
        done[v] = 1
        order[count] = v
        count += 1
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            if done[w]:
                continue
            nd = dist[v] + length[e]
            if nd < dist[w]:
                dist[w] = nd
                sigma[w] = sigma[v]
                _heap_push(hkeys, hvals, &hsize, nd, w)
            elif nd == dist[w]:
                sigma[w] += sigma[v]
    _accumulate(count, order, rindptr, rindices, rlength, dist, done, sigma, delta, bc)


def betweenness_sum(const i64[::1] indptr, const i64[::1] indices, const double[::1] length,
                    const i64[::1] rindptr, const i64[::1] rindices, const double[::1] rlength,
                    const i64[::1] sources, bint weighted, double[:, ::1] out):
    """Add each source's Brandes dependencies into ``out[thread]`` (shape n_threads x n).

    Returns nothing; the caller sums ``out`` over threads and rescales.  The team has
    ``out.shape[0]`` threads, at most the processors available (extra rows of ``out``
    stay zero).  Each thread allocates ``41 n + 16 (m + 1)`` bytes; sizes whose byte
    count would overflow raise MemoryError before anything is allocated.
    """
    cdef i64 n = indptr.shape[0] - 1
    cdef i64 m = indices.shape[0]
    cdef i64 n_src = sources.shape[0]
    cdef int n_threads = _team(<int> min(out.shape[0], 1 << 30))
    cdef i64 i, t
    cdef int tid
    cdef i64* idist
    cdef double* ddist
    cdef char* done
    cdef double* sigma
    cdef double* delta
    cdef i64* order
    cdef double* hkeys
    cdef i64* hvals
    cdef int ok
    cdef int failed[1]
    cdef const i64* p_indptr = &indptr[0]
    cdef const i64* p_rindptr = &rindptr[0]
    cdef const i64* p_indices = &indices[0] if m > 0 else NULL
    cdef const i64* p_rindices = &rindices[0] if m > 0 else NULL
    cdef const double* p_len = &length[0] if m > 0 else NULL
    cdef const double* p_rlen = &rlength[0] if m > 0 else NULL
    cdef const i64* p_src = &sources[0] if n_src > 0 else NULL
    cdef double* p_out = &out[0, 0] if n > 0 else NULL
    failed[0] = 0
    idist = NULL
    ddist = NULL
    done = NULL
    sigma = NULL
    delta = NULL
    order = NULL
    hkeys = NULL
    hvals = NULL
    if n == 0 or n_src == 0:
        return
    if out.shape[0] < 1 or out.shape[1] < n:
        raise ValueError(f"betweenness kernel: out of shape ({out.shape[0]}, {out.shape[1]}) for "
                         f"{n} nodes (want at least one row of n)")
    if <size_t> (m + 1) > <size_t> PY_SSIZE_T_MAX // sizeof(double) \
            or <size_t> n > <size_t> PY_SSIZE_T_MAX // sizeof(double):
        raise MemoryError("betweenness: the per-thread work buffers do not fit in the "
                          "address space")
    with nogil, parallel(num_threads=n_threads):
        tid = threadid()
        idist = <i64*> malloc(n * sizeof(i64))
        ddist = <double*> malloc(n * sizeof(double))
        done = <char*> malloc(n * sizeof(char))
        sigma = <double*> malloc(n * sizeof(double))
        delta = <double*> malloc(n * sizeof(double))
        order = <i64*> malloc(n * sizeof(i64))
        hkeys = <double*> malloc((m + 1) * sizeof(double))
        hvals = <i64*> malloc((m + 1) * sizeof(i64))
        if (idist == NULL or ddist == NULL or done == NULL or sigma == NULL or delta == NULL
                or order == NULL or hkeys == NULL or hvals == NULL):
            ok = 0
            failed[0] = 1
        else:
            ok = 1
            for t in range(n):
                idist[t] = -1
                ddist[t] = INFINITY
                done[t] = 0
                sigma[t] = 0.0
                delta[t] = 0.0
        for i in prange(n_src, schedule="dynamic", chunksize=4):
            if ok:
                if weighted:
                    _dijkstra_source(p_src[i], p_indptr, p_indices, p_len, p_rindptr,
                                     p_rindices, p_rlen, ddist, done, sigma, delta, order,
                                     hkeys, hvals, p_out + tid * n)
                else:
                    _bfs_source(p_src[i], p_indptr, p_indices, p_rindptr, p_rindices,
                                idist, sigma, delta, order, p_out + tid * n)
        free(idist)
        free(ddist)
        free(done)
        free(sigma)
        free(delta)
        free(order)
        free(hkeys)
        free(hvals)
    if failed[0]:
        raise MemoryError("betweenness: could not allocate the per-thread work buffers")
