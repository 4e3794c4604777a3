"""MHHI: hand-computed cases, the triple-sum reference, decompositions, properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import concentration as cn
from concentration.exceptions import FringeWarning, InvalidHoldingsError, InvalidParameterError


def ref_mhhi(shares, stakes):
    """Pure-Python O'Brien-Salop MHHI with proportional control (triple sum)."""
    owners = {o for o, _ in stakes}
    total = 0.0
    for j, sj in shares.items():
        den = sum(stakes.get((i, j), 0.0) ** 2 for i in owners)
        for k, sk in shares.items():
            if den == 0:
                kap = 1.0 if j == k else 0.0
            else:
                kap = sum(stakes.get((i, j), 0.0) * stakes.get((i, k), 0.0)
                          for i in owners) / den
            total += sj * sk * kap
    return 10_000 * total


def holdings_from(stakes):
    return cn.read_holdings(pd.DataFrame([(o, f, b) for (o, f), b in stakes.items()],
                                         columns=["owner", "firm", "cash_flow"]))


def test_two_airlines_identical_holdings():
    h = holdings_from({("Vanguard", "AA"): 0.08, ("Vanguard", "UA"): 0.08,
                       ("BlackRock", "AA"): 0.06, ("BlackRock", "UA"): 0.06})
    r = cn.mhhi({"AA": 0.5, "UA": 0.5}, h)
    assert r.hhi == pytest.approx(5000.0)
    assert r.mhhi == pytest.approx(10000.0)
    assert r.mhhi_delta == pytest.approx(5000.0)


def test_no_common_owners_gives_hhi():
    h = holdings_from({("X", "A"): 0.3, ("Y", "B"): 0.4, ("Z", "C"): 0.2})
    r = cn.mhhi({"A": 0.5, "B": 0.3, "C": 0.2}, h)
    assert r.mhhi == pytest.approx(3800.0) and r.hhi == pytest.approx(3800.0)
    assert r.mhhi_delta == pytest.approx(0.0, abs=1e-9)


def test_asymmetric_toy_matches_hand_triple_sum():
    # X: 50% of A, 10% of B; Y: 50% of B; Z: 20% of A.  Shares A .6, B .4.
    h = holdings_from({("X", "A"): 0.5, ("X", "B"): 0.1, ("Y", "B"): 0.5, ("Z", "A"): 0.2})
    r = cn.mhhi({"A": 0.6, "B": 0.4}, h)
    k_ab, k_ba = 0.05 / 0.29, 0.05 / 0.26
    hand = 10_000 * (0.36 + 0.16 + 0.6 * 0.4 * k_ab + 0.4 * 0.6 * k_ba)
    assert r.mhhi == pytest.approx(hand, rel=1e-12)
    # by_pair: the (A, B) term uses kappa_AB, not kappa_BA (a transposition would fail)
    pairs = r.by_pair().set_index(["firm", "other"])
    assert pairs.loc[("A", "B"), "weight"] == pytest.approx(k_ab)
    assert pairs.loc[("B", "A"), "weight"] == pytest.approx(k_ba)
    # with unequal shares s_A s_B is symmetric, so also check a 3-firm market where
    # transposing kappa changes MHHI: A .5, B .3, C .2 with C owned by Y only.
    h3 = holdings_from({("X", "A"): 0.5, ("X", "B"): 0.1, ("Y", "B"): 0.5, ("Z", "A"): 0.2,
                        ("Y", "C"): 0.3})
    shares = {"A": 0.5, "B": 0.3, "C": 0.2}
    r3 = cn.mhhi(shares, h3)
    k = cn.profit_weights(h3, firms=list(shares))
    s = np.array(list(shares.values()))
    assert r3.mhhi == pytest.approx(10_000 * s @ k.to_numpy() @ s)
    assert r3.mhhi == pytest.approx(ref_mhhi(shares, {("X", "A"): 0.5, ("X", "B"): 0.1,
                                                      ("Y", "B"): 0.5, ("Z", "A"): 0.2,
                                                      ("Y", "C"): 0.3}), rel=1e-12)
    # sanity of the check: kappa is far from symmetric here
    assert not np.allclose(k.to_numpy(), k.to_numpy().T)


