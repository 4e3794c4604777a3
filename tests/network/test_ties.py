"""The edge table of a network: checks, parent resolution (dated links), consortia."""

import numpy as np
import pandas as pd
import pytest

from concentration import exceptions as exc
from concentration.network import PartnershipNetwork

# ----------------------------------------------------------------------------- edge tables

def test_bad_edge_tables():
    with pytest.raises(exc.SchemaError, match="'source' column 'from'"):
        PartnershipNetwork(pd.DataFrame({"a": [1]}), source="from")
    with pytest.raises(exc.SchemaError, match="missing date"):
        PartnershipNetwork(pd.DataFrame({"source": ["a"], "target": ["b"], "start": [None]}))
    with pytest.raises(exc.SchemaError, match="end before they start"):
        PartnershipNetwork(pd.DataFrame({"source": ["a"], "target": ["b"], "start": ["2020"],
                                         "end": ["2019"]}))
    with pytest.raises(exc.SchemaError, match="positive finite"):
        PartnershipNetwork(pd.DataFrame({"source": ["a"], "target": ["b"],
                                         "weight": [np.nan]}))
    with pytest.raises(exc.SchemaError, match="'weight' column 'amount'"):
        PartnershipNetwork(pd.DataFrame({"source": ["a"], "target": ["b"]}), weight="amount")


def test_input_not_modified():
    frame = pd.DataFrame({"source": ["A", "B"], "target": ["B", "C"], "start": ["2019", "2020"]})
    before = frame.copy()
    PartnershipNetwork(frame, entities={"A": "P"}).centrality("pagerank")
    pd.testing.assert_frame_equal(frame, before)


# ----------------------------------------------------------------------------- entities, consortia

def test_parent_resolution_and_internal_ties():
    frame = pd.DataFrame({"source": ["Google", "Google Cloud", "Microsoft"],
                          "target": ["DeepMind", "Anthropic", "OpenAI"],
                          "kind": ["acquisition", "equity_investment", "equity_investment"]})
    entities = pd.DataFrame({"entity": ["Google", "DeepMind", "Alphabet", "Anthropic",
                                        "Microsoft", "OpenAI"],
                             "parent": ["Alphabet", "Alphabet", None, None, None, None],
                             "aliases": ["Google Cloud;GCP", None, None, None, None, None]})
    with pytest.warns(exc.DataQualityWarning, match="Google-DeepMind"):
        net = PartnershipNetwork(frame, parent=entities)
    assert sorted(net.firms) == ["Alphabet", "Anthropic", "Microsoft", "OpenAI"]
    assert net.merged[["firm", "entity"]].values.tolist() == [
        ["DeepMind", "Alphabet"], ["Google", "Alphabet"], ["Google Cloud", "Alphabet"]]
    assert len(net.internal) == 1 and net.internal["source_name"].item() == "Google"
    assert net.ties["source_name"].tolist() == ["Google Cloud", "Microsoft"]
    canon = PartnershipNetwork(frame, parent=entities, resolve="canonical")
    assert "Google" in canon.firms and "Google Cloud" not in canon.firms
    mapped = PartnershipNetwork(frame, entities={"Google Cloud": "Google"})
    assert "Google Cloud" not in mapped.firms



def _acquisition_entities(since="2023-01-01"):
    # Startup is acquired by BigCo on 2023-01-01 (a dated parent link)
    return pd.DataFrame({"entity": ["Startup", "BigCo", "X", "Y"],
                         "parent": ["BigCo", None, None, None],
                         "parent_since": [since, None, None, None]})


