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
    assert row.not_reported == 0 and row.n_not_reported == 0


def _top_n(p2):
    """Periods 1-3 of one top-N market; period 2 as given, B listed in 1 and 3."""
    rows = [(1, "A", 0.5), (1, "B", 0.3)] + [(2, f, x) for f, x in p2] + \
        [(3, "A", 0.5), (3, "B", 0.3)]
    return pd.DataFrame(rows, columns=["period", "firm", "share"]).assign(market="m")


def test_firm_missing_from_a_top_n_period_is_not_reported_not_exit():
    with pytest.warns(cn.exceptions.FringeWarning):
        out = hhi_change_decomposition(_top_n([("A", 0.6)])).to_frame()
    first, second = out.iloc[0], out.iloc[1]
    # 1 -> 2: HHI .25 + .09 = .34 -> .36.  B's -0.3 (U) and A's +0.1 (R):
    # v() = .34, v(U) = .25, v(R) = .45, v(UR) = .36
    # U = ((.25 - .34) + (.36 - .45)) / 2 = -.09, R = ((.45 - .34) + (.36 - .25)) / 2 = .11
    assert_allclose([first.hhi_from, first.hhi_to], [3400, 3600])
    assert_allclose([first.entry, first.exit, first.not_reported, first.reallocation,
                     first.ownership], [0, 0, -900, 1100, 0], atol=1e-9)
    assert (first.n_exiters, first.n_not_reported) == (0, 1)
    # 2 -> 3: B is back, not an entrant: U = +900, R = -1,100
    assert_allclose([second.entry, second.exit, second.not_reported, second.reallocation],
                    [0, 0, 900, -1100], atol=1e-9)
    assert (second.n_entrants, second.n_not_reported) == (0, 1)


def test_missing_firm_is_exit_when_the_period_is_complete_or_it_never_returns():
    # period 2 sums to one: B has exited and re-enters
    with pytest.warns(cn.exceptions.FringeWarning):  # periods 1 and 3 are top-N
        full = hhi_change_decomposition(_top_n([("A", 0.6), ("C", 0.4)])).to_frame()
    assert full["not_reported"].abs().max() == pytest.approx(0, abs=1e-9)
    assert full["n_exiters"].tolist() == [1, 1] and full["n_entrants"].tolist() == [1, 1]
    # B never listed again: an exit even in top-N data (1 -> 2 only)
    gone = _top_n([("A", 0.6)])
    gone = gone[~((gone["period"] == 3) & (gone["firm"] == "B"))]
    with pytest.warns(cn.exceptions.FringeWarning):
        row = hhi_change_decomposition(gone).to_frame().iloc[0]
    assert_allclose([row.exit, row.not_reported], [-900, 0], atol=1e-9)
    # listed with a share of 0: reported as 0, an exit
    zero = _top_n([("A", 0.6), ("B", 0.0)])
    with pytest.warns(cn.exceptions.FringeWarning):
        row = hhi_change_decomposition(zero).to_frame().iloc[0]
    assert_allclose([row.exit, row.not_reported], [-900, 0], atol=1e-9)


def test_not_reported_gap_of_several_periods_books_nothing_inside_it():
    # Synergy-like: Amazon listed in Q4, missing Q1-Q3, back in Q4 of the next year
    rows = [("2022Q4", "Amazon", 0.33), ("2022Q4", "Microsoft", 0.21),
            ("2023Q1", "Microsoft", 0.23), ("2023Q2", "Microsoft", 0.22),
            ("2023Q3", "Microsoft", 0.23),
            ("2023Q4", "Amazon", 0.31), ("2023Q4", "Microsoft", 0.24)]
    df = pd.DataFrame(rows, columns=["period", "firm", "share"]).assign(market="cloud")
    with pytest.warns(cn.exceptions.FringeWarning):
        out = hhi_change_decomposition(df).to_frame()
    assert out["period_from"].tolist() == ["2022Q4", "2023Q1", "2023Q2", "2023Q3"]
    assert_allclose(out["exit"], 0, atol=1e-9)
    assert_allclose(out["entry"], 0, atol=1e-9)
    assert out["n_not_reported"].tolist() == [1, 0, 0, 1]
    # Amazon's 0.33 leaves as not reported: -(.33^2) plus half the interaction with
    # Microsoft's growth, which is none (the cross term of the HHI is zero)
    assert_allclose(out["not_reported"].iloc[0], -0.33 ** 2 * 1e4)
    assert_allclose(out["not_reported"].iloc[3], 0.31 ** 2 * 1e4)
    parts = out[["entry", "exit", "not_reported", "reallocation", "ownership"]].sum(axis=1)
    assert_allclose(parts, out["delta_hhi"], atol=1e-9)


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
    parts = out[["entry", "exit", "not_reported", "reallocation", "ownership"]].sum(axis=1)
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
    assert len(ax.patches) == 5  # one bar per part and transition
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


def test_periods_follow_time_not_text():
    # labels sort as text 2024 < 2025-late < 2025-mid; the dates say mid comes first
    df = pd.DataFrame({"market": "m",
                       "period": ["2024"] * 2 + ["2025-late"] * 2 + ["2025-mid"] * 2,
                       "firm": ["A", "B"] * 3, "share": [0.5, 0.5, 0.9, 0.1, 0.6, 0.4],
                       "period_start": pd.to_datetime(["2024-01-01"] * 2 + ["2025-07-01"] * 2
                                                      + ["2025-01-01"] * 2),
                       "period_end": pd.to_datetime(["2024-12-31"] * 2 + ["2025-12-31"] * 2
                                                    + ["2025-06-30"] * 2)})
    out = hhi_change_decomposition(df).to_frame()
    assert list(zip(out["period_from"], out["period_to"])) == [("2024", "2025-mid"),
                                                               ("2025-mid", "2025-late")]
    assert_allclose(out["delta_hhi"], [200, 3000])
    from concentration.exceptions import PeriodError

    with pytest.raises(PeriodError, match="'2025-late'"):
        hhi_change_decomposition(df.drop(columns=["period_start", "period_end"]))


def test_dated_parent_link_is_an_ownership_change():
    # DeepMind's parent is Google since 2014-01-26: from 2013 to 2014 the shares do not
    # move, the link starts, and the HHI rises by 2 x .3 x .2 = 1,200 points of ownership
    # change ("Google Cloud" is an alias of Google)
    entities = pd.DataFrame({"entity": ["DeepMind", "Google"], "parent": ["Google", None],
                             "parent_since": pd.to_datetime(["2014-01-26", None]),
                             "aliases": [None, "Google Cloud;GCP"]})
    df = pd.DataFrame({"market": "m", "period": ["2013"] * 3 + ["2014"] * 3,
                       "firm": ["Google Cloud", "DeepMind", "Microsoft"] * 2,
                       "share": [0.3, 0.2, 0.5] * 2})
    row = hhi_change_decomposition(df, parent=entities).to_frame().iloc[0]
    assert_allclose(row.ownership, 1200)
    assert_allclose([row.entry, row.exit, row.not_reported, row.reallocation], 0, atol=1e-9)
    assert row.n_owner_changes == 1
