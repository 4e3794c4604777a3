"""Entities and time in the ownership analyses: dated parents applied to shares and holdings
alike, holdings matched as of each share period's end (snapshot and per-stake modes,
max_age, periods before any holdings), and the bundled AI data."""

import warnings

import numpy as np
import pandas as pd
import pytest

import concentration as cn
from concentration.exceptions import InvalidParameterError, PeriodError

# ------------------------------------------------------------- dated parent mapping

ENTITIES = pd.DataFrame({"entity": ["Sub", "Par", "V"], "parent": ["Par", None, None],
                         "parent_since": ["2024-07-01", None, None],
                         "aliases": [None, "Par Inc", "The V Group"]})


def _entity_case():
    shares = pd.DataFrame({"market": "m", "period": ["2024Q2"] * 3 + ["2024Q3"] * 3,
                           "firm": ["Sub", "Rival", "Other"] * 2,
                           "share": [0.3, 0.5, 0.2] * 2})
    # V (also recorded as its alias) holds 10 % of Par (as "Par Inc") and 5 % + 5 % of Rival
    holdings = cn.read_holdings(pd.DataFrame({
        "owner": ["The V Group", "V", "The V Group"], "firm": ["Par Inc", "Rival", "Rival"],
        "cash_flow": [0.10, 0.05, 0.05]}))
    return shares, holdings


def test_dated_parent_applies_to_shares_and_holdings_by_hand():
    shares, h = _entity_case()
    r = cn.mhhi(shares, h, parent=ENTITIES)
    f = r.to_frame()
    # 2024Q2 (ends 2024-06-30): Sub is not yet Par's, so Sub meets no owner: delta 0
    assert f.loc[("m", "2024Q2"), "hhi"] == pytest.approx(3800.0)
    assert f.loc[("m", "2024Q2"), "mhhi_delta"] == pytest.approx(0.0, abs=1e-9)
    # 2024Q3: Sub's 30 % is Par's; V holds 10 % of Par and 10 % of Rival, so
    # kappa(Par, Rival) = kappa(Rival, Par) = .1*.1/.1**2 = 1: delta = 2*.3*.5*10,000
    assert f.loc[("m", "2024Q3"), "mhhi_delta"] == pytest.approx(3000.0, rel=1e-12)
    assert f.loc[("m", "2024Q3"), "top_pair"] in ("Par & Rival", "Rival & Par")
    joined = set(map(tuple, r.entities[["role", "name", "entity"]].values.tolist()))
    assert joined == {("share firm", "Sub", "Par"), ("holdings owner", "The V Group", "V"),
                      ("holdings firm", "Par Inc", "Par")}
    assert "joined to their entity" in str(r.summary())


def test_without_parent_the_subsidiary_meets_no_owner():
    shares, h = _entity_case()
    f = cn.mhhi(shares, h).to_frame()
    assert f["mhhi_delta"].abs().max() == pytest.approx(0.0, abs=1e-9)
    assert cn.mhhi(shares, h).entities is None


def test_read_holdings_and_profit_weights_join_entities():
    h = cn.read_holdings(pd.DataFrame({
        "owner": ["The V Group", "V", "Par"], "firm": ["Par Inc", "Rival", "Sub"],
        "cash_flow": [0.10, 0.10, 1.0], "period": ["2024-08-31"] * 3}), parent=ENTITIES)
    # Par's stake in Sub (its subsidiary since 2024-07-01) is internal and dropped
    assert h.table[["owner", "firm"]].values.tolist() == [["V", "Par"], ["V", "Rival"]]
    assert set(h.entities["name"]) == {"The V Group", "Par Inc", "Sub"}
    assert "internal_stake" in set(h.report.issues["check"])
    k = cn.profit_weights(cn.read_holdings(pd.DataFrame({
        "owner": ["V", "V"], "firm": ["Par Inc", "Rival"], "cash_flow": [0.1, 0.1]})),
        parent=ENTITIES, firms=["Sub", "Rival"])
    assert list(k.index) == ["Par", "Rival"]
    assert k.loc["Par", "Rival"] == pytest.approx(1.0)
    assert {"role": "firm", "name": "Par Inc", "entity": "Par"} in k.attrs["entities"]


