"""The compiled overlap kernel (through ``concentration.overlap``) against ``_overlap_ref``.

Every metric, ``other=``/``rows=``, and the ``top_k``/``threshold`` selection on random
sparse matrices, some with a dense column (an index fund holding every firm) that sends
rows through the BLAS part of the kernel.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from concentration import overlap
from concentration._kernels._overlap_ref import METRICS, overlap_ref, select_ref
from concentration.exceptions import DataQualityWarning


def _call(W, metric, **kw):
    if metric == "kappa":
        kw.setdefault("control", W)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return overlap(W, metric=metric, **kw)


def _ref(W, metric, control=None):
    if metric == "kappa":
        return overlap_ref(W, metric="kappa", control=W if control is None else control)
    return overlap_ref(W, metric=metric)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("seed", range(6))
def test_kernel_equals_reference(random_csr, metric, seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 60)), int(rng.integers(1, 40))
    W = random_csr(rng, n, m, rng.uniform(0.0, 0.5), heavy=seed % 2 == 0)
    np.testing.assert_allclose(_call(W, metric, n_threads=2), _ref(W, metric),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(10))
def test_kappa_equals_reference_to_1e12_relative(random_csr, seed):
    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(2, 80)), int(rng.integers(1, 60))
    B = random_csr(rng, n, m, rng.uniform(0.02, 0.6), heavy=seed % 3 == 0)
    G = B.copy()
    G.data = G.data * rng.uniform(0.2, 5.0, size=G.nnz)   # dual-class distortions
    got = _call(B, "kappa", control=G)
    want = overlap_ref(B, metric="kappa", control=G)
    ok = ~np.isnan(want)
    assert np.array_equal(np.isnan(got), ~ok)
    rel = np.abs(got[ok] - want[ok]) / np.maximum(np.abs(want[ok]), 1e-300)
    assert rel[want[ok] != 0].max(initial=0.0) <= 1e-12
    assert np.all(got[ok][want[ok] == 0] == 0)
    np.testing.assert_allclose(np.diag(got)[np.diag(ok)], 1.0, rtol=1e-12)


@pytest.mark.parametrize("metric", ["cosine", "jaccard", "kappa", "weighted_jaccard"])
def test_other_and_rows(random_csr, metric):
    rng = np.random.default_rng(3)
    W = random_csr(rng, 30, 20, 0.3, heavy=True)
    full = _ref(W, metric)
    sel = np.array([5, 0, 29, 5])
    np.testing.assert_allclose(_call(W, metric, rows=sel), full[sel], rtol=1e-12, atol=1e-15)
    if metric != "kappa":
        V = random_csr(rng, 11, 20, 0.4)
        both = overlap_ref(sp.vstack([W, V]).tocsr(), metric=metric)[:30, 30:]
        np.testing.assert_allclose(overlap(W, other=V, metric=metric), both,
                                   rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("metric", METRICS)
def test_top_k_and_threshold_match_reference_selection(random_csr, metric):
    rng = np.random.default_rng(11)
    W = random_csr(rng, 50, 30, 0.15, heavy=metric == "cosine")
    R = _ref(W, metric)
    for kw in ({"top_k": 1}, {"top_k": 5}, {"threshold": 0.2}, {"threshold": 0.1, "top_k": 3},
               {"output": "csr"}):
        got = _call(W, metric, **kw)
        assert sp.issparse(got) and got.format == "csr" and got.has_sorted_indices
        want = select_ref(R, threshold=kw.get("threshold"), top_k=kw.get("top_k"))
        for j in range(W.shape[0]):  # compare kept scores (ties may pick other columns)
            np.testing.assert_allclose(np.sort(got[j].data), np.sort(want[j].data),
                                       rtol=1e-12)
        if "top_k" not in kw:
            np.testing.assert_array_equal(got.indptr, want.indptr)
            np.testing.assert_array_equal(got.indices, want.indices)


@pytest.mark.parametrize("metric", ["cosine", "jaccard", "dot"])
def test_symmetric_top_k_with_dense_core_any_block_size(random_csr, metric):
    # a dense column sends symmetric top-k through the row-and-column heap path
    rng = np.random.default_rng(21)
    W = random_csr(rng, 45, 20, 0.2, heavy=True)
    want = select_ref(_ref(W, metric), top_k=4, threshold=0.1)
    for block_rows in (1, 7, 45):
        got = overlap(W, metric=metric, top_k=4, threshold=0.1, block_rows=block_rows)
        np.testing.assert_array_equal(got.indptr, want.indptr)
        for j in range(W.shape[0]):
            np.testing.assert_allclose(np.sort(got[j].data), np.sort(want[j].data), rtol=1e-12)


# ----------------------------------------------------------------------------- sizes
# The kernel's own last line of defence, called directly (the public function clamps
# before): a child process under an address-space limit, so a crash fails the test.

KERNEL_SIZES = r"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
import numpy as np, scipy.sparse as sp
from concentration._kernels import load
K = load("_overlap")
W = sp.random(200, 2000, density=0.003, random_state=0, format="csr")
W.sort_indices()
Bt = W.T.tocsr()
Bt.sort_indices()
n = W.shape[0]

def call(top_k, n_threads, slot=200):
    row_off = np.arange(n + 1, dtype=np.int64) * slot
    cols = np.empty(row_off[-1], np.int32)
    vals = np.empty(row_off[-1])
    counts = np.zeros(n, np.int64)
    K.sparse_rows(W.indptr.astype(np.int64), W.indices, W.data, Bt.indptr.astype(np.int64),
                  Bt.indices, Bt.data, np.zeros(W.shape[1], np.uint8), np.zeros((1, 1)),
                  False, np.ones(n), np.ones(n), n, 0, 0, False, 0.0, top_k, row_off,
                  cols, vals, counts, n_threads)
    return counts

for top_k in (2**63 - 1, 2**62 + 3, 2**60, 2**59):
    for nt in (1, 3000, 100_000):
        try:
            call(top_k, nt)
        except MemoryError as exc:
            assert "top_k" in str(exc) or "allocate" in str(exc), exc
        else:
            raise SystemExit(f"top_k={top_k}: no MemoryError")
base = call(0, 1)
for nt in (2, 3000, 100_000):
    assert (call(0, nt) == base).all() and (call(5, nt) == np.minimum(base, 5)).all()
try:
    call(0, 5000, slot=1)    # a bound too small: refused, nothing written past the slot
except RuntimeError as exc:
    assert "slot" in str(exc)
else:
    raise SystemExit("a row overflowing its slot was not reported")
heap_n = np.zeros(n, np.int64)
for top_k, nbytes in ((2**62, 16), (5, 16 * 5 * n - 1)):
    try:
        K.topk_sym_block(np.ones((1, n)), 0, W.indptr.astype(np.int64), W.indices, W.data,
                         Bt.indptr.astype(np.int64), Bt.indices, Bt.data,
                         np.zeros(W.shape[1], np.uint8), 0, np.ones(n), np.ones(n), 0,
                         False, 0.0, top_k, np.zeros(nbytes, np.uint8), heap_n, 3000)
    except (MemoryError, ValueError):
        pass
    else:
        raise SystemExit(f"heap buffer of {nbytes} bytes for top_k={top_k} accepted")
print("ok")
"""


