"""Benchmark of concentration.overlap against the tools users would otherwise pick.

Run from a source checkout after building::

    python benchmarks/bench_overlap.py            # full shapes (a few minutes)
    python benchmarks/bench_overlap.py --small    # quick check

Every comparison runs in the same process on the same inputs; ratios are what to
read (absolute times vary by a third between runs on shared machines).  Peak
memory is the tracemalloc peak of the call (NumPy buffers are traced; memory that
compiled libraries allocate with plain malloc is not), next to the size of the
output.  Inputs come from ``benchmarks/generators.py``.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import measure  # noqa: E402
from generators import (  # noqa: E402
    make_alliance_graph,
    make_control_cashflow,
    make_ownership,
    products,
)

from concentration import overlap  # noqa: E402

try:
    from sparse_dot_topn import sp_matmul_topn
except ImportError:  # pragma: no cover
    sp_matmul_topn = None

try:
    from sklearn.metrics.pairwise import cosine_similarity
except ImportError:  # pragma: no cover
    cosine_similarity = None


def nbytes(x):
    if sp.issparse(x):
        return x.data.nbytes + x.indices.nbytes + x.indptr.nbytes
    return np.asarray(x).nbytes


def row(label, t, peak, out, prods=None):
    rate = f"{prods / t / 1e9:6.2f} G products/s" if prods else " " * 20
    print(f"  {label:<46s} {t:8.3f} s  {rate}  peak {peak / 2**20:8.0f} MiB "
          f"(output {nbytes(out) / 2**20:6.0f} MiB)", flush=True)


def ratio(label, base, ours, must):
    r = base / ours
    verdict = "meets" if r >= must else "BELOW"
    print(f"  RATIO {label:<52s} {r:6.1f}x  (must >= {must}x: {verdict})", flush=True)
    return r


def scipy_cosine(W):
    C = (W @ W.T).toarray()
    n = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    n[n == 0] = 1.0
    C /= n[:, None]
    C /= n[None, :]
    return C


def scipy_kappa(G, B):
    C = (G @ B.T).toarray()
    d = np.asarray(G.multiply(B).sum(axis=1)).ravel()
    C /= d[:, None]
    return C


def scipy_jaccard(A):
    """All 2-hop pairs: C = A·Aᵀ counts, then c / (d_j + d_k - c) on the stored entries."""
    Ab = A.copy()
    Ab.data[:] = 1.0
    C = (Ab @ Ab.T).tocsr()
    d = np.diff(Ab.indptr).astype(np.float64)
    r = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    C.data = C.data / (d[r] + d[C.indices] - C.data)
    return C


def topn_cosine(W, k, nt):
    n = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    n[n == 0] = 1.0
    Wn = sp.csr_matrix(sp.diags(1.0 / n) @ W)
    return sp_matmul_topn(Wn, Wn.T.tocsr(), top_n=k, n_threads=nt, sort=False)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="small shapes for a quick check")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    nt = args.threads
    if args.small:
        own = dict(n_firms=2000, n_owners=8000, nnz=300_000)
        n_nodes = 20_000
    else:
        own = dict(n_firms=8000, n_owners=30000, nnz=4_000_000)
        n_nodes = 100_000
    print(f"concentration.overlap benchmark ({'small' if args.small else 'full'} shapes, "
          f"{nt} threads for the parallel tools; {os.cpu_count()} CPUs visible, shared "
          "with other users: compare ratios within this run)")

    # ------------------------------------------------------------------ 13F-like
    W = make_ownership(**own)
    G, B = make_control_cashflow(W)
    p = products(W)
    print(f"\n13F-like ownership W: {W.shape[0]} firms x {W.shape[1]} owners, {W.nnz} holdings, "
          f"{p:.3g} Gustavson products (full W·Wᵀ)")
    t_sc, m_sc, S_sc = measure(lambda: scipy_cosine(W))
    row("scipy W@W.T + cosine normalisation (1 thr)", t_sc, m_sc, S_sc, p)
    t_cos, m_cos, S = measure(lambda: overlap(W, metric="cosine", n_threads=nt), repeat=2)
    row("overlap(W, metric='cosine')", t_cos, m_cos, S, p)
    err = np.abs(S - S_sc).max()
    del S_sc
    if cosine_similarity is not None:
        t_sk, m_sk, S_sk = measure(lambda: cosine_similarity(W, dense_output=True))
        row("sklearn cosine_similarity (dense output)", t_sk, m_sk, S_sk, p)
        del S_sk
    print(f"  max |overlap - scipy| = {err:.2e}")
    inputs = nbytes(W)
    ratio("cosine dense vs scipy W@W.T (target 1)", t_sc, t_cos, 8)
    if cosine_similarity is not None:
        print(f"  RATIO cosine dense vs sklearn cosine_similarity            {t_sk / t_cos:6.1f}x")
    print(f"  MEMORY cosine: peak {m_cos / 2**20:.0f} MiB vs output+inputs "
          f"{(nbytes(S) + inputs) / 2**20:.0f} MiB -> "
          f"{m_cos / (nbytes(S) + inputs):.2f}x (must <= 1.25x)")
    del S

    t_sk_kappa, m_sk_kappa, K_sc = measure(lambda: scipy_kappa(G, B))
    row("scipy G@B.T / diag (kappa, 1 thr)", t_sk_kappa, m_sk_kappa, K_sc, p)
    t_k, m_k, K = measure(lambda: overlap(B, metric="kappa", control=G, n_threads=nt), repeat=2)
    row("overlap(B, metric='kappa', control=G)", t_k, m_k, K, p)
    ok = np.isfinite(K_sc)
    rel = np.abs(K[ok] - K_sc[ok]) / np.maximum(np.abs(K_sc[ok]), 1e-300)
    print(f"  max relative |overlap - scipy| (kappa) = {rel.max():.2e}")
    del K, K_sc
    ratio("kappa dense vs scipy G@B.T (target 1)", t_sk_kappa, t_k, 8)

    k = 50
    t_ok, m_ok, T = measure(lambda: overlap(W, metric="cosine", top_k=k, n_threads=nt),
                            repeat=2)
    row(f"overlap(W, metric='cosine', top_k={k})", t_ok, m_ok, T, p)
    if sp_matmul_topn is not None:
        t_tn, m_tn, T_tn = measure(lambda: topn_cosine(W, k, nt))
        row(f"sparse_dot_topn sp_matmul_topn top_n={k} ({nt} thr)", t_tn, m_tn, T_tn, p)
        same = np.allclose(np.sort(T.data), np.sort(T_tn.data), rtol=1e-9)
        print(f"  same top-{k} scores as sparse_dot_topn: {same}")
        ratio(f"top-{k} cosine vs sparse_dot_topn (target 2)", t_tn, t_ok, 2)
    else:
        print("  sparse_dot_topn is not installed: top-k ratio not measured")
    del T

    t_j, m_j, J = measure(lambda: overlap(W, metric="jaccard", n_threads=nt))
    row("overlap(W, metric='jaccard') dense", t_j, m_j, J, p)
    del J

    # ------------------------------------------------------------------ alliance graph
    A = make_alliance_graph(n_nodes)
    pa = products(A)
    print(f"\nalliance graph: {A.shape[0]} nodes, {A.nnz // 2} edges, {pa:.3g} products")
    t_sj, m_sj, J_sc = measure(lambda: scipy_jaccard(A))
    row("scipy A@A.T + Jaccard formula (1 thr)", t_sj, m_sj, J_sc, pa)
    t_oj, m_oj, J = measure(lambda: overlap(A, metric="jaccard", output="csr", n_threads=nt))
    row("overlap(A, metric='jaccard', output='csr')", t_oj, m_oj, J, pa)
    J_sc.sort_indices()
    same = J.nnz == J_sc.nnz and np.allclose(J.data, J_sc.data, rtol=1e-12)
    print(f"  same pairs and scores as scipy: {same} ({J.nnz} pairs)")
    ratio("all-pairs Jaccard vs scipy formula (target 3)", t_sj, t_oj, 10)
    print(f"  MEMORY jaccard: peak {m_oj / 2**20:.0f} MiB vs output+inputs "
          f"{(nbytes(J) + nbytes(A)) / 2**20:.0f} MiB -> "
          f"{m_oj / (nbytes(J) + nbytes(A)):.2f}x (must <= 1.25x)")
    del J, J_sc
    t_a, m_a, T = measure(lambda: overlap(A, metric="cosine", top_k=20, n_threads=nt))
    row("overlap(A, metric='cosine', top_k=20)", t_a, m_a, T, pa)
    if sp_matmul_topn is not None:
        t_tn, m_tn, T_tn = measure(lambda: topn_cosine(A, 20, nt))
        row(f"sparse_dot_topn top_n=20 ({nt} thr)", t_tn, m_tn, T_tn, pa)
        print(f"  RATIO alliance top-20 cosine vs sparse_dot_topn            "
              f"{t_tn / t_a:6.1f}x")


if __name__ == "__main__":
    main()
