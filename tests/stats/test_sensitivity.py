"""Tests for concentration.stats.market_sensitivity over alternative market definitions."""

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from concentration.exceptions import InvalidParameterError
from concentration.stats import market_sensitivity

def test_sensitivity_product_grouping_flips():
    df = pd.DataFrame({"product": ["p", "p", "q", "q", "r"], "firm": ["A", "B", "C", "D", "A"],
                       "value": [50.0, 50.0, 50.0, 50.0, 10.0]})
    res = market_sensitivity(
        df, {"narrow": {"products": {"p": "p", "q": "q", "r": "r"}},
             "broad": {"products": {"p": "pq", "q": "pq", "r": None}}},
        value="value", thresholds=[2500])
    t = res.by_unit
    assert_allclose(t.loc[["p", "q"], "broad:value"], 2500.0)
    assert t.loc["p", "broad:verdict"] == "<= 2500" and t.loc["p", "narrow:verdict"] == "> 2500"
    assert res.flips.index.tolist() == ["p", "q"]
    # r is excluded by the broad definition: present in one definition, no flip
    assert pd.isna(t.loc["r", "broad:market"]) and not t.loc["r", "flips"]
    with pytest.raises(InvalidParameterError, match="no entry for"):
        market_sensitivity(df, {"a": {"products": {"p": "x"}}, "b": None},
                           value="value", market=None)


def test_sensitivity_fringe_treatments():
    df = pd.DataFrame({"market": ["m1"] * 3 + ["m2"] * 2, "firm": list("ABCAB"),
                       "share": [0.4, 0.2, 0.1, 0.5, 0.5]})
    res = market_sensitivity(df, {"with fringe": None, "no fringe": {"fringe": "exclude"},
                                  "fringe firms": {"fringe": "as_firms", "fringe_size": 0.05}},
                             thresholds=[2200], period=None)
    t = res.by_unit
    assert_allclose(t.loc["m1", ["with fringe:value", "no fringe:value", "fringe firms:value"]]
                    .astype(float), [2100.0, 2100.0 / 0.49, 2250.0])
    assert res.flips.index.tolist() == ["m1"]
    assert_allclose(res.results["share_sum"].iloc[0], 0.7)
    assert "lower bound" in str(res.summary())
    assert df["share"].tolist() == [0.4, 0.2, 0.1, 0.5, 0.5]


def test_sensitivity_with_merger_screen():
    screen = pytest.importorskip("concentration.screen")
    # in product p alone A+B is presumed anticompetitive; adding product q, where D
    # dominates, dilutes the parties' shares below the 2023 delta of 100 points
    df = pd.DataFrame({"product": ["p", "p", "p", "q", "q"], "firm": ["A", "B", "C", "A", "D"],
                       "value": [30.0, 30.0, 40.0, 10.0, 900.0]})
    res = market_sensitivity(df, {"p only": {"products": {"p": "p", "q": "q"}},
                                  "p+q": {"products": {"p": "pq", "q": "pq"}}},
                             value="value", merging=["A", "B"], guidelines="us2023")
    t = res.by_unit
    assert res.mode == "screen" and res.value_name == "post_hhi"
    ref = screen.screen_merger({"A": 0.3, "B": 0.3, "C": 0.4}, ["A", "B"]).to_frame()
    assert_allclose(t.loc["p", "p only:value"], ref["post_hhi"].iloc[0])
    assert t.loc["p", "p only:verdict"] == ref["verdict"].iloc[0] == "presumed_anticompetitive"
    assert t.loc["p", "p+q:verdict"] != "presumed_anticompetitive"
    assert "p" in res.flips.index
    with pytest.raises(InvalidParameterError, match="'thresholds'"):
        market_sensitivity(df, {"a": None, "b": None}, merging=["A", "B"], thresholds=[1],
                           value="value", market=None, product="product")


def test_sensitivity_plot():
    pytest.importorskip("matplotlib")
    sens = market_sensitivity(pd.DataFrame({"market": ["a", "b"], "firm": ["A", "A"],
                                            "share": [1.0, 1.0]}),
                              {"x": None, "y": {"fringe": "exclude"}}, thresholds=[5000],
                              period=None)
    ax = sens.plot()
    assert ax.figure is not None and ax.has_data()
    assert [line.get_label() for line in ax.lines[:2]] == ["x", "y"]
    assert ax.get_xlabel() == "hhi"