def test_parent_applies_from_parent_since_only():
    edges = pd.DataFrame({"source": ["Startup", "BigCo", "Startup", "Startup"],
                          "target": ["X", "Y", "BigCo", "Y"],
                          "start": ["2019", "2018", "2020", "2019"],
                          "end": [None, None, None, "2021"]})
    with pytest.warns(exc.DataQualityWarning, match="Startup-BigCo"):
        net = PartnershipNetwork(edges, entities=_acquisition_entities())
    # 2019: four separate firms; Startup-X, Startup-Y, BigCo-Y (degree k/3)
    before = net.as_of("2019-06-30")
    assert sorted(before.firms) == ["BigCo", "Startup", "X", "Y"]
    assert before.centrality("degree", weight_as=None).to_dict() == pytest.approx(
        {"BigCo": 1 / 3, "Startup": 2 / 3, "X": 1 / 3, "Y": 2 / 3})
    # 2021: the Startup-BigCo partnership is a tie between two firms
    assert net.as_of("2021-06-30").centrality("degree", weight_as=None)["Startup"] == \
        pytest.approx(2 / 3)
    # 2024: Startup is part of BigCo; its tie to X is BigCo's, the tie to BigCo internal
    after = net.as_of("2024-06-30")
    assert sorted(after.firms) == ["BigCo", "X", "Y"]
    assert after.centrality("degree", weight_as=None).to_dict() == pytest.approx(
        {"BigCo": 1.0, "X": 0.5, "Y": 0.5})
    # the spanning Startup-X tie is split at the acquisition date
    rows = net.ties[net.ties["target"] == "X"].sort_values("start")
    assert rows["source"].tolist() == ["Startup", "BigCo"]
    assert rows["source_name"].tolist() == ["Startup", "Startup"]
    assert rows["start"].tolist() == [pd.Timestamp("2019"), pd.Timestamp("2023")]
    assert rows["end"].iloc[0] == pd.Timestamp("2023") and pd.isna(rows["end"].iloc[1])
    # the partnership is a tie until 2023 and internal from then on
    mid = net.ties[net.ties["target_name"] == "BigCo"]
    assert mid["start"].tolist() == [pd.Timestamp("2020")]
    assert mid["end"].tolist() == [pd.Timestamp("2023")]
    assert net.internal["source_name"].tolist() == ["Startup"]
    assert net.internal["start"].tolist() == [pd.Timestamp("2023")]
    # a tie that ended before the acquisition is not touched
    early = net.ties[(net.ties["source_name"] == "Startup") & (net.ties["target"] == "Y")]
    assert early["source"].tolist() == ["Startup"] and len(early) == 1
    # without parent_since the link holds at every date (the 2019 nodes merge)
    with pytest.warns(exc.DataQualityWarning):
        static = PartnershipNetwork(edges, parent=_acquisition_entities(since=None))
    assert sorted(static.as_of("2019-06-30").firms) == ["BigCo", "X", "Y"]
    # four ties: Startup-X split in two, Startup-BigCo split between ties and internal
    assert len(net.ties) == 5 and len(net.internal) == 1


def test_dated_parent_chain_and_undated_ties():
    entities = pd.DataFrame({"entity": ["A", "B", "C"], "parent": ["B", "C", None],
                             "parent_since": pd.to_datetime(["2020-01-01", "2022-01-01",
                                                             None])})
    edges = pd.DataFrame({"source": ["A"], "target": ["Z"], "start": ["2019"]})
    net = PartnershipNetwork(edges, entities=entities)
    assert net.ties["source"].tolist() == ["A", "B", "C"]
    assert net.ties["start"].dt.year.tolist() == [2019, 2020, 2022]
    for year, firm in ((2019, "A"), (2021, "B"), (2023, "C")):
        assert firm in net.as_of(f"{year}-06-30").firms
    # ties without dates are live at every date: split at the link dates too
    undated = PartnershipNetwork(pd.DataFrame({"source": ["A"], "target": ["Z"]}),
                                 entities=entities)
    assert undated.ties["source"].tolist() == ["A", "B", "C"]
    assert pd.isna(undated.ties["start"].iloc[0]) and pd.isna(undated.ties["end"].iloc[-1])
    assert sorted(undated.as_of("2010-01-01").firms) == ["A", "Z"]
    bad = entities.assign(parent_since=["not a date", None, None])
    with pytest.raises(exc.InvalidParameterError, match="parent_since"):
        PartnershipNetwork(edges, parent=bad)


