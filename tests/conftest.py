"""Shared fixtures for the test suite.

The tests run against the installed package.  ``python -m pytest`` (unlike
``pytest``) puts the current directory first on ``sys.path``; from a source checkout
whose ``concentration/`` was not built in place (no compiled kernels), that would import
the unbuilt source tree, so the checkout is taken off ``sys.path`` before the package
is imported.
"""

import importlib.machinery
import os
import sys


def _prefer_the_installed_package():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    kernels = os.path.join(root, "concentration", "_kernels")
    if not os.path.isdir(kernels):
        return
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    if any(name.endswith(suffixes) for name in os.listdir(kernels)):
        return  # built in place (an editable install): the checkout is the package
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != root]
    # drop modules already imported from the checkout (pytest resolves the warning
    # category of the filterwarnings setting before it loads this file)
    for name, module in list(sys.modules.items()):
        if name == "concentration" or name.startswith("concentration."):
            if os.path.abspath(getattr(module, "__file__", None) or "").startswith(root + os.sep):
                del sys.modules[name]


_prefer_the_installed_package()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import concentration as cn  # noqa: E402


def pytest_configure(config):
    # A warning of the library that a test does not expect is a failure.  Added here
    # rather than in pyproject.toml so that the category is resolved after the path
    # fix above, from the package under test.
    config.addinivalue_line("filterwarnings",
                            "error::concentration.exceptions.ConcentrationWarning")


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