def test_by_owner_sums_to_delta_and_pairs_to_mhhi():
    rng = np.random.default_rng(11)
    rows = []
    for m in range(6):
        firms = rng.choice(list("ABCDEFG"), size=int(rng.integers(2, 5)), replace=False)
        sh = rng.dirichlet(np.ones(len(firms)))
        rows += [(f"m{m}", f, s) for f, s in zip(firms, sh)]
    shares = pd.DataFrame(rows, columns=["market", "firm", "share"])
    stakes = {}
    for f in "ABCDEF":          # G has no holdings
        for o in rng.choice(5, size=3, replace=False):
            stakes[(f"o{o}", f)] = float(rng.uniform(0.01, 0.3))
    h = holdings_from(stakes)
    for model in ("proportional", "banzhaf", "power", "size", "sole"):
        r = cn.mhhi(shares, h, control_model=model)
        f = r.to_frame()
        assert list(f.columns[:3]) == ["hhi", "mhhi", "mhhi_delta"]
        owner_sum = r.by_owner().groupby("market")["contribution"].sum()
        np.testing.assert_allclose(owner_sum.reindex(f.index, fill_value=0.0),
                                   f["mhhi_delta"], rtol=1e-10, atol=1e-8)
        p = r.by_pair()
        np.testing.assert_allclose(p.groupby("market")["contribution"].sum(), f["mhhi"],
                                   rtol=1e-12)
        own = p[p["firm"] == p["other"]].groupby("market")["contribution"].sum()
        np.testing.assert_allclose(own, f["hhi"], rtol=1e-12)
    expected = {m for m, g in shares.groupby("market") if "G" in set(g["firm"])}
    assert set(r.no_holdings["market"]) == expected
    assert set(r.no_holdings["firm"]) <= {"G"}


def test_by_owner_attribution_by_hand():
    # Identical holdings, shares .5/.5: delta 5,000 split by each owner's gamma*beta share.
    h = holdings_from({("V", "AA"): 0.1, ("V", "UA"): 0.1, ("B", "AA"): 0.05, ("B", "UA"): 0.05})
    r = cn.mhhi({"AA": 0.5, "UA": 0.5}, h)
    c = r.by_owner().set_index("owner")["contribution"]
    # c_V = 10,000 * 2 * (.5 * .1 / .0125) * (.5 * .1) = 4,000; c_B = 1,000
    assert c["V"] == pytest.approx(4000.0) and c["B"] == pytest.approx(1000.0)


def test_random_cases_match_reference():
    rng = np.random.default_rng(5)
    for _ in range(25):
        n_f, n_o = int(rng.integers(2, 6)), int(rng.integers(1, 6))
        firms = [f"F{i}" for i in range(n_f)]
        stakes = {}
        for f in firms[:-1] if rng.random() < 0.3 else firms:   # sometimes one has no data
            for o in rng.choice(n_o, size=int(rng.integers(1, n_o + 1)), replace=False):
                stakes[(f"o{o}", f)] = float(rng.uniform(0.01, 1.0 / n_o))
        sh = dict(zip(firms, rng.dirichlet(np.ones(n_f))))
        r = cn.mhhi(sh, holdings_from(stakes))
        assert r.mhhi == pytest.approx(ref_mhhi(sh, stakes), rel=1e-10)


