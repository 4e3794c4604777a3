"""Shared fixtures for the test suite."""

import numpy as np
import pandas as pd
import pytest


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
def rng():
    return np.random.default_rng(12345)
