"""PartnershipNetwork: time windows, snapshots, the graph, overlap, interop, AI data, CLI."""

import numpy as np
import pandas as pd
import pytest

from concentration import exceptions as exc
from concentration.network import PartnershipNetwork

# ----------------------------------------------------------------------------- arguments

def test_bad_arguments_use_the_template():
    net = PartnershipNetwork(pd.DataFrame({"source": ["hub"] * 3, "target": ["a", "b", "c"]}))
    with pytest.raises(exc.InvalidParameterError, match="The 'measure' parameter"):
        net.centrality("popularity")
    with pytest.raises(exc.InvalidParameterError, match="The 'weight_as' parameter"):
        net.centrality("pagerank", weight_as="length")
    with pytest.raises(exc.InvalidParameterError, match="The 'damping' parameter"):
        net.centrality("pagerank", damping=0.9)
    with pytest.raises(exc.InvalidParameterError, match="The 'alpha' parameter"):
        net.centrality("pagerank", alpha=1.5)
    with pytest.raises(exc.InvalidParameterError, match="The 'date' parameter"):
        net.as_of("not a date")
    with pytest.raises(exc.InvalidParameterError, match="The 'end' parameter"):
        net.window("2020", "2019")


# ----------------------------------------------------------------------------- time

@pytest.fixture
def timed():
    return PartnershipNetwork(pd.DataFrame({
        "source": ["A", "A", "B", "C"],
        "target": ["B", "C", "C", "D"],
        "start": ["2019-07-01", "2020-01-01", "2020-06-01", "2021"],
        "end": [None, "2021-01-01", "2020-07-01", None],
    }))


def test_as_of_start_inclusive_end_exclusive(timed):
    assert len(timed.as_of("2019-06-30")) == 0
    assert len(timed.as_of("2019-07-01")) == 1  # start is inclusive
    assert len(timed.as_of("2020-06-15")) == 3
    assert len(timed.as_of("2020-07-01")) == 2  # end is exclusive
    assert len(timed.as_of("2021-01-01")) == 2  # A-C ended, C-D started
    assert list(timed.as_of("2030").firms) == ["A", "B", "C", "D"]  # no end: still live


def test_window_and_snapshots(timed):
    assert len(timed.window("2020-07-01", "2020-12-31")) == 2
    assert len(timed.window("2018", "2019-07-01")) == 0  # window end is exclusive
    snaps = timed.snapshots("YS")
    assert [p.year for p in snaps] == [2019, 2020, 2021]
    assert [len(s) for s in snaps.values()] == [1, 3, 2]
    snaps = timed.snapshots("YS", how="as_of")
    assert [len(s) for s in snaps.values()] == [0, 2, 2]
    assert len(timed.snapshots("QS")) == 7


def test_centrality_over_time_is_tidy(timed):
    t = timed.centrality_over_time(["degree", "pagerank"], weight_as=None)
    assert list(t.columns) == ["firm", "period", "measure", "value"]
    d2020 = t[(t.period == pd.Timestamp("2020-01-01")) & (t.measure == "degree")]
    assert dict(zip(d2020.firm, d2020.value)) == {"A": 1.0, "B": 1.0, "C": 1.0}
    full = timed.centrality_over_time("degree", nodes="all", weight_as=None)
    assert full.groupby("period").size().tolist() == [4, 4, 4]
    assert full[(full.firm == "D") & (full.period.dt.year == 2019)].value.item() == 0.0


def test_multiple_ties_combine(timed):
    frame = pd.DataFrame({"source": ["A", "A", "B"], "target": ["B", "B", "C"],
                          "weight": [2.0, 3.0, 1.0]})
    net = PartnershipNetwork(frame)
    assert net.centrality("strength")["A"] == 5.0
    assert net.centrality("strength", combine="max")["A"] == 3.0
    assert net.centrality("strength", weight_as=None)["A"] == 1.0
    assert net.centrality("degree", normalized=False)["A"] == 1.0