def test_scenarios_recompute_delta():
    h = holdings_from({("BlackRock", "AA"): 0.07, ("BlackRock", "UA"): 0.02,
                       ("Vanguard", "UA"): 0.07, ("Vanguard", "AA"): 0.02,
                       ("Berkshire", "DL"): 0.09})
    sh = {"AA": 0.4, "UA": 0.35, "DL": 0.25}
    base = cn.mhhi(sh, h).mhhi_delta
    merged = cn.mhhi(sh, h.merge_owners(["BlackRock", "Vanguard"])).mhhi_delta
    assert merged > base
    sold = cn.mhhi(sh, h.divest("BlackRock", "UA").divest("Vanguard", "AA")).mhhi_delta
    assert sold == pytest.approx(0.0, abs=1e-9)
    silent = cn.mhhi(sh, h.strip_control("BlackRock", "AA").strip_control("Vanguard", "AA"),
                     control_model="voting")
    # AA's managers answer to nobody with cash flow elsewhere -> only UA weighs AA
    assert silent.mhhi_delta < base


def test_panel_with_periods_and_screen():
    shares = pd.DataFrame({"market": ["r1"] * 4, "period": [1, 1, 2, 2],
                           "firm": ["AA", "UA", "AA", "UA"], "share": [0.5] * 4})
    h = cn.read_holdings(pd.DataFrame({
        "period": [1, 1, 2, 2], "owner": ["V", "V", "V", "W"],
        "firm": ["AA", "UA", "AA", "UA"], "cash_flow": [0.1, 0.1, 0.1, 0.1]}))
    r = cn.mhhi(shares, h)
    f = r.to_frame()
    assert f.loc[("r1", 1), "mhhi"] == pytest.approx(10000.0)
    assert f.loc[("r1", 2), "mhhi"] == pytest.approx(5000.0)
    sc = r.screen()
    assert sc.loc[("r1", 1), "mhhi_elhauge2016"] == "above_threshold"
    assert sc.loc[("r1", 2), "mhhi_elhauge2016"] == "below_threshold"
    assert sc.loc[("r1", 2), "hhi_us2010"] == "highly_concentrated"
    assert sc.loc[("r1", 2), "hhi_us2023"] == "highly_concentrated"
    assert "Harvard Law Review 129" in sc.attrs["citations"]["mhhi_elhauge2016"]
    with pytest.raises(InvalidParameterError, match="holdings_period"):
        cn.mhhi({"AA": 0.5, "UA": 0.5}, h)
    assert cn.mhhi({"AA": 0.5, "UA": 0.5}, h, holdings_period=2).mhhi == pytest.approx(5000)
    with pytest.raises(InvalidHoldingsError, match="no rows"):
        cn.mhhi(shares.assign(period=[1, 1, 3, 3]), h)


def test_screen_boundaries_are_strict():
    # Elhauge (2016): "a ΔMHHI of over 200 in a market with an MHHI over 2500" -- both
    # strict, one tier.  HHI 5,000 with no common owner: MHHI 5,000 but delta 0.
    h = holdings_from({("X", "A"): 0.1, ("Y", "B"): 0.1})
    r = cn.mhhi({"A": 0.5, "B": 0.5}, h)
    sc = r.screen()
    assert sc["mhhi_elhauge2016"].iloc[0] == "below_threshold"


@pytest.mark.parametrize("level, delta, verdict", [
    (2500.0, 5000.0, "below_threshold"),          # MHHI exactly 2,500 is not "over 2500"
    (np.nextafter(2500.0, 3e3), 201.0, "above_threshold"),
    (9000.0, 200.0, "below_threshold"),           # delta exactly 200 is not "over 200"
    (9000.0, np.nextafter(200.0, 3e2), "above_threshold"),
    (2400.0, 2000.0, "below_threshold"),          # no second tier below 2,500
    (1600.0, 150.0, "below_threshold"),
])
def test_elhauge_threshold_boundaries(level, delta, verdict):
    from concentration.ownership import SCREEN_RULES
    from concentration.ownership._mhhi import _screen_column

    v, cite = _screen_column(np.array([level]), np.array([delta]), "mhhi_elhauge2016")
    assert v[0] == verdict
    assert "over 200" in cite and "over 2500" in cite
    rules = [r for r in SCREEN_RULES if r["screen"] == "mhhi_elhauge2016"]
    assert [r["verdict"] for r in rules] == ["above_threshold", "below_threshold"]


