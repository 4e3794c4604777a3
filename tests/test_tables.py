"""The share data model: MultiIndex Series, refused value types, sales that overflow."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration._tables import coerce_shares
from concentration.exceptions import InvalidParameterError, InvalidSharesError, SchemaError

# ---------------------------------------------------------------------------
# a Series indexed by (market, firm) is read by its level names


def _long():
    return pd.DataFrame({"market": ["a", "a", "b", "b"], "firm": ["x", "y", "x", "y"],
                         "share": [0.5, 0.5, 0.5, 0.5]})


def test_multiindex_series_is_one_market_per_level_value():
    s = _long().set_index(["market", "firm"])["share"]
    out = cn.hhi(s)
    # two markets of two equal firms: 10,000 * (0.5^2 + 0.5^2) = 5,000 each (not one
    # pooled market summing to 2)
    assert out.to_dict() == {"a": pytest.approx(5000.0), "b": pytest.approx(5000.0)}
    pd.testing.assert_series_equal(out, cn.hhi(_long()))


def test_multiindex_series_with_period_level_matches_the_frame():
    df = pd.DataFrame({"market": ["a"] * 4, "period": [1, 1, 2, 2], "firm": ["x", "y"] * 2,
                       "share": [0.6, 0.4, 0.9, 0.1]})
    s = df.set_index(["market", "period", "firm"])["share"]
    out = cn.hhi(s)
    pd.testing.assert_series_equal(out, cn.hhi(df))
    assert out[("a", 1)] == pytest.approx(10_000 * (0.36 + 0.16))
    assert out[("a", 2)] == pytest.approx(10_000 * (0.81 + 0.01))


def test_multiindex_series_levels_named_by_the_column_parameters():
    s = _long().rename(columns={"market": "mkt"}).set_index(["mkt", "firm"])["share"]
    assert cn.hhi(s, market="mkt").tolist() == pytest.approx([5000.0, 5000.0])


def test_multiindex_series_with_unknown_or_unnamed_levels_is_refused():
    s = _long().rename(columns={"market": "mkt"}).set_index(["mkt", "firm"])["share"]
    with pytest.raises(InvalidSharesError, match=r"index levels are among .*rename_axis"):
        cn.hhi(s)
    unnamed = s.rename_axis([None, None])
    with pytest.raises(InvalidSharesError, match="distinct names"):
        cn.hhi(unnamed)


def test_multiindex_series_refuses_value():
    s = _long().set_index(["market", "firm"])["share"]
    with pytest.raises(InvalidParameterError, match="'value' parameter"):
        cn.hhi(s, value="share")


def test_multiindex_series_checks_run_per_market():
    s = pd.DataFrame({"market": ["a", "a", "b"], "firm": ["x", "y", "x"],
                      "share": [0.7, 0.7, 0.5]}).set_index(["market", "firm"])["share"]
    with pytest.raises(InvalidSharesError, match="'a' sum to 1.4"):
        cn.hhi(s)


# ---------------------------------------------------------------------------
# bools, complex numbers and text are refused on every input path


@pytest.mark.parametrize("shares", [
    {"A": True, "B": False},
    {"A": 0.5, "B": True},
    [True, False],
    np.array([True, False]),
    pd.Series([True, False], index=["A", "B"]),
    pd.Series([0.5, True], index=["A", "B"], dtype=object),
], ids=["mapping", "mapping-mixed", "list", "array", "series", "series-object"])
def test_bool_shares_are_refused(shares):
    with pytest.raises(InvalidSharesError, match="must be real numbers"):
        cn.hhi(shares)


def test_bool_column_is_refused_as_before():
    df = pd.DataFrame({"firm": ["A", "B"], "share": [True, False]})
    with pytest.raises(SchemaError, match="must be numeric"):
        cn.hhi(df)


@pytest.mark.parametrize("shares", [
    np.array([0.5 + 1j, 0.5]),
    [0.5 + 0j, 0.5],
    {"A": complex(0.5, 0.0), "B": 0.5},
    pd.Series([0.5 + 1j, 0.5]),
], ids=["array", "list", "mapping", "series"])
def test_complex_shares_are_refused(shares):
    with pytest.raises(InvalidSharesError, match="complex"):
        cn.hhi(shares)


@pytest.mark.parametrize("shares", [["0.5", "0.5"], {"A": "0.5", "B": 0.5},
                                    np.array(["0.5", "0.5"])])
def test_text_shares_are_refused(shares):
    with pytest.raises(InvalidSharesError, match="must be real numbers"):
        cn.hhi(shares)


def test_missing_and_integer_values_still_accepted_or_reported():
    assert cn.hhi([1, 0]) == pytest.approx(10_000.0)
    assert cn.hhi(np.array([1, 0], dtype=np.int8)) == pytest.approx(10_000.0)
    with pytest.raises(InvalidSharesError, match="missing"):
        cn.hhi({"A": 0.5, "B": None})
    with pytest.raises(InvalidSharesError, match="missing"):
        cn.hhi(pd.Series([0.5, pd.NA], dtype="Float64"))


# ---------------------------------------------------------------------------
# sales whose total overflows float64

BIG = pd.DataFrame({"market": ["a", "a", "a", "b", "b"],
                    "firm": ["x", "y", "z", "x", "y"],
                    "sales": [1e308, 1e308, 5e307, 3.0, 1.0]})


def _oracle_shares():
    """Shares v / sum(v) computed after dividing by the market's largest value."""
    out = {}
    for m, g in BIG.groupby("market"):
        v = g["sales"].to_numpy()
        r = v / v.max()
        out[m] = r / r.sum()
    return out


