"""The compiled repeated-pair kernel (radix by group, small table per group) against
its NumPy reference."""

import numpy as np
import pytest

from concentration._kernels import _grouped_ref as ref
from concentration._kernels import load

grouped = load("_grouped")


def _both(codes, keys, n_groups, values=None, n_keys=0, n_threads=0):
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    counts = np.bincount(codes, minlength=n_groups).astype(np.int64)
    got = grouped.first_rows(codes, keys, counts, n_keys, values, True, n_threads)
    want = ref.first_rows(codes, keys, counts, n_keys, values, True)
    return got, want


def _check(codes, keys, n_groups, values=None, n_keys=0, n_threads=0):
    got, want = _both(codes, keys, n_groups, values, n_keys, n_threads)
    assert got[0] == want[0]
    assert got[1] == want[1]
    np.testing.assert_array_equal(got[4], want[4])
    if values is not None:
        np.testing.assert_array_equal(got[2], want[2])
        assert got[2].dtype == np.intp and np.all(np.diff(got[2]) > 0)
        # the same additions in the same (row) order: equal to the last bit
        np.testing.assert_array_equal(got[3], want[3])
    return got


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n, n_groups, n_firms", [
    (1, 1, 1), (7, 1, 3), (12, 1, 12), (13, 1, 5), (2000, 17, 40), (5000, 3, 4000),
    (3000, 2900, 3), (40_000, 2100, 30)])
def test_random_inputs_match_the_reference(rng, dtype, n, n_groups, n_firms):
    codes = rng.integers(0, n_groups, size=n)
    keys = rng.integers(-n_firms, n_firms, size=n).astype(dtype)
    _check(codes, keys, n_groups, rng.random(n))


def test_large_input_on_two_threads_equals_one_thread(rng):
    n, g = 400_000, 5000  # above the parallel threshold, three radix digits' worth
    codes = rng.integers(0, g, size=n)
    keys = rng.integers(0, 300, size=n)
    vals = rng.random(n)
    one = _check(codes, keys, g, vals, n_threads=1)
    two = _check(codes, keys, g, vals, n_threads=2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


def test_many_groups_use_several_radix_passes(rng):
    n, g = 30_000, (1 << 23) + 5  # 24 bits of group code: three passes
    codes = rng.integers(0, g, size=n)
    codes[:50] = codes[50:100]
    keys = rng.integers(0, 2, size=n)
    got = _check(codes, keys, g, rng.random(n))
    assert got[0] > 0


def test_extreme_keys_and_a_bounded_table(rng):
    keys = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0, -1] * 50)
    codes = np.zeros(keys.size, dtype=np.int64)
    got = _check(codes, keys, 1, np.ones(keys.size))
    assert got[0] == keys.size - 4 and got[1] == 4
    # n_keys bounds the table by the number of distinct keys
    small = rng.integers(0, 3, size=500)
    _check(np.zeros(500, dtype=np.int64), small, 1, n_keys=3)


def test_no_rows_and_no_repeats():
    out = grouped.first_rows(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                             np.zeros(3, dtype=np.int64), 0, np.zeros(0), True)
    assert out[0] == 0 and out[1] == -1 and out[2].size == 0
    codes = np.arange(100, dtype=np.int64) % 7
    out = grouped.first_rows(codes, np.arange(100, dtype=np.int64),
                             np.bincount(codes).astype(np.int64))
    assert out[:2] == (0, -1) and out[2] is None and out[4] is None


def test_counts_must_match_the_rows():
    with pytest.raises(ValueError, match="counts"):
        grouped.first_rows(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64),
                           np.array([2], dtype=np.int64))


