"""Tests for partnership-adjusted concentration (partnership_weights, weighted_hhi)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import concentration as cn
from concentration import exceptions as exc
from concentration.network import PartnershipNetwork
from concentration.network import DEFAULT_TIE_WEIGHTS, partnership_weights, weighted_hhi

SHARES = {"A": 0.5, "B": 0.3, "C": 0.2}


def test_identity_equals_hhi():
    r = weighted_hhi(SHARES, np.eye(3))
    assert r.value == pytest.approx(cn.hhi(SHARES), abs=1e-9)
    assert r.value == pytest.approx(3800.0)
    assert r.hhi == pytest.approx(3800.0) and r.delta == pytest.approx(0.0)
    assert r.by_pair().empty


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.001, 1.0), min_size=1, max_size=12))
def test_identity_equals_hhi_property(raw):
    s = np.asarray(raw) / np.sum(raw)
    r = weighted_hhi(s, np.eye(s.size))
    assert r.value == pytest.approx(cn.hhi(s), rel=1e-12, abs=1e-9)


def test_hand_computed_pair_terms():
    K = [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 1]]
    r = weighted_hhi(SHARES, K)
    # 10,000 * 2 * 0.5 * 0.3 * 0.5 = 1,500
    assert r.delta == pytest.approx(1500.0)
    assert r.value == pytest.approx(5300.0)
    pairs = r.by_pair()
    assert pairs["contribution"].sum() == pytest.approx(r.delta)
    assert set(zip(pairs.firm, pairs.other)) == {("A", "B"), ("B", "A")}
    frame = r.to_frame()
    assert frame["total"].sum() == pytest.approx(r.value)
    assert "sensitivity measure" in str(r.summary())
    assert "<" not in repr(r)[1:-1] or repr(r).startswith("<WeightedHHI")


def test_asymmetric_weights():
    K = np.array([[1, 0.3, 0], [0, 1, 0], [0, 0, 1]])  # A weighs B's profit, not the reverse
    r = weighted_hhi(SHARES, K)
    assert r.delta == pytest.approx(10_000 * 0.5 * 0.3 * 0.3)
    p = r.by_pair()
    assert list(zip(p.firm, p.other)) == [("A", "B")]


def test_labelled_weights_and_unmatched_firms():
    K = pd.DataFrame([[1, 0.5], [0.5, 1]], index=["B", "A"], columns=["B", "A"])
    r = weighted_hhi(SHARES, K)
    assert r.unmatched == ("C",)
    assert r.delta == pytest.approx(1500.0)
    assert "No weights given" in str(r.summary())


def test_percent_shares_and_validation():
    r = weighted_hhi([50, 30, 20], np.eye(3), scale="percent")
    assert r.value == pytest.approx(3800.0)
    with pytest.raises(exc.InvalidParameterError, match="unit diagonal"):
        weighted_hhi(SHARES, np.zeros((3, 3)))
    with pytest.raises(exc.InvalidParameterError, match=r"in \[0, 1\]"):
        weighted_hhi(SHARES, [[1, 2, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(exc.InvalidParameterError, match="shape"):
        weighted_hhi(SHARES, np.eye(2))
    with pytest.raises(exc.InvalidSharesError):
        weighted_hhi({"A": -0.1, "B": 1.1}, np.eye(2))


def test_fringe_warns():
    with pytest.warns(exc.FringeWarning):
        weighted_hhi({"A": 0.5, "B": 0.3}, np.eye(2))


def test_profit_weights_from_network():
    ties = pd.DataFrame({
        "source": ["Microsoft", "Microsoft", "Amazon", "Google", "Microsoft"],
        "target": ["OpenAI", "OpenAI", "Anthropic", "Anthropic", "Partnership on AI"],
        "kind": ["equity_investment", "cloud_compute_supply", "equity_investment",
                 "equity_investment", "consortium_membership"],
        "start": ["2019", "2019", "2023", "2023", "2016"],
        "end": [None, "2025-10-28", None, None, None],
        "directed": [True, True, True, True, True],
        "stake": [0.27, 1.0, 1.0, 0.14, 1.0],
    })
    net = PartnershipNetwork(ties)
    firms = ["OpenAI", "Anthropic", "Microsoft", "Amazon", "Google"]
    K = partnership_weights(net, firms)
    assert K.loc["Microsoft", "OpenAI"] == DEFAULT_TIE_WEIGHTS["equity_investment"]  # max
    assert K.loc["OpenAI", "Microsoft"] == 0.3  # direction="both"
    assert np.allclose(np.diag(K), 1.0)
    union = partnership_weights(net, firms, combine="union")
    assert union.loc["Microsoft", "OpenAI"] == pytest.approx(1 - 0.7 * 0.9)
    one_way = partnership_weights(net, firms, direction="source")
    assert one_way.loc["OpenAI", "Microsoft"] == 0.0
    assert one_way.loc["Microsoft", "OpenAI"] == 0.3
    later = partnership_weights(net, firms, as_of="2026-01-01", weights={"equity_investment": 0.5},
                           strength="stake")
    assert later.loc["Microsoft", "OpenAI"] == pytest.approx(0.5 * 0.27)
    assert later.loc["Google", "Anthropic"] == pytest.approx(0.5 * 0.14)
    with pytest.raises(exc.InvalidParameterError, match="no weight for"):
        partnership_weights(PartnershipNetwork(ties.assign(kind="merger_of_equals")), firms)
    with pytest.raises(exc.InvalidParameterError, match=r"weights in \[0, 1\]"):
        partnership_weights(net, firms, weights={"licensing": 1.5})
    # the end-to-end sensitivity: shares of a model-API market, K from the alliances
    shares = {"OpenAI": 0.5, "Anthropic": 0.3, "Google": 0.2}
    r = weighted_hhi(shares, K)
    assert r.hhi == pytest.approx(cn.hhi(shares))
    # only Google-Anthropic ties these three firms: 2 * 10,000 * 0.3 * 0.2 * 0.3
    assert r.delta == pytest.approx(360.0)


def test_partnership_hhi_of_a_long_table_equals_weighted_hhi_per_group():
    from concentration.network import PartnershipNetwork, partnership_hhi, partnership_weights
    from concentration.network import weighted_hhi as one_market

    ties = pd.DataFrame({"source": ["A", "B", "A"], "target": ["B", "C", "C"],
                         "kind": ["equity_investment", "licensing", "joint_venture"],
                         "start": ["2020-06-01", "2019-01-01", "2021-03-01"],
                         "end": [None, "2021-01-01", None]})
    net = PartnershipNetwork(ties)
    shares = pd.DataFrame({
        "market": ["m1"] * 6 + ["m2"] * 4,
        "period": ["2019", "2019", "2019", "2021", "2021", "2021", "2020", "2020", "2021", "2021"],
        "firm": ["A", "B", "C", "A", "B", "C", "A", "B", "B", "C"],
        "share": [0.5, 0.3, 0.2, 0.4, 0.4, 0.2, 0.6, 0.4, 0.5, 0.5]})
    got = partnership_hhi(shares, net)
    assert list(got.index) == [("m1", "2019"), ("m1", "2021"), ("m2", "2020"), ("m2", "2021")]
    for (m, p), row in got.iterrows():
        g = shares[(shares.market == m) & (shares.period == p)]
        day = pd.Timestamp(f"{p}-12-31")
        assert row["as_of"] == day
        K = partnership_weights(net.as_of(day), g.firm.tolist())
        r = one_market(dict(zip(g.firm, g.share)), K)
        assert row["weighted_hhi"] == pytest.approx(r.value, abs=1e-9)
        assert row["hhi"] == pytest.approx(r.hhi, abs=1e-9)
    # hand-checked: m1 2019 has only the B-C licence (0.2): 2 x 10,000 x .3 x .2 x .2 = 240
    assert got.loc[("m1", "2019"), "delta"] == pytest.approx(240.0)
    # m1 2021: A-B equity (0.3) and A-C joint venture (0.5); the licence ended
    assert got.loc[("m1", "2021"), "delta"] == pytest.approx(
        2e4 * (0.4 * 0.4 * 0.3 + 0.4 * 0.2 * 0.5))
    start = partnership_hhi(shares, net, at="start")
    # on 2021-01-01 the licence has ended and the joint venture not begun
    assert start.loc[("m1", "2021"), "delta"] == pytest.approx(2e4 * 0.4 * 0.4 * 0.3)
    assert start.loc[("m2", "2021"), "delta"] == 0.0
    fixed = partnership_hhi(shares, net, as_of="2019-06-30")
    assert (fixed["as_of"] == pd.Timestamp("2019-06-30")).all()
    with pytest.raises(exc.InvalidParameterError, match="PartnershipNetwork"):
        partnership_hhi(shares, K)
    with pytest.raises(exc.InvalidParameterError, match="as_of"):
        partnership_hhi(shares[shares.period == "2019"].drop(columns="period"), net)