def test_consortium_projection():
    frame = pd.DataFrame({
        "source": ["A", "B", "C", "A", "B", "A"],
        "target": ["PAI", "PAI", "PAI", "MLC", "MLC", "X"],
        "kind": ["consortium_membership"] * 5 + ["licensing"],
        "start": ["2016", "2016", "2018", "2020", "2021", "2019"],
        "end": [None, "2019", None, None, None, None],
    })
    net = PartnershipNetwork(frame)
    B, firms, orgs = net.memberships_matrix()
    assert list(orgs) == ["MLC", "PAI"] and B.shape == (3, 2)
    co = net.ties[net.ties.kind == "co_membership"]
    # A-B via PAI (2016-2019), A-B via MLC (2021-), A-C via PAI (2018-), B-C via PAI (2018-2019)
    assert len(co) == 4
    assert set(co["via"]) == {"PAI", "MLC"}
    assert len(net.as_of("2019-06-01").ties.query("kind == 'co_membership'")) == 1  # A-C
    np.testing.assert_allclose((B @ B.T).toarray()[0], [2, 2, 1])
    nodes = PartnershipNetwork(frame, consortia="nodes")
    assert "PAI" in nodes.firms and len(nodes.memberships) == 0


# ----------------------------------------------------------------------------- kinds, strength

def _deals():
    return pd.DataFrame({
        "source": ["Microsoft", "Microsoft", "Google", "Google", "Amazon"],
        "target": ["OpenAI", "OpenAI", "Anthropic", "Anthropic", "Anthropic"],
        "kind": ["equity_investment", "cloud_compute_supply", "equity_investment",
                 "cloud_compute_supply", "equity_investment"],
        "also_types": ["cloud_compute_supply", None, None, "chip_supply",
                       "cloud_compute_supply, chip_supply"],
        "start": ["2019", "2025", "2023", "2023", "2023"],
        "amount_usd": [1e9, np.nan, 2e9, 3e9, 4e9]})


def test_also_types_are_kinds_of_the_deal():
    net = PartnershipNetwork(_deals())
    assert net.ties["kinds"].tolist() == [
        "equity_investment;cloud_compute_supply", "cloud_compute_supply", "equity_investment",
        "cloud_compute_supply;chip_supply", "equity_investment;cloud_compute_supply;chip_supply"]
    # 2020: the 2019 investment made Azure the exclusive cloud: a cloud tie
    cloud = net.as_of("2020-06-30").of_kind("cloud_compute_supply")
    assert sorted(cloud.firms) == ["Microsoft", "OpenAI"]
    assert sorted(net.of_kind(["chip_supply"]).firms) == ["Amazon", "Anthropic", "Google"]
    plain = PartnershipNetwork(_deals(), also_kinds=None)
    assert len(plain.as_of("2020-06-30").of_kind("cloud_compute_supply")) == 0
    G = net.to_networkx()
    assert G["Microsoft"]["OpenAI"]["kinds"] == "cloud_compute_supply;equity_investment"
    with pytest.raises(exc.InvalidParameterError, match="kinds"):
        net.of_kind([])
    with pytest.raises(exc.SchemaError, match="must hold text"):
        PartnershipNetwork(_deals().assign(also_types=1.5))


def test_partnership_weights_take_the_largest_weight_over_the_kinds():
    from concentration.network import partnership_weights

    net = PartnershipNetwork(_deals()).as_of("2024-01-01")
    K = partnership_weights(net, ["Google", "Anthropic"],
                            weights={"equity_investment": 0.3, "cloud_compute_supply": 0.6})
    assert K.loc["Google", "Anthropic"] == pytest.approx(0.6)  # the 2023 cloud deal
    with pytest.raises(exc.InvalidParameterError, match="chip_supply"):
        partnership_weights(net, ["Amazon", "Anthropic"],
                            weights={"equity_investment": 0.3, "cloud_compute_supply": 0.6,
                                     "chip_supply": None})


