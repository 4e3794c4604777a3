"""Pure-NumPy reference for :mod:`concentration._kernels._grouped`.

This is the readable specification of the compiled kernel.  The library never
calls it; tests compare the kernel against it.
"""

import numpy as np


def grouped_stats(codes, shares, n_groups, k=0):
    """Per-group sum, sum of squares, count, maximum, minimum and the k largest values (zero padded)."""
    codes = np.asarray(codes, dtype=np.int64)
    shares = np.asarray(shares, dtype=np.float64)
    total = np.bincount(codes, weights=shares, minlength=n_groups)
    sumsq = np.bincount(codes, weights=shares * shares, minlength=n_groups)
    count = np.bincount(codes, minlength=n_groups).astype(np.int64)
    maximum = np.zeros(n_groups)
    minimum = np.zeros(n_groups)
    top = np.zeros((n_groups, k))
    for g in range(n_groups):
        vals = np.sort(shares[codes == g])[::-1]
        if vals.size:
            maximum[g] = vals[0]
            minimum[g] = vals[-1]
        m = min(k, vals.size)
        top[g, :m] = vals[:m]
    return total, sumsq, count, maximum, minimum, top


def grouped_power_sum(codes, shares, n_groups, alpha):
    """Per-group sum of ``s**alpha``, or of ``s*log(s)`` when ``alpha == 1``; zeros contribute 0."""
    codes = np.asarray(codes, dtype=np.int64)
    shares = np.asarray(shares, dtype=np.float64)
    pos = shares > 0
    if alpha == 1.0:
        terms = np.zeros_like(shares)
        terms[pos] = shares[pos] * np.log(shares[pos])
    else:
        terms = np.where(pos, np.power(np.where(pos, shares, 1.0), alpha), 0.0)
    return np.bincount(codes, weights=terms, minlength=n_groups)


def grouped_sums(codes, shares, n_groups):
    """Per-group (sum, sum of squares, count) with non-finite and negative shares as 0.

    Returns ``(sums, checks, largest)``: ``checks = (n_nonfinite, first_nonfinite_row,
    n_negative, first_negative_row)`` and ``largest = (largest valid share, its first
    row)``, with ``-1`` for a row when there is none.
    """
    shares = np.asarray(shares, dtype=np.float64)
    nonfinite = ~np.isfinite(shares)
    negative = shares < 0
    clean = np.where(nonfinite | negative, 0.0, shares)
    total, sumsq, count, _, _, _ = grouped_stats(codes, clean, n_groups, 0)

    def first(mask):
        return int(np.flatnonzero(mask)[0]) if mask.any() else -1

    checks = (int(nonfinite.sum()), first(nonfinite), int(negative.sum()), first(negative))
    largest = (float(clean.max()), int(np.argmax(clean))) if clean.size and clean.max() > 0 \
        else (0.0, -1)
    return (total, sumsq, count), checks, largest
