"""The label fast paths (categorical codes, integer labels, text hashed in the kernel)
give exactly what the general path (labels factorized as Python objects) gives."""

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import concentration as cn
from concentration import _tables
from concentration._tables import coerce_shares
from concentration.exceptions import FringeWarning, InvalidSharesError

DTYPES = ["int64", "int32", "uint16", "int64-high", "int64-low", "uint64-high", "sparse-int",
          "category", "object", "str", "arrow-string", "arrow-large-string", "mixed-object"]


def _labels(ids, dtype):
    """Firm labels of the integer ids ``ids`` in the given representation."""
    names = np.asarray([f"firm {i:04d}" for i in ids], dtype=object)
    if dtype in ("int64", "int32", "uint16"):
        return pd.Series(ids.astype(dtype))
    # a narrow range far from zero: 32-bit keys taken modulo 2**32 from the lowest label
    if dtype == "int64-high":
        return pd.Series(ids.astype(np.int64) + (2**63 - 1 - int(ids.max())))
    if dtype == "int64-low":
        return pd.Series(ids.astype(np.int64) + np.int64(-(2**63)))
    if dtype == "uint64-high":
        return pd.Series(ids.astype(np.uint64) + np.uint64(2**64 - 1 - int(ids.max())))
    if dtype == "sparse-int":  # a range too wide for arithmetic codes
        return pd.Series(ids.astype(np.int64) * 10**12 - 5 * 10**17)
    if dtype == "category":  # with unused categories, not in label order
        cats = sorted(set(names.tolist()) | {"unused 1", "unused 2"}, reverse=True)
        return pd.Series(pd.Categorical(names, categories=cats))
    if dtype == "object":
        return pd.Series(names, dtype=object)
    if dtype == "str":
        return pd.Series(names, dtype="str")
    if dtype == "arrow-string":
        return pd.Series(names, dtype=pd.ArrowDtype(pa.string()))
    if dtype == "arrow-large-string":
        return pd.Series(names, dtype=pd.ArrowDtype(pa.large_string()))
    # text and numbers in one column: only the general path can take it
    mixed = names.copy()
    mixed[ids % 3 == 0] = ids[ids % 3 == 0]
    return pd.Series(mixed, dtype=object)


def _frame(rng, n=3000, n_markets=40, n_firms=60, dup_frac=0.0, absent=True):
    market = rng.integers(0, n_markets, size=n)
    period = rng.integers(0, 3, size=n)
    if absent:  # some (market, period) combinations have no row
        period[market % 5 == 0] = 0
    firm = rng.integers(0, n_firms, size=n)
    if not dup_frac:  # one row per (market, period, firm)
        key = (market * 3 + period) * n_firms + firm
        _, first = np.unique(key, return_index=True)
        first = rng.permutation(first)
        market, period, firm = market[first], period[first], firm[first]
    else:
        k = int(dup_frac * market.size)
        src, dst = rng.integers(0, market.size, size=(2, k))
        market[dst], period[dst], firm[dst] = market[src], period[src], firm[src]
    sales = rng.lognormal(0.0, 1.0, size=market.size)
    return pd.DataFrame({"market": market, "period": 2020 + period, "firm": firm,
                         "sales": sales})


def _general(frame, dtype, **kw):
    """The same table with labels that only the general (factorize) path takes."""
    f = frame.copy()
    f["firm"] = np.asarray(f["firm"].astype(str).map(lambda s: ("L", s)), dtype=object)
    return coerce_shares(f, **kw)


