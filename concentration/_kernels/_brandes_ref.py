"""Readable specification of the compiled Brandes kernel (``_brandes.pyx``).

Same inputs and output as :func:`concentration._kernels._brandes.betweenness_sum`
(CSR forward and reversed graphs, the sources to run, lengths used when
``weighted``), written with Python loops, :class:`collections.deque` and
:mod:`heapq`.  Tests compare the two; the library never calls this module.

Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
Mathematical Sociology 25(2), 163-177, Algorithm 1 (BFS) and section 4 (Dijkstra).
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

__all__ = ["betweenness_sum"]


def _single_source(s, indptr, indices, length, rindptr, rindices, rlength, weighted, bc):
    n = indptr.size - 1
    dist = np.full(n, np.inf)
    sigma = np.zeros(n)
    delta = np.zeros(n)
    order = []
    dist[s] = 0.0
    sigma[s] = 1.0
    if weighted:
        done = np.zeros(n, dtype=bool)
        heap = [(0.0, s)]
        while heap:
            d, v = heapq.heappop(heap)
            if done[v]:
                continue
            done[v] = True
            order.append(v)
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if done[w]:
                    continue
                nd = dist[v] + length[e]
                if nd < dist[w]:
                    dist[w] = nd
                    sigma[w] = sigma[v]
                    heapq.heappush(heap, (nd, w))
                elif nd == dist[w]:
                    sigma[w] += sigma[v]
    else:
        queue = deque([s])
        while queue:
            v = queue.popleft()
            order.append(v)
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                if dist[w] == np.inf:
                    dist[w] = dist[v] + 1.0
                    queue.append(w)
                if dist[w] == dist[v] + 1.0:
                    sigma[w] += sigma[v]
    for w in reversed(order[1:]):
        for e in range(rindptr[w], rindptr[w + 1]):
            v = rindices[e]
            step = rlength[e] if weighted else 1.0
            if dist[v] < np.inf and dist[v] + step == dist[w]:
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
        bc[w] += delta[w]


def betweenness_sum(indptr, indices, length, rindptr, rindices, rlength, sources, weighted, out):
    """Add every source's dependencies into ``out[0]`` (the reference runs on one thread)."""
    for s in np.asarray(sources):
        _single_source(int(s), indptr, indices, length, rindptr, rindices, rlength,
                       bool(weighted), out[0])
