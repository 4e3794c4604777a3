"""Merger screens: must-show figures, boundaries, non-overlap, deals, remedies, scale."""

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import FringeWarning, InvalidParameterError


def test_must_show_example():
    s = cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"])
    row = s.to_frame().iloc[0]
    assert row["delta_hhi"] == pytest.approx(1500.0, abs=1e-9)
    assert row["pre_hhi"] == pytest.approx(3550.0) and row["post_hhi"] == pytest.approx(5050.0)
    assert row["verdict"] == "presumed_anticompetitive"
    assert "Merger Guidelines (2023-12-18), §2.1" in row["citation"]
    assert row["rule"].startswith("us2023 HHI")


def test_pre_post_agree_with_hhi():
    shares = {"A": .2, "B": .15, "C": .4, "D": .25}
    row = cn.screen_merger(shares, ["A", "B"]).to_frame().iloc[0]
    assert row["pre_hhi"] == pytest.approx(cn.hhi(shares))
    assert row["post_hhi"] == pytest.approx(cn.hhi({"AB": .35, "C": .4, "D": .25}))
    assert row["post_hhi"] - row["pre_hhi"] == pytest.approx(row["delta_hhi"])


def test_boundary_post_hhi_exactly_1800_and_share_exactly_30():
    # post-merger shares 30, 20, 10 x 5: HHI exactly 1,800; merged share exactly 30%
    shares = {"A": .2, "B": .1, "C": .2, "D": .1, "E": .1, "F": .1, "G": .1, "H": .1}
    t = cn.screen_merger(shares, ["A", "B"], guidelines="all").to_frame().set_index("guideline")
    assert t.loc["us2023", "post_hhi"] == pytest.approx(1800)
    assert t.loc["us2023", "verdict"] == "no_presumption"
    assert t.loc["us2010", "verdict"] == "potential_concern"
    assert t.loc["us1992", "zone"] == "moderately_concentrated"


def test_boundary_delta_exactly_100():
    shares = {"A": .5, "B": .2, "C": .1, "D": .05, "E": .15}  # 2 x 10 x 5 = 100
    t = cn.screen_merger(shares, ["C", "D"], guidelines="all").to_frame().set_index("guideline")
    assert t.loc["us2023", "delta_hhi"] == pytest.approx(100)
    assert t.loc["us2023", "verdict"] == "no_presumption"
    assert t.loc["us2010", "verdict"] == "potential_concern"
    assert t.loc["jp2007", "verdict"] == "safe_harbour"
    bigger = {"A": .5, "B": .2, "C": .1, "D": .0505, "E": .1495}
    r = cn.screen_merger(bigger, ["C", "D"]).to_frame().iloc[0]
    assert r["verdict"] == "presumed_anticompetitive"


def test_non_overlap_kept_and_several_deals(three_markets):
    s = cn.screen_merger(three_markets, {"AB": ["A", "B"], "AC": ["A", "C"]},
                         guidelines=["us2023", "us2010"])
    t = s.to_frame()
    assert len(t) == 2 * 3 * 2
    x = t[(t["deal"] == "AB") & (t["market"] == "x") & (t["guideline"] == "us2023")].iloc[0]
    assert x["delta_hhi"] == pytest.approx(5000) and x["verdict"] == "presumed_anticompetitive"
    z = t[(t["deal"] == "AB") & (t["market"] == "z")]
    assert (z["verdict"] == "no_overlap").all() and not z["overlap"].any()
    assert z["delta_hhi"].eq(0).all()
    assert "Merger screen" in str(s.summary())


def test_html_escaped():
    s = cn.screen_merger({"<b>A</b>": .5, "B": .5}, ["<b>A</b>", "B"])
    assert "<b>A</b>" not in s._repr_html_()


def test_errors():
    with pytest.raises(InvalidParameterError, match="'merging'"):
        cn.screen_merger({"A": .5, "B": .5}, ["A"])
    with pytest.raises(InvalidParameterError, match="present in the data"):
        cn.screen_merger({"A": .5, "B": .5}, ["A", "Z"])
    with pytest.raises(InvalidParameterError, match="'guidelines'"):
        cn.screen_merger({"A": .5, "B": .5}, ["A", "B"], guidelines="us2020")


