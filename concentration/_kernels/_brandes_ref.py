"""Readable specification of the compiled shortest-path kernels (``_brandes.pyx``).

Same inputs and outputs as :func:`concentration._kernels._brandes.betweenness_sum`
and :func:`~concentration._kernels._brandes.path_sums` (CSR graphs, the sources to
run, lengths used when ``weighted``), written with Python loops,
:class:`collections.deque` and :mod:`heapq`.  Tests compare the two; the library
never calls this module.

Lengths may be any ordered numbers.  Given :class:`fractions.Fraction` lengths and
``rtol=0`` the reference is exact (path counts are integers, dependencies
fractions): the tests' exact-rational oracle for tied paths.

Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
Mathematical Sociology 25(2), 163-177, Algorithm 1 (BFS) and section 4 (Dijkstra).
Brandes, U. (2008). On variants of shortest-path betweenness centrality and their
generic computation. Social Networks 30(2), 136-145 (endpoints, subsets, edges).
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

__all__ = ["REL_TOL", "betweenness_sum", "path_sums"]

#: The kernel's tolerance: ``a`` is shorter than ``b`` when ``a * (1 + rtol) < b``.
REL_TOL = 1e-10


def _shorter(a, b, rtol):
    # rtol=0 compares the numbers themselves (Fractions stay exact)
    return a * (1 + rtol) < b if rtol else a < b


def _paths(s, indptr, indices, length, weighted, rtol):
    """(order, dist, sigma) from ``s``: visit order, lengths (or hops), path counts."""
    dist = {s: 0}
    sigma = {s: 1}
    order = []
    if weighted:
        done = set()
        heap = [(0, s)]
        while heap:
            _, v = heapq.heappop(heap)
            if v in done:
                continue
            done.add(v)
            order.append(v)
            for e in range(indptr[v], indptr[v + 1]):
                w = int(indices[e])
                if w in done:
                    continue
                nd = dist[v] + length[e]
                if w not in dist or _shorter(nd, dist[w], rtol):
                    dist[w] = nd
                    sigma[w] = sigma[v]
                    heapq.heappush(heap, (nd, w))
                elif not _shorter(dist[w], nd, rtol):  # tied
                    sigma[w] += sigma[v]
    else:
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            for e in range(indptr[v], indptr[v + 1]):
                w = int(indices[e])
                if w not in dist:
                    dist[w] = dist[v] + 1
                    sigma[w] = 0
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
    return order, dist, sigma


def _single_source(s, graph, weighted, bc, *, target_w, endpoints, ebc, rtol):
    indptr, indices, length, rindptr, rindices, rlength = graph
    order, dist, sigma = _paths(s, indptr, indices, length, weighted, rtol)
    delta = dict.fromkeys(order, 0)
    for w in reversed(order[1:]):
        tw = 1 if target_w is None else target_w[w]
        coeff = (tw + delta[w]) / sigma[w]
        for e in range(rindptr[w], rindptr[w + 1]):
            v = int(rindices[e])
            if v not in dist:
                continue
            if weighted:
                through = dist[v] + rlength[e]
                if _shorter(through, dist[w], rtol) or _shorter(dist[w], through, rtol):
                    continue
            elif dist[v] != dist[w] - 1:
                continue
            c = sigma[v] * coeff
            delta[v] += c
            if ebc is not None:
                ebc[e] += c
        bc[w] += delta[w] + (1 if endpoints else 0)
    if endpoints:
        bc[s] += len(order) - 1


def betweenness_sum(indptr, indices, length, rindptr, rindices, rlength, sources, weighted,
                    out, *, target_w=None, endpoints=False, edge_out=None, rtol=REL_TOL):
    """Add every source's dependencies into ``out[0]`` (the reference runs on one thread).

    ``out`` and ``edge_out`` may be NumPy arrays or lists of lists (of fractions).
    """
    graph = (indptr, indices, length, rindptr, rindices, rlength)
    for s in np.asarray(sources):
        _single_source(int(s), graph, bool(weighted), out[0], target_w=target_w,
                       endpoints=bool(endpoints),
                       ebc=None if edge_out is None else edge_out[0], rtol=rtol)


def path_sums(indptr, indices, length, sources, weighted, mask, out, n_threads=1):
    """``out[i] = (sum d, count, sum 1/d)`` over nodes ``v != sources[i]`` reached, ``mask[v]``."""
    for i, s in enumerate(np.asarray(sources)):
        order, dist, _ = _paths(int(s), indptr, indices, length, bool(weighted), 0.0)
        ds = [dist[v] for v in order[1:] if mask[v]]
        out[i][0] = sum(ds)
        out[i][1] = len(ds)
        out[i][2] = sum(1 / d for d in ds)
