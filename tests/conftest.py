"""Shared fixtures for the test suite."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import concentration as cn


@pytest.fixture
def three_markets():
    """Three markets with hand-computable HHIs: 5,000, 5,200 and 10,000."""
    return pd.DataFrame({
        "market": ["x", "x", "y", "y", "z"],
        "period": ["2024", "2024", "2024", "2024", "2024"],
        "firm": ["A", "B", "A", "C", "A"],
        "share": [0.5, 0.5, 0.6, 0.4, 1.0],
    })


@pytest.fixture
def shares_file(tmp_path, three_markets):
    """``three_markets`` written to a Parquet file with provenance (source "hand-made")."""
    path = tmp_path / "shares.parquet"
    cn.write_parquet(three_markets, path, provenance={"source": "hand-made", "licence": "CC0"})
    return path


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def _random_csr(rng, n, m, density, heavy=False):
    """A random ``n x m`` CSR matrix with sorted indices.

    With ``heavy``, column 0 is dense (an index fund holding every firm), which sends
    rows through the dense (BLAS) part of the overlap kernel.
    """
    W = sp.random(n, m, density=density, random_state=rng, format="csr")
    if heavy and m:
        W = sp.lil_matrix(W)
        W[:, 0] = rng.uniform(0.1, 1.0, size=(n, 1))
    W = sp.csr_matrix(W)
    W.sort_indices()
    return W


@pytest.fixture
def random_csr():
    """The builder ``random_csr(rng, n, m, density, heavy=False)`` of random CSR matrices."""
    return _random_csr