def test_fringe_warning_and_lower_bound():
    with pytest.warns(FringeWarning):
        r = cn.screen_merger({"A": .05, "B": .10}, ["A", "B"]).to_frame().iloc[0]
    assert r["delta_hhi"] == pytest.approx(100) and r["lower_bound"]


def test_lower_bound_verdict_flips_between_bounds_eu2004():
    # Top-3 data: A .20, B .06, C .35 (sum .61, remainder .39).
    # Lower bound (listed firms): pre = .04 + .0036 + .1225 = .1661 -> 1,661;
    # delta = 2 x .20 x .06 = .024 -> 240; post = 1,901.
    # Upper bound (hhi_bounds): the .39 as firms no larger than the smallest listed
    # share .06: six of .06 and one of .03, adding 6 x .0036 + .0009 = .0225 -> 225;
    # pre = 1,886, post = 2,126, delta unchanged (both parties listed).
    # eu2004 para 20: 1,000 <= 1,901 <= 2,000 with delta 240 < 250 is a safe harbour;
    # 2,126 > 2,000 with delta 240 >= 150 is not.  us2023 (> 1,800, > 100) holds at both.
    with pytest.warns(FringeWarning):
        s = cn.screen_merger({"A": .20, "B": .06, "C": .35}, ["A", "B"],
                             guidelines=["eu2004", "us2023"])
    t = s.to_frame().set_index("guideline")
    eu, us = t.loc["eu2004"], t.loc["us2023"]
    assert eu["pre_hhi"] == pytest.approx(1661) and eu["post_hhi"] == pytest.approx(1901)
    assert eu["pre_hhi_upper"] == pytest.approx(1886)
    assert eu["post_hhi_upper"] == pytest.approx(2126)
    assert eu["delta_hhi"] == pytest.approx(240) and eu["delta_hhi_upper"] == pytest.approx(240)
    assert eu["combined_share_upper"] == pytest.approx(.26) and eu["fringe_parties"] == 0
    assert (eu["verdict_lower"], eu["verdict_upper"]) == ("safe_harbour", "outside_safe_harbour")
    assert eu["verdict"] == eu["verdict_lower"] and not eu["holds_at_both_bounds"]
    assert "para 20" in eu["citation"] and "para" in eu["citation_upper"]
    assert eu["rule_upper"].startswith("eu2004")
    assert (us["verdict_lower"], us["verdict_upper"]) == ("presumed_anticompetitive",) * 2
    assert us["holds_at_both_bounds"] and "§2.1" in us["citation_upper"]
    assert "not at both bounds" in str(s.summary())


def test_lower_bound_verdict_flips_between_bounds_us2023():
    # A .20, B .08, C .25, D .12 (sum .65): delta = 2 x .2 x .08 = 320, combined .28;
    # lower: pre = .04 + .0064 + .0625 + .0144 = .1233 -> 1,233, post 1,553 <= 1,800;
    # upper: .35 as four firms of .08 and one of .03: + .0256 + .0009 = 265 -> post 1,818.
    with pytest.warns(FringeWarning):
        row = cn.screen_merger({"A": .20, "B": .08, "C": .25, "D": .12},
                               ["A", "B"]).to_frame().iloc[0]
    assert row["post_hhi"] == pytest.approx(1553) and row["post_hhi_upper"] == pytest.approx(1818)
    assert row["verdict_lower"] == "no_presumption"
    assert row["verdict_upper"] == "presumed_anticompetitive"
    assert not row["holds_at_both_bounds"]


def test_complete_market_bounds_coincide():
    t = cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"], guidelines="all").to_frame()
    for c in ("pre_hhi", "post_hhi", "delta_hhi", "combined_share"):
        np.testing.assert_allclose(t[f"{c}_upper"], t[c])
    assert (t["verdict_upper"] == t["verdict"]).all() and t["holds_at_both_bounds"].all()