def test_tie_strength_is_an_explicit_rule():
    deals = _deals()
    count = PartnershipNetwork(deals, strength="count")
    assert count.strength.startswith("1 per deal row")
    A, firms = count.adjacency()
    g, a = firms.get_loc("Google"), firms.get_loc("Anthropic")
    assert A[g, a] == 2.0  # two deal rows
    amount = PartnershipNetwork(deals.fillna({"amount_usd": 5e8}), strength="amount")
    assert amount.strength == "the 'amount_usd' column"
    A, firms = amount.adjacency()
    assert A[g, a] == pytest.approx(5e9)
    with pytest.raises(exc.SchemaError, match="Fill missing amounts"):
        PartnershipNetwork(deals, strength="amount")
    with pytest.raises(exc.SchemaError, match="amount column 'value'"):
        PartnershipNetwork(deals, strength="amount", amount="value")
    by_kind = PartnershipNetwork(deals, strength={"equity_investment": 3,
                                                  "cloud_compute_supply": 2, "chip_supply": 1})
    A, firms = by_kind.adjacency()
    assert A[g, a] == 5.0  # equity 3 + (cloud 2, chip 1 -> 2)
    assert "equity_investment 3" in by_kind.strength and "strength:" in repr(by_kind)
    with pytest.raises(exc.InvalidParameterError, match="none for \\['chip_supply'\\]"):
        PartnershipNetwork(deals, strength={"equity_investment": 3, "cloud_compute_supply": 2})
    with pytest.raises(exc.InvalidParameterError, match="positive"):
        PartnershipNetwork(deals, strength={"equity_investment": 0})
    with pytest.raises(exc.InvalidParameterError, match="strength"):
        PartnershipNetwork(deals, strength="amounts")
    # the default: the weight column, else 1 per row
    assert PartnershipNetwork(deals).strength == count.strength
    w = PartnershipNetwork(deals.assign(weight=2.0))
    assert w.strength == "the 'weight' column" and w.adjacency()[0][g, a] == 4.0


def test_parent_join_with_the_bundled_entities():
    from concentration import datasets

    edges = pd.DataFrame({"source": ["Google Cloud", "DeepMind", "Google", "Microsoft"],
                          "target": ["Anthropic", "Anthropic", "DeepMind", "OpenAI"],
                          "start": ["2023-02-01", "2012-01-01", "2014-01-26", "2019"]})
    with pytest.warns(exc.DataQualityWarning, match="1 tie\\(s\\) join two units"):
        net = PartnershipNetwork(edges, parent=datasets.load("entities"))
    m = net.merged.set_index("firm")
    assert m.loc["Google Cloud", "entity"] == "Alphabet"
    assert m.loc["Google Cloud", "since"] == pd.Timestamp("2023-02-01")
    # DeepMind's 2012 tie is DeepMind's until the 2014 acquisition, then Alphabet's
    dm = net.ties[net.ties["source_name"] == "DeepMind"]
    assert dm["source"].tolist() == ["DeepMind", "Alphabet"]
    assert dm["end"].iloc[0] == pd.Timestamp("2014-01-26")
    assert net.internal["source_name"].tolist() == ["Google"]
    with pytest.raises(exc.InvalidParameterError, match="one option"):
        PartnershipNetwork(edges, parent={"A": "B"}, entities={"A": "B"})
    with pytest.raises(exc.InvalidParameterError, match="parent"):
        PartnershipNetwork(edges, parent=3)


def test_co_membership_ties_have_their_kind_among_kinds():
    from concentration import datasets
    from concentration.network import partnership_weights

    net = PartnershipNetwork(datasets.load("ai_partnerships"))
    co = net.ties[net.ties["kind"] == "co_membership"]
    assert len(co) and (co["kinds"] == "co_membership").all()
    K = partnership_weights(net.as_of("2025-11-18"), ["Microsoft", "Google", "OpenAI"])
    assert K.shape == (3, 3)
