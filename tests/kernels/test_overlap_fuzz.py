"""Property and fuzz tests of concentration.overlap (hypothesis).

Malformed CSR arrays must give typed ConcentrationError subclasses, never a crash;
valid random matrices must match the readable reference.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

hyp = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from concentration import overlap  # noqa: E402
from concentration._kernels._overlap_ref import METRICS, overlap_ref  # noqa: E402
from concentration.exceptions import ConcentrationError, DataQualityWarning  # noqa: E402

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                   st.sampled_from([0.0, 1.0, -1.0, 0.5]))


@st.composite
def raw_csr(draw):
    """Arbitrary (possibly malformed) CSR arrays with a claimed shape."""
    n_rows = draw(st.integers(0, 6))
    n_cols = draw(st.integers(0, 6))
    nnz = draw(st.integers(0, 10))
    idx_dtype = draw(st.sampled_from([np.int32, np.int64]))
    indices = np.array(draw(st.lists(st.integers(-3, 8), min_size=nnz, max_size=nnz)),
                       dtype=idx_dtype)
    data = np.array(draw(st.lists(values, min_size=nnz, max_size=nnz)), dtype=np.float64)
    if draw(st.booleans()):
        cuts = sorted(draw(st.lists(st.integers(0, nnz), min_size=max(n_rows - 1, 0),
                                    max_size=max(n_rows - 1, 0))))
        indptr = [0] + cuts + [nnz] if n_rows else [0]
    else:
        length = draw(st.integers(0, n_rows + 3))
        indptr = draw(st.lists(st.integers(-2, nnz + 2), min_size=length, max_size=length))
    indptr = np.array(indptr, dtype=idx_dtype)
    return data, indices, indptr, (n_rows, n_cols)


def _build(data, indices, indptr, shape, fmt):
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    shape = shape if fmt == "csr" else shape[::-1]
    M = cls(shape)
    M.data, M.indices, M.indptr = data, indices, indptr  # bypass scipy's own checks
    return M


@SETTINGS
@given(raw=raw_csr(), metric=st.sampled_from(METRICS), fmt=st.sampled_from(["csr", "csc"]),
       top_k=st.one_of(st.none(), st.integers(1, 3)))
def test_malformed_input_gives_typed_errors_only(raw, metric, fmt, top_k):
    M = _build(*raw, fmt)
    kw = {"control": M} if metric == "kappa" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        try:
            S = overlap(M, metric=metric, top_k=top_k, n_threads=2, **kw)
        except ConcentrationError:
            return
    assert S.shape == (M.shape[0], M.shape[0])


@st.composite
def valid_matrix(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 8))
    dense = np.array(draw(st.lists(
        st.sampled_from([0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 0.125, 3.0]),
        min_size=n * m, max_size=n * m))).reshape(n, m)
    return dense


@SETTINGS
@given(W=valid_matrix(), metric=st.sampled_from(METRICS), sparse_in=st.booleans())
def test_valid_input_matches_reference(W, metric, sparse_in):
    X = sp.csr_matrix(W) if sparse_in else W
    kw = {"control": X} if metric == "kappa" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        got = overlap(X, metric=metric, **kw)
    want = overlap_ref(sp.csr_matrix(W), metric=metric,
                       control=sp.csr_matrix(W) if metric == "kappa" else None)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    if metric != "kappa":  # symmetric metrics are symmetric
        np.testing.assert_array_equal(got, got.T)
    if metric in ("cosine", "jaccard", "overlap", "weighted_jaccard", "weighted_overlap"):
        assert np.all(got >= 0) and np.all(got <= 1 + 1e-12)