def test_party_not_listed_in_top_n_market_is_a_fringe_firm_at_the_upper_bound():
    # market x lists A .40, B .30, C .10 (sum .8); market y lists A .40, C .30 (sum .7):
    # B is not listed in y.  At the upper bound y's remainder .3 is one firm of .3 (the
    # smallest listed share), which B may be: delta = 2 x .4 x .3 = 2,400,
    # pre = .16 + .09 + .09 = 3,400, post = 5,800 -- the lower bound's no_overlap does
    # not hold at the upper bound.
    df = pd.DataFrame({"market": ["x", "x", "x", "y", "y"], "firm": ["A", "B", "C", "A", "C"],
                       "share": [.40, .30, .10, .40, .30]})
    with pytest.warns(FringeWarning):
        t = cn.screen_merger(df, ["A", "B"]).to_frame().set_index("market")
    y = t.loc["y"]
    assert y["verdict_lower"] == "no_overlap" and y["delta_hhi"] == pytest.approx(0)
    assert y["fringe_parties"] == 1 and y["combined_share_upper"] == pytest.approx(.7)
    assert y["delta_hhi_upper"] == pytest.approx(2400)
    assert y["pre_hhi_upper"] == pytest.approx(3400) and y["post_hhi_upper"] == pytest.approx(5800)
    assert y["verdict_upper"] == "presumed_anticompetitive" and not y["holds_at_both_bounds"]
    # in x both are listed: the fringe .2 is two firms of .1, delta unchanged
    x = t.loc["x"]
    assert x["fringe_parties"] == 0 and x["delta_hhi_upper"] == pytest.approx(2400)
    assert x["pre_hhi_upper"] == pytest.approx(1e4 * (.16 + .09 + .01 + 2 * .01))


def test_two_parties_not_listed_take_the_largest_fringe_firms():
    # A .5, D .2 listed (sum .7): the remainder .3 is one firm of .2 and one of .1; B and
    # C, both unlisted, take them: delta = 2 (.5 x .2 + .5 x .1 + .2 x .1) = .34 -> 3,400
    with pytest.warns(FringeWarning):
        row = cn.screen_merger({"A": .5, "D": .2, "B": 0.0, "C": 0.0},
                               ["A", "B", "C"]).to_frame().iloc[0]
    # listed with a share of 0 is reported as 0: no fringe share is assigned
    assert row["fringe_parties"] == 0 and row["delta_hhi_upper"] == pytest.approx(0)
    df = pd.DataFrame({"market": ["m", "m", "n"], "firm": ["A", "D", "B"],
                       "share": [.5, .2, 1.0]})
    df = pd.concat([df, pd.DataFrame({"market": ["n"], "firm": ["C"], "share": [0.0]})])
    with pytest.warns(FringeWarning):
        m = cn.screen_merger(df, ["A", "B", "C"]).to_frame().set_index("market").loc["m"]
    assert m["fringe_parties"] == 2
    assert m["delta_hhi_upper"] == pytest.approx(3400)
    assert m["combined_share_upper"] == pytest.approx(.8)


def test_input_not_modified(three_markets):
    before = three_markets.copy()
    cn.screen_merger(three_markets, ["A", "B"])
    pd.testing.assert_frame_equal(before, three_markets)


def test_divest_and_minimum():
    s = cn.divest({"A": .30, "B": .25, "C": .45}, ["A", "B"], 0.25)
    r = s.to_frame().iloc[0]
    assert r["delta_hhi"] == pytest.approx(0, abs=1e-9) and r["combined_share"] == pytest.approx(.30)
    to_c = cn.divest({"A": .30, "B": .25, "C": .45}, ["A", "B"], 0.1, buyer="C").to_frame().iloc[0]
    assert to_c["post_hhi"] == pytest.approx(1e4 * (.45 ** 2 + .55 ** 2))
    m = cn.minimum_divestiture({"A": .30, "B": .25, "C": .45}, ["A", "B"]).to_frame().iloc[0]
    assert m["divested"] == pytest.approx(0.2, abs=1e-8)   # 0.15 - 2d(0.55 - d) = 0.01
    assert m["verdict"] == "no_presumption" and m["attainable"]
    with pytest.raises(InvalidParameterError, match="'amount'"):
        cn.divest({"A": .30, "B": .25, "C": .45}, ["A", "B"], 0.6)