def test_bundled_entities_table_is_accepted_as_it_is():
    ent = cn.datasets.load("entities")
    h = cn.read_holdings(pd.DataFrame({"owner": ["The Vanguard Group"], "firm": ["Google Cloud"],
                                       "cash_flow": [0.07]}), parent=ent)
    assert h.table[["owner", "firm"]].values.tolist() == [["Vanguard", "Alphabet"]]


# ------------------------------------------------------------------ as-of matching

def _dated_holdings(exit_row=False):
    rows = [("2024Q1", "V", "A", 0.1), ("2024Q1", "V", "B", 0.1), ("2024Q3", "W", "B", 0.1)]
    if exit_row:
        rows.append(("2024Q3", "V", "B", 0.0))
    return cn.read_holdings(pd.DataFrame(rows, columns=["period", "owner", "firm", "cash_flow"]))


def _dated_shares():
    periods = ["2023Q4", "2024Q2", "2024Q3", "2024Q4"]
    return pd.DataFrame({"period": np.repeat(periods, 2), "firm": ["A", "B"] * 4,
                         "share": [0.6, 0.4] * 4})


def test_snapshot_as_of_by_hand():
    r = cn.mhhi(_dated_shares(), _dated_holdings())
    f = r.to_frame()
    assert r.as_of == "snapshot"
    # 2023Q4: before any holdings: no adjustment, and the reason
    assert f.loc["2023Q4", "mhhi_delta"] == 0.0
    assert pd.isna(f.loc["2023Q4", "holdings_as_of"])
    assert f.loc["2023Q4", "holdings_note"] == "no holdings on or before 2023-12-31"
    # 2024Q2 uses the 2024Q1 snapshot (V holds 10 % of each): kappa = 1 both ways
    assert f.loc["2024Q2", "mhhi_delta"] == pytest.approx(4800.0, rel=1e-12)
    assert f.loc["2024Q2", "holdings_as_of"] == pd.Timestamp("2024-03-31")
    # 2024Q3 and Q4 use the 2024Q3 snapshot (only W in B): A has no holdings
    for p in ("2024Q3", "2024Q4"):
        assert f.loc[p, "mhhi_delta"] == pytest.approx(0.0, abs=1e-12)
        assert f.loc[p, "holdings_as_of"] == pd.Timestamp("2024-09-30")
    assert "no ownership adjustment" in str(r.summary())


def test_stake_carry_forward_by_hand():
    f = cn.mhhi(_dated_shares(), _dated_holdings(), as_of="stake").to_frame()
    # 2024Q3: V's 2024Q1 stakes carried forward, plus W's 10 % of B:
    # kappa_AB = .1*.1/.1**2 = 1, kappa_BA = .1*.1/(.1**2 + .1**2) = .5
    assert f.loc["2024Q3", "mhhi_delta"] == pytest.approx(2400 * 1.5, rel=1e-12)
    assert f.loc["2024Q3", "holdings_as_of"] == pd.Timestamp("2024-09-30")
    assert f.loc["2024Q2", "mhhi_delta"] == pytest.approx(4800.0, rel=1e-12)
    assert f.loc["2023Q4", "holdings_note"] == "no holdings on or before 2023-12-31"
    # a zero stake ends V's stake in B
    g = cn.mhhi(_dated_shares(), _dated_holdings(exit_row=True), as_of="stake").to_frame()
    assert g.loc["2024Q3", "mhhi_delta"] == pytest.approx(0.0, abs=1e-12)
    assert g.loc["2024Q2", "mhhi_delta"] == pytest.approx(4800.0, rel=1e-12)


def test_max_age_by_hand():
    f = cn.mhhi(_dated_shares(), _dated_holdings(), max_age="60D").to_frame()
    # the 2024Q1 snapshot is 91 days old at 2024-06-30
    assert f.loc["2024Q2", "mhhi_delta"] == 0.0
    assert "older than max_age" in f.loc["2024Q2", "holdings_note"]
    g = cn.mhhi(_dated_shares(), _dated_holdings(), as_of="stake",
                max_age=pd.Timedelta(days=200)).to_frame()
    # at 2024-09-30 the 2024Q1 stakes are 183 days old (kept); at 2024-12-31, 275 (dropped)
    assert g.loc["2024Q3", "mhhi_delta"] == pytest.approx(3600.0, rel=1e-12)
    assert g.loc["2024Q4", "mhhi_delta"] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(InvalidParameterError, match="max_age"):
        cn.mhhi(_dated_shares(), _dated_holdings(), max_age="soon")