def test_elhauge_threshold_end_to_end():
    # Two firms at .5/.5 whose managers weigh each other's profit at kappa: MHHI delta
    # = 10,000 * 2 * .25 * kappa = 5,000 kappa.  kappa = .05 -> delta 250 > 200, MHHI
    # 5,250 > 2,500; kappa = .03 -> delta 150 <= 200.
    for k, verdict in ((0.05, "above_threshold"), (0.03, "below_threshold")):
        g = pd.DataFrame({"owner": ["X", "X", "Y", "Y"], "firm": ["A", "B", "A", "B"],
                          "control": [1.0, 0.0, 0.0, 1.0]})
        # X controls A and holds beta_XA = 1, beta_XB = k; symmetric for Y.
        h = holdings_from({("X", "A"): 0.5, ("X", "B"): 0.5 * k,
                           ("Y", "B"): 0.5, ("Y", "A"): 0.5 * k})
        r = cn.mhhi({"A": 0.5, "B": 0.5}, h, control_model=g)
        assert r.mhhi_delta == pytest.approx(5000 * k)
        assert r.screen()["mhhi_elhauge2016"].iloc[0] == verdict


def test_summary_repr_and_fringe():
    h = holdings_from({("X", "A"): 0.1, ("X", "B"): 0.1})
    with pytest.warns(FringeWarning):
        r = cn.mhhi({"A": 0.3, "B": 0.3}, h)
    text = str(r.summary())
    assert "MHHI" in text and "not symmetric" in text
    assert len(repr(r)) < 300
    assert "<script" not in r._repr_html_()


# -------------------------------------------------------------------------- properties

@st.composite
def markets(draw):
    n_f = draw(st.integers(2, 5))
    n_o = draw(st.integers(1, 4))
    stakes = {}
    for f in range(n_f):
        for o in range(n_o):
            if draw(st.booleans()):
                stakes[(f"o{o}", f"F{f}")] = draw(st.floats(0.001, 1.0 / n_o))
    raw = [draw(st.floats(0.01, 1.0)) for _ in range(n_f)]
    shares = {f"F{f}": r / sum(raw) for f, r in enumerate(raw)}
    return shares, stakes


@settings(max_examples=25, deadline=None)
@given(markets())
def test_mhhi_at_least_hhi_with_proportional_control(case):
    shares, stakes = case
    if not stakes:
        return
    r = cn.mhhi(shares, holdings_from(stakes))
    assert r.mhhi >= r.hhi - 1e-9
    assert r.mhhi == pytest.approx(ref_mhhi(shares, stakes), rel=1e-9)


@settings(max_examples=20, deadline=None)
@given(markets(), st.randoms(use_true_random=False))
def test_permutation_invariance(case, rnd):
    shares, stakes = case
    if not stakes:
        return
    h = holdings_from(stakes)
    r1 = cn.mhhi(shares, h)
    items = list(shares.items())
    rnd.shuffle(items)
    rows = list(stakes.items())
    rnd.shuffle(rows)
    r2 = cn.mhhi(dict(items), holdings_from(dict(rows)))
    assert r2.mhhi == pytest.approx(r1.mhhi, rel=1e-12)
    assert r2.mhhi_delta == pytest.approx(r1.mhhi_delta, rel=1e-9, abs=1e-9)


# ------------------------------------------------------------------------------- CLI