def test_ten_thousand_markets_one_call_and_parquet(tmp_path):
    rng = np.random.default_rng(7)
    n, f = 10_000, 4
    df = pd.DataFrame({"market": np.repeat(np.arange(n), f),
                       "firm": np.tile(np.array(list("ABCD"), dtype=object), n),
                       "share": rng.dirichlet(np.ones(f), n).ravel()})
    s = cn.screen_merger(df, ["A", "B"], guidelines="all")
    t = s.to_frame()
    assert len(t) == n * 7
    sub = df[df["market"] == 123].set_index("firm")["share"]
    row = t[(t["market"] == 123) & (t["guideline"] == "us2023")].iloc[0]
    assert row["delta_hhi"] == pytest.approx(2e4 * sub["A"] * sub["B"])
    path = tmp_path / "screen.parquet"
    cn.write_parquet(t, path)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(t, back, check_dtype=False)


def test_cli_screen_and_verify(tmp_path, capsys):
    from concentration.cli import main

    df = pd.DataFrame({"market": ["x", "x", "x"], "firm": ["A", "B", "C"],
                       "share": [.30, .25, .45]})
    src = tmp_path / "shares.parquet"
    df.to_parquet(src)
    out = tmp_path / "screen.csv"
    assert main(["screen", str(src), "--merging", "A,B", "--guidelines", "all",
                 "--out", str(out)]) == 0
    t = pd.read_csv(out)
    assert len(t) == 7 and t.loc[t["guideline"] == "us2023", "verdict"].iloc[0] == \
        "presumed_anticompetitive"
    assert main(["verify"]) == 0
    text = capsys.readouterr().out
    assert "pass  heinz_2001_hhi" in text and "cases pass" in text


SHARES = {"A": .30, "B": .25, "C": .45}


@pytest.mark.parametrize("merging", [None, 5, [["A"], ["B"]], {}, {"deal": None}])
def test_merging_none_or_not_parties_is_typed_error(merging):
    with pytest.raises(InvalidParameterError,
                       match=r"The 'merging' parameter of screen_merger must be two or more "
                             r"distinct parties .* Got .* instead\. Pass e\.g\."):
        cn.screen_merger(SHARES, merging)


@pytest.mark.parametrize("guidelines", [None, 5, [None], {"us2023": 1}])
def test_guidelines_none_is_typed_error(guidelines):
    with pytest.raises(InvalidParameterError,
                       match=r"The 'guidelines' parameter of screen_merger must be a registry "
                             r"key, a list of keys or 'all'\. Got .* instead\."):
        cn.screen_merger(SHARES, ["A", "B"], guidelines=guidelines)
    with pytest.raises(InvalidParameterError, match=r"'guidelines' parameter of divest"):
        cn.divest(SHARES, ["A", "B"], 0.1, guidelines=guidelines)


def test_guidelines_from_a_generator_and_records():
    gen = (k for k in ["us2023", "us2010"])
    assert cn.screen_merger(SHARES, ["A", "B"], guidelines=gen).guidelines == ("us2023", "us2010")
    from concentration.guidelines import get_guideline

    rec = get_guideline("us2010")
    assert cn.screen_merger(SHARES, ["A", "B"], guidelines=[rec]).guidelines == ("us2010",)