def test_label_matching_and_unplaceable_labels():
    with pytest.raises(cn.exceptions.InvalidHoldingsError, match="no rows"):
        cn.mhhi(_dated_shares(), _dated_holdings(), as_of="label")
    shares = pd.DataFrame({"period": ["pre", "pre"], "firm": ["A", "B"], "share": [0.5, 0.5]})
    h = cn.read_holdings(pd.DataFrame({"period": ["pre", "pre"], "owner": ["V", "V"],
                                       "firm": ["A", "B"], "cash_flow": [0.1, 0.1]}))
    assert cn.mhhi(shares, h).to_frame()["mhhi"].iloc[0] == pytest.approx(10_000.0)
    with pytest.raises(PeriodError, match="'pre'"):
        cn.mhhi(shares, h, as_of="stake")


def test_holdings_as_of_and_profit_weights_at_a_date():
    h = _dated_holdings()
    snap = h.as_of("2024-08-15")
    assert not snap.has_period and snap.as_of_date == pd.Timestamp("2024-03-31")
    k = cn.profit_weights(h, at="2024-12-31", as_of="stake")
    assert k.loc["B", "A"] == pytest.approx(0.5)
    assert k.attrs["holdings_as_of"] == pd.Timestamp("2024-09-30")
    with pytest.raises(InvalidParameterError, match="at="):
        cn.profit_weights(h, as_of="stake")


# ------------------------------------------------------------------ the bundled data

@pytest.fixture(scope="module")
def bundled():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shares = cn.datasets.load("ai_market_shares")
        stakes = cn.datasets.load("ai_ownership", held_only=True)
        stakes = stakes[stakes["cash_flow"].notna()]
        h = cn.read_holdings(stakes, period="as_of", control="control",
                             control_missing="cash_flow")
        ent = cn.datasets.load("entities")
        with_parent = cn.mhhi(shares, h, as_of="stake", parent=ent)
        without = cn.mhhi(shares, h, as_of="stake")
    return shares, stakes, h, ent, with_parent, without


def _reference_mhhi(shares, stakes):
    """Triple-sum O'Brien-Salop MHHI, shares {firm: s}, stakes {(owner, firm): (beta, gamma)}."""
    owners = {o for o, _ in stakes}
    total = 0.0
    for j, sj in shares.items():
        den = sum(stakes.get((i, j), (0, 0))[1] * stakes.get((i, j), (0, 0))[0] for i in owners)
        for k, sk in shares.items():
            if j == k:
                kap = 1.0
            elif den == 0:
                kap = 0.0
            else:
                kap = sum(stakes.get((i, j), (0, 0))[1] * stakes.get((i, k), (0, 0))[0]
                          for i in owners) / den
            total += sj * sk * kap
    return 10_000 * total


def test_bundled_cloud_2024q4_parent_join_by_hand(bundled):
    shares, _, _, _, with_parent, without = bundled
    # independent carry-forward: the dataset loader's own as_of selection
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = cn.datasets.load("ai_ownership", held_only=True, as_of="2024-12-31")
    st = st[st["cash_flow"].notna()]
    stakes = {(o, f): (b, b if pd.isna(c) else c)            # control_missing="cash_flow"
              for o, f, b, c in st[["owner", "firm", "cash_flow", "control"]].itertuples(
                  index=False, name=None)}
    cloud = shares[(shares["market"] == "cloud_infra_synergy") & (shares["period"] == "2024Q4")]
    named = dict(zip(cloud["firm"], cloud["share"]))             # Amazon, Microsoft, Google
    joined = {("Alphabet" if f == "Google" else f): s for f, s in named.items()}
    want_parent = _reference_mhhi(joined, stakes) - 10_000 * sum(x * x for x in named.values())
    want_plain = _reference_mhhi(named, stakes) - 10_000 * sum(x * x for x in named.values())
    got_parent = with_parent.to_frame().loc[("cloud_infra_synergy", "2024Q4"), "mhhi_delta"]
    got_plain = without.to_frame().loc[("cloud_infra_synergy", "2024Q4"), "mhhi_delta"]
    assert got_parent == pytest.approx(want_parent, rel=1e-10)
    assert got_plain == pytest.approx(want_plain, rel=1e-10)
    # pinned (data of datasets/ as corrected for issue 17, stakes carried to 2024-12-31)
    assert got_parent == pytest.approx(1191.546939, abs=1e-5)
    assert got_plain == pytest.approx(744.752079, abs=1e-5)


