"""Tied paths and the options users of networkx and igraph expect, against their values."""

import numpy as np
import pandas as pd
import pytest

nx = pytest.importorskip("networkx", reason="networkx is a test dependency (extra 'test')")

from concentration import exceptions as exc  # noqa: E402
from concentration.network import PartnershipNetwork  # noqa: E402

TOL = 1e-10


def _weighted(edges):
    return PartnershipNetwork(pd.DataFrame(edges, columns=["source", "target", "weight"]))


def _random(seed, n=40, p=0.12, *, directed=False, integer=False):
    """(networkx graph with 'weight' strengths and 'length' = 1/weight, our network).

    Real-valued weights by default: networkx compares path lengths exactly, so on
    integer strengths it misses tied paths (the exact-fraction kernel tests cover
    those).
    """
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(n, p, seed=int(rng.integers(1 << 30)), directed=directed)
    G = nx.relabel_nodes(G, {i: f"f{i:03d}" for i in G})
    H = (nx.DiGraph if directed else nx.Graph)()
    H.add_nodes_from(sorted(n for n in G if G.degree(n)))  # our order: sorted firms
    for u, v in G.edges():
        w = float(rng.integers(1, 5)) if integer else float(rng.uniform(0.5, 3.0))
        H.add_edge(u, v, weight=w, length=1.0 / w)
    frame = pd.DataFrame([(u, v, d["weight"], directed) for u, v, d in H.edges(data=True)],
                         columns=["source", "target", "weight", "directed"])
    return H, PartnershipNetwork(frame)


def _close(ours, theirs, tol=TOL):
    theirs = pd.Series(theirs, dtype=float).reindex(ours.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=0, atol=tol)


# ----------------------------------------------------------------------------- tied paths

def test_tied_strength_paths_issue_repro():
    E = [("s", "a", 3), ("a", "b", 4), ("b", "t", 3), ("s", "c", 3), ("c", "d", 3),
         ("d", "t", 4)]  # both s-t paths have length 1/3 + 1/4 + 1/3 = 11/12
    b = _weighted(E).centrality("betweenness", normalized=False)
    assert b[["s", "c", "b", "t"]].tolist() == pytest.approx([1.5, 1.5, 2.5, 2.5], abs=1e-12)


def test_tied_distance_paths_issue_repro():
    E = [("s", "a", 0.1), ("a", "t", 0.2), ("s", "t", 0.3)]  # 0.1 + 0.2 != 0.3 in floats
    b = _weighted(E).centrality("betweenness", weight_as="distance", normalized=False)
    assert b["a"] == pytest.approx(0.5, abs=1e-12)
    e = _weighted(E).edge_betweenness(weight_as="distance", normalized=False)
    assert e[("s", "t")] == pytest.approx(0.5, abs=1e-12)  # one of the two s-t paths


def test_uniform_weights_take_the_unweighted_path():
    edges = [("a", "b", 2.0), ("b", "c", 2.0), ("c", "d", 2.0), ("a", "d", 2.0), ("b", "d", 2.0)]
    net = _weighted(edges)
    for m in ("betweenness",):
        np.testing.assert_allclose(net.centrality(m), net.centrality(m, weight_as=None))
    # lengths 1/2: distances halve, closeness doubles, harmonic doubles
    np.testing.assert_allclose(net.centrality("closeness"),
                               2 * net.centrality("closeness", weight_as=None), rtol=1e-14)
    np.testing.assert_allclose(net.centrality("harmonic"),
                               2 * net.centrality("harmonic", weight_as=None), rtol=1e-14)


# ----------------------------------------------------------------------------- betweenness

