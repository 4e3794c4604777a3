"""Network centrality against networkx and hand-written scipy, on an alliance-like graph.

    python benchmarks/bench_network.py               # 100,000 nodes (make_alliance_graph)
    python benchmarks/bench_network.py --nodes 20000 # a quick check

The graph is the largest connected component of ``make_alliance_graph(n)`` (power-law
degrees, mean 8), so that eigenvector centrality is defined and networkx accepts it.
In one process and on the same graph it times:

* PageRank (alpha 0.85, per-node L1 tolerance 1e-10): ``PartnershipNetwork.centrality``
  vs a scipy power iteration written by hand (the floor: the same SpMV loop without
  validation) vs ``networkx.pagerank`` (itself scipy-based since networkx 3).
* Eigenvector: ours (ARPACK through ``scipy.sparse.linalg.eigsh``) vs ``eigsh`` by hand
  vs ``networkx.eigenvector_centrality_numpy``.
* Sampled betweenness (``k`` sources, BFS): ours (compiled Brandes, OpenMP, 1 and all
  threads) vs ``networkx.betweenness_centrality(k=...)``.  networkx is pure Python and
  takes about a second per source at 100,000 nodes, so it runs on ``--nx-k`` sources
  (default 8) and the ratio is per source.  scipy has no betweenness.
* Exact betweenness on a small graph (``--exact-nodes``, default 2,000) vs networkx.

Times are the best of ``--repeat`` runs; the network (CSR) is built once beforehand
and its construction time is printed separately.  Results are checked to agree.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import best  # noqa: E402
from generators import make_alliance_graph  # noqa: E402

from concentration.network import PartnershipNetwork  # noqa: E402


def largest_component(A):
    _, labels = csgraph.connected_components(A, directed=False)
    keep = np.flatnonzero(labels == np.bincount(labels).argmax())
    return A[keep][:, keep].tocsr()


def network_from(A):
    U = sp.triu(A, k=1).tocoo()
    frame = pd.DataFrame({"source": U.row.astype(np.int64), "target": U.col.astype(np.int64)})
    return PartnershipNetwork(frame)


def scipy_pagerank(A, alpha=0.85, tol=1e-10, max_iter=1000):
    n = A.shape[0]
    deg = np.asarray(A.sum(axis=1)).ravel()
    PT = (sp.diags(1.0 / deg) @ A).T.tocsr()
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (PT @ last) + (1 - alpha) / n
        if np.abs(x - last).sum() < n * tol:
            return x
    raise RuntimeError("no convergence")


def scipy_eigenvector(A):
    _, vec = spla.eigsh(A, k=1, which="LA")
    v = vec[:, 0]
    return v / (np.sign(v.sum()) * np.linalg.norm(v))


def line(label, t, ref=None, ref_label=""):
    ratio = f"   {ref / t:8.1f}x vs {ref_label}" if ref is not None else ""
    print(f"  {label:<44s} {t:9.3f} s{ratio}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=256, help="sampled betweenness sources (ours)")
    ap.add_argument("--nx-k", type=int, default=8, help="sampled sources for networkx")
    ap.add_argument("--exact-nodes", type=int, default=2_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    import networkx as nx

    A = largest_component(make_alliance_graph(args.nodes, seed=0))
    n, m = A.shape[0], A.nnz // 2
    print(f"alliance graph: largest component of make_alliance_graph({args.nodes}): "
          f"{n:,} nodes, {m:,} edges; threads available: {len(os.sched_getaffinity(0))}")
    t0 = time.perf_counter()
    net = network_from(A)
    net.adjacency(weight_as=None)  # build and cache the CSR
    print(f"  PartnershipNetwork construction + CSR build: {time.perf_counter() - t0:.3f} s")
    # our node order is sorted ids = 0..n-1, the same as A's
    t0 = time.perf_counter()
    G = nx.from_scipy_sparse_array(A)
    print(f"  networkx graph construction (not timed below): {time.perf_counter() - t0:.3f} s")

    print("\nPageRank (alpha 0.85, tol 1e-10 per node)")
    t_ours, pr = best(lambda: net.centrality("pagerank", weight_as=None, tol=1e-10),
                      args.repeat)
    t_sp, pr_sp = best(lambda: scipy_pagerank(A), args.repeat)
    t_nx, pr_nx = best(lambda: nx.pagerank(G, tol=1e-10, weight=None), 1)
    line("concentration", t_ours)
    line("scipy power iteration by hand", t_sp)
    line("networkx.pagerank", t_nx)
    print(f"  ratios: {t_nx / t_ours:.1f}x faster than networkx; "
          f"{t_ours / t_sp:.2f}x the time of the hand-written scipy loop")
    nx_vec = np.array([pr_nx[i] for i in range(n)])
    print(f"  max |ours - scipy| = {np.abs(pr.to_numpy() - pr_sp).max():.1e}, "
          f"max |ours - networkx| = {np.abs(pr.to_numpy() - nx_vec).max():.1e}")

    print("\nEigenvector centrality")
    t_ours, ev = best(lambda: net.centrality("eigenvector", weight_as=None), args.repeat)
    t_sp, ev_sp = best(lambda: scipy_eigenvector(A), args.repeat)
    t_nx, ev_nx = best(lambda: nx.eigenvector_centrality_numpy(G, weight=None), 1)
    line("concentration (eigsh + connectivity check)", t_ours)
    line("scipy eigsh k=1 by hand", t_sp)
    line("networkx.eigenvector_centrality_numpy", t_nx)
    print(f"  ratios: {t_nx / t_ours:.1f}x faster than networkx; "
          f"{t_ours / t_sp:.2f}x the time of scipy eigsh k=1")
    nx_vec = np.array([ev_nx[i] for i in range(n)])
    print(f"  max |ours - scipy| = {np.abs(ev.to_numpy() - ev_sp).max():.1e}, "
          f"max |ours - networkx| = {np.abs(ev.to_numpy() - nx_vec).max():.1e}")

    print(f"\nSampled betweenness (k sources, BFS, {n:,} nodes)")
    threads = len(os.sched_getaffinity(0))
    t1, b1 = best(lambda: net.centrality("betweenness", weight_as=None, k=args.k, seed=1,
                                         n_threads=1), args.repeat)
    tT, bT = best(lambda: net.centrality("betweenness", weight_as=None, k=args.k, seed=1,
                                         n_threads=threads), args.repeat)
    assert np.allclose(b1, bT, atol=1e-12)
    t_nx, _ = best(lambda: nx.betweenness_centrality(G, k=args.nx_k, seed=1), 1)
    per_nx = t_nx / args.nx_k
    line(f"concentration k={args.k}, 1 thread", t1)
    line(f"concentration k={args.k}, {threads} threads", tT)
    line(f"networkx k={args.nx_k}", t_nx)
    edges_per_s = args.k * 4 * m / tT  # each arc scanned forward and backward
    print(f"  per source: ours {t1 / args.k * 1e3:.2f} ms (1 thread), "
          f"{tT / args.k * 1e3:.2f} ms ({threads} threads); networkx {per_nx * 1e3:.0f} ms")
    print(f"  ratio per source: {per_nx / (t1 / args.k):.0f}x networkx on 1 thread, "
          f"{per_nx / (tT / args.k):.0f}x on {threads}; {threads}-thread speed-up "
          f"{t1 / tT:.2f}x; {edges_per_s / 1e6:.0f} M arc-visits/s (forward + backward)")

    print(f"\nExact betweenness on a smaller graph (networkx is too slow at {n:,} nodes)")
    S = largest_component(make_alliance_graph(args.exact_nodes, seed=2))
    small = network_from(S)
    Gs = nx.from_scipy_sparse_array(S)
    t_ours, bs = best(lambda: small.centrality("betweenness", weight_as=None), args.repeat)
    t_nx, bs_nx = best(lambda: nx.betweenness_centrality(Gs), 1)
    line(f"concentration ({S.shape[0]:,} nodes, exact)", t_ours)
    line("networkx.betweenness_centrality", t_nx, )
    print(f"  ratio: {t_nx / t_ours:.0f}x faster than networkx; max |diff| = "
          f"{np.abs(bs.to_numpy() - np.array([bs_nx[i] for i in range(S.shape[0])])).max():.1e}")


if __name__ == "__main__":
    main()