def test_bundled_google_meets_alphabets_owners(bundled):
    _, _, _, _, with_parent, without = bundled
    ents = with_parent.entities
    assert ("share firm", "Google", "Alphabet") in set(map(tuple, ents.values.tolist()))
    f = with_parent.to_frame()
    late = f.loc[("enterprise_llm_api_menlo", "2025-late")]
    assert late["top_pair"] == "Alphabet & Anthropic"
    pairs = with_parent.by_pair()
    menlo = pairs[(pairs["market"] == "enterprise_llm_api_menlo")
                  & (pairs["period"] == "2025-late")]
    assert ((menlo["firm"] == "Alphabet") & (menlo["other"] == "Anthropic")).any()
    plain = without.to_frame().loc[("enterprise_llm_api_menlo", "2025-late")]
    assert late["mhhi_delta"] > plain["mhhi_delta"]


def test_bundled_no_stake_after_a_period_end(bundled):
    shares, _, _, _, with_parent, _ = bundled
    f = with_parent.to_frame()
    ends = (shares.groupby(["market", "period"])["period_end"].max()
            .reindex(f.index))
    used = f["holdings_as_of"].notna()
    assert used.any()
    assert (f.loc[used, "holdings_as_of"] <= pd.to_datetime(ends[used])).all()
    # periods before the first stake of any of their firms are not adjusted, and say so
    early = f.loc[("cloud_infra_canalys", "2018Q4")]
    assert early["mhhi_delta"] == 0.0 and isinstance(early["holdings_note"], str)


def test_undated_holdings_meet_each_period_with_its_links():
    # V holds 10 % of Sub and 10 % of Rival (undated).  In 2024Q2 Sub is its own firm
    # (kappa = 1 with Rival: delta 2*.3*.5*10,000 = 3,000); from 2024-07-01 Sub is Par's,
    # on both sides, so the 2024Q3 market meets the same owner under the name Par.
    shares, _ = _entity_case()
    h = cn.read_holdings(pd.DataFrame({"owner": ["V", "V"], "firm": ["Sub", "Rival"],
                                       "cash_flow": [0.1, 0.1]}))
    f = cn.mhhi(shares, h, parent=ENTITIES).to_frame()
    assert f.loc[("m", "2024Q2"), "mhhi_delta"] == pytest.approx(3000.0, rel=1e-12)
    assert f.loc[("m", "2024Q3"), "mhhi_delta"] == pytest.approx(3000.0, rel=1e-12)
    assert f.loc[("m", "2024Q2"), "top_pair"] in ("Sub & Rival", "Rival & Sub")
    assert f.loc[("m", "2024Q3"), "top_pair"] in ("Par & Rival", "Rival & Par")


def test_bundled_kappa_above_one_depends_on_the_control_column(bundled):
    shares, stakes, _, ent, _, _ = bundled
    menlo = shares[shares["market"] == "enterprise_llm_api_menlo"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # control following cash flow: Alphabet's 14 % of Anthropic makes it Anthropic's
        # only controlling owner, and kappa(Anthropic, Alphabet) = .14 / .14**2 = 1/.14
        loose = cn.mhhi(menlo, cn.read_holdings(stakes, period="as_of"), as_of="stake",
                        parent=ent)
        # the data's control column: the stake carries no votes (control 0)
        strict = cn.mhhi(menlo, cn.read_holdings(stakes, period="as_of", control="control",
                                                 control_missing="cash_flow"),
                         as_of="stake", parent=ent)
    flags = loose.kappa_above_one
    row = flags[(flags["firm"] == "Anthropic") & (flags["other"] == "Alphabet")]
    assert row["kappa"].iloc[-1] == pytest.approx(1 / 0.14, rel=1e-12)
    assert set(row["cause"]) == {"rival_controls"}
    assert (strict.kappa_above_one["other"] != "Alphabet").all()
    assert strict.to_frame()["mhhi"].max() < loose.to_frame()["mhhi"].max()