def test_cli_mhhi(tmp_path, capsys):
    from concentration.cli import main

    s, h = tmp_path / "s.parquet", tmp_path / "h.parquet"
    cn.write_parquet(pd.DataFrame({"market": ["x", "x", "y", "y"],
                                   "firm": ["AA", "UA", "AA", "DL"],
                                   "share": [50, 50, 60, 40]}), s)
    cn.write_parquet(pd.DataFrame({"owner": ["V", "V", "B", "B"],
                                   "firm": ["AA", "UA", "AA", "UA"],
                                   "cash_flow": [0.1, 0.1, 0.05, 0.05]}), h)
    out = tmp_path / "m.csv"
    assert main(["mhhi", str(s), str(h), "--scale", "percent", "-o", str(out)]) == 0
    f = pd.read_csv(out, index_col="market")
    assert f.loc["x", "mhhi"] == pytest.approx(10000.0)
    assert f.loc["y", "mhhi_delta"] == pytest.approx(0.0)
    assert main(["mhhi", str(s), str(h), "--scale", "percent", "--by", "owner"]) == 0
    assert "4000" in capsys.readouterr().out
    assert main(["mhhi", str(s), str(h)]) == 1                       # percent as fraction
    assert main(["mhhi", str(s), str(h), "--scale", "percent",
                 "--control-model", "voting"]) == 2                  # no control column


@pytest.mark.parametrize("pair_max", [0, 128])
def test_pair_and_kernel_kappa_paths_agree(monkeypatch, pair_max):
    import concentration.ownership._kappa as own

    rng = np.random.default_rng(2)
    stakes = {(f"o{o}", f"F{f}"): float(rng.uniform(0.01, 0.2))
              for f in range(8) for o in rng.choice(6, size=3, replace=False)}
    rows = []
    for m in range(15):
        firms = rng.choice(8, size=int(rng.integers(2, 5)), replace=False)
        rows += [(m, f"F{f}", s) for f, s in zip(firms, rng.dirichlet(np.ones(len(firms))))]
    shares = pd.DataFrame(rows, columns=["market", "firm", "share"])
    monkeypatch.setattr(own, "_PAIR_BLOCK_MAX", pair_max)
    r = cn.mhhi(shares, holdings_from(stakes))
    want = [ref_mhhi(dict(zip(g["firm"], g["share"])), stakes)
            for _, g in shares.groupby("market")]
    np.testing.assert_allclose(r.to_frame()["mhhi"].to_numpy(), want, rtol=1e-10)


def test_screen_hhi_zones_follow_the_guideline_registry_at_the_boundaries():
    # HHI exactly 1,500 is moderately concentrated under 2010 §5.3 (1,500 <= HHI <= 2,500)
    # and exactly 1,800 is not highly concentrated under 2023 §2.1 (HHI > 1,800)
    a = np.sqrt(0.15)  # one firm with share sqrt(.15) and a fringe: HHI = 1,500
    b = np.sqrt(0.18)
    shares = pd.DataFrame({"market": ["m15", "m18"], "firm": ["A", "A"], "share": [a, b]})
    h = cn.read_holdings(pd.DataFrame({"owner": ["X"], "firm": ["A"], "cash_flow": [0.2]}))
    with pytest.warns(cn.exceptions.FringeWarning):
        sc = cn.mhhi(shares, h, period=None).screen()
    assert sc["hhi"].to_numpy() == pytest.approx([1500.0, 1800.0])
    assert sc.loc["m15", "hhi_us2010"] == "moderately_concentrated"
    assert sc.loc["m18", "hhi_us2023"] == "not_highly_concentrated"
    assert sc.attrs["citations"]["hhi_us2010"].endswith("§5.3")


def test_holdings_period_without_holdings_periods_is_refused():
    h = holdings_from({("Vanguard", "AA"): 0.08, ("Vanguard", "UA"): 0.08})
    with pytest.raises(InvalidParameterError,
                       match="'holdings_period' parameter of mhhi must be None when the "
                             "holdings have no period column"):
        cn.mhhi({"AA": 0.5, "UA": 0.5}, h, holdings_period="2024Q1")
    df = pd.DataFrame({"market": ["m", "m"], "period": [1, 1], "firm": ["AA", "UA"],
                       "share": [0.5, 0.5]})
    with pytest.raises(InvalidParameterError, match="holdings_period"):
        cn.mhhi(df, h, holdings_period=1)
    assert cn.mhhi({"AA": 0.5, "UA": 0.5}, h).mhhi == pytest.approx(10_000.0)