def test_oracle_shares_are_the_hand_computed_ones():
    s = _oracle_shares()
    np.testing.assert_allclose(s["a"], [0.4, 0.4, 0.2], rtol=1e-15)
    np.testing.assert_allclose(s["b"], [0.75, 0.25], rtol=1e-15)


def _gini(x):
    x = np.sort(x)
    n = x.size
    i = np.arange(1, n + 1)
    return ((2 * i - n - 1) * x).sum() / (n * x.sum())


def _expected(name):
    s = _oracle_shares()
    per = {
        "hhi": lambda x: 1e4 * (x ** 2).sum(),
        "concentration_ratio": lambda x: np.sort(x)[::-1][:2].sum(),
        "effective_number": lambda x: 1.0 / (x ** 2).sum(),
        "entropy": lambda x: -(x * np.log(x)).sum(),
        "hannah_kay": lambda x: (x ** 3).sum() ** (1 / (1 - 3)),
        "gini": _gini,
    }
    return {m: per[name](x) for m, x in s.items()}


@pytest.mark.parametrize("name,call", [
    ("hhi", lambda: cn.hhi(BIG, value="sales")),
    ("concentration_ratio", lambda: cn.concentration_ratio(BIG, k=2, value="sales")),
    ("effective_number", lambda: cn.effective_number(BIG, value="sales")),
    ("entropy", lambda: cn.entropy(BIG, value="sales")),
    ("hannah_kay", lambda: cn.hannah_kay(BIG, alpha=3, value="sales")),
    ("gini", lambda: cn.gini(BIG, value="sales")),
])
def test_overflowing_sales_scalar_measures(name, call):
    got = call()
    exp = _expected(name)
    assert got["a"] == pytest.approx(exp["a"], rel=1e-12)
    assert got["b"] == pytest.approx(exp["b"], rel=1e-12)
    # hand computation for market a (shares 0.4, 0.4, 0.2)
    hand = {"hhi": 3600.0, "concentration_ratio": 0.8, "effective_number": 1 / 0.36,
            "entropy": -(0.8 * np.log(0.4) + 0.2 * np.log(0.2)),
            "hannah_kay": (2 * 0.4 ** 3 + 0.2 ** 3) ** -0.5,
            "gini": (-2 * 0.2 + 0 * 0.4 + 2 * 0.4) / 3}
    assert got["a"] == pytest.approx(hand[name], rel=1e-12)


def test_overflowing_sales_lorenz():
    got = cn.lorenz(BIG, value="sales")
    a = got[got["market"] == "a"]["share_fraction"].to_numpy()
    np.testing.assert_allclose(a, [0.0, 0.2, 0.6, 1.0], rtol=1e-12)


def test_overflowing_sales_hhi_bounds():
    got = cn.hhi_bounds(BIG, value="sales")
    # shares sum to one: no fringe, both bounds equal the HHI
    assert got.loc["a", "hhi_min"] == pytest.approx(3600.0)
    assert got.loc["a", "hhi_max"] == pytest.approx(3600.0)
    assert got.loc["b", "hhi_max"] == pytest.approx(10_000 * (0.75 ** 2 + 0.25 ** 2))


