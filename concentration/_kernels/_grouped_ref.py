"""Pure-NumPy reference for :mod:`concentration._kernels._grouped`.

This is the readable specification of the compiled kernel.  The library never
calls it; tests compare the kernel against it.
"""

import itertools

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


def first_rows(codes, keys, counts, n_keys=0, values=None, want_rep=False):
    """Rows repeating an earlier row's (group, key) pair, by a stable sort.

    Returns ``(n_repeated, first_repeated, kept, sums, rep)`` as the compiled
    kernel does: ``rep[i]`` is the first row with row ``i``'s group and key,
    ``first_repeated`` the smallest repeated row or -1; with ``values``, ``kept``
    lists the first rows in ascending order and ``sums`` each one's pair sum, added
    in row order.
    """
    codes = np.asarray(codes, dtype=np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    n = codes.size
    rows = np.arange(n, dtype=np.int64)
    order = np.lexsort((rows, keys, codes))
    c, k = codes[order], keys[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (k[1:] != k[:-1])
    first_pos = np.maximum.accumulate(np.where(new, rows, 0))
    rep = np.empty(n, dtype=np.int64)
    rep[order] = order[first_pos]
    repeated = np.flatnonzero(rep != rows)
    first = int(repeated[0]) if repeated.size else -1
    kept = sums = None
    if values is not None:
        kept = np.flatnonzero(rep == rows)
        summed = np.zeros(n)
        for i in range(n):  # in row order, as the kernel adds them
            summed[rep[i]] += values[i]
        sums = summed[kept]
    return int(repeated.size), first, kept, sums, (rep if want_rep else None)

def string_hashes(data, offsets):
    """The kernel's string hash: the bytes as little-endian 8-byte words (the last
    zero-padded), each mixed in as one lane of MurmurHash3 x64, then the length and
    MurmurHash3's finalizer."""
    mask = (1 << 64) - 1

    def rotl(x, r):
        return ((x << r) | (x >> (64 - r))) & mask

    def mix(x):
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & mask
        x ^= x >> 33
        x = (x * 0xC4CEB9FE1A85EC53) & mask
        return x ^ (x >> 33)

    data = bytes(np.asarray(data, dtype=np.uint8))
    out = []
    for lo, hi in itertools.pairwise(offsets):
        text = data[int(lo):int(hi)]
        h = 0xCBF29CE484222325
        for j in range(0, len(text), 8):
            k = (int.from_bytes(text[j:j + 8], "little") * 0x87C37B91114253D5) & mask
            k = (rotl(k, 31) * 0x4CF5AD432745937F) & mask
            h = (rotl(h ^ k, 27) * 5 + 0x52DCE729) & mask
        out.append(mix(h ^ len(text)))
    return np.asarray(out, dtype=np.uint64).view(np.int64)


def count_repeats(codes, keys, counts, key_bits, n_keys=0, n_threads=0):
    """Reference for ``_grouped.count_repeats``: rows whose (group, key mod 2**key_bits)
    pair an earlier row had (``counts`` and ``n_keys`` only shape the compiled tables)."""
    low = np.asarray(keys).astype(np.int64).view(np.uint64) & np.uint64(
        (1 << key_bits) - 1 if key_bits < 64 else (1 << 64) - 1)
    pairs = set()
    n_rep = 0
    for g, k in zip(np.asarray(codes).tolist(), low.tolist()):
        if (g, k) in pairs:
            n_rep += 1
        else:
            pairs.add((g, k))
    return n_rep


def first_appearance(values, n_values):
    """Reference for ``_grouped.first_appearance``: ``pd.factorize`` of integers in
    ``[0, n_values)`` (codes and uniques as int64; a value outside is a ValueError)."""
    values = np.asarray(values).astype(np.int64)
    if values.size and (values.min() < 0 or values.max() >= n_values):
        raise ValueError("value outside [0, n_values)")
    uniques, first = np.unique(values, return_index=True)
    order = np.argsort(first, kind="stable")
    position = np.empty(uniques.size, dtype=np.int64)
    position[order] = np.arange(uniques.size)
    return position[np.searchsorted(uniques, values)], uniques[order]
