"""Centrality measures: closed forms, networkx as the oracle, the compiled Brandes kernel."""

import os
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


def test_sampled_betweenness_reproducible_and_equal_to_networkx_with_the_same_seed():
    G, net = _random_graph(5, n=60, p=0.1)
    a = net.centrality("betweenness", k=20, seed=3)
    b = net.centrality("betweenness", k=20, seed=3, n_threads=1)
    np.testing.assert_allclose(a, b, atol=1e-12)
    # networkx samples random.Random(seed).sample(nodes, k): with the nodes in our
    # (sorted) order it picks the same sources, hence the same estimate
    H = nx.Graph()
    H.add_nodes_from(net.firms)
    H.add_edges_from(G.subgraph(net.firms).edges(data=True))
    _compare(a, nx.betweenness_centrality(H, k=20, seed=3, weight="length"))
    assert not np.allclose(a, net.centrality("betweenness", k=20, seed=4))


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
    with pytest.raises(exc.ConvergenceError, match=r"alpha must be below 1/rho\(A\) = 0.2 "):
        net.centrality("katz", alpha=0.5, max_iter=50)
    with pytest.raises(exc.ConvergenceError, match="did not converge"):
        star(6).centrality("pagerank", tol=1e-30, max_iter=5)
    two_triangles = _net([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"),
                          ("x", "z")])
    with pytest.raises(exc.ConvergenceError, match="not defined uniquely"):
        two_triangles.centrality("eigenvector")
    # harmonic is defined on the same disconnected graph
    assert two_triangles.centrality("harmonic").to_numpy() == pytest.approx(np.full(6, 2.0))



def test_betweenness_thread_counts_are_checked_and_capped_in_a_live_interpreter():
    # 2,000 threads printed "libgomp: Thread creation failed" and ended the process;
    # now capped to the CPUs with a warning.  A child process under a memory limit.
    import subprocess
    import sys
    code = r"""
import resource, warnings
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
import numpy as np, pandas as pd
from concentration.network import PartnershipNetwork
from concentration.exceptions import CappedParameterWarning
rng = np.random.default_rng(0)
pairs = pd.DataFrame(rng.integers(0, 120, size=(400, 2)), columns=["source", "target"])
pairs = pairs[pairs.source != pairs.target]
net = PartnershipNetwork(pairs)
one = net.centrality("betweenness", n_threads=1)
for nt in (2000, 100_000):
    for k in (None, 30, 2**64):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            got = net.centrality("betweenness", n_threads=nt, k=k, seed=1)
        assert any(issubclass(w.category, CappedParameterWarning) for w in rec), rec
        want = net.centrality("betweenness", n_threads=1, k=k, seed=1)
        np.testing.assert_allclose(got, want, atol=1e-12)
np.testing.assert_allclose(net.centrality("betweenness", k=2**64), one, atol=1e-12)
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=240,
                          cwd=os.path.dirname(sys.executable))
    assert proc.returncode == 0 and proc.stdout.startswith("ok"), proc.stderr[-3000:]


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_betweenness_bad_thread_count_and_k_are_typed_errors(bad):
    net = star(5)
    with pytest.raises(exc.InvalidParameterError, match="n_threads"):
        net.centrality("betweenness", n_threads=bad)
    with pytest.raises(exc.InvalidParameterError, match="'k'"):
        net.centrality("betweenness", k=bad)