def test_overflowing_sales_indices():
    got = cn.indices(BIG, ["hhi", "cr1", "share_sum"], value="sales")
    assert got.loc["a", "hhi"] == pytest.approx(3600.0)
    assert got.loc["a", "cr1"] == pytest.approx(0.4)
    assert got.loc["a", "share_sum"] == pytest.approx(1.0)


def test_overflowing_sales_read_shares():
    got = cn.read_shares(BIG, value="sales")
    exp = _oracle_shares()
    np.testing.assert_allclose(got.loc[got["market"] == "a", "share"], exp["a"], rtol=1e-15)
    np.testing.assert_allclose(got.loc[got["market"] == "b", "share"], exp["b"], rtol=1e-15)


def test_overflowing_sales_screen_merger():
    got = cn.screen_merger(BIG, ["x", "y"], value="sales").table.set_index("market")
    # delta = 2 * 0.4 * 0.4 * 10,000 = 3,200; post = 3,600 + 3,200
    assert got.loc["a", "delta_hhi"] == pytest.approx(3200.0)
    assert got.loc["a", "post_hhi"] == pytest.approx(6800.0)
    assert got.loc["b", "delta_hhi"] == pytest.approx(2 * 0.75 * 0.25 * 1e4)


def test_overflow_rescaling_leaves_finite_markets_bit_identical():
    small = BIG[BIG["market"] == "b"]
    alone = cn.read_shares(small, value="sales")["share"].to_numpy()
    both = cn.read_shares(BIG, value="sales")
    np.testing.assert_array_equal(both.loc[both["market"] == "b", "share"].to_numpy(), alone)


@pytest.mark.parametrize("kw", [{"market": []}, {"firm": {}}, {"share": {1}}, {"value": [1]},
                                {"period": []}])
def test_unhashable_column_parameters_are_refused(kw):
    df = pd.DataFrame({"firm": ["A", "B"], "share": [0.5, 0.5]})
    name = next(iter(kw))
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of hhi must be a "
                                                    "column name"):
        cn.hhi(df, **kw)


def test_unhashable_firm_labels_are_refused():
    df = pd.DataFrame({"firm": [["A"], ["B"]], "share": [0.5, 0.5]})
    with pytest.raises(InvalidSharesError, match="'firm' parameter of hhi must be labels"):
        cn.hhi(df)


def test_an_empty_single_market_frame_is_refused_like_an_empty_mapping():
    empty = pd.DataFrame({"firm": [], "share": []})
    for data in ({}, [], empty):
        with pytest.raises(InvalidSharesError, match="must be non-empty"):
            cn.hhi(data)
    # an empty long table has no market: an empty result, not an error
    grouped = cn.hhi(pd.DataFrame({"market": [], "firm": [], "share": []}))
    assert len(grouped) == 0


@pytest.mark.parametrize("kw, match", [({"share": "firm"}, "'share' parameter"),
                                       ({"share": "market"}, "'share' parameter"),
                                       ({"firm": "market"}, "'firm' parameter"),
                                       ({"value": "firm"}, "'value' parameter")])
def test_two_column_arguments_naming_one_column_are_refused(kw, match):
    df = pd.DataFrame({"market": ["m", "m"], "firm": ["A", "B"], "share": [0.5, 0.5]})
    with pytest.raises(cn.exceptions.InvalidParameterError, match=match):
        cn.hhi(df, **kw)


def test_repeated_firms_without_a_period_column_name_the_likely_cause():
    df = pd.DataFrame({"market": ["m"] * 4, "periods": ["2024Q1", "2024Q1", "2024Q2", "2024Q2"],
                       "firm": ["Alpha", "Beta"] * 2, "share": [0.5, 0.5, 0.6, 0.4]})
    with pytest.raises(InvalidSharesError,
                       match=r"no period column.*period=<column name> Did you mean 'periods'"):
        coerce_shares(df)


def test_group_labels_in_messages_are_numbers_not_numpy_reprs():
    import warnings

    import concentration as cn

    df = pd.DataFrame({"market": [35, 35, 36, 36], "firm": ["a", "b", "a", "b"],
                       "share": [0.3, 0.2, 0.5, 0.5]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cn.hhi(df, period=None)
    text = " ".join(str(w.message) for w in caught)
    assert "market 35" in text
    assert "np.int64" not in text