@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("normalized", [False, True])
def test_endpoints_equal_networkx(directed, normalized):
    G, net = _random(1, directed=directed)
    ours = net.centrality("betweenness", endpoints=True, normalized=normalized,
                          directed=directed)
    _close(ours, nx.betweenness_centrality(G, endpoints=True, normalized=normalized,
                                           weight="length"))
    ours_k = net.centrality("betweenness", endpoints=True, k=10, seed=7, directed=directed,
                            normalized=normalized)
    _close(ours_k, nx.betweenness_centrality(G, k=10, seed=7, endpoints=True,
                                             normalized=normalized, weight="length"))


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("normalized", [False, True])
def test_source_target_subset_equals_networkx(directed, normalized):
    G, net = _random(2, directed=directed)
    firms = list(net.firms)
    src, tgt = firms[::3], firms[1::4]
    ours = net.centrality("betweenness", sources=src, targets=tgt, normalized=normalized,
                          directed=directed)
    _close(ours, nx.betweenness_centrality_subset(G, src, tgt, normalized=normalized,
                                                  weight="length"))
    with pytest.raises(exc.InvalidParameterError, match="subset"):
        net.centrality("betweenness", sources=src, k=3)
    with pytest.raises(exc.InvalidParameterError, match="nobody"):
        net.centrality("betweenness", sources=["nobody"])


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_edge_betweenness_equals_networkx(directed, weighted):
    G, net = _random(3, directed=directed, )
    wa = "strength" if weighted else None
    w = "length" if weighted else None
    ours = net.edge_betweenness(weight_as=wa, directed=directed)
    theirs = nx.edge_betweenness_centrality(G, weight=w)
    key = (lambda e: e) if directed else (lambda e: tuple(sorted(e)))
    theirs = {key(e): v for e, v in theirs.items()}
    assert set(ours.index) == set(theirs)
    np.testing.assert_allclose(ours.to_numpy(), [theirs[e] for e in ours.index], atol=TOL)
    raw = net.edge_betweenness(weight_as=wa, directed=directed, normalized=False, k=12, seed=5)
    theirs = nx.edge_betweenness_centrality(G, k=12, seed=5, normalized=False, weight=w)
    theirs = {key(e): v for e, v in theirs.items()}
    np.testing.assert_allclose(raw.to_numpy(), [theirs[e] for e in raw.index], atol=TOL)


# ----------------------------------------------------------------------------- closeness, harmonic

@pytest.mark.parametrize("directed", [False, True])
def test_closeness_and_harmonic_subsets_equal_networkx(directed):
    G, net = _random(4, directed=directed)
    firms = list(net.firms)
    some = firms[2:9]
    c = net.centrality("closeness", u=some, directed=directed)
    assert list(c.index) == sorted(some)
    _close(c, {u: nx.closeness_centrality(G, u=u, distance="length") for u in some})
    one = net.centrality("closeness", u=firms[0], directed=directed)
    assert list(one.index) == [firms[0]]
    h = net.centrality("harmonic", nbunch=some, sources=firms[::2], directed=directed)
    _close(h, nx.harmonic_centrality(G, nbunch=some, sources=firms[::2], distance="length"))
    full = net.centrality("harmonic", directed=directed, n_threads=1)
    _close(full, nx.harmonic_centrality(G, distance="length"))


# ----------------------------------------------------------------------------- PageRank, Katz

def test_pagerank_dangling_equals_networkx():
    G, net = _random(5, p=0.04, directed=True)
    firms = list(net.firms)
    assert any(G.out_degree(f) == 0 for f in firms)
    dangling = {firms[0]: 3.0, firms[5]: 1.0}
    pers = {f: 1.0 + (i % 3) for i, f in enumerate(firms)}
    ours = net.centrality("pagerank", directed=True, dangling=dangling, personalization=pers)
    theirs = nx.pagerank(G, dangling=dangling, personalization=pers, tol=1e-15, max_iter=10000)
    _close(ours, theirs, tol=1e-10)
    assert not np.allclose(ours, net.centrality("pagerank", directed=True,
                                                personalization=pers), atol=1e-6)


def test_pagerank_default_error_is_bounded():
    # the default tol bounds the L1 error of the scores, whatever the graph's size
    G, net = _random(6, n=300, p=0.02, directed=True)
    ours = net.centrality("pagerank", directed=True)
    exact = nx.pagerank(G, tol=1e-16, max_iter=100000, weight="weight")
    err = np.abs(ours.to_numpy() - pd.Series(exact).reindex(ours.index).to_numpy()).sum()
    assert err <= 1e-10


def test_katz_default_alpha_is_half_the_inverse_spectral_radius():
    from concentration.datasets import load

    net = PartnershipNetwork(load("ai_partnerships")).as_of("2025-11-18")
    A, _ = net.adjacency()
    rho = float(np.max(np.abs(np.linalg.eigvals(A.toarray()))))
    k = net.centrality("katz")
    assert k.attrs["alpha"] == pytest.approx(0.5 / rho, rel=1e-9)
    G = nx.from_scipy_sparse_array(A)
    theirs = nx.katz_centrality_numpy(G, alpha=0.5 / rho, weight="weight")
    np.testing.assert_allclose(k.to_numpy(), [theirs[i] for i in range(len(k))], atol=1e-9)
    with pytest.raises(exc.ConvergenceError, match=f"below 1/rho\\(A\\) = {1 / rho:.6g}"):
        net.centrality("katz", alpha=0.1)


