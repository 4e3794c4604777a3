# cython: language_level=3
"""Shortest-path kernels over CSR, in parallel over sources: Brandes betweenness
(node and edge), and the distance sums behind closeness and harmonic centrality.

Private kernels: :mod:`concentration.network` validates everything first.  A graph is
given as CSR arrays with int64 ``indptr``/``indices`` and float64 lengths (positive;
ignored when ``weighted`` is false); betweenness takes it twice, forward
(out-neighbours) and reversed (in-neighbours).  No self loops, no duplicate edges.

Tied path lengths.  Two paths of the same true length can differ in the last bits
of their floating-point sums (lengths ``1/w`` are rarely exact).  Every length
comparison therefore uses one relative tolerance ``rtol`` (default
:data:`REL_TOL` = 1e-10, as igraph): ``a`` is *shorter* than ``b`` when
``a * (1 + rtol) < b`` and *tied* with it when neither is shorter than the other.
The forward (Dijkstra) pass and the accumulation pass apply the same test, so a
predecessor found in one is found in the other.  BFS hop counts are integers and
compared exactly.

Each OpenMP thread owns its buffers (distances, path counts, dependencies, the
visit order and, for Dijkstra, a binary heap) and its own output row; the rows are
summed by the caller.  The forward pass lists the arcs that reached a node on a
shortest path (Dijkstra: that tied or shortened its tentative length), in the
order of their tails; the accumulation reads the list backwards and keeps an arc
``v -> w`` exactly when ``dist[v] + len(v, w)`` is tied with ``dist[w]``.  Edge
betweenness scans each node's in-neighbours instead, with the same test.

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

ctypedef int hops_t  # BFS hop counts: int32 keeps the distance array in L1 longer

ctypedef fused dist_t:  # hop counts (BFS) or path lengths (Dijkstra)
    hops_t
    double

#: Relative tolerance under which two path lengths are tied.
REL_TOL = 1e-10


cdef inline bint _shorter(double a, double b, double f) noexcept nogil:
    """``a`` is shorter than ``b`` beyond the tolerance (``f = 1 + rtol``)."""
    return a * f < b


cdef inline bint _tied(double a, double b, double f) noexcept nogil:
    return not (a * f < b) and not (b * f < a)


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


cdef struct Pass:
    # the options of one betweenness run, shared read-only by every thread
    const double* target_w  # per-node weight of a path ending there (NULL: 1 everywhere)
    bint endpoints          # count the two ends of each path too
    double f                # 1 + rtol


cdef inline void _finish(i64 count, const i64* order, dist_t* dist, char* done, double* sigma,
                         double* delta, double* bc, const Pass* opt) noexcept nogil:
    """Count the source as the end of every path it starts (endpoints), then reset the
    buffers of the nodes reached."""
    cdef i64 j, w
    if opt.endpoints and count > 0:
        bc[order[0]] += count - 1
    for j in range(count):
        w = order[j]
        if dist_t is hops_t:
            dist[w] = -1
        else:
            dist[w] = INFINITY
            done[w] = 0
        sigma[w] = 0.0
        delta[w] = 0.0


cdef inline void _accumulate(i64 count, const i64* order, const i64* rindptr,
                             const i64* rindices, const double* rlength, dist_t* dist,
                             char* done, double* sigma, double* delta, double* bc,
                             double* ebc, const Pass* opt) noexcept nogil:
    """Brandes' backward phase over the visit ``order``, then reset the buffers.

    An in-neighbour ``v`` of ``w`` is a predecessor when it was reached and lies one
    hop (BFS, ``dist_t`` = hops_t) or one edge length, within the tolerance (Dijkstra,
    ``double``), before ``w``.  A path ending at ``w`` counts ``target_w[w]`` (1
    without targets); ``ebc`` (when not NULL) receives each arc's share, indexed
    like ``rindices``.
    """
    cdef i64 j, v, w, e
    cdef double coeff, c, tw
    cdef const double* target_w = opt.target_w
    cdef double extra = 1.0 if opt.endpoints else 0.0
    cdef double f = opt.f
    j = count - 1
    while j > 0:
        w = order[j]
        tw = 1.0 if target_w == NULL else target_w[w]
        coeff = (tw + delta[w]) / sigma[w]
        for e in range(rindptr[w], rindptr[w + 1]):
            v = rindices[e]
            if dist_t is hops_t:
                if not (dist[v] >= 0 and dist[v] == dist[w] - 1):
                    continue
            else:
                if not (done[v] and _tied(dist[v] + rlength[e], dist[w], f)):
                    continue
            c = sigma[v] * coeff
            delta[v] += c
            if ebc != NULL:
                ebc[e] += c
        bc[w] += delta[w] + extra
        j -= 1
    _finish(count, order, dist, done, sigma, delta, bc, opt)


ctypedef fused count_t:  # no path counts (char, pass NULL) or path counts (double)
    char
    double


cdef i64 _bfs(i64 s, const i64* indptr, const i64* indices, hops_t* dist, count_t* sigma,
              i64* order, i64* arc_e=NULL, i64* arc_v=NULL, i64* n_arcs=NULL) noexcept nogil:
    """Hop counts from ``s``; returns the number of nodes reached, listed in ``order``
    by distance.

    For ``double`` ``sigma`` it also counts the shortest paths to each node, and
    with ``arc_e`` lists the arcs of the shortest-path DAG: arc ``k`` is forward
    arc ``arc_e[k]`` from ``arc_v[k]``, in the BFS order of its tail, so that read
    backwards every arc out of a node comes before every arc into it (the order
    of Brandes' accumulation).  The ``char`` version (no counts, pass NULL) is
    compiled apart, without the path-count test in its inner loop.
    """
    cdef i64 head = 0, tail = 1, k = 0, v, w, e
    dist[s] = 0
    if count_t is double:
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
            if count_t is double:
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    if arc_e != NULL:
                        arc_e[k] = e
                        arc_v[k] = v
                        k += 1
    if n_arcs != NULL:
        n_arcs[0] = k
    return tail


cdef void _accumulate_dag(i64 count, const i64* order, i64 n_arcs, const i64* arc_e,
                          const i64* arc_v, const i64* indices, const double* length,
                          dist_t* dist, char* done, double* sigma, double* delta, double* bc,
                          const Pass* opt) noexcept nogil:
    """Brandes' backward phase over the listed arcs, read backwards, then reset.

    BFS (``dist_t`` = hops_t, :func:`_bfs`) lists exactly the DAG's arcs.  Dijkstra lists every arc
    that tied or shortened a tentative length; those whose length was shortened
    again later fail the tie test here, the same test as in the forward pass.
    """
    cdef i64 j, k, v, w, e
    cdef const double* target_w = opt.target_w
    cdef double extra = 1.0 if opt.endpoints else 0.0
    cdef double f = opt.f
    k = n_arcs - 1
    while k >= 0:
        v = arc_v[k]
        e = arc_e[k]
        w = indices[e]
        k -= 1
        if dist_t is double:
            if not _tied(dist[v] + length[e], dist[w], f):
                continue
        delta[v] += sigma[v] * ((1.0 if target_w == NULL else target_w[w]) + delta[w]) \
            / sigma[w]
    for j in range(1, count):
        w = order[j]
        bc[w] += delta[w] + extra
    _finish(count, order, dist, done, sigma, delta, bc, opt)


cdef i64 _dijkstra(i64 s, const i64* indptr, const i64* indices, const double* length,
                   double* dist, char* done, double* sigma, i64* order, double* hkeys,
                   i64* hvals, double f, i64* arc_e=NULL, i64* arc_v=NULL,
                   i64* n_arcs=NULL) noexcept nogil:
    """Path lengths (and tie-tolerant path counts when ``sigma`` is not NULL) from
    ``s``; returns the number of nodes reached, listed in ``order`` as settled.

    With ``arc_e`` every arc that tied or shortened a tentative length is listed
    (``arc_e[k]`` from ``arc_v[k]``, in the settle order of its tail), for
    :func:`_accumulate_dag`."""
    cdef i64 hsize = 0, count = 0, k = 0, v, w, e
    cdef double d, nd
    dist[s] = 0.0
    if sigma != NULL:
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
            if _shorter(nd, dist[w], f):
                dist[w] = nd
                if sigma != NULL:
                    sigma[w] = sigma[v]
                _heap_push(hkeys, hvals, &hsize, nd, w)
            elif sigma != NULL and not _shorter(dist[w], nd, f):
                sigma[w] += sigma[v]  # tied: one more family of shortest paths
            else:
                continue
            if arc_e != NULL:
                arc_e[k] = e
                arc_v[k] = v
                k += 1
    if n_arcs != NULL:
        n_arcs[0] = k
    return count


cdef struct Work:
    bint ok
    i64 n_arcs  # arcs of the current source's shortest-path DAG (private per thread)
    i64* arc_e
    i64* arc_v
    hops_t* idist
    double* ddist
    char* done
    double* sigma
    double* delta
    i64* order
    double* hkeys
    i64* hvals


cdef Work _alloc(i64 n, i64 m, bint need_paths) noexcept nogil:
    """One thread's buffers, allocated and cleared (``ok`` false when one failed).

    Returned by value, so that the variable it is assigned to in a parallel block is
    private to each thread.
    """
    cdef i64 t
    cdef Work w
    cdef Work* b = &w
    b.n_arcs = 0
    b.idist = <hops_t*> malloc(n * sizeof(hops_t))
    b.ddist = <double*> malloc(n * sizeof(double))
    b.done = <char*> malloc(n * sizeof(char))
    b.order = <i64*> malloc(n * sizeof(i64))
    b.hkeys = <double*> malloc((m + 1) * sizeof(double))
    b.hvals = <i64*> malloc((m + 1) * sizeof(i64))
    b.arc_e = <i64*> malloc((m + 1) * sizeof(i64)) if need_paths else NULL
    b.arc_v = <i64*> malloc((m + 1) * sizeof(i64)) if need_paths else NULL
    b.sigma = <double*> malloc(n * sizeof(double)) if need_paths else NULL
    b.delta = <double*> malloc(n * sizeof(double)) if need_paths else NULL
    if (b.idist == NULL or b.ddist == NULL or b.done == NULL or b.order == NULL
            or b.hkeys == NULL or b.hvals == NULL
            or (need_paths and (b.sigma == NULL or b.delta == NULL or b.arc_e == NULL
                                or b.arc_v == NULL))):
        b.ok = False
        return w
    for t in range(n):
        b.idist[t] = -1
        b.ddist[t] = INFINITY
        b.done[t] = 0
        if need_paths:
            b.sigma[t] = 0.0
            b.delta[t] = 0.0
    b.ok = True
    return w


cdef void _release(Work w) noexcept nogil:
    cdef Work* b = &w
    free(b.arc_e)
    free(b.arc_v)
    free(b.idist)
    free(b.ddist)
    free(b.done)
    free(b.sigma)
    free(b.delta)
    free(b.order)
    free(b.hkeys)
    free(b.hvals)


cdef int _check_sizes(i64 n, i64 m) except -1:
    if n > 2147483647:
        raise MemoryError("shortest paths: more than 2**31 - 1 nodes")
    if <size_t> (m + 1) > <size_t> PY_SSIZE_T_MAX // sizeof(double) \
            or <size_t> n > <size_t> PY_SSIZE_T_MAX // sizeof(double):
        raise MemoryError("shortest paths: the per-thread work buffers do not fit in the "
                          "address space")
    return 0


def betweenness_sum(const i64[::1] indptr, const i64[::1] indices, const double[::1] length,
                    const i64[::1] rindptr, const i64[::1] rindices, const double[::1] rlength,
                    const i64[::1] sources, bint weighted, double[:, ::1] out, *,
                    const double[::1] target_w=None, bint endpoints=False,
                    double[:, ::1] edge_out=None, double rtol=REL_TOL):
    """Add each source's Brandes dependencies into ``out[thread]`` (shape n_threads x n).

    ``target_w`` (length n): weight of a path by its end (1/0 for a target subset,
    Brandes 2008 section 3.1); ``endpoints``: count each path's ends as well;
    ``edge_out`` (n_threads x m): each arc's dependency, indexed like ``rindices``
    (edge betweenness).  Returns nothing; the caller sums the rows over threads and
    rescales.  The team has ``out.shape[0]`` threads, at most the processors
    available (extra rows stay zero).  Each thread allocates ``37 n + 32 (m + 1)``
    bytes; sizes whose byte count would overflow raise MemoryError first.
    """
    cdef i64 n = indptr.shape[0] - 1
    cdef i64 m = indices.shape[0]
    cdef i64 n_src = sources.shape[0]
    cdef int n_threads = _team(<int> min(out.shape[0], 1 << 30))
    cdef i64 i, count
    cdef int tid
    cdef Work b
    cdef Pass opt
    cdef bint ok
    cdef int failed[1]
    cdef double* p_ebc = NULL
    cdef double* row_e
    cdef const i64* p_indptr = &indptr[0]
    cdef const i64* p_rindptr = &rindptr[0]
    cdef const i64* p_indices = &indices[0] if m > 0 else NULL
    cdef const i64* p_rindices = &rindices[0] if m > 0 else NULL
    cdef const double* p_len = &length[0] if m > 0 else NULL
    cdef const double* p_rlen = &rlength[0] if m > 0 else NULL
    cdef const i64* p_src = &sources[0] if n_src > 0 else NULL
    cdef double* p_out = &out[0, 0] if n > 0 else NULL
    failed[0] = 0
    if n == 0 or n_src == 0:
        return
    if out.shape[0] < 1 or out.shape[1] < n:
        raise ValueError(f"betweenness kernel: out of shape ({out.shape[0]}, {out.shape[1]}) for "
                         f"{n} nodes (want at least one row of n)")
    if target_w is not None and target_w.shape[0] < n:
        raise ValueError("betweenness kernel: target_w shorter than the number of nodes")
    if edge_out is not None:
        if edge_out.shape[0] < n_threads or edge_out.shape[1] < m:
            raise ValueError("betweenness kernel: edge_out needs one row of m per thread")
        if m > 0:
            p_ebc = &edge_out[0, 0]
    if not rtol >= 0.0:
        raise ValueError("betweenness kernel: rtol must be >= 0")
    _check_sizes(n, m)
    opt.target_w = &target_w[0] if target_w is not None else NULL
    opt.endpoints = endpoints
    opt.f = 1.0 + rtol
    with nogil, parallel(num_threads=n_threads):
        tid = threadid()
        b = _alloc(n, m, True)
        ok = b.ok
        if not ok:
            failed[0] = 1
        row_e = p_ebc + tid * m if p_ebc != NULL else NULL
        for i in prange(n_src, schedule="dynamic", chunksize=4):
            if ok:
                if weighted and row_e == NULL:
                    count = _dijkstra(p_src[i], p_indptr, p_indices, p_len, b.ddist, b.done,
                                      b.sigma, b.order, b.hkeys, b.hvals, opt.f, b.arc_e,
                                      b.arc_v, &b.n_arcs)
                    _accumulate_dag(count, b.order, b.n_arcs, b.arc_e, b.arc_v, p_indices,
                                    p_len, b.ddist, b.done, b.sigma, b.delta,
                                    p_out + tid * n, &opt)
                elif weighted:
                    count = _dijkstra(p_src[i], p_indptr, p_indices, p_len, b.ddist, b.done,
                                      b.sigma, b.order, b.hkeys, b.hvals, opt.f)
                    _accumulate(count, b.order, p_rindptr, p_rindices, p_rlen, b.ddist,
                                b.done, b.sigma, b.delta, p_out + tid * n, row_e, &opt)
                elif row_e == NULL:
                    count = _bfs(p_src[i], p_indptr, p_indices, b.idist, b.sigma, b.order,
                                 b.arc_e, b.arc_v, &b.n_arcs)
                    _accumulate_dag(count, b.order, b.n_arcs, b.arc_e, b.arc_v, p_indices,
                                    NULL, b.idist, NULL, b.sigma, b.delta, p_out + tid * n,
                                    &opt)
                else:
                    count = _bfs(p_src[i], p_indptr, p_indices, b.idist, b.sigma, b.order)
                    _accumulate(count, b.order, p_rindptr, p_rindices, NULL, b.idist,
                                NULL, b.sigma, b.delta, p_out + tid * n, row_e, &opt)
        _release(b)
    if failed[0]:
        raise MemoryError("betweenness: could not allocate the per-thread work buffers")


def path_sums(const i64[::1] indptr, const i64[::1] indices, const double[::1] length,
              const i64[::1] sources, bint weighted, const char[::1] mask,
              double[:, ::1] out, int n_threads):
    """Distance sums from each source: ``out[i] = (sum d, count, sum 1/d)`` over the
    nodes ``v != sources[i]`` reached from it with ``mask[v]`` set.

    Run on the reversed graph, ``d`` is the distance *to* the source (closeness and
    harmonic centrality as networkx defines them on directed graphs).  Hop counts
    when not ``weighted``.  Sources run in parallel on at most ``n_threads`` threads,
    each with ``21 n + 16 (m + 1)`` bytes of buffers.
    """
    cdef i64 n = indptr.shape[0] - 1
    cdef i64 m = indices.shape[0]
    cdef i64 n_src = sources.shape[0]
    cdef int team = _team(n_threads)
    cdef i64 i, j, count, s, v
    cdef double d, tot, harm, reach
    cdef Work b
    cdef bint ok
    cdef int failed[1]
    cdef const i64* p_indptr = &indptr[0]
    cdef const i64* p_indices = &indices[0] if m > 0 else NULL
    cdef const double* p_len = &length[0] if m > 0 else NULL
    cdef const i64* p_src = &sources[0] if n_src > 0 else NULL
    cdef const char* p_mask = &mask[0] if n > 0 else NULL
    cdef double* p_out = &out[0, 0] if n_src > 0 else NULL
    failed[0] = 0
    if n == 0 or n_src == 0:
        return
    if out.shape[0] < n_src or out.shape[1] < 3 or mask.shape[0] < n:
        raise ValueError("path_sums kernel: out must be (n_sources, 3) and mask of length n")
    _check_sizes(n, m)
    with nogil, parallel(num_threads=team):
        b = _alloc(n, m, False)
        ok = b.ok
        if not ok:
            failed[0] = 1
        for i in prange(n_src, schedule="dynamic", chunksize=8):
            if ok:
                s = p_src[i]
                tot = 0.0
                harm = 0.0
                reach = 0.0
                if weighted:
                    count = _dijkstra(s, p_indptr, p_indices, p_len, b.ddist, b.done, NULL,
                                      b.order, b.hkeys, b.hvals, 1.0)
                else:
                    count = _bfs(s, p_indptr, p_indices, b.idist, <char*> NULL, b.order)
                for j in range(1, count):
                    v = b.order[j]
                    if p_mask[v]:
                        d = b.ddist[v] if weighted else <double> b.idist[v]
                        tot = tot + d
                        harm = harm + 1.0 / d
                        reach = reach + 1.0
                for j in range(count):
                    v = b.order[j]
                    b.idist[v] = -1
                    b.ddist[v] = INFINITY
                    b.done[v] = 0
                p_out[3 * i] = tot
                p_out[3 * i + 1] = reach
                p_out[3 * i + 2] = harm
        _release(b)
    if failed[0]:
        raise MemoryError("path_sums: could not allocate the per-thread work buffers")
