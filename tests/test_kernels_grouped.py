"""The compiled grouped-statistics kernel against its NumPy reference."""

import importlib.machinery

import numpy as np
import pytest

from concentration._kernels import _grouped_ref as ref
from concentration._kernels import compiled_kernels, load

grouped = load("_grouped")


def test_compiled_kernel_is_in_use():
    path = grouped.__file__
    assert path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), path
    assert "_grouped" in compiled_kernels()


def _check(codes, shares, n_groups, k):
    got = grouped.grouped_stats(np.ascontiguousarray(codes, dtype=np.int64),
                                np.ascontiguousarray(shares, dtype=np.float64), n_groups, k)
    want = ref.grouped_stats(codes, shares, n_groups, k)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
    for alpha in (0.5, 1.0, 2.0, 3.0):
        np.testing.assert_allclose(
            grouped.grouped_power_sum(np.asarray(codes, dtype=np.int64),
                                      np.asarray(shares, dtype=np.float64), n_groups, alpha),
            ref.grouped_power_sum(codes, shares, n_groups, alpha), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("k", [0, 1, 4, 10])
def test_random_inputs(rng, k):
    n, g = 5000, 137
    codes = rng.integers(0, g, size=n)
    shares = rng.random(n) * (rng.random(n) < 0.9)  # some exact zeros
    _check(codes, shares, g, k)


def test_parallel_path_large_input(rng):
    n, g = 250_000, 1000  # above the threshold where threads are used
    codes = rng.integers(0, g, size=n)
    shares = rng.random(n)
    _check(codes, shares, g, 4)
    got = grouped.grouped_stats(codes.astype(np.int64), shares, g, 4, 1)
    want = grouped.grouped_stats(codes.astype(np.int64), shares, g, 4, 2)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_empty_group_and_single_firm():
    codes = np.array([0, 0, 2], dtype=np.int64)  # group 1 has no rows
    shares = np.array([0.25, 0.75, 1.0])
    _check(codes, shares, 3, 3)
    total, sumsq, count, mx, mn, top = grouped.grouped_stats(codes, shares, 3, 3)
    assert count.tolist() == [2, 0, 1]
    assert top[1].tolist() == [0.0, 0.0, 0.0]
    assert top[0].tolist() == [0.75, 0.25, 0.0]


def test_no_rows():
    codes = np.zeros(0, dtype=np.int64)
    shares = np.zeros(0)
    _check(codes, shares, 2, 2)


def test_read_only_arrays(rng):
    codes = rng.integers(0, 10, size=100).astype(np.int64)
    shares = rng.random(100)
    codes.setflags(write=False)
    shares.setflags(write=False)
    _check(codes, shares, 10, 3)