def test_directed_ties_only_one_way_when_asked():
    frame = pd.DataFrame({"source": ["A", "B"], "target": ["B", "C"],
                          "directed": [True, False]})
    net = PartnershipNetwork(frame)
    assert net.centrality("degree", directed=True, mode="in", normalized=False).tolist() == \
        [0.0, 2.0, 1.0]
    assert net.centrality("degree", normalized=False).tolist() == [1.0, 2.0, 1.0]


# ----------------------------------------------------------------------------- overlap

def test_partner_overlap_rivals():
    pytest.importorskip("concentration._pairwise")
    frame = pd.DataFrame({"source": ["AWS", "AWS", "Azure", "Azure", "GCP"],
                          "target": ["Anthropic", "Mistral", "OpenAI", "Mistral", "Anthropic"]})
    net = PartnershipNetwork(frame)
    J = net.partner_overlap(metric="jaccard", firms=["AWS", "Azure", "GCP"])
    assert J.loc["AWS", "Azure"] == pytest.approx(1 / 3)   # {Mistral} of {Anthropic, Mistral, OpenAI}
    assert J.loc["AWS", "GCP"] == pytest.approx(1 / 2)
    X = net.partner_overlap(metric="cosine", firms=["AWS", "GCP"], others=["Azure"])
    assert X.shape == (2, 1)
    assert X.loc["AWS", "Azure"] == pytest.approx(1 / 2)
    with pytest.raises(exc.InvalidParameterError, match="firms of this network"):
        net.partner_overlap(firms=["Oracle"])


# ----------------------------------------------------------------------------- interop

def test_networkx_round_trip_and_graphml(tmp_path, timed):
    nx = pytest.importorskip("networkx", reason="networkx is a test dependency (extra 'test')")
    G = timed.to_networkx()
    assert set(G.nodes) == {"A", "B", "C", "D"} and G["A"]["B"]["weight"] == 1.0
    M = timed.to_networkx(multigraph=True)
    assert M.number_of_edges() == 4
    assert M["A"]["C"][0]["end"] == "2021-01-01"
    back = PartnershipNetwork.from_networkx(M)
    assert len(back.as_of("2020-06-15")) == 3
    out = tmp_path / "g.graphml"
    timed.write_graphml(out)
    H = nx.read_graphml(out)
    assert H.number_of_edges() == 4



def test_write_graphml_to_a_missing_directory_is_a_typed_error(tmp_path, timed):
    pytest.importorskip("networkx", reason="networkx is a test dependency (extra 'test')")
    missing = tmp_path / "no" / "g.graphml"
    with pytest.raises(exc.DataFileError,
                       match=r"The 'path' parameter of PartnershipNetwork.write_graphml must "
                             r"be a file that can be written\. Got .*g\.graphml' instead\. "
                             r"\(No such file or directory\) The directory .* does not exist"):
        timed.write_graphml(missing)
    with pytest.raises(exc.DataFileError, match=r"Check that it is not a directory"):
        timed.write_graphml(tmp_path)
    with pytest.raises(exc.InvalidParameterError, match=r"'path' parameter .* Got None"):
        timed.write_graphml(None)
    with pytest.raises(exc.InvalidParameterError, match=r"'directed' parameter"):
        timed.write_graphml(tmp_path / "g.graphml", directed="yes")
    assert not missing.parent.exists()

def test_from_parquet(tmp_path, timed):
    frame = pd.DataFrame({"src": ["A", "B"], "dst": ["B", "C"], "start": ["2019", "2020"]})
    frame.to_parquet(tmp_path / "p.parquet")
    net = PartnershipNetwork.from_parquet(tmp_path / "p.parquet", source="src", target="dst")
    assert list(net.firms) == ["A", "B", "C"]
    with pytest.raises(exc.DataFileError):
        PartnershipNetwork.from_parquet(tmp_path / "missing.parquet")