def test_kernel_refuses_top_k_near_2_63_and_caps_thousands_of_threads():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", KERNEL_SIZES], capture_output=True,
                          text=True, timeout=240,
                          cwd=os.path.dirname(sys.executable))
    assert proc.returncode == 0 and proc.stdout.startswith("ok"), proc.stderr[-3000:]


@pytest.mark.parametrize("metric", METRICS)
def test_blocked_growing_sparse_path_matches_the_direct_one(random_csr, metric, monkeypatch):
    # the path for reservations too large to make at once, forced on small inputs:
    # tiny block buffers, many blocks and many growths of the output arrays
    import concentration._pairwise as pw

    rng = np.random.default_rng(31)
    W = random_csr(rng, 60, 25, 0.2, heavy=metric in ("cosine", "dot", "kappa"))
    V = random_csr(rng, 17, 25, 0.3, heavy=True)
    cases = [{"threshold": 0.15}, {"output": "csr"}, {"top_k": 3}, {"top_k": 4, "threshold": 0.1},
             {"rows": np.array([4, 0, 59, 4]), "output": "csr"}]
    if metric != "kappa":
        cases.append({"other": V, "threshold": 0.05})
    want = [_call(W, metric, **kw) for kw in cases]
    monkeypatch.setattr(pw, "_BLOCK_ENTRIES", 5)
    monkeypatch.setattr(pw, "_SMALL_BYTES", 0)
    monkeypatch.setattr(pw, "_DIRECT_SHARE", 0.0)
    for kw, w in zip(cases, want):
        got = _call(W, metric, **kw)
        assert got.has_sorted_indices
        np.testing.assert_array_equal(got.indptr, w.indptr)
        np.testing.assert_array_equal(got.indices, w.indices)
        np.testing.assert_allclose(got.data, w.data, rtol=1e-12, atol=1e-15)
