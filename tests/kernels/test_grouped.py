"""The compiled grouped-statistics kernel against its NumPy reference."""

import numpy as np
import pytest

from concentration._kernels import _grouped_ref as ref
from concentration._kernels import load

grouped = load("_grouped")


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


def _check_sums(codes, shares, n_groups):
    got = grouped.grouped_sums(np.ascontiguousarray(codes, dtype=np.int64),
                               np.ascontiguousarray(shares, dtype=np.float64), n_groups)
    want = ref.grouped_sums(codes, shares, n_groups)
    for g, w in zip(got[0], want[0]):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
    assert got[1] == want[1]
    assert got[2] == want[2]


@pytest.mark.parametrize("n", [0, 1, 7, 5000, 300_000])
def test_sums_with_bad_rows_match_reference(rng, n):
    g = 61
    codes = rng.integers(0, g, size=n)
    shares = rng.random(n)
    if n > 5:
        bad = rng.choice(n, size=min(n // 3, 40), replace=False)
        shares[bad[::4]] = np.nan
        shares[bad[1::4]] = -0.25
        shares[bad[2::4]] = np.inf
        shares[bad[3::4]] = -np.inf  # both non-finite and negative
    _check_sums(codes, shares, g)


def test_sums_largest_is_first_occurrence():
    codes = np.array([0, 1, 1, 0], dtype=np.int64)
    shares = np.array([0.2, 0.5, 0.5, np.nan])
    (total, sumsq, count), checks, largest = grouped.grouped_sums(codes, shares, 2)
    assert largest == (0.5, 1)
    assert checks == (1, 3, 0, -1)
    assert count.tolist() == [2, 2] and total.tolist() == [0.2, 1.0]


@pytest.mark.parametrize("n_groups", [3, 1000])
def test_results_do_not_depend_on_thread_count(rng, n_groups):
    # bit-for-bit: the chunking is a function of the input size, not of the threads
    n = 600_000
    codes = rng.integers(0, n_groups, size=n).astype(np.int64)
    shares = rng.random(n) / 1000
    one = grouped.grouped_sums(codes, shares, n_groups, 1)[0]
    two = grouped.grouped_sums(codes, shares, n_groups, 2)[0]
    for a, b in zip(one, two):
        assert np.array_equal(a, b)
    s1 = grouped.grouped_stats(codes, shares, n_groups, 3, 1)
    s2 = grouped.grouped_stats(codes, shares, n_groups, 3, 2)
    for a, b in zip(s1, s2):
        assert np.array_equal(a, b)
