"""The row kernels behind MHHI's within-market κ and the κ > 1 explanations.

``block_dots`` (every within-block dot product of blocks of rows), ``pair_lookup`` (one
row's values at another row's columns) and ``coo_to_csr`` against the plain-Python
references in ``_overlap_ref``, with empty rows, int32 and int64 indices.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from concentration._kernels import _overlap_ref as ref
from concentration._kernels import load

K = load("_overlap")


def _csr(rng, n, m, density, dtype):
    M = sp.random(n, m, density=density, format="csr", random_state=rng)
    M.sort_indices()
    M.indices = M.indices.astype(dtype)
    return np.ascontiguousarray(M.indptr, dtype=np.int64), M.indices, M.data


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threads", [1, 2])
def test_block_dots_equal_reference(dtype, seed, threads):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 60))
    a = _csr(rng, n, m, rng.uniform(0.0, 0.6), dtype)
    b = _csr(rng, n, m, rng.uniform(0.0, 0.6), dtype)
    sizes = rng.integers(1, 8, size=int(rng.integers(1, 30)))
    rows = np.concatenate([rng.choice(n, size=min(s, n), replace=False) for s in sizes])
    sizes = np.array([min(s, n) for s in sizes], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes * sizes)]).astype(np.int64)
    out = np.full(int(offsets[-1]), np.nan)
    K.block_dots(*a, *b, rows.astype(np.int64), starts, offsets, m, out, threads)
    np.testing.assert_allclose(out, ref.block_dots(*a, *b, rows, starts), rtol=1e-14, atol=0)
    # and the dense products they stand for
    A = sp.csr_matrix((a[2], a[1], a[0]), shape=(n, m)).toarray()
    B = sp.csr_matrix((b[2], b[1], b[0]), shape=(n, m)).toarray()
    want = np.concatenate([(A[blk] @ B[blk].T).ravel() for blk in
                           np.split(rows, starts[1:-1])])
    np.testing.assert_allclose(out, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("seed", range(5))
def test_pair_lookup_equal_reference(dtype, seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 60))
    a = _csr(rng, n, m, rng.uniform(0.0, 0.6), dtype)
    b = _csr(rng, n, m, rng.uniform(0.0, 0.6), dtype)
    rows = rng.integers(0, n, size=100).astype(np.int64)
    others = rng.integers(0, n, size=100).astype(np.int64)
    lens = np.diff(a[0])[rows]
    start = np.zeros(101, dtype=np.int64)
    np.cumsum(lens, out=start[1:])
    out = np.full(int(start[-1]), np.nan)
    K.pair_lookup(a[0], a[1], *b, rows, others, np.ascontiguousarray(start[:-1]), out)
    np.testing.assert_array_equal(out, ref.pair_lookup(a[0], a[1], *b, rows, others))
    B = sp.csr_matrix((b[2], b[1], b[0]), shape=(n, m)).toarray()
    cols = [a[1][a[0][j]:a[0][j + 1]] for j in rows]
    np.testing.assert_array_equal(
        out, np.concatenate([B[k, c] for k, c in zip(others, cols)]) if len(cols) else [])


def test_block_dots_empty_rows_give_zero():
    ptr = np.array([0, 0, 2], dtype=np.int64)
    ind = np.array([0, 3], dtype=np.int32)
    dat = np.array([0.5, 0.25])
    out = np.full(4, np.nan)
    K.block_dots(ptr, ind, dat, ptr, ind, dat, np.array([0, 1], dtype=np.int64),
                 np.array([0, 2], dtype=np.int64), np.array([0, 4], dtype=np.int64), 4,
                 out, 1)
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 0.25 + 0.0625])


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("seed", range(5))
def test_coo_to_csr_equals_reference(seed, n_threads):
    rng = np.random.default_rng(seed)
    n_rows, n_cols, n = int(rng.integers(1, 50)), int(rng.integers(1, 80)), int(rng.integers(0, 400))
    if seed == 4:   # enough entries for the threaded passes, each row holding many
        n_rows, n_cols, n = 300, 2_000, 300_000
    rows = rng.integers(0, n_rows, size=n).astype(np.int64)
    cols = rng.integers(0, n_cols, size=n).astype(np.int64)
    a, b = rng.random(n), rng.random(n)
    got = K.coo_to_csr(rows, cols, a, b, n_rows, n_cols, n_threads)
    want = ref.coo_to_csr(rows, cols, a, b, n_rows, n_cols)
    for g, w in zip(got[:4], want[:4]):   # stable: repeated pairs keep their order
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
    assert got[4] == want[4]
    assert (got[4] > 0) == (n > 0 and len(set(zip(rows.tolist(), cols.tolist()))) < n)
    M = sp.csr_matrix((got[2], got[1], got[0]), shape=(n_rows, n_cols))
    np.testing.assert_allclose(M.toarray(), sp.coo_matrix((a, (rows, cols)),
                                                          shape=(n_rows, n_cols)).toarray())


def test_coo_to_csr_without_repeats_and_empty():
    rows = np.array([2, 0, 2, 0], dtype=np.int64)
    cols = np.array([1, 3, 0, 1], dtype=np.int64)
    indptr, ind, a, b, n_rep = K.coo_to_csr(rows, cols, np.arange(4.0), -np.arange(4.0),
                                           3, 4, 0)
    np.testing.assert_array_equal(indptr, [0, 2, 2, 4])
    np.testing.assert_array_equal(ind, [1, 3, 0, 1])
    np.testing.assert_array_equal(a, [3.0, 1.0, 2.0, 0.0])
    np.testing.assert_array_equal(b, [-3.0, -1.0, -2.0, -0.0])
    assert n_rep == 0 and ind.dtype == np.int32
    empty = K.coo_to_csr(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                         np.zeros(0), 2, 0, 0)
    np.testing.assert_array_equal(empty[0], [0, 0, 0])
    assert empty[4] == 0 and empty[1].size == 0
    with pytest.raises(ValueError):
        K.coo_to_csr(rows, cols, np.arange(3.0), np.arange(4.0), 3, 4, 0)