def test_string_hashes_match_the_reference():
    words = ["", "a", "ab", "ba", "Alphabet", "Alphabet", "é", "x" * 300]
    data = np.frombuffer("".join(words).encode(), dtype=np.uint8)
    lens = [len(w.encode()) for w in words]
    offsets = np.concatenate([[0], np.cumsum(lens)])
    for width in (np.int32, np.int64):
        got = grouped.string_hashes(data, offsets.astype(width))
        np.testing.assert_array_equal(got, ref.string_hashes(data, offsets))
    assert got[4] == got[5] and len(set(got.tolist())) == len(words) - 1


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("key_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("in_order", [False, True])
def test_count_repeats_equals_reference(seed, key_dtype, n_threads, in_order):
    # rows in random order go through the radix sort; rows in group order skip it
    rng = np.random.default_rng(seed)
    n = int(rng.choice([0, 1, 40, 3000, 200_000]))
    n_groups = int(rng.integers(1, 3000))
    n_keys = int(rng.integers(1, 500))
    codes = rng.integers(0, n_groups, size=n).astype(np.int64)
    if in_order:
        codes.sort()
    keys = rng.integers(0, n_keys, size=n).astype(key_dtype)
    counts = np.bincount(codes, minlength=n_groups).astype(np.int64)
    bits = max(n_keys - 1, 1).bit_length()
    got = grouped.count_repeats(codes, keys, counts, bits, n_keys, n_threads)
    assert got == ref.count_repeats(codes, keys, counts, bits)
    assert got == grouped.first_rows(codes, keys, counts, n_keys)[0]


def test_count_repeats_on_cut_keys_counts_too_many_never_too_few():
    # keys that differ only above the kept bits look equal: the count can only grow
    codes = np.array([0, 0, 1, 1, 1], dtype=np.int64)
    keys = np.array([5, 5 + (1 << 40), 7, 7, 9 + (1 << 50)], dtype=np.int64)
    counts = np.array([2, 3], dtype=np.int64)
    assert grouped.count_repeats(codes, keys, counts, 40) == 2     # one true, one cut
    assert ref.count_repeats(codes, keys, counts, 40) == 2
    assert grouped.count_repeats(codes, keys, counts, 63) == 1     # exact
    with pytest.raises(ValueError, match="64 bits"):
        grouped.count_repeats(codes, keys, counts, 64)


def test_packed_check_then_exact_check_on_hash_like_keys():
    # firm keys that collide in their low bits but are different labels: the packed
    # count says "maybe", the full pass says no repeat
    import pandas as pd

    import concentration as cn

    firms = np.array([3, 3 + (1 << 62), 11], dtype=np.int64)     # a wide integer range
    df = pd.DataFrame({"market": [1, 1, 1], "firm": firms, "share": [0.5, 0.3, 0.2]})
    assert cn.hhi(df, period=None).iloc[0] == pytest.approx(10_000 * (0.25 + 0.09 + 0.04))
    dup = pd.DataFrame({"market": [1, 1], "firm": [3 + (1 << 62)] * 2, "share": [0.5, 0.5]})
    with pytest.raises(cn.exceptions.InvalidSharesError, match="repeat|more than once"):
        cn.hhi(dup, period=None)


@pytest.mark.parametrize("n_groups", [3, 5000, (1 << 23) + 5])   # one, two, three passes
@pytest.mark.parametrize("n_threads", [1, 2])
def test_sort_by_group_is_a_stable_sort(rng, n_groups, n_threads):
    n = 300_000   # above the parallel threshold: each thread moves its own chunk
    codes = rng.integers(0, n_groups, size=n)
    keys = rng.integers(0, 1000, size=n).astype(np.int32)
    rows, skeys = grouped.sort_by_group(codes, keys, n_groups, n_threads)
    order = np.argsort(codes, kind="stable")
    np.testing.assert_array_equal(rows & 0xFFFFFFFF, order)
    np.testing.assert_array_equal(rows >> 32, codes[order])
    np.testing.assert_array_equal(skeys, keys[order])
    assert skeys.dtype == np.int32


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("n, n_values", [(0, 0), (0, 5), (1, 1), (50, 3), (5_000, 700),
                                         (20_000, 40_000)])
def test_first_appearance_is_pd_factorize(rng, dtype, n, n_values):
    import pandas as pd

    values = rng.integers(0, max(n_values, 1), size=n).astype(dtype)
    codes, uniques = grouped.first_appearance(values, n_values)
    want_codes, want_uniques = pd.factorize(values)
    ref_codes, ref_uniques = ref.first_appearance(values, n_values)
    for got, want in ((codes, want_codes), (uniques, want_uniques),
                      (codes, ref_codes), (uniques, ref_uniques)):
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("values, n_values", [([0, 3], 3), ([-1], 4), ([2], 0)])
def test_first_appearance_refuses_values_out_of_range(values, n_values):
    for impl in (grouped.first_appearance, ref.first_appearance):
        with pytest.raises(ValueError):
            impl(np.asarray(values, dtype=np.int32), n_values)


def test_string_hashes_of_every_length_and_into_a_slice(rng):
    words = ["x" * n for n in range(40)] + ["é" * n for n in range(1, 12)] + \
        [bytes(rng.integers(0, 256, size=int(k), dtype=np.uint8)).decode("latin-1")
         for k in rng.integers(0, 30, size=50)]
    raw = [w.encode() for w in words]
    data = np.frombuffer(b"".join(raw), dtype=np.uint8)
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in raw])]).astype(np.int64)
    want = ref.string_hashes(data, offsets)
    np.testing.assert_array_equal(grouped.string_hashes(data, offsets), want)
    out = np.full(len(words) + 4, 7, dtype=np.int64)
    grouped.string_hashes(data, offsets, 2, out[2:-2])
    np.testing.assert_array_equal(out[2:-2], want)
    assert (out[:2] == 7).all() and (out[-2:] == 7).all()
    with pytest.raises(ValueError):
        grouped.string_hashes(data, offsets, 0, out)


def test_chunked_text_hashes_as_one_array():
    import pyarrow as pa

    from concentration._tables import _string_hashes

    words = [f"firm {i % 37}" for i in range(300)]
    whole = pa.array(words)
    # an empty chunk, and sliced chunks that start inside the array's buffers
    chunked = pa.chunked_array([whole.slice(0, 0), whole.slice(0, 120), whole.slice(120, 1),
                                whole.slice(121)])
    np.testing.assert_array_equal(_string_hashes(chunked), _string_hashes(whole))
    large = pa.array(words, type=pa.large_string())
    np.testing.assert_array_equal(_string_hashes(large), _string_hashes(whole))