def test_remedy_arguments_are_typed_errors():
    with pytest.raises(InvalidParameterError, match=r"'buyer' parameter of divest must be one "
                                                    r"firm label"):
        cn.divest(SHARES, ["A", "B"], 0.1, buyer=["C"])
    with pytest.raises(InvalidParameterError, match=r"'buyer' parameter of minimum_divestiture"):
        cn.minimum_divestiture(SHARES, ["A", "B"], buyer=["C"])
    with pytest.raises(InvalidParameterError, match=r"'target' parameter of minimum_divestiture"):
        cn.minimum_divestiture(SHARES, ["A", "B"], target=["no_presumption"])
    with pytest.raises(InvalidParameterError,
                       match=r"'guidelines' parameter of minimum_divestiture must be one of"):
        cn.minimum_divestiture(SHARES, ["A", "B"], guidelines="nope")


# ---------------------------------------------------------------- entities


def _cloud():
    return pd.DataFrame({"market": "cloud", "period": "2024Q4",
                         "firm": ["Amazon", "Microsoft", "Google", "DeepMind", "Oracle"],
                         "share": [0.30, 0.20, 0.12, 0.03, 0.35]})


def test_merging_parties_resolved_through_aliases_and_parents():
    entities = cn.datasets.load("entities")
    # "Google Cloud" is an alias of Google; Google and DeepMind are Alphabet in 2024:
    # Alphabet .15, Microsoft .20 -> delta = 2 x .15 x .20 = 600
    s = cn.screen_merger(_cloud(), ["Google Cloud", "Microsoft"], parent=entities)
    row = s.to_frame().iloc[0]
    assert row["delta_hhi"] == pytest.approx(600)
    assert row["combined_share"] == pytest.approx(0.35)
    assert row["pre_hhi"] == pytest.approx(1e4 * (.3 ** 2 + .2 ** 2 + .15 ** 2 + .35 ** 2))
    parties = s.parties.set_index("party")["entity"]
    assert parties["Google Cloud"] == "Alphabet" and parties["Microsoft"] == "Microsoft"
    merged = dict(zip(s.merged["firm"], s.merged["entity"]))
    assert merged == {"Google": "Alphabet", "DeepMind": "Alphabet"}
    text = str(s.summary())
    assert "Google Cloud -> Alphabet" in text and "DeepMind -> Alphabet" in text
    # a plain mapping works as well
    m = cn.screen_merger(_cloud(), ["Google", "Microsoft"], parent={"DeepMind": "Google"})
    assert m.to_frame().iloc[0]["delta_hhi"] == pytest.approx(600)
    # without parent= the result says what nothing was merged
    plain = cn.screen_merger(_cloud(), ["Google", "Microsoft"])
    assert plain.merged.empty and plain.parties.empty
    assert plain.to_frame().iloc[0]["delta_hhi"] == pytest.approx(2 * .12 * .20 * 1e4)


def test_party_not_in_the_data_names_it_and_the_closest_names():
    with pytest.raises(InvalidParameterError, match=r"'Nonexistent'.*no close name"):
        cn.screen_merger(_cloud(), ["Microsoft", "Nonexistent"])
    with pytest.raises(InvalidParameterError,
                       match=r"Got \['Google Cloud'\].*'Google Cloud': 'Google'.*parent="):
        cn.screen_merger(_cloud(), ["Google Cloud", "Microsoft"])
    with pytest.raises(InvalidParameterError, match=r"'Microsof': 'Microsoft'"):
        cn.screen_merger(_cloud(), ["Microsof", "Amazon"],
                         parent=cn.datasets.load("entities"))


def test_parties_that_are_one_entity_are_refused():
    with pytest.raises(InvalidParameterError, match="distinct entities"):
        cn.screen_merger(_cloud(), ["Google", "DeepMind"], parent=cn.datasets.load("entities"))


def test_dated_parent_link_applies_from_its_date():
    # DeepMind joins Google on 2014-01-26: in 2013 a merger of DeepMind and Microsoft
    # is .2 x .3; in 2014 DeepMind is Google (.5 with Google's .3)
    entities = pd.DataFrame({"entity": ["DeepMind"], "parent": ["Google"],
                             "parent_since": pd.to_datetime(["2014-01-26"])})
    df = pd.DataFrame({"market": "m", "period": ["2013"] * 3 + ["2014"] * 3,
                       "firm": ["Google", "DeepMind", "Microsoft"] * 2,
                       "share": [0.3, 0.2, 0.5] * 2})
    s = cn.screen_merger(df, ["DeepMind", "Microsoft"], parent=entities)
    t = s.to_frame().set_index("period")
    assert t.loc["2013", "delta_hhi"] == pytest.approx(2 * .2 * .5 * 1e4)
    assert t.loc["2014", "delta_hhi"] == pytest.approx(2 * .5 * .5 * 1e4)
    assert set(s.parties["entity"]) == {"DeepMind", "Google", "Microsoft"}