# ----------------------------------------------------------------------------- bundled AI data

INLINE_AI = pd.DataFrame({
    "source": ["Microsoft", "Microsoft", "Nvidia", "Amazon", "Google", "Microsoft", "Google"],
    "target": ["OpenAI", "OpenAI", "OpenAI", "Anthropic", "Anthropic", "Partnership on AI",
               "Partnership on AI"],
    "kind": ["equity_investment", "equity_investment", "technology_partner",
             "equity_investment", "equity_investment", "consortium_membership",
             "consortium_membership"],
    "start": pd.to_datetime(["2019-07-22", "2023-01-23", "2016-01-01", "2023-09-25",
                             "2023-02-03", "2016-09-28", "2016-09-28"]),
    "end": pd.to_datetime([None, "2025-10-28", None, None, None, None, None]),
    "amount_usd": [1e9, 1e10, np.nan, 4e9, np.nan, np.nan, np.nan],
    "directed": [True] * 7,
})


def test_inline_ai_schema_per_year_table():
    net = PartnershipNetwork(INLINE_AI)
    t = net.centrality_over_time("degree", weight_as=None, nodes="all")
    wide = t.pivot(index="period", columns="firm", values="value")
    assert wide.index[0] == pd.Timestamp("2016-01-01")
    assert {"Microsoft", "Nvidia", "OpenAI"} <= set(wide.columns)
    # six firms in all (Microsoft, Google, Amazon, Nvidia, OpenAI, Anthropic); OpenAI's two
    # partners in 2019 are Nvidia and Microsoft
    assert wide.loc["2019-01-01", "OpenAI"] == pytest.approx(2 / 5)


def test_bundled_ai_partnerships_per_year():
    datasets = pytest.importorskip("concentration.datasets")
    edges = datasets.load("ai_partnerships")
    with pytest.warns(exc.DataQualityWarning, match="Google-DeepMind"):
        net = PartnershipNetwork(edges, parent=datasets.load("entities"))
    raw = PartnershipNetwork(edges)
    t = raw.centrality_over_time("pagerank", weight_as=None, nodes="all")
    years = sorted(t.period.dt.year.unique())
    assert years[0] == 2014 and years[-1] >= 2025
    wide = t.pivot(index="period", columns="firm", values="value")
    for firm in ("Microsoft", "Nvidia", "OpenAI"):
        assert wide[firm].notna().all()
    # every value of a period sums to 1 (PageRank is a distribution)
    np.testing.assert_allclose(t.groupby("period").value.sum(), 1.0, atol=1e-9)
    t2 = net.centrality_over_time("degree", weight_as=None)
    follow = t2[t2.firm.isin(["Microsoft", "Nvidia", "OpenAI"])]
    assert follow.groupby("firm").size().min() >= 5
    assert "Alphabet" in net.firms and "DeepMind" not in net.firms
    # OpenAI has more partners in 2025 than in 2019
    w = follow.pivot(index="period", columns="firm", values="value")
    assert w.loc["2025-01-01", "OpenAI"] > w.loc["2019-01-01", "OpenAI"]


# ----------------------------------------------------------------------------- command line

def test_cli_network(tmp_path, timed):
    from concentration.cli import main

    src = tmp_path / "ties.parquet"
    timed.ties[["source", "target", "start", "end"]].to_parquet(src)
    out = tmp_path / "c.csv"
    assert main(["network", str(src), "--measure", "pagerank,degree", "--freq", "YS",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["firm", "period", "measure", "value"]
    assert set(table.measure) == {"pagerank", "degree"}
    assert table[table.measure == "pagerank"].groupby("period").value.sum().round(9).eq(1).all()
    assert main(["network", str(src), "--measure", "popularity"]) == 2
    assert main(["network", str(tmp_path / "missing.parquet")]) == 1
