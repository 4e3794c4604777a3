"""Tests for concentration.network: closed forms, networkx oracles, time windows, AI data."""

import numpy as np
import pandas as pd
import pytest

nx = pytest.importorskip("networkx", reason="networkx is a test dependency (extra 'test')")

from concentration import exceptions as exc  # noqa: E402
from concentration._kernels import _brandes_ref, load  # noqa: E402
from concentration.network import (  # noqa: E402
    MEASURES,
    PartnershipNetwork,
    centralization_from_values,
)

_brandes = load("_brandes")
TOL = 1e-8


def _net(pairs, **kw):
    return PartnershipNetwork(pd.DataFrame(pairs, columns=["source", "target"]), **kw)


def star(n):
    return _net([("hub", f"l{i}") for i in range(n - 1)])


def path(n):
    return _net([(f"n{i}", f"n{i + 1}") for i in range(n - 1)])


def complete(n):
    return _net([(f"n{i}", f"n{j}") for i in range(n) for j in range(i + 1, n)])


# ----------------------------------------------------------------------------- closed forms

def test_star_closed_forms():
    n = 6
    net = star(n)
    deg = net.centrality("degree")
    assert deg["hub"] == pytest.approx(1.0)
    assert deg["l0"] == pytest.approx(1 / (n - 1))
    bc = net.centrality("betweenness", normalized=False)
    assert bc["hub"] == pytest.approx((n - 1) * (n - 2) / 2)  # every leaf pair passes the hub
    assert bc["l1"] == 0.0
    clo = net.centrality("closeness")
    assert clo["hub"] == pytest.approx(1.0)
    assert clo["l2"] == pytest.approx((n - 1) / (1 + 2 * (n - 2)))
    har = net.centrality("harmonic")
    assert har["hub"] == pytest.approx(n - 1)
    assert har["l3"] == pytest.approx(1 + (n - 2) / 2)
    eig = net.centrality("eigenvector")  # centre 1/sqrt(2), leaves 1/sqrt(2(n-1))
    assert eig["hub"] == pytest.approx(1 / np.sqrt(2), abs=1e-12)
    assert eig["l0"] == pytest.approx(1 / np.sqrt(2 * (n - 1)), abs=1e-12)
    for m in ("degree", "betweenness", "closeness", "harmonic", "eigenvector", "pagerank",
              "katz", "strength"):
        assert net.centralization(m) == pytest.approx(1.0, abs=1e-12), m


def test_path_closed_forms():
    net = path(5)  # n0 - n1 - n2 - n3 - n4
    bc = net.centrality("betweenness", normalized=False).to_numpy()
    # node i separates i * (n - 1 - i) pairs
    np.testing.assert_allclose(bc, [0, 3, 4, 3, 0])
    clo = net.centrality("closeness").to_numpy()
    np.testing.assert_allclose(clo, [4 / 10, 4 / 7, 4 / 6, 4 / 7, 4 / 10])
    har = net.centrality("harmonic").to_numpy()
    np.testing.assert_allclose(har, [1 + 1 / 2 + 1 / 3 + 1 / 4, 1 + 1 + 1 / 2 + 1 / 3,
                                     1 + 1 + 1 / 2 + 1 / 2, 1 + 1 + 1 / 2 + 1 / 3,
                                     1 + 1 / 2 + 1 / 3 + 1 / 4])
    deg = net.centrality("degree", normalized=False).to_numpy()
    np.testing.assert_allclose(deg, [1, 2, 2, 2, 1])


def test_complete_graph_everyone_equal():
    n = 5
    net = complete(n)
    for m in MEASURES:
        opts = {"alpha": 0.1} if m == "katz" else {}
        v = net.centrality(m, **opts).to_numpy()
        assert np.ptp(v) < 1e-12, m
    assert net.centrality("pagerank").to_numpy() == pytest.approx(np.full(n, 1 / n))
    assert net.centrality("eigenvector").to_numpy() == pytest.approx(np.full(n, 1 / np.sqrt(n)))
    assert net.centrality("betweenness").sum() == 0.0
    assert net.centrality("closeness").to_numpy() == pytest.approx(np.ones(n))
    for m in ("degree", "betweenness", "closeness", "harmonic", "pagerank"):
        assert net.centralization(m) == pytest.approx(0.0, abs=1e-12)


def test_centralization_from_values_doc_cases():
    assert centralization_from_values([1.0, 1 / 3, 1 / 3, 1 / 3], "degree") == 1.0
    assert centralization_from_values([1.0, 1.0, 1.0], "degree") == 0.0
    assert np.isnan(centralization_from_values([1.0, 1.0], "degree"))


# ----------------------------------------------------------------------------- oracles