def test_divest_and_minimum_divestiture_resolve_parties_and_buyer():
    entities = cn.datasets.load("entities")
    d = cn.divest(_cloud(), ["Google Cloud", "Microsoft"], 0.05, buyer="AWS",
                  parent=entities).to_frame().iloc[0]
    # AWS is an alias of Amazon (.30 -> .35); merged firm .35 -> .30
    assert d["buyer_share"] == pytest.approx(0.30)
    assert d["combined_share"] == pytest.approx(0.30)
    with pytest.raises(InvalidParameterError, match="'buyer'"):
        cn.divest(_cloud(), ["Google", "Microsoft"], 0.05, buyer="DeepMind", parent=entities)
    m = cn.minimum_divestiture(_cloud(), ["Google Cloud", "Microsoft"], parent=entities)
    assert m.parties.set_index("party").loc["Google Cloud", "entity"] == "Alphabet"
    with pytest.raises(InvalidParameterError, match="Nonexistent"):
        cn.minimum_divestiture(_cloud(), ["Google", "Nonexistent"])


def test_cli_screen_entities_and_missing_party(tmp_path, capsys):
    from concentration.cli import main

    src = tmp_path / "cloud.parquet"
    _cloud().to_parquet(src)
    out = tmp_path / "screen.csv"
    assert main(["screen", str(src), "--merging", "Google Cloud,Microsoft", "--entities",
                 "bundled", "--out", str(out)]) == 0
    t = pd.read_csv(out)
    assert t["delta_hhi"].iloc[0] == pytest.approx(600)
    assert {"verdict_lower", "verdict_upper", "holds_at_both_bounds"} <= set(t.columns)
    capsys.readouterr()
    assert main(["screen", str(src), "--merging", "Microsoft,Nonexistent"]) != 0
    err = capsys.readouterr().err
    assert "Nonexistent" in err and "Traceback" not in err


def test_screen_flags_or_leaves_out_non_markets():
    from concentration.exceptions import DataQualityWarning

    df = pd.DataFrame({"market": ["m", "m", "peers", "peers"], "firm": ["A", "B", "A", "B"],
                       "share": [0.5, 0.5, 0.9, 0.1],
                       "is_market": [True, True, False, False]})
    t = cn.screen_merger(df, ["A", "B"]).to_frame().set_index("market")
    assert t["is_market"].to_dict() == {"m": True, "peers": False}
    with pytest.warns(DataQualityWarning, match="'peers'"):
        left = cn.screen_merger(df, ["A", "B"], non_markets=False).to_frame()
    assert left["market"].tolist() == ["m"] and "is_market" not in left.columns
    d = cn.divest(df, ["A", "B"], 0.1).to_frame()
    assert d["is_market"].tolist() == [True, False]


def test_verdicts_pivot_keeps_time_order_and_gives_each_bound():
    df = pd.DataFrame({"market": "m",
                       "period": ["2024"] * 3 + ["2025-late"] * 3 + ["2025-mid"] * 3,
                       "firm": ["A", "B", "C"] * 3,
                       "share": [.20, .06, .35] * 3,
                       "period_start": pd.to_datetime(["2024-01-01"] * 3 + ["2025-07-01"] * 3
                                                      + ["2025-01-01"] * 3),
                       "period_end": pd.to_datetime(["2024-12-31"] * 3 + ["2025-12-31"] * 3
                                                    + ["2025-06-30"] * 3)})
    with pytest.warns(FringeWarning):
        s = cn.screen_merger(df, ["A", "B"], guidelines=["us2023", "eu2004"])
    low = s.verdicts()
    assert low.index.get_level_values("period").tolist() == ["2024", "2025-mid", "2025-late"]
    assert list(low.columns) == ["us2023", "eu2004"]
    assert (low["eu2004"] == "safe_harbour").all()
    assert (s.verdicts(bound="upper")["eu2004"] == "outside_safe_harbour").all()
    both = s.verdicts(bound="both")
    assert both["us2023"].all() and not both["eu2004"].any()
    with pytest.raises(InvalidParameterError, match="'bound'"):
        s.verdicts(bound="middle")


