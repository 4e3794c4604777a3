"""The compiled Brandes kernel against its readable reference (``_brandes_ref``).

Graphs are built here as CSR arrays (forward and reversed), so the kernel is checked
on its own inputs: random graphs, equal-length paths (where path counts add up),
isolated nodes, a subset of sources, one and several threads.
"""

import os
from fractions import Fraction
import numpy as np
import pytest
import scipy.sparse as sp

from concentration._kernels import _brandes_ref, load

brandes = load("_brandes")


def _graph(rng, n, p, *, directed, integer_lengths=False):
    """(forward CSR, reversed CSR) of a random graph; lengths in [1, 3] (integers if asked)."""
    mask = rng.random((n, n)) < p
    np.fill_diagonal(mask, False)
    lengths = (rng.integers(1, 4, size=(n, n)).astype(float) if integer_lengths
               else rng.uniform(1.0, 3.0, size=(n, n)))
    if not directed:
        mask = np.triu(mask)
        mask = mask | mask.T
        lengths = np.triu(lengths) + np.triu(lengths, 1).T
    A = sp.csr_matrix(np.where(mask, lengths, 0.0))
    A.sort_indices()
    R = A.T.tocsr()
    R.sort_indices()
    return A, R


def _args(A, R, sources, weighted):
    return [A.indptr.astype(np.int64), A.indices.astype(np.int64), A.data.astype(float),
            R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data.astype(float),
            np.asarray(sources, dtype=np.int64), weighted]


def _both(A, R, sources, weighted, n_threads=2):
    """(kernel sum over its thread rows, reference) for the same call."""
    n = A.shape[0]
    args = _args(A, R, sources, weighted)
    out_c = np.zeros((n_threads, n))
    brandes.betweenness_sum(*args, out_c)
    out_r = np.zeros((1, n))
    _brandes_ref.betweenness_sum(*args, out_r)
    return out_c.sum(axis=0), out_r[0]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("directed", [False, True])
