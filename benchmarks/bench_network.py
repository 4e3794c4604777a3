"""Network centrality against igraph, networkx and hand-written scipy, in one run.

    python benchmarks/bench_network.py               # 100,000 nodes (make_alliance_graph)
    python benchmarks/bench_network.py --nodes 20000 # a quick check
    python benchmarks/bench_network.py --skip-networkx

Graphs are the largest connected components of ``make_alliance_graph(n)`` (power-law
degrees, mean 8), so that eigenvector centrality is defined.  In one process, each
on the same graph and with the same options, it times:

* exact betweenness on a 3,000-node component (``--exact-nodes``): ours on 1 and all
  threads (unweighted data: the BFS kernel whatever ``weight_as``; and with random
  strengths, Dijkstra on lengths 1/w) vs igraph ``betweenness`` (C, one thread);
* closeness and harmonic centrality on a 5,000-node component (``--path-nodes``):
  ours (compiled BFS per firm, all threads) vs igraph ``closeness`` and
  ``harmonic_centrality``;
* Katz on the large graph with alpha = 0.5 / rho(A): ours vs scipy ``cg`` on
  (I - alpha A) x = 1 at the same relative tolerance (1e-12); then ours with the
  default alpha, which first computes rho(A);
* PageRank (alpha 0.85, default tolerance: L1 error below 1e-10) vs igraph's PRPACK
  and a scipy power iteration by hand, with the distance to PRPACK's scores;
* eigenvector centrality vs igraph and scipy ``eigsh`` (scaled to unit norm);
* sampled betweenness (k sources) vs networkx per source, and networkx on a small
  graph (``--nx-nodes``) for betweenness and closeness.

Times are the best of ``--repeat`` runs; networks (CSR) are built beforehand.  The
load average is printed before and after: ratios are meaningful within one run.
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


def igraph_graph(A):
    import igraph as ig

    U = sp.triu(A, k=1).tocoo()
    g = ig.Graph(n=A.shape[0], edges=np.column_stack([U.row, U.col]).tolist())
    g.es["weight"] = U.data.tolist()
    return g


def weighted_network(A, seed):
    """The same graph with random strengths in [1, 5) (lengths 1/w)."""
    rng = np.random.default_rng(seed)
    U = sp.triu(A, k=1).tocoo()
    w = rng.uniform(1.0, 5.0, U.nnz)
    frame = pd.DataFrame({"source": U.row.astype(np.int64), "target": U.col.astype(np.int64),
                          "weight": w})
    return PartnershipNetwork(frame), sp.csr_matrix((np.r_[w, w], (np.r_[U.row, U.col],
                                                                   np.r_[U.col, U.row])),
                                                     shape=A.shape)


def load_line(when):
    print(f"load average {when}: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"(threads available: {len(os.sched_getaffinity(0))})")


def component(nodes, seed):
    """(CSR, n, PartnershipNetwork, igraph Graph) of one alliance graph's largest component."""
    S = largest_component(make_alliance_graph(nodes, seed=seed))
    net = network_from(S)
    net.adjacency()  # build and cache the CSR
    return S, S.shape[0], net, igraph_graph(S)