def test_the_screen_tables_are_built_when_read_and_survive_pickling_and_replace():
    import copy
    import dataclasses
    import pickle

    s = cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"], guidelines="all")
    t = s.to_frame()
    assert list(t["guideline"]) == list(s.guidelines)
    assert s.table is s.table                       # built once, then kept
    assert s.merged.empty and list(s.parties.columns) == ["deal", "party", "entity"]
    for other in (pickle.loads(pickle.dumps(cn.screen_merger({"A": .3, "B": .7}, ["A", "B"]))),
                  copy.deepcopy(cn.screen_merger({"A": .3, "B": .7}, ["A", "B"]))):
        assert other.to_frame()["delta_hhi"].iloc[0] == pytest.approx(4200.0)
        assert other.parties.empty
    r = dataclasses.replace(s, table=t.head(1))
    assert len(r.table) == 1 and r.guidelines == s.guidelines and r.merged.empty
    made = cn.MergerScreen(table=t, guidelines=s.guidelines, deals=s.deals)
    assert made.table is t and made.merged.empty and made.merged is not s.merged


@pytest.mark.parametrize("other", [pd.NA, np.nan, None, 1, ("x", 1)])
def test_parties_are_found_among_labels_of_any_kind(other):
    s = cn.screen_merger({"A": .5, other: .3, "B": .2}, ["A", "B"])
    assert s.to_frame()["delta_hhi"].iloc[0] == pytest.approx(2000.0)


@pytest.mark.parametrize("seed", range(6))
def test_without_a_fringe_the_upper_bound_is_the_computed_one(seed):
    # complete markets (shares sum to one): the upper bound taken as the lower one must
    # be what the fringe computation gives, remedy and buyer included
    from concentration import screen as S

    rng = np.random.default_rng(seed)
    rows = []
    for m in range(40):
        firms = list(rng.choice(list("ABCDEFG"), size=int(rng.integers(1, 7)), replace=False))
        w = rng.random(len(firms))
        w[rng.random(len(firms)) < 0.1] = 0.0
        if w.sum() == 0:
            w[0] = 1.0
        rows += [(m, f, v) for f, v in zip(firms, w / w.sum())]
    df = pd.DataFrame(rows, columns=["market", "firm", "share"])
    table, ent, _ = S._table("screen_merger", df, "market", "period", "firm", "share", None,
                             "fraction", "error", None, 0.01, "period_start", "period_end",
                             "is_market", True)
    masks, _ = S._party_masks(table, ent, ("A", "B"), "screen_merger")
    buyer, _ = S._row_mask(table, ent, "C")
    d = rng.random(table.n_groups) * 0.01
    for kw in ({}, {"buyer": buyer & ~np.logical_or.reduce(masks)},
               {"divested": d, "buyer": buyer & ~np.logical_or.reduce(masks)}):
        fast_m, fast = S._metrics(table, masks, **kw)
        full_m, full = S._metrics(table, masks, fringe=True, **kw)
        assert fast["upper"] is fast_m
        assert fast.keys() == full.keys()
        for key in fast_m:
            np.testing.assert_array_equal(fast_m[key], full_m[key])
            np.testing.assert_array_equal(fast["upper"][key], full["upper"][key])
        for key in ("overlap_upper", "fringe_parties", "parties_present", "share_sum"):
            np.testing.assert_array_equal(fast[key], full[key])
            assert fast[key].dtype == full[key].dtype