def test_random_graphs(seed, weighted, directed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    A, R = _graph(rng, n, rng.uniform(0.05, 0.4), directed=directed)
    got, want = _both(A, R, np.arange(n), weighted)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("directed", [False, True])
def test_equal_length_paths_are_counted(directed):
    # integer lengths make many shortest paths tie, so path counts (sigma) add up
    rng = np.random.default_rng(7)
    A, R = _graph(rng, 30, 0.3, directed=directed, integer_lengths=True)
    for weighted in (False, True):
        got, want = _both(A, R, np.arange(30), weighted)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_hand_computed_diamond():
    # 0 -> {1, 2} -> 3: two shortest paths from 0 to 3, each through one middle node
    A = sp.csr_matrix(([1.0] * 4, ([0, 0, 1, 2], [1, 2, 3, 3])), shape=(4, 4))
    R = A.T.tocsr()
    R.sort_indices()
    for weighted in (False, True):
        got, want = _both(A, R, np.arange(4), weighted)
        np.testing.assert_allclose(want, [0.0, 0.5, 0.5, 0.0])
        np.testing.assert_allclose(got, want)


def test_isolated_nodes_and_source_subsets():
    rng = np.random.default_rng(3)
    A, R = _graph(rng, 25, 0.2, directed=False)
    keep = np.ones(25, dtype=bool)
    keep[[0, 7, 24]] = False  # cut every edge of three nodes
    D = sp.diags(keep.astype(float))
    A = sp.csr_matrix(D @ A @ D)
    A.eliminate_zeros()
    A.sort_indices()
    R = A.T.tocsr()
    R.sort_indices()
    for sources in ([0], [5, 3, 5], np.arange(0, 25, 4), []):
        for weighted in (False, True):
            got, want = _both(A, R, sources, weighted)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
            assert got[[0, 7, 24]].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("weighted", [False, True])
def test_thread_count_does_not_change_the_sum(weighted):
    rng = np.random.default_rng(11)
    A, R = _graph(rng, 35, 0.15, directed=True)
    one, _ = _both(A, R, np.arange(35), weighted, n_threads=1)
    two, want = _both(A, R, np.arange(35), weighted, n_threads=2)
    np.testing.assert_allclose(one, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(two, one, rtol=1e-12, atol=1e-12)


def test_graph_without_edges():
    A = sp.csr_matrix((5, 5))
    got, want = _both(A, A.copy(), np.arange(5), True)
    assert got.tolist() == want.tolist() == [0.0] * 5


def test_thousands_of_thread_rows_are_capped_at_the_processors_in_a_live_interpreter():
    # out with 5,000 rows asks the kernel for 5,000 threads: it runs on the processors
    # available (libgomp used to end the process); a child process, so a crash fails here
    import subprocess
    import sys
    code = r"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
import numpy as np, scipy.sparse as sp
from concentration._kernels import load
K = load("_brandes")
A = sp.random(300, 300, density=0.02, random_state=0, format="csr")
A = (A + A.T).tocsr()
A.setdiag(0)
A.eliminate_zeros()
A.sort_indices()
R = A.T.tocsr()
R.sort_indices()
args = [a.astype(np.int64) if a.dtype.kind == "i" else a.astype(np.float64)
        for a in (A.indptr, A.indices, A.data, R.indptr, R.indices, R.data)]
src = np.arange(300, dtype=np.int64)
one = np.zeros((1, 300))
K.betweenness_sum(*args, src, True, one)
many = np.zeros((5000, 300))
K.betweenness_sum(*args, src, True, many)
assert np.allclose(many.sum(axis=0), one[0], rtol=1e-12)
try:
    K.betweenness_sum(*args, src, True, np.zeros((0, 300)))
except ValueError:
    pass
else:
    raise SystemExit("an empty out was accepted")
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=240,
                          cwd=os.path.dirname(sys.executable))
    assert proc.returncode == 0 and proc.stdout.startswith("ok"), proc.stderr[-3000:]


# --------------------------------------------------------------------------- tied paths

def _integer_graph(rng, n, p, *, directed):
    """(forward CSR, reversed CSR) with integer weights 1..3 on the edges."""
    return _graph(rng, n, p, directed=directed, integer_lengths=True)


def _exact(A, R, lengths_of, sources, **kw):
    """The reference in exact rationals: lengths as Fractions, rtol=0."""
    n = A.shape[0]
    args = [A.indptr, A.indices, [lengths_of(x) for x in A.data], R.indptr, R.indices,
            [lengths_of(x) for x in R.data], np.asarray(sources, dtype=np.int64), True]
    out = [[Fraction(0)] * n]
    edge = [[Fraction(0)] * A.nnz] if kw.pop("edges", False) else None
    _brandes_ref.betweenness_sum(*args, out, edge_out=edge, rtol=0.0, **kw)
    return np.array([float(x) for x in out[0]]), (
        None if edge is None else np.array([float(x) for x in edge[0]]))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("meaning", ["strength", "distance"])
@pytest.mark.parametrize("directed", [False, True])
def test_integer_weights_agree_with_exact_fractions(seed, meaning, directed):
    # strengths become lengths 1/w: sums such as 1/3 + 1/4 + 1/3 and 1/3 + 1/3 + 1/4
    # differ in the last bit as floats and tie exactly as fractions
    rng = np.random.default_rng([seed, 19])
    n = int(rng.integers(8, 30))
    A, R = _integer_graph(rng, n, rng.uniform(0.1, 0.4), directed=directed)
    if meaning == "strength":
        L, RL = A.copy(), R.copy()
        L.data, RL.data = 1.0 / A.data, 1.0 / R.data
        to_length = lambda w: Fraction(1) / Fraction(int(w))  # noqa: E731
    else:
        L, RL = A, R
        to_length = lambda w: Fraction(int(w))  # noqa: E731
    got, _ = _both(L, RL, np.arange(n), True)
    want, _ = _exact(A, R, to_length, np.arange(n))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_issue_repro_two_paths_of_length_eleven_twelfths():
    # s-a-b-t (1/3 + 1/4 + 1/3) and s-c-d-t (1/3 + 1/3 + 1/4): one shortest path each
    names = "s a b t c d".split()
    E = [("s", "a", 3), ("a", "b", 4), ("b", "t", 3), ("s", "c", 3), ("c", "d", 3),
         ("d", "t", 4)]
    ix = {v: i for i, v in enumerate(names)}
    r = [ix[a] for a, b, _ in E] + [ix[b] for a, b, _ in E]
    c = [ix[b] for a, b, _ in E] + [ix[a] for a, b, _ in E]
    w = [1.0 / x for *_, x in E] * 2
    L = sp.csr_matrix((w, (r, c)), shape=(6, 6))
    L.sort_indices()
    got, _ = _both(L, L.T.tocsr(), np.arange(6), True)
    # ordered pairs, so twice the undirected values 1.5 (s, c... ) and 2.5
    np.testing.assert_allclose(got / 2, [1.5, 2.0, 2.5, 2.5, 1.5, 2.0], rtol=1e-12)
    exact_tie = np.zeros((1, 6))
    _brandes_ref.betweenness_sum(L.indptr, L.indices, L.data, L.T.tocsr().indptr,
                                 L.T.tocsr().indices, L.T.tocsr().data, np.arange(6), True,
                                 exact_tie, rtol=0.0)
    assert not np.allclose(exact_tie[0] / 2, got / 2)  # float equality misses the tie


@pytest.mark.parametrize("directed", [False, True])
def test_endpoints_targets_and_edges_agree_with_exact_fractions(directed):
    rng = np.random.default_rng(5)
    n = 18
    A, R = _integer_graph(rng, n, 0.25, directed=directed)
    L, RL = A.copy(), R.copy()
    L.data, RL.data = 1.0 / A.data, 1.0 / R.data
    to_length = lambda w: Fraction(1) / Fraction(int(w))  # noqa: E731
    targets = np.zeros(n)
    targets[[1, 4, 9, 16]] = 1.0
    sources = np.array([0, 2, 4, 9, 11], dtype=np.int64)
    for kw in ({"endpoints": True}, {"target_w": targets}, {}):
        for weighted in (True, False):
            args = _args(L, RL, sources, weighted)
            out = np.zeros((2, n))
            edge = np.zeros((2, L.nnz))
            brandes.betweenness_sum(*args, out, edge_out=edge, **kw)
            if weighted:
                want, want_e = _exact(A, R, to_length, sources, edges=True, **kw)
            else:
                ref, ref_e = np.zeros((1, n)), np.zeros((1, L.nnz))
                _brandes_ref.betweenness_sum(*args, ref, edge_out=ref_e, **kw)
                want, want_e = ref[0], ref_e[0]
            np.testing.assert_allclose(out.sum(axis=0), want, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(edge.sum(axis=0), want_e, rtol=1e-12, atol=1e-12)
            # without edge output BFS accumulates over its list of DAG arcs instead
            nodes_only = np.zeros((2, n))
            brandes.betweenness_sum(*args, nodes_only, **kw)
            np.testing.assert_allclose(nodes_only.sum(axis=0), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_path_sums_agree_with_the_reference(weighted, n_threads):
    rng = np.random.default_rng(8)
    A, _ = _graph(rng, 40, 0.08, directed=True)
    mask = (rng.random(40) < 0.7).astype(np.int8)
    src = np.arange(0, 40, 3, dtype=np.int64)
    args = [A.indptr.astype(np.int64), A.indices.astype(np.int64), A.data.astype(float), src,
            weighted, mask]
    got = np.zeros((src.size, 3))
    brandes.path_sums(*args, got, n_threads)
    want = np.zeros((src.size, 3))
    _brandes_ref.path_sums(*args, want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert got[:, 1].sum() > 0


def test_parallel_betweenness_is_the_one_thread_result_every_time():
    # each thread keeps its own count of shortest-path DAG arcs: shared, two threads
    # overwrote each other's and the dependencies of a few sources were wrong
    import os

    import networkx as nx
    import pandas as pd

    from concentration.network import PartnershipNetwork

    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs two CPUs")
    g = nx.barabasi_albert_graph(2500, 4, seed=3)
    net = PartnershipNetwork(pd.DataFrame(list(g.edges()), columns=["source", "target"]))
    one = net.centrality("betweenness", normalized=False, n_threads=1).to_numpy()
    for _ in range(10):
        two = net.centrality("betweenness", normalized=False, n_threads=2).to_numpy()
        np.testing.assert_allclose(two, one, rtol=1e-12, atol=1e-9)
