"""Tests for concentration.stats.index_interval: bootstrap, multinomial, Dirichlet, delta."""

import sys

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import concentration as cn
from concentration.exceptions import FringeWarning, InvalidParameterError, MissingDependencyError
from concentration.stats import index_interval

P_TRUE = np.array([0.5, 0.3, 0.2])


def _observations(n, seed, markets=("x",), weighted=False):
    rng = np.random.default_rng(seed)
    frames = []
    for m in markets:
        f = pd.DataFrame({"market": m, "firm": rng.choice(["A", "B", "C"], p=P_TRUE, size=n)})
        if weighted:
            f["value"] = rng.exponential(size=n)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def test_bootstrap_reproducible_with_seed():
    obs = _observations(300, 1, markets=("x", "y"))
    a = index_interval(obs, n_draws=200, seed=42)
    b = index_interval(obs, n_draws=200, seed=42)
    c = index_interval(obs, n_draws=200, seed=43)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert not np.array_equal(a.draws, c.draws)
    assert_allclose(a.estimate, cn.hhi(obs.assign(v=1.0), value="v", period=None,
                                      duplicates="sum"))


@pytest.mark.parametrize("weighted", [False, True])
def test_bootstrap_interval_shrinks_with_sample(weighted):
    value = "value" if weighted else None
    widths = [index_interval(_observations(n, 2, weighted=weighted), value=value,
                             n_draws=300, seed=0, market=None).width for n in (100, 400, 1600)]
    assert widths[0] > widths[1] > widths[2]
    # roughly 1/sqrt(n): quadrupling n halves the width
    assert 1.4 < widths[0] / widths[1] < 2.8


def test_delta_method_hand_computed():
    ci = index_interval({"A": 0.6, "B": 0.4}, method="delta", sample_size=100, level=0.95)
    se = 10_000 * np.sqrt(4 / 100 * (0.6 ** 3 + 0.4 ** 3 - 0.52 ** 2))
    assert_allclose(ci.to_frame()["std_error"].iloc[0], se)
    assert_allclose(ci.lower, 5200 - 1.959963984540054 * se)


def test_delta_and_multinomial_match_simulation():
    n = 200
    rng = np.random.default_rng(11)
    sims = rng.multinomial(n, P_TRUE, size=20_000) / n
    sim_sd = 10_000 * (sims ** 2).sum(axis=1).std()
    shares = dict(zip("ABC", P_TRUE))
    delta = index_interval(shares, method="delta", sample_size=n)
    assert_allclose(delta.to_frame()["std_error"].iloc[0], sim_sd, rtol=0.05)
    mult = index_interval(shares, method="multinomial", sample_size=n, n_draws=4000, seed=1)
    assert_allclose(mult.to_frame()["std_error"].iloc[0], sim_sd, rtol=0.06)


def test_dirichlet_matches_closed_form_moments():
    n, prior = 50, 0.5
    alpha = n * P_TRUE + prior
    a0 = alpha.sum()
    mean = (alpha * (alpha + 1)).sum() / (a0 * (a0 + 1))  # E sum p^2 under Dirichlet
    r = index_interval(dict(zip("ABC", P_TRUE)), method="dirichlet", sample_size=n,
                       prior=prior, n_draws=6000, seed=3)
    assert_allclose(r.draws.mean() / 10_000, mean, rtol=0.01)


def test_delta_interval_coverage_by_simulation():
    rng = np.random.default_rng(5)
    truth = 10_000 * (P_TRUE ** 2).sum()
    hits = 0
    reps = 300
    for _ in range(reps):
        counts = rng.multinomial(400, P_TRUE)
        ci = index_interval(dict(zip("ABC", counts / 400)), method="delta", sample_size=400)
        hits += ci.lower <= truth <= ci.upper
    assert 0.90 <= hits / reps <= 0.985


def test_weighted_delta_agrees_with_bootstrap():
    obs = _observations(800, 9, weighted=True)
    d = index_interval(obs, value="value", method="delta").to_frame()["std_error"].iloc[0]
    b = index_interval(obs, value="value", n_draws=800, seed=2).to_frame()["std_error"].iloc[0]
    assert_allclose(d, b, rtol=0.15)


def test_survey_shares_grouped_with_fringe():
    df = pd.DataFrame({"market": ["a", "a", "b", "b"], "firm": ["A", "B", "A", "C"],
                       "share": [0.5, 0.3, 0.6, 0.4], "n": [100, 100, 50, 50]})
    with pytest.warns(FringeWarning, match="outside the index"):
        r = index_interval(df, method="multinomial", sample_size="n", n_draws=300, seed=0,
                           period=None)
    assert r.to_frame()["sample_size"].tolist() == [100, 50]
    with pytest.warns(FringeWarning):
        assert_allclose(r.estimate, cn.hhi(df, period=None))
    assert "Multinomial" in str(r.summary())


def test_other_measures_and_errors():
    obs = _observations(200, 4)
    r = index_interval(obs, measure="cr2", n_draws=100, seed=0, market=None)
    assert 0 < r.lower <= r.estimate <= r.upper <= 1
    with pytest.raises(InvalidParameterError, match="'measure'"):
        index_interval(obs, measure="cr2", method="delta")
    with pytest.raises(InvalidParameterError, match="'sample_size'"):
        index_interval({"A": 0.5, "B": 0.5}, method="dirichlet")
    with pytest.raises(InvalidParameterError, match="'sample_size'"):
        index_interval({"A": 0.5, "B": 0.5}, method="bootstrap", sample_size=10)
    with pytest.raises(InvalidParameterError, match="'method'"):
        index_interval(obs, method="jackknife")


def test_interval_plot():
    pytest.importorskip("matplotlib")
    ci = index_interval(_observations(100, 0, markets=("x", "y")), n_draws=50, seed=0)
    ax = ci.plot()
    assert ax.figure is not None and ax.has_data()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    assert ax.get_xlabel() == "hhi (95% interval, bootstrap)"


def test_plot_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    ci = index_interval({"A": 0.5, "B": 0.5}, method="delta", sample_size=10)
    with pytest.raises(MissingDependencyError, match=r"pip install antitrust-concentration\[plot\]"):
        ci.plot()
