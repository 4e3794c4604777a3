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
    net = PartnershipNetwork(frame, entities=entities)
    assert sorted(net.firms) == ["Alphabet", "Anthropic", "Microsoft", "OpenAI"]
    assert len(net.internal) == 1 and net.internal["source_name"].item() == "Google"
    assert net.ties["source_name"].tolist() == ["Google Cloud", "Microsoft"]
    canon = PartnershipNetwork(frame, entities=entities, resolve="canonical")
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
    static = PartnershipNetwork(edges, entities=_acquisition_entities(since=None))
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
    with pytest.raises(exc.SchemaError, match="parent_since"):
        PartnershipNetwork(edges, entities=bad)


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
