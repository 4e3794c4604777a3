"""Tests for concentration.stats.hhi_change_decomposition (Shapley parts of an HHI change)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import concentration as cn
from concentration.stats import hhi_change_decomposition

def test_decomposition_hand_example():
    df = pd.DataFrame({"period": [1, 1, 2, 2, 2], "firm": ["A", "B", "A", "B", "C"],
                       "share": [0.5, 0.5, 0.3, 0.5, 0.2]})
    row = hhi_change_decomposition(df).to_frame().iloc[0]
    # v(0)=.5, v(E)=.54, v(R)=.34, v(ER)=.38 -> entry .04, reallocation -.16
    assert_allclose([row.entry, row.exit, row.reallocation, row.ownership],
                    [400, 0, -1600, 0], atol=1e-9)
    assert row.n_entrants == 1


def test_pure_ownership_change_is_two_sa_sb():
    df = pd.DataFrame({"market": "m", "period": [1, 1, 1, 2, 2, 2],
                       "firm": list("ABCABC"), "share": [0.3, 0.2, 0.5] * 2,
                       "owner": ["A", "B", "C", "A", "A", "C"]})
    row = hhi_change_decomposition(df, owner="owner").to_frame().iloc[0]
    assert_allclose(row.ownership, 2 * 0.3 * 0.2 * 10_000)
    assert_allclose([row.entry, row.exit, row.reallocation], 0, atol=1e-9)
    assert row.n_owner_changes == 1


def test_decomposition_sums_to_delta_and_matches_hhi():
    rng = np.random.default_rng(8)
    rows = []
    for m in range(6):
        for t in range(4):
            firms = rng.choice(list("ABCDEFG"), size=rng.integers(2, 6), replace=False)
            s = rng.dirichlet(np.ones(len(firms)))
            owners = [f if rng.random() < 0.7 else rng.choice(list("XY")) for f in firms]
            rows += [{"market": m, "period": t, "firm": f, "share": x, "owner": o}
                     for f, x, o in zip(firms, s, owners)]
    df = pd.DataFrame(rows)
    out = hhi_change_decomposition(df, owner="owner").to_frame()
    assert len(out) == 6 * 3
    parts = out[["entry", "exit", "reallocation", "ownership"]].sum(axis=1)
    assert_allclose(parts, out["delta_hhi"], atol=1e-8)
    # without ownership the endpoints are the library's HHI
    plain = hhi_change_decomposition(df.drop(columns="owner")).to_frame()
    h = cn.hhi(df)
    assert_allclose(plain["hhi_from"], h.loc[list(zip(plain["market"], plain["period_from"]))])
    assert_allclose(plain["ownership"], 0, atol=1e-9)
    # a fixed parent mapping raises both endpoints to the parent-level HHI
    par = hhi_change_decomposition(df.drop(columns="owner"), parent={"A": "B"}).to_frame()
    assert_allclose(par["hhi_to"], cn.hhi(df, parent={"A": "B"}).loc[
        list(zip(par["market"], par["period_to"]))])
    assert_allclose(par["ownership"], 0, atol=1e-9)


def test_decomposition_plot():
    pytest.importorskip("matplotlib")
    dec = hhi_change_decomposition(pd.DataFrame({"period": [1, 1, 2], "firm": ["A", "B", "A"],
                                                 "share": [0.5, 0.5, 1.0]}))
    ax = dec.plot()
    assert ax.figure is not None and ax.has_data()
    assert len(ax.patches) == 4  # one bar per part and transition
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1->2"]


def test_plot_labels_name_the_market_under_its_own_column_name():
    pytest.importorskip("matplotlib")
    df = pd.DataFrame({"region": ["north"] * 4, "year": [2023, 2023, 2024, 2024],
                       "firm": ["A", "B", "A", "B"], "share": [0.5, 0.5, 0.7, 0.3]})
    res = hhi_change_decomposition(df, market="region", period="year")
    ax = res.plot()
    labels = [t.get_text() for t in ax.get_xticklabels()] + \
        [t.get_text() for t in ax.get_yticklabels()]
    assert any("north" in lab for lab in labels), labels


@pytest.mark.parametrize("kw", [{"owner": {}}, {"period": {1}}, {"share": None},
                                {"firm": ["firm"]}])
def test_column_keywords_that_are_not_names_are_typed_errors(kw):
    from concentration.exceptions import InvalidParameterError
    from concentration.stats import hhi_change_decomposition

    data = pd.DataFrame({"market": "x", "period": ["1", "1", "2", "2"],
                         "firm": ["A", "B", "A", "B"], "share": [0.6, 0.4, 0.5, 0.5]})
    name = next(iter(kw))
    with pytest.raises(InvalidParameterError,
                       match=rf"The '{name}' parameter of hhi_change_decomposition must be a "
                             r"column name"):
        hhi_change_decomposition(data, **kw)