def section_betweenness(args, threads):
    S, n, net, g = component(args.exact_nodes, 2)
    wnet, W = weighted_network(S, 5)
    gw = igraph_graph(W)
    gw.es["length"] = [1.0 / w for w in gw.es["weight"]]
    print(f"\nExact betweenness, {n:,} nodes, {S.nnz // 2:,} edges")
    t1, b1 = best(lambda: net.centrality("betweenness", n_threads=1), args.repeat)
    tT, bT = best(lambda: net.centrality("betweenness", n_threads=threads), args.repeat)
    t_ig, b_ig = best(lambda: g.betweenness(directed=False), args.repeat)
    line("concentration, 1 thread (unweighted: BFS)", t1)
    line(f"concentration, {threads} threads", tT)
    line("igraph betweenness (1 thread)", t_ig)
    scale = (n - 1) * (n - 2) / 2
    print(f"  ratio: {t_ig / tT:.2f}x igraph on {threads} threads, {t_ig / t1:.2f}x on 1; "
          f"max |diff| = {np.abs(bT.to_numpy() * scale - np.asarray(b_ig)).max():.1e}")
    tw, bw = best(lambda: wnet.centrality("betweenness", n_threads=threads), args.repeat)
    t_igw, bw_ig = best(lambda: gw.betweenness(directed=False, weights="length"), args.repeat)
    line(f"concentration weighted (lengths 1/w), {threads} threads", tw)
    line("igraph weighted", t_igw)
    print(f"  ratio: {t_igw / tw:.2f}x igraph; max |diff| = "
          f"{np.abs(bw.to_numpy() * scale - np.asarray(bw_ig)).max():.1e}")


def section_paths(args, threads):
    S, n, net, g = component(args.path_nodes, 3)
    print(f"\nCloseness and harmonic, {n:,} nodes, {S.nnz // 2:,} edges")
    for measure, peer in (("closeness", lambda: g.closeness()),
                          ("harmonic", lambda: g.harmonic_centrality(normalized=False))):
        t_ours, ours = best(lambda: net.centrality(measure, n_threads=threads), args.repeat)
        t1, _ = best(lambda: net.centrality(measure, n_threads=1), args.repeat)
        t_ig, theirs = best(peer, args.repeat)
        line(f"concentration {measure}, {threads} threads", t_ours)
        line(f"concentration {measure}, 1 thread", t1)
        line(f"igraph {measure} (1 thread)", t_ig)
        print(f"  ratio: {t_ig / t_ours:.2f}x igraph on {threads} threads, {t_ig / t1:.2f}x "
              f"on 1; max |diff| = {np.abs(ours.to_numpy() - np.asarray(theirs)).max():.1e}")


def section_spectral(args, A, net):
    import igraph as ig  # noqa: F401

    n = A.shape[0]
    g = igraph_graph(A)
    print(f"\nKatz, {n:,} nodes")
    rho = float(spla.eigsh(A, k=1, which="LA", tol=1e-10, return_eigenvectors=False)[0])
    alpha = 0.5 / rho

    def cg():
        M = sp.identity(n, format="csr") - alpha * A
        x, _ = spla.cg(M, np.ones(n), rtol=1e-12, atol=0.0)
        return x / np.linalg.norm(x)

    t_ours, k_ours = best(lambda: net.centrality("katz", alpha=alpha), args.repeat)
    t_cg, k_cg = best(cg, args.repeat)
    t_def, _ = best(lambda: net.centrality("katz"), args.repeat)
    line(f"concentration, alpha = 0.5/rho = {alpha:.4g}", t_ours)
    line("scipy cg on (I - alpha A) x = 1, rtol 1e-12", t_cg)
    line("concentration, default alpha (rho first)", t_def)
    print(f"  ratio: {t_ours / t_cg:.2f}x the time of scipy cg; "
          f"max |diff| = {np.abs(k_ours.to_numpy() - k_cg).max():.1e}")

    print("\nPageRank (alpha 0.85, default tolerance)")
    t_ours, pr = best(lambda: net.centrality("pagerank"), args.repeat)
    t_ig, pr_ig = best(lambda: g.pagerank(), args.repeat)
    t_sp, pr_sp = best(lambda: scipy_pagerank(A), args.repeat)
    line("concentration", t_ours)
    line("igraph pagerank (PRPACK)", t_ig)
    line("scipy power iteration by hand (tol 1e-10 per node)", t_sp)
    diff = np.abs(pr.to_numpy() - np.asarray(pr_ig))
    print(f"  ratio: {t_ig / t_ours:.2f}x igraph; {t_ours / t_sp:.2f}x the hand-written loop; "
          f"vs PRPACK: max |diff| {diff.max():.1e}, L1 {diff.sum():.1e}")

    print("\nEigenvector centrality")
    t_ours, ev = best(lambda: net.centrality("eigenvector"), args.repeat)
    t_ig, ev_ig = best(lambda: g.eigenvector_centrality(scale=True), args.repeat)
    t_sp, ev_sp = best(lambda: scipy_eigenvector(A), args.repeat)
    line("concentration (eigsh + connectivity check)", t_ours)
    line("igraph eigenvector_centrality", t_ig)
    line("scipy eigsh k=1 by hand", t_sp)
    v_ig = np.asarray(ev_ig) / np.linalg.norm(ev_ig)
    print(f"  ratio: {t_ig / t_ours:.2f}x igraph; {t_ours / t_sp:.2f}x scipy eigsh; "
          f"max |diff| vs igraph (unit norm) {np.abs(ev.to_numpy() - v_ig).max():.1e}")