@pytest.mark.parametrize("directed", [False, True])
def test_katz_solve_equals_networkx_above_the_dense_size(directed):
    G, net = _random(7, n=700, p=0.006, directed=directed)
    A, _ = net.adjacency(directed=directed)
    ours = net.centrality("katz", alpha=0.05, directed=directed)
    theirs = nx.katz_centrality_numpy(G, alpha=0.05, weight="weight")
    _close(ours, theirs, tol=1e-9)
    with pytest.raises(exc.ConvergenceError, match="alpha must be below"):
        net.centrality("katz", alpha=5.0, directed=directed)
    with pytest.raises(exc.InvalidParameterError, match="beta"):
        net.centrality("katz", beta=0)


# ----------------------------------------------------------------------------- plot

def test_plot_hands_the_network_to_plot_network(monkeypatch):
    import concentration.plotting as plotting

    seen = {}
    monkeypatch.setattr(plotting, "plot_network",
                        lambda net, **kw: seen.update(net=net, kw=kw) or "axes")
    net = _weighted([("a", "b", 1.0)])
    assert net.plot(label_top=3) == "axes"
    assert seen["net"] is net and seen["kw"] == {"label_top": 3}


def test_bundled_2025_betweenness_equals_exact_fractions():
    # strengths are deal counts (integers): lengths 1/w tie often; exact rationals decide
    from fractions import Fraction

    from concentration._kernels import _brandes_ref
    from concentration.datasets import load

    net = PartnershipNetwork(load("ai_partnerships")).as_of("2025-11-18")
    ours = net.centrality("betweenness")
    A, firms = net.adjacency()
    R = A.T.tocsr()
    R.sort_indices()
    n = A.shape[0]
    assert np.array_equal(A.data, np.round(A.data))
    out = [[Fraction(0)] * n]
    _brandes_ref.betweenness_sum(A.indptr, A.indices, [Fraction(1, int(w)) for w in A.data],
                                 R.indptr, R.indices, [Fraction(1, int(w)) for w in R.data],
                                 np.arange(n), True, out, rtol=0.0)
    exact = np.array([float(x) for x in out[0]]) / ((n - 1) * (n - 2))
    np.testing.assert_allclose(ours.to_numpy(), exact, rtol=0, atol=1e-12)
    assert ours["Nvidia"] == pytest.approx(0.3259, abs=5e-5)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weight_as", ["strength", "distance"])
def test_integer_weight_networks_equal_exact_fractions(seed, weight_as):
    # through the public API: the network builds the lengths (1/w or w) itself
    from fractions import Fraction

    from concentration._kernels import _brandes_ref

    rng = np.random.default_rng([seed, 7])
    n = 24
    pairs = [(f"f{i:02d}", f"f{j:02d}") for i in range(n) for j in range(i + 1, n)
             if rng.random() < 0.2]
    w = rng.integers(1, 5, size=len(pairs)).astype(float)
    net = PartnershipNetwork(pd.DataFrame({"source": [a for a, _ in pairs],
                                           "target": [b for _, b in pairs], "weight": w}))
    ours = net.centrality("betweenness", weight_as=weight_as, normalized=False)
    A, _ = net.adjacency(weight_as="strength")
    R = A.T.tocsr()
    R.sort_indices()
    length = (lambda x: Fraction(1, int(x))) if weight_as == "strength" else \
        (lambda x: Fraction(int(x)))  # noqa: E731
    out = [[Fraction(0)] * A.shape[0]]
    _brandes_ref.betweenness_sum(A.indptr, A.indices, [length(x) for x in A.data], R.indptr,
                                 R.indices, [length(x) for x in R.data],
                                 np.arange(A.shape[0]), True, out, rtol=0.0)
    exact = np.array([float(x) for x in out[0]]) / 2  # unordered pairs
    np.testing.assert_allclose(ours.to_numpy(), exact, rtol=0, atol=1e-12)
