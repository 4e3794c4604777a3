"""The compiled Brandes kernel against its readable reference (``_brandes_ref``).

Graphs are built here as CSR arrays (forward and reversed), so the kernel is checked
on its own inputs: random graphs, equal-length paths (where path counts add up),
isolated nodes, a subset of sources, one and several threads.
"""

import os
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