def section_networkx(args, A, net, threads):
    import networkx as nx

    n = A.shape[0]
    m = A.nnz // 2
    G = nx.from_scipy_sparse_array(A)
    print(f"\nSampled betweenness (k sources, BFS, {n:,} nodes)")
    tT, _ = best(lambda: net.centrality("betweenness", k=args.k, seed=1, n_threads=threads),
                 args.repeat)
    t_nx, _ = best(lambda: nx.betweenness_centrality(G, k=args.nx_k, seed=1), 1)
    line(f"concentration k={args.k}, {threads} threads", tT)
    line(f"networkx k={args.nx_k}", t_nx)
    print(f"  per source: ours {tT / args.k * 1e3:.2f} ms, networkx "
          f"{t_nx / args.nx_k * 1e3:.0f} ms: {(t_nx / args.nx_k) / (tT / args.k):.0f}x; "
          f"{args.k * 4 * m / tT / 1e6:.0f} M arc-visits/s")
    S = largest_component(make_alliance_graph(args.nx_nodes, seed=4))
    small = network_from(S)
    Gs = nx.from_scipy_sparse_array(S)
    print(f"\nnetworkx on a small graph ({S.shape[0]:,} nodes)")
    for measure, peer in (("betweenness", lambda: nx.betweenness_centrality(Gs)),
                          ("closeness", lambda: nx.closeness_centrality(Gs))):
        t_ours, ours = best(lambda: small.centrality(measure), args.repeat)
        t_nx, theirs = best(peer, 1)
        line(f"concentration {measure}", t_ours)
        line(f"networkx {measure}", t_nx)
        print(f"  ratio: {t_nx / t_ours:.0f}x networkx; max |diff| = "
              f"{np.abs(ours.to_numpy() - np.array([theirs[i] for i in range(S.shape[0])])).max():.1e}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--exact-nodes", type=int, default=3_000)
    ap.add_argument("--path-nodes", type=int, default=5_000)
    ap.add_argument("--nx-nodes", type=int, default=1_000)
    ap.add_argument("--k", type=int, default=64, help="sampled betweenness sources (ours)")
    ap.add_argument("--nx-k", type=int, default=4, help="sampled sources for networkx")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-networkx", action="store_true")
    args = ap.parse_args(argv)
    threads = len(os.sched_getaffinity(0))
    load_line("at start")
    section_betweenness(args, threads)
    section_paths(args, threads)
    A = largest_component(make_alliance_graph(args.nodes, seed=0))
    print(f"\nalliance graph: largest component of make_alliance_graph({args.nodes}): "
          f"{A.shape[0]:,} nodes, {A.nnz // 2:,} edges")
    t0 = time.perf_counter()
    net = network_from(A)
    net.adjacency()  # build and cache the CSR
    print(f"  PartnershipNetwork construction + CSR build: {time.perf_counter() - t0:.3f} s")
    section_spectral(args, A, net)
    if not args.skip_networkx:
        section_networkx(args, A, net, threads)
    load_line("at end")


if __name__ == "__main__":
    main()