def _random_graph(seed, n=30, p=0.15, directed=False, disconnected=False):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, p, seed=int(seed), directed=directed)
    if disconnected:  # add a second component of a different size
        H = nx.gnp_random_graph(8, 0.5, seed=int(seed) + 100, directed=directed)
        G = nx.disjoint_union(G, H)
    for u, v in G.edges:
        w = float(rng.uniform(0.5, 3.0))
        G[u][v]["weight"] = w
        G[u][v]["length"] = 1.0 / w
    frame = pd.DataFrame([(u, v, d["weight"], directed) for u, v, d in G.edges(data=True)],
                         columns=["source", "target", "weight", "directed"])
    return G, PartnershipNetwork(frame)


def _oracle(G, measure, weighted, directed):
    w = "weight" if weighted else None
    d = "length" if weighted else None
    if measure == "degree":
        return nx.degree_centrality(G)
    if measure == "strength":
        return dict(G.degree(weight=w))
    if measure == "eigenvector":
        return nx.eigenvector_centrality_numpy(G, weight=w)
    if measure == "pagerank":
        return nx.pagerank(G, weight=w, tol=1e-14, max_iter=5000)
    if measure == "katz":
        return nx.katz_centrality_numpy(G, alpha=0.05, weight=w)
    if measure == "betweenness":
        return nx.betweenness_centrality(G, weight=d)
    if measure == "closeness":
        return nx.closeness_centrality(G, distance=d)
    return nx.harmonic_centrality(G, distance=d)


def _compare(ours, theirs):
    theirs = pd.Series(theirs, dtype=float)
    theirs = theirs[theirs.index.isin(ours.index)]
    assert set(ours.index) == set(theirs.index) | set(ours.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.reindex(ours.index).to_numpy(),
                               rtol=0, atol=TOL)


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_equals_networkx_on_random_graphs(measure, weighted, directed, seed):
    G, net = _random_graph(seed, directed=directed)
    G = G.subgraph([v for v in G if G.degree(v) > 0]).copy()  # our nodes: firms with a tie
    opts = {"alpha": 0.05} if measure == "katz" else {}
    ours = net.centrality(measure, weight_as="strength" if weighted else None,
                          directed=directed, **opts)
    _compare(ours, _oracle(G, measure, weighted, directed))


@pytest.mark.parametrize("measure", ["degree", "pagerank", "katz", "betweenness", "closeness",
                                     "harmonic", "eigenvector"])
def test_equals_networkx_on_disconnected_graphs(measure):
    G, net = _random_graph(7, n=25, p=0.2, disconnected=True)
    G = G.subgraph([v for v in G if G.degree(v) > 0]).copy()
    assert nx.number_connected_components(G) >= 2
    opts = {"alpha": 0.05} if measure == "katz" else {}
    ours = net.centrality(measure, **opts)
    if measure == "eigenvector":
        # networkx refuses disconnected graphs; with a simple leading eigenvalue the
        # eigenvector lives on the component of largest spectral radius, zero elsewhere.
        comps = [G.subgraph(c).copy() for c in nx.connected_components(G)]
        radius = [max(abs(np.linalg.eigvalsh(nx.to_numpy_array(c, weight="weight"))))
                  for c in comps]
        top = comps[int(np.argmax(radius))]
        expected = dict.fromkeys(G, 0.0)
        expected.update(nx.eigenvector_centrality_numpy(top, weight="weight"))
        _compare(ours, expected)
        return
    _compare(ours, _oracle(G, measure, True, False))


def test_eigenvector_sparse_path_equals_networkx():
    # above the dense-solver size: ARPACK on a connected graph and, for a disconnected
    # one, per component
    G, net = _random_graph(21, n=500, p=0.02)
    G = G.subgraph(max(nx.connected_components(G), key=len)).copy()
    frame = pd.DataFrame([(u, v, d["weight"]) for u, v, d in G.edges(data=True)],
                         columns=["source", "target", "weight"])
    big = PartnershipNetwork(frame)
    assert len(big.firms) > 400
    _compare(big.centrality("eigenvector"), nx.eigenvector_centrality_numpy(G, weight="weight"))
    twin = pd.concat([frame, frame.assign(source=frame.source + 10_000,
                                          target=frame.target + 10_000)])
    with pytest.raises(exc.ConvergenceError, match="repeated"):
        PartnershipNetwork(twin).centrality("eigenvector")
    half = pd.concat([frame, frame.assign(source=frame.source + 10_000,
                                          target=frame.target + 10_000,
                                          weight=frame.weight / 2)])
    x = PartnershipNetwork(half).centrality("eigenvector")
    _compare(x[x.index < 10_000], nx.eigenvector_centrality_numpy(G, weight="weight"))
    assert (x[x.index >= 10_000] == 0).all()


