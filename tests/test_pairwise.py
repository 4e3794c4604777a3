"""Tests of concentration.overlap: hand-computed cases, scipy/sklearn, edge cases, errors.

The compiled kernel against its readable reference: ``tests/kernels/test_overlap_kernel.py``.
"""

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
        overlap(W, metric="kappa")
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
