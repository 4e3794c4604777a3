"""Tests of concentration.overlap: hand-computed cases, scipy/sklearn, edge cases, errors.

The compiled kernel against its readable reference: ``tests/kernels/test_overlap_kernel.py``.
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from concentration import overlap
from concentration._kernels._overlap_ref import overlap_ref
from concentration.exceptions import (
    ConcentrationError,
    DataQualityWarning,
    InvalidMatrixError,
    InvalidParameterError,
    SchemaError,
)

# --------------------------------------------------------------------- hand-computed

def test_hand_computed_kappa_is_asymmetric():
    B = np.array([[0.5, 0.0], [0.1, 0.5]])
    K = overlap(B, metric="kappa", control=B)
    # kappa_01 = .5*.1/(.5*.5) = .2 ; kappa_10 = .1*.5/(.01+.25)
    np.testing.assert_allclose(K, [[1.0, 0.2], [0.05 / 0.26, 1.0]], rtol=1e-14)
    assert K[0, 1] != K[1, 0]


def test_hand_computed_kappa_control_differs_from_cash_flow():
    # owner 0 has all the votes in firm 0 but half its cash flow
    B = np.array([[0.5, 0.5], [0.2, 0.0]])
    G = np.array([[1.0, 0.0], [0.2, 0.0]])
    K = overlap(B, metric="kappa", control=G)
    # kappa_01 = <g0, b1>/<g0, b0> = 1*.2/(1*.5) = .4 ; kappa_10 = .2*.5/(.2*.2) = 2.5
    np.testing.assert_allclose(K, [[1.0, 0.4], [2.5, 1.0]], rtol=1e-14)


def test_hand_computed_set_metrics():
    W = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 0, 2.0]])
    np.testing.assert_allclose(overlap(W, metric="jaccard")[0, 1], 2 / 3)
    np.testing.assert_allclose(overlap(W, metric="overlap")[0, 1], 1.0)
    np.testing.assert_allclose(overlap(W, metric="cosine")[0, 1], 2 / np.sqrt(6))
    assert overlap(W, metric="dot")[2, 2] == 4.0
    V = np.array([[0.2, 0.3], [0.4, 0.1]])
    # sum min = .2 + .1 = .3 ; sum max = .4 + .3 = .7 ; min of sums = min(.5, .5)
    np.testing.assert_allclose(overlap(V, metric="weighted_jaccard")[0, 1], 0.3 / 0.7)
    np.testing.assert_allclose(overlap(V, metric="weighted_overlap")[0, 1], 0.3 / 0.5)


# --------------------------------------------------------------------- scipy, scikit-learn

def test_against_scipy_and_sklearn(random_csr):
    pw = pytest.importorskip("sklearn.metrics.pairwise")
    rng = np.random.default_rng(7)
    W = random_csr(rng, 70, 50, 0.2, heavy=True)
    np.testing.assert_allclose(overlap(W, metric="dot"), (W @ W.T).toarray(), rtol=1e-12)
    np.testing.assert_allclose(overlap(W, metric="cosine"), pw.cosine_similarity(W),
                               rtol=1e-10, atol=1e-12)
    Wb = (W != 0).astype(np.float64).toarray()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jac = 1.0 - pw.pairwise_distances(Wb.astype(bool), metric="jaccard")
    np.testing.assert_allclose(overlap(W, metric="jaccard"), jac, rtol=1e-12, atol=1e-15)


def test_top_k_ties_go_to_smaller_column():
    W = np.ones((4, 1))
    got = overlap(W, metric="cosine", top_k=2)
    np.testing.assert_array_equal(got.indices, [0, 1] * 4)


def test_sparse_blocks_do_not_change_the_result(random_csr):
    rng = np.random.default_rng(5)
    W = random_csr(rng, 40, 25, 0.2, heavy=True)
    a = overlap(W, metric="cosine", threshold=0.05)
    b = overlap(W, metric="cosine", threshold=0.05, block_rows=3, n_threads=1)
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13)  # BLAS blocking may round


# --------------------------------------------------------------------- edge cases

def test_empty_rows_and_columns_give_zero_not_nan():
    W = sp.csr_matrix(np.array([[0, 0, 0], [1.0, 0, 0], [0, 0, 0]]))
    for metric in ("cosine", "jaccard", "overlap", "weighted_jaccard", "weighted_overlap"):
        S = overlap(W, metric=metric)
        assert np.isfinite(S).all()
        assert S[0, 0] == 0 and S[1, 1] == 1.0


def test_zero_control_mass_gives_nan_row_and_warning():
    B = np.array([[0.5, 0.0], [0.0, 0.5], [0.3, 0.2]])
    G = np.array([[0.0, 0.4], [0.0, 1.0], [0.3, 0.2]])  # firm 0: control only where no cash
    with pytest.warns(DataQualityWarning, match="1 firm"):
        K = overlap(B, metric="kappa", control=G)
    assert np.isnan(K[0]).all() and np.isfinite(K[1:]).all()
    np.testing.assert_allclose(K, overlap_ref(B, metric="kappa", control=G), equal_nan=True)
    with pytest.warns(DataQualityWarning):
        S = overlap(B, metric="kappa", control=G, top_k=2)
    assert S[0].nnz == 0


def test_single_column_and_empty_matrix():
    W = np.array([[1.0], [2.0], [0.0]])
    np.testing.assert_allclose(overlap(W, metric="cosine"), [[1, 1, 0], [1, 1, 0], [0, 0, 0]])
    assert overlap(np.zeros((0, 3)), metric="dot").shape == (0, 0)
    assert overlap(sp.csr_matrix((3, 0)), metric="jaccard").shape == (3, 3)
    assert overlap(np.zeros((0, 3)), metric="dot", top_k=2).shape == (0, 0)


def test_duplicates_are_summed_and_explicit_zeros_ignored():
    data = np.array([0.2, 0.3, 0.0, 0.5])
    indices = np.array([0, 0, 1, 1])
    indptr = np.array([0, 3, 4])
    W = sp.csr_matrix((data, indices, indptr), shape=(2, 2))
    before = (W.data.copy(), W.indices.copy(), W.indptr.copy())
    clean = np.array([[0.5, 0.0], [0.0, 0.5]])
    np.testing.assert_allclose(overlap(W, metric="dot"), clean @ clean.T)
    np.testing.assert_allclose(overlap(W, metric="jaccard"), np.eye(2))
    for a, b in zip(before, (W.data, W.indices, W.indptr)):
        np.testing.assert_array_equal(a, b)  # input not modified
    coo = sp.coo_matrix(([0.2, 0.3], ([0, 0], [1, 1])), shape=(1, 2))
    np.testing.assert_allclose(overlap(coo, metric="dot"), [[0.25]])


def test_read_only_int32_int64_float32_and_formats_agree(random_csr):
    rng = np.random.default_rng(9)
    W = random_csr(rng, 25, 15, 0.3, heavy=True)
    want = overlap_ref(W, metric="cosine")
    W64 = sp.csr_matrix((W.data.copy(), W.indices.astype(np.int64), W.indptr.astype(np.int64)),
                        shape=W.shape)
    W32 = sp.csr_matrix((W.data.copy(), W.indices.astype(np.int32), W.indptr.astype(np.int32)),
                        shape=W.shape)
    for M in (W64, W32):
        for arr in (M.data, M.indices, M.indptr):
            arr.flags.writeable = False
        np.testing.assert_allclose(overlap(M, metric="cosine"), want, rtol=1e-12)
    np.testing.assert_allclose(overlap(W.astype(np.float32), metric="cosine"),
                               overlap_ref(W.astype(np.float32).astype(np.float64),
                                           metric="cosine"), rtol=1e-12)
    dense = W.toarray()
    dense.flags.writeable = False
    for M in (dense, W.tocsc(), W.tocoo(), W.tolil(), sp.csr_array(W)):
        np.testing.assert_allclose(overlap(M, metric="cosine"), want, rtol=1e-12)


def test_negative_weights_allowed_only_for_dot_and_cosine():
    W = np.array([[1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(overlap(W, metric="cosine"), [[1, 0], [0, 1]], atol=1e-15)
    np.testing.assert_allclose(overlap(W, metric="dot"), [[2, 0], [0, 2]])
    for metric in ("jaccard", "weighted_jaccard", "overlap", "weighted_overlap"):
        with pytest.raises(InvalidMatrixError, match="non-negative"):
            overlap(W, metric=metric)
    with pytest.raises(InvalidMatrixError, match="non-negative"):
        overlap(np.abs(W), metric="kappa", control=W)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_raise(bad):
    W = sp.csr_matrix(np.array([[1.0, bad]]))
    with pytest.raises(InvalidMatrixError, match="finite"):
        overlap(W)


def test_malformed_csr_raises_typed_errors():
    def csr(data, indices, indptr, shape):
        M = sp.csr_matrix(shape)
        M.data, M.indices, M.indptr = (np.asarray(data, float), np.asarray(indices),
                                       np.asarray(indptr))
        return M

    cases = [
        csr([1, 1], [0, 5], [0, 1, 2], (2, 3)),        # column out of range
        csr([1, 1], [0, -1], [0, 1, 2], (2, 3)),       # negative column
        csr([1, 1], [2, 0], [0, 2, 2], (2, 3)),        # unsorted in a row
        csr([1, 1], [0, 1], [0, 2], (2, 3)),           # indptr too short
        csr([1, 1], [0, 1], [0, 2, 1], (2, 3)),        # decreasing indptr
        csr([1, 1], [0, 1], [0, 1, 7], (2, 3)),        # indptr beyond nnz
        csr([1, 1], [0, 1], [1, 1, 2], (2, 3)),        # indptr not starting at 0
    ]
    for M in cases:
        with pytest.raises(InvalidMatrixError):
            overlap(M)


def test_parameter_errors():
    W = np.eye(3)
    with pytest.raises(InvalidParameterError, match="'metric' parameter of overlap"):
        overlap(W, metric="cosin")
    with pytest.raises(InvalidParameterError, match="control"):
        overlap(W, metric="cosine", control=W)
    with pytest.raises(InvalidParameterError, match="other"):
        overlap(W, metric="kappa", control=W, other=W)
    with pytest.raises(InvalidParameterError, match="top_k"):
        overlap(W, top_k=0)
    with pytest.raises(InvalidParameterError, match="rows"):
        overlap(W, rows=[3])
    with pytest.raises(InvalidMatrixError, match="columns"):
        overlap(W, other=np.eye(2))
    with pytest.raises(InvalidMatrixError, match="shape"):
        overlap(W, metric="kappa", control=np.eye(3)[:2])
    with pytest.raises(InvalidParameterError):
        overlap(np.ones(3))
    assert issubclass(InvalidMatrixError, ConcentrationError)
    assert issubclass(InvalidMatrixError, ValueError)


# --------------------------------------------------------------------- labelled input

def test_long_dataframe_input_gives_labelled_output():
    B = pd.DataFrame({"row": ["a", "a", "b", "b", "c"],
                      "column": ["o1", "o2", "o1", "o3", "o3"],
                      "weight": [0.5, 0.2, 0.1, 0.4, 0.3]})
    K = overlap(B, metric="kappa", control=B)
    assert list(K.index) == ["a", "b", "c"] and list(K.columns) == ["a", "b", "c"]
    # kappa_ab = .5*.1 / (.25 + .04)
    assert K.loc["a", "b"] == pytest.approx(0.05 / 0.29, rel=1e-12)
    pairs = overlap(B, metric="jaccard", top_k=2)
    assert list(pairs.columns) == ["row", "row_other", "jaccard"]
    assert set(pairs["row"]) == {"a", "b", "c"}
    sub = overlap(B, metric="cosine", rows=["c"])
    assert list(sub.index) == ["c"]
    arr = overlap(B, metric="cosine", output="dense")
    assert isinstance(arr, np.ndarray) and arr.shape == (3, 3)
    with pytest.raises(SchemaError):
        overlap(pd.DataFrame({"x": [1], "y": [2]}))


# --------------------------------------------------------------------- sizes, threads, memory
# Repros that used to abort the interpreter run in a child process with an address-space
# limit, so that a regression fails the test instead of killing pytest.

import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402

from concentration.exceptions import CappedParameterWarning, ResourceError  # noqa: E402


def run_limited(code, limit_gib=2.0, timeout=240):
    """Run ``code`` in a fresh interpreter under RLIMIT_AS; return its stdout (it must exit 0)."""
    pre = ("import resource\nresource.setrlimit(resource.RLIMIT_AS, "
           f"({int(limit_gib * 2**30)}, {int(limit_gib * 2**30)}))\n")
    proc = subprocess.run([sys.executable, "-c", pre + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout,
                          cwd=os.path.dirname(sys.executable))
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"
    return proc.stdout


def test_huge_top_k_is_clamped_to_the_columns_in_a_live_interpreter():
    out = run_limited("""
        import numpy as np, scipy.sparse as sp, concentration as cn
        W = sp.random(200, 2000, density=0.003, random_state=0, format="csr")
        ref = cn.overlap(W, metric="cosine", top_k=200)   # 200 = every column of S
        for tk in (2**60, 10**9, 2**63 - 1, 2**64, np.int64(2**62)):
            S = cn.overlap(W, metric="cosine", top_k=tk)
            assert S.shape == (200, 200) and (S != ref).nnz == 0, tk
            P = cn.overlap(W, metric="jaccard", top_k=tk, output="pairs")
            assert len(P) == cn.overlap(W, metric="jaccard", output="csr").nnz
        print("ok", ref.nnz)
    """)
    assert out.startswith("ok")


def test_cli_huge_top_k_and_threads_in_a_live_interpreter(tmp_path):
    src = tmp_path / "w.parquet"
    W = sp.random(200, 2000, density=0.003, random_state=0, format="coo")
    pd.DataFrame({"row": W.row, "column": W.col, "weight": W.data}).to_parquet(src)
    out = run_limited(f"""
        import sys
        from concentration.cli import main
        sys.exit(main(["overlap", {str(src)!r}, "--top-k", "1152921504606846976",
                       "--threads", "2000", "--out", {str(tmp_path / "p.parquet")!r}]))
    """)
    del out
    pairs = pd.read_parquet(tmp_path / "p.parquet")
    assert len(pairs) == overlap(W.tocsr(), metric="cosine", output="csr").nnz


def test_n_threads_above_the_cpus_is_capped_with_a_warning_in_a_live_interpreter():
    out = run_limited("""
        import warnings
        import numpy as np, scipy.sparse as sp, concentration as cn
        from concentration.exceptions import CappedParameterWarning
        W = sp.random(300, 2000, density=0.01, random_state=1, format="csr")
        W[:, 7] = 1.0   # a dense column: the BLAS path too
        one = cn.overlap(W, metric="cosine", n_threads=1)
        for nt in (2000, 100_000):
            for kw in ({}, {"top_k": 5}, {"threshold": 0.2}, {"output": "csr"}):
                with warnings.catch_warnings(record=True) as rec:
                    warnings.simplefilter("always")
                    S = cn.overlap(W, metric="cosine", n_threads=nt, **kw)
                assert any(issubclass(w.category, CappedParameterWarning)
                           and f"n_threads={nt}" in str(w.message) for w in rec)
                ref = cn.overlap(W, metric="cosine", n_threads=1, **kw)
                S, ref = (S.toarray(), ref.toarray()) if kw else (S, ref)
                np.testing.assert_allclose(S, ref, rtol=1e-12, atol=1e-15)
        print("ok")
    """)
    assert out.startswith("ok")


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_thread_and_size_arguments_are_typed_errors(bad):
    W = sp.random(20, 30, density=0.2, random_state=0, format="csr")
    for name in ("n_threads", "top_k", "block_rows"):
        with pytest.raises(InvalidParameterError, match=name):
            overlap(W, **{name: bad})


def test_block_rows_above_the_rows_is_clamped():
    W = sp.random(50, 80, density=0.1, random_state=2, format="lil")
    W[:, 3] = 1.0  # a dense column: the BLAS path
    W = W.tocsr()
    for kw in ({"top_k": 4}, {"threshold": 0.1}, {"output": "csr"}):
        a = overlap(W, metric="cosine", **kw)
        b = overlap(W, metric="cosine", block_rows=2**62, **kw)
        c = overlap(W, metric="cosine", block_rows=3, **kw)
        assert (a != b).nnz == 0 and abs(a - c).max() <= 1e-12


def _dense_product_matrix(n):
    # every row holds the one column: the product is an n x n matrix of ones
    return sp.csr_matrix((np.ones(n), (np.arange(n), np.zeros(n))), shape=(n, 1))


def test_memory_plan_refuses_the_dense_200k_by_200k_result_before_allocating():
    out = run_limited("""
        import numpy as np, scipy.sparse as sp, concentration as cn
        from concentration.exceptions import ResourceError
        n = 200_000
        X = sp.csr_matrix((np.ones(n), (np.arange(n), np.zeros(n))), shape=(n, 1))
        for kw in ({}, {"output": "dense"}, {"output": "csr"}, {"output": "pairs"}):
            try:
                cn.overlap(X, metric="cosine", **kw)
            except ResourceError as exc:
                print(repr(kw), "|", exc)
            else:
                raise SystemExit(f"no ResourceError for {kw}")
    """, limit_gib=3.0)
    lines = out.strip().splitlines()
    assert len(lines) == 4
    for line in lines:
        assert "200,000 x 200,000" in line and "of memory is available" in line
        assert "top_k=" in line and "threshold=" in line and "rows= blocks" in line
        assert "Dask" in line
    assert "298.0 GiB" in lines[0] and "298.0 GiB" in lines[1]
    # 4e10 stored scores of 12 bytes (int32 column, float64 score)
    assert "40,000,000,000 stored scores" in lines[2] and "447.2 GiB" in lines[2]


def test_memory_plan_error_is_a_typed_memory_error_in_process():
    with pytest.raises(ResourceError, match=r"298\.0 GiB") as info:
        overlap(_dense_product_matrix(200_000))
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ConcentrationError)


def test_thresholded_result_grows_instead_of_reserving_every_row():
    # 12,000 rows sharing a column: the per-row bound is 12,000 scores, 1.6 GiB reserved
    # at once before; under a 1.5 GiB address-space limit only the blocked path fits.
    out = run_limited("""
        import numpy as np, scipy.sparse as sp, concentration as cn
        n = 12_000
        rng = np.random.default_rng(0)
        r = np.r_[np.arange(n), np.arange(n)]
        c = np.r_[np.zeros(n, int), 1 + rng.integers(0, 60, n)]
        X = sp.csr_matrix((np.r_[np.ones(n), rng.uniform(0, 3, n)], (r, c)), shape=(n, 61))
        S = cn.overlap(X, metric="cosine", threshold=0.99)
        assert S.has_sorted_indices and S.shape == (n, n)
        for lo in range(0, n, 3000):
            D = cn.overlap(X, metric="cosine", rows=np.arange(lo, lo + 3000))
            D[D < 0.99] = 0.0
            assert abs(S[lo:lo + 3000] - sp.csr_matrix(D)).max() == 0.0
        T = cn.overlap(X, metric="cosine", top_k=3)
        assert T.nnz == 3 * n
        print("ok", S.nnz)
    """, limit_gib=1.5)
    assert out.startswith("ok")


def test_strided_csr_index_arrays_give_the_contiguous_result():
    W = sp.random(40, 60, density=0.15, random_state=3, format="csr")
    W.sort_indices()
    wide_idx = np.zeros(2 * W.nnz, dtype=W.indices.dtype)
    wide_idx[::2] = W.indices
    wide_ptr = np.zeros(2 * (W.shape[0] + 1), dtype=W.indptr.dtype)
    wide_ptr[::2] = W.indptr
    wide_dat = np.zeros(2 * W.nnz)
    wide_dat[::2] = W.data
    S = sp.csr_matrix(W.shape)
    S.indices, S.indptr, S.data = wide_idx[::2], wide_ptr[::2], wide_dat[::2]
    assert not S.indices.flags.c_contiguous and not S.indptr.flags.c_contiguous
    for metric in ("cosine", "jaccard", "weighted_overlap"):
        np.testing.assert_array_equal(overlap(S, metric=metric), overlap(W.copy(), metric=metric))
    C = sp.csc_matrix(W)
    C.indices = np.repeat(C.indices, 2)[::2]
    np.testing.assert_array_equal(overlap(C), overlap(W))


@pytest.mark.parametrize("missing", [np.nan, None])
def test_missing_row_or_column_labels_are_refused(missing):
    base = {"row": ["a", "a", "b", "c"], "column": ["o1", "o2", "o1", "o2"],
            "weight": [0.5, 0.2, 0.1, 0.4]}
    for col in ("row", "column"):
        frame = pd.DataFrame(base)
        frame[col] = frame[col].astype(object)
        frame.loc[2, col] = missing
        with pytest.raises(SchemaError, match=rf"1 missing \(NaN/None\) {col} label"):
            overlap(frame)
        with pytest.raises(SchemaError, match="dropna"):
            overlap(frame, metric="kappa", control=frame)
    ok = overlap(pd.DataFrame(base).dropna())
    assert list(ok.index) == ["a", "b", "c"]


def test_cosine_of_huge_and_tiny_weights_is_scale_free():
    huge = np.array([[5e299, 0.0, 0.0, 0.0], [0.0, 1.1857836678854634e299, 0.0, 2.5e299]])
    np.testing.assert_allclose(overlap(huge, metric="cosine"), np.eye(2), rtol=1e-14)
    tiny = np.array([[5e-301, 3.8716991376645725e-301], [7.537021388169973e-301, 0.0],
                     [3.4233801808818884e-301, 2.5e-301]])
    np.testing.assert_allclose(overlap(tiny, metric="cosine"),
                               overlap(tiny * 1e300, metric="cosine"), rtol=1e-14)
    S = overlap(sp.csr_matrix(huge), metric="cosine", top_k=1, other=sp.csr_matrix(tiny[:, :1]
                                                                                 .repeat(4, 1)))
    assert np.isfinite(S.data).all()


def test_ragged_matrices_two_dimensional_rows_and_unhashable_labels_are_typed():
    with pytest.raises(InvalidParameterError, match="unequal lengths"):
        overlap([[0.5, 0.0, 0.0], [0.5, 0.0]])
    W = sp.csr_matrix(([0.25], [1], [0, 0, 1]), shape=(2, 3))
    for rows in ([[0]], [[0, 1], [1]]):
        with pytest.raises(InvalidParameterError, match="'rows'"):
            overlap(W, rows=rows)
    frame = pd.DataFrame({"row": [["r1"], ["r2"]], "column": ["c1", "c0"], "weight": [0.1, 0.5]})
    with pytest.raises(SchemaError, match="unhashable 'row' label"):
        overlap(frame)


def test_dot_products_that_overflow_are_refused():
    huge = np.array([[5e299, 0.0, 0.0], [8.8e299, 1.7e299, 0.0], [7.3e299, 4.9e299, 2.5e299]])
    for kw in ({}, {"output": "csr"}, {"top_k": 1}):
        with pytest.raises(InvalidMatrixError, match="overflow"):
            overlap(huge, metric="dot", **kw)
    small = huge * 1e-299
    np.testing.assert_allclose(overlap(small, metric="dot"), small @ small.T, rtol=1e-14)


def test_kappa_without_control_follows_cash_flow():
    B = np.array([[0.3, 0.2, 0.0], [0.1, 0.0, 0.5]])
    np.testing.assert_allclose(overlap(B, metric="kappa"), overlap(B, metric="kappa", control=B))
    # kappa_01 = <b0, b1> / <b0, b0> = 0.03 / 0.13
    assert overlap(B, metric="kappa")[0, 1] == pytest.approx(0.03 / 0.13)


@pytest.mark.parametrize("b_exp, g_exp", [(600, 600), (1020, 10), (10, 1020), (-540, -540),
                                          (-1000, -100)])
@pytest.mark.parametrize("output", ["dense", "csr"])
def test_kappa_of_weights_beyond_float64_products_is_that_of_unlimited_range(b_exp, g_exp,
                                                                            output):
    # κ_jk = <g_j, b_k> / <g_j, b_j> is unchanged by scaling B, or a row of G, by a
    # positive constant; powers of two change no digit, so scaled weights whose
    # products leave float64 (1e200 * 1e200 = inf, then inf / inf = NaN) give the
    # scores of the unscaled ones exactly
    B = sp.random(60, 25, density=0.3, random_state=3, format="csr")
    G = B.copy()
    G.data = G.data * np.random.default_rng(4).uniform(0.5, 2.0, G.nnz)
    want = overlap(B, metric="kappa", control=G, output=output)
    Bs, Gs = B.copy(), G.copy()
    Bs.data = np.ldexp(Bs.data, b_exp)
    Gs.data = np.ldexp(Gs.data, g_exp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow, no zero <g_j, b_j>
        got = overlap(Bs, metric="kappa", control=Gs, output=output)
    if output == "csr":
        got, want = got.toarray(), want.toarray()
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got, want)
    # the same through the dense entry point (its small path hands such input on)
    dense = overlap(Bs.toarray(), metric="kappa", control=Gs.toarray())
    np.testing.assert_array_equal(dense, overlap(B.toarray(), metric="kappa",
                                                    control=G.toarray()))


@pytest.mark.parametrize("g_exp, b_exp", [(-500, -600), (-200, -900), (300, -900),
                                          (0, -1000)])
def test_kappa_of_a_row_whose_own_products_underflow_is_that_of_unlimited_range(g_exp,
                                                                               b_exp):
    # row 1 of G by 2**g_exp and row 1 of B by 2**b_exp, beside rows of weights near one:
    # <g_1, b_1> would underflow to a false zero control mass (a NaN row and a warning);
    # kappa_jk scales with b_k over b_j, so the exact answer is the unscaled one with
    # column 1 times 2**b_exp and row 1 divided by it
    B0 = np.array([[0.5, 0.75, 0.0], [0.625, 0.5, 0.0], [0.0, 0.5, 0.75]])
    G0 = B0 * np.array([[1.0], [1.5], [0.75]])
    base = overlap(B0, metric="kappa", control=G0)
    B, G = B0.copy(), G0.copy()
    G[1] = np.ldexp(G[1], g_exp)
    B[1] = np.ldexp(B[1], b_exp)
    want = base.copy()
    want[:, 1] = np.ldexp(want[:, 1], b_exp)
    want[1, :] = np.ldexp(want[1, :], -b_exp)
    want[1, 1] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for W, C in ((B, G), (sp.csr_matrix(B), sp.csr_matrix(G))):
            np.testing.assert_array_equal(overlap(W, metric="kappa", control=C), want)