def test_weight_as_distance_uses_weights_as_lengths():
    G, _ = _random_graph(3)
    frame = pd.DataFrame([(u, v, d["weight"]) for u, v, d in G.edges(data=True)],
                         columns=["source", "target", "weight"])
    net = PartnershipNetwork(frame)
    G = G.subgraph([v for v in G if G.degree(v) > 0]).copy()
    _compare(net.centrality("betweenness", weight_as="distance"),
             nx.betweenness_centrality(G, weight="weight"))
    _compare(net.centrality("closeness", weight_as="distance"),
             nx.closeness_centrality(G, distance="weight"))
    # spectral measures get strengths 1 / distance
    for u, v, d in G.edges(data=True):
        d["inv"] = 1.0 / d["weight"]
    _compare(net.centrality("pagerank", weight_as="distance"),
             nx.pagerank(G, weight="inv", tol=1e-14, max_iter=5000))


def test_betweenness_unnormalized_and_sampled_full_equals_exact():
    G, net = _random_graph(4, n=40)
    G = G.subgraph([v for v in G if G.degree(v) > 0]).copy()
    _compare(net.centrality("betweenness", weight_as=None, normalized=False),
             nx.betweenness_centrality(G, normalized=False))
    n = len(net.firms)
    full = net.centrality("betweenness", k=n, seed=0)
    np.testing.assert_allclose(full, net.centrality("betweenness"), atol=1e-12)


def test_sampled_betweenness_reproducible_and_rescaled_like_networkx():
    G, net = _random_graph(5, n=60, p=0.1)
    a = net.centrality("betweenness", k=20, seed=3)
    b = net.centrality("betweenness", k=20, seed=3, n_threads=1)
    np.testing.assert_allclose(a, b, atol=1e-12)
    # same sources as networkx' sampler picks -> same estimate
    labels = net.firms
    rng = np.random.default_rng(3)
    sources = labels[np.sort(rng.choice(len(labels), size=20, replace=False))]
    H = G.subgraph(labels).copy()
    ref = nx.betweenness_centrality_subset  # exists, but rescaling differs: use _rescale path
    assert ref is not None
    raw = {v: 0.0 for v in H}
    for s in sources:
        S, P, sigma, _ = nx.algorithms.centrality.betweenness._single_source_dijkstra_path_basic(
            H, s, "length")
        raw, _ = nx.algorithms.centrality.betweenness._accumulate_basic(raw, S, P, sigma, s)
    expected = nx.algorithms.centrality.betweenness._rescale(
        raw, len(H), normalized=True, directed=False, endpoints=False,
        sampled_nodes=list(sources))
    _compare(a, expected)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("directed", [False, True])
def test_brandes_kernel_equals_reference(weighted, directed):
    G, net = _random_graph(11, n=35, directed=directed)
    A, _ = net.adjacency(weight_as="distance", directed=directed)
    A = A.tocsr()
    R = A.T.tocsr()
    R.sort_indices()
    args = [A.indptr.astype(np.int64), A.indices.astype(np.int64), A.data.astype(float),
            R.indptr.astype(np.int64), R.indices.astype(np.int64), R.data.astype(float),
            np.arange(A.shape[0], dtype=np.int64), weighted]
    out_c = np.zeros((2, A.shape[0]))
    _brandes.betweenness_sum(*args, out_c)
    out_r = np.zeros((1, A.shape[0]))
    _brandes_ref.betweenness_sum(*args, out_r)
    np.testing.assert_allclose(out_c.sum(axis=0), out_r[0], rtol=1e-12, atol=1e-12)


def test_brandes_kernel_is_compiled():
    assert _brandes.__file__.endswith((".so", ".pyd"))


# ----------------------------------------------------------------------------- errors

def test_convergence_errors_are_clear():
    net = complete(6)
    with pytest.raises(exc.ConvergenceError, match="alpha must be below 0.2"):
        net.centrality("katz", alpha=0.5, max_iter=50)
    with pytest.raises(exc.ConvergenceError, match="did not converge"):
        star(6).centrality("pagerank", max_iter=2)
    two_triangles = _net([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"),
                          ("x", "z")])
    with pytest.raises(exc.ConvergenceError, match="not defined uniquely"):
        two_triangles.centrality("eigenvector")
    # harmonic is defined on the same disconnected graph
    assert two_triangles.centrality("harmonic").to_numpy() == pytest.approx(np.full(6, 2.0))


def test_bad_arguments_use_the_template():
    net = star(4)
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
    net = PartnershipNetwork(edges, entities=datasets.load("entities"))
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