def _same_result(a, b):
    np.testing.assert_array_equal(a.codes, b.codes)
    np.testing.assert_array_equal(a.shares, b.shares)
    assert a.groups.equals(b.groups)
    np.testing.assert_array_equal(a.sums()[1], b.sums()[1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dup_frac", [0.0, 0.2])
def test_every_label_dtype_gives_the_general_result(rng, dtype, dup_frac):
    base = _frame(rng, dup_frac=dup_frac)
    frame = base.assign(firm=_labels(base["firm"].to_numpy(), dtype))
    assert type(frame["firm"].dtype) is type(_labels(np.arange(3), dtype).dtype)
    kw = {"value": "sales", "duplicates": "sum"}
    fast = coerce_shares(frame, **kw)
    general = _general(base, dtype, **kw)
    _same_result(fast, general)
    # the labels follow the rows: firm i of the fast table is firm i of the general one
    want = _labels(base["firm"].to_numpy(), dtype).to_numpy(dtype=object)
    firm_ids = pd.Series([int(f[1]) for f in general.firms])
    np.testing.assert_array_equal(fast.firms, want[_first_row_of(base, firm_ids)])
    assert fast.firms.dtype == object


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_in_market_order_give_the_general_result(rng, dtype):
    # a file written sorted by market and period: the check for repeated firms packs
    # the rows without sorting them; the same error and the same result as the others
    base = _frame(rng).sort_values(["market", "period"], kind="stable").reset_index(drop=True)
    frame = base.assign(firm=_labels(base["firm"].to_numpy(), dtype))
    fast = coerce_shares(frame, value="sales")
    assert (np.diff(fast.codes) >= 0).all()     # the rows reach the kernel in group order
    _same_result(fast, _general(base, dtype, value="sales"))
    repeated = pd.concat([frame, frame.iloc[[7]]]).sort_values(["market", "period"],
                                                                kind="stable")
    with pytest.raises(InvalidSharesError, match="appears more than once"):
        coerce_shares(repeated, value="sales")


def _first_row_of(base, firm_ids):
    """A row of ``base`` holding each firm id (labels depend on the id only)."""
    pos = pd.Series(np.arange(len(base)), index=base["firm"].to_numpy())
    pos = pos[~pos.index.duplicated()]
    return pos.loc[firm_ids.to_numpy()].to_numpy()


@pytest.mark.parametrize("dtype", DTYPES)
def test_repeated_firms_are_the_same_error_for_every_dtype(rng, dtype):
    base = _frame(rng, n=800, dup_frac=0.05)
    frame = base.assign(firm=_labels(base["firm"].to_numpy(), dtype))
    with pytest.raises(InvalidSharesError, match="appears more than once") as fast:
        coerce_shares(frame, value="sales")
    with pytest.raises(InvalidSharesError, match="appears more than once") as general:
        _general(base, dtype, value="sales")
    pattern = r"appears more than once in (.*) \((\d+) duplicate row"
    assert re.search(pattern, str(fast.value)).groups() == \
        re.search(pattern, str(general.value)).groups()


@pytest.mark.parametrize("make", [
    lambda: pd.Series(pd.Categorical(["a", None, "b"])),
    lambda: pd.Series(["a", None, "b"], dtype=object),
    lambda: pd.Series(["a", np.nan, "b"], dtype="str"),
    lambda: pd.Series(["a", None, "b"], dtype=pd.ArrowDtype(pa.string())),
    lambda: pd.Series([1, None, 2], dtype="Int64"),
    lambda: pd.Series([1.0, np.nan, 2.0]),
    lambda: pd.Series([1, pd.NA, "b"], dtype=object),
])
def test_missing_firm_labels_are_an_error(make):
    frame = pd.DataFrame({"market": [1, 1, 2], "firm": make(), "share": [0.5, 0.5, 1.0]})
    with pytest.raises(InvalidSharesError, match="'firm' column 'firm' has missing values"):
        cn.hhi(frame)


def test_unused_categories_and_absent_groups():
    frame = pd.DataFrame({
        "market": pd.Categorical(["m2", "m1", "m2", "m1"], categories=["m3", "m2", "m1"]),
        "firm": pd.Categorical(["a", "a", "b", "c"], categories=["z", "c", "b", "a"]),
        "share": [0.5, 0.6, 0.5, 0.4]})
    got = cn.hhi(frame)
    want = cn.hhi(frame.astype({"firm": object}))
    pd.testing.assert_series_equal(got, want)
    assert got.loc["m1"] == pytest.approx(5200.0)


def test_repeats_summed_in_first_appearance_order():
    frame = pd.DataFrame({"market": [1, 1, 1, 2, 1], "firm": ["b", "a", "b", "b", "a"],
                          "share": [0.1, 0.2, 0.3, 1.0, 0.4]})
    for firm in (frame["firm"], frame["firm"].astype("category"),
                 frame["firm"].astype(object)):
        out = cn.read_shares(frame.assign(firm=firm), duplicates="sum")
        assert out["firm"].tolist() == ["b", "a", "b"]
        np.testing.assert_allclose(out["share"], [0.4, 0.6, 1.0])


def test_a_string_hash_collision_falls_back_to_exact_labels(monkeypatch):
    # every string hashes alike: the repeats found by hash are confirmed on the text
    monkeypatch.setattr(_tables, "_string_hashes", lambda arr: np.zeros(len(arr), np.int64))
    frame = pd.DataFrame({"market": [1, 1, 1, 2], "firm": ["a", "b", "a", "c"],
                          "share": [0.2, 0.3, 0.4, 1.0]})
    with pytest.warns(FringeWarning):
        t = coerce_shares(frame, duplicates="sum")
    assert t.firms.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(t.shares, [0.6, 0.3, 1.0])
    distinct = frame.assign(firm=["a", "b", "c", "d"], share=[0.2, 0.3, 0.4, 1.0])
    with pytest.warns(FringeWarning):
        assert cn.hhi(distinct).tolist() == pytest.approx([2900.0, 10000.0])


def test_summed_sales_that_overflow_are_rescaled_first():
    frame = pd.DataFrame({"market": [1, 1, 1], "firm": ["a", "a", "b"],
                          "sales": [1e308, 1e308, 1e308]})
    t = coerce_shares(frame, value="sales", duplicates="sum")
    np.testing.assert_allclose(t.shares, [2 / 3, 1 / 3])
    assert cn.hhi(frame, value="sales", duplicates="sum").tolist() == pytest.approx(
        [1e4 * (4 / 9 + 1 / 9)])


def test_a_series_with_repeated_firms_and_a_mapping():
    s = pd.Series([0.2, 0.3, 0.1], index=["a", "b", "a"])
    with pytest.raises(InvalidSharesError, match="appears more than once"):
        cn.hhi(s)
    with pytest.warns(FringeWarning):
        assert cn.hhi(s, duplicates="sum") == pytest.approx(1e4 * (0.09 + 0.09))
    assert cn.hhi({"a": 0.5, "b": 0.5}) == pytest.approx(5000.0)


def test_firms_are_built_only_when_read(rng):
    frame = _frame(rng).assign(firm=lambda f: f["firm"].astype("category"))
    t = coerce_shares(frame, value="sales")
    assert "_firms" not in t.__dict__ or t.__dict__["_firms"] is None
    assert t.firms.dtype == object and len(t.firms) == len(frame)


def test_parquet_dictionary_columns_read_as_sorted_categoricals(tmp_path, rng):
    base = _frame(rng)
    frame = base.assign(market=[f"m{m:02d}" for m in base["market"]],
                        firm=[f"f{f}" for f in base["firm"]])
    frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    out = cn.read_shares(path, value="sales")
    # text firm names stay Arrow-backed text (no Python string per row); the
    # grouping columns keep their labels' dtype, as a DataFrame source gives them
    want = cn.read_shares(frame, value="sales")
    assert out["firm"].dtype == "str" and not isinstance(out["firm"].dtype,
                                                         pd.CategoricalDtype)
    assert out["market"].dtype == want["market"].dtype
    np.testing.assert_array_equal(out["share"], want["share"])
    assert out["firm"].astype(object).tolist() == want["firm"].tolist()
    got_h, want_h = cn.hhi(out), cn.hhi(want)
    np.testing.assert_array_equal(got_h.to_numpy(), want_h.to_numpy())
    assert [tuple(map(str, k)) for k in got_h.index] == \
        [tuple(map(str, k)) for k in want_h.index]


def test_parquet_categorical_firms_come_back_as_categoricals(tmp_path):
    frame = pd.DataFrame({"market": ["b", "a", "b", "a"],
                          "firm": pd.Categorical(["y", "x", "x", "z"]),
                          "share": [0.5, 0.6, 0.5, 0.4]})
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    out = cn.read_shares(path)
    assert isinstance(out["firm"].dtype, pd.CategoricalDtype)
    assert out["market"].astype(str).tolist() == ["b", "a", "b", "a"]
    got = cn.hhi(out)
    assert got.index.tolist() == ["a", "b"]
    assert got.tolist() == pytest.approx([5200.0, 5000.0])


def test_unused_categories_of_two_grouping_columns_give_the_text_index():
    frame = pd.DataFrame({"market": ["b", "a", "b", "a"], "period": ["2021", "2020"] * 2,
                          "firm": ["x", "x", "y", "y"], "share": [0.5, 0.6, 0.5, 0.4]})
    cats = frame.astype({"market": pd.CategoricalDtype(["z", "a", "b"]),
                         "period": pd.CategoricalDtype(["2019", "2020", "2021", "2022"])})
    pd.testing.assert_series_equal(cn.hhi(cats), cn.hhi(frame), check_index_type=False)
    got, want = cn.hhi(cats).index, cn.hhi(frame).index
    for lvl in range(2):
        assert got.levels[lvl].tolist() == want.levels[lvl].tolist()
