"""Tests for concentration.stats: regressions, intervals, sensitivity, decomposition."""

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

import concentration as cn
from concentration.exceptions import (FringeWarning, InvalidParameterError,
                                      MissingDependencyError, SchemaError)
from concentration.stats import (concentration_regression, hhi_change_decomposition,
                                 index_interval, market_sensitivity)

# ---------------------------------------------------------------------------
# regression

BETA_HHI, BETA_MHHI = 3e-4, 1e-4


def _panel(n_markets=40, n_periods=6, seed=0, drop=0.0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"market": np.repeat(np.arange(n_markets), n_periods),
                       "period": np.tile(np.arange(2000, 2000 + n_periods), n_markets)})
    alpha = rng.normal(size=n_markets) * 2
    tau = rng.normal(size=n_periods)
    # concentration correlated with the market effect: pooled OLS would be biased
    df["hhi"] = 2500 + 800 * alpha[df["market"]] + rng.normal(0, 600, len(df))
    df["mhhi_delta"] = rng.uniform(0, 1500, len(df))
    df["cost"] = rng.normal(size=len(df))
    noise = rng.normal(size=len(df)) * (0.5 + np.abs(alpha[df["market"]]))  # heteroskedastic
    df["price"] = (BETA_HHI * df["hhi"] + BETA_MHHI * df["mhhi_delta"] + 0.5 * df["cost"]
                   + alpha[df["market"]] + tau[df["period"] - 2000] + noise)
    if drop:
        df = df.sample(frac=1 - drop, random_state=seed).sort_index()
    return df


def _statsmodels_dummies(df, cov_type, terms=("hhi", "mhhi_delta", "cost")):
    """The reference: statsmodels' own OLS with const + market and period dummies."""
    exog = pd.concat([pd.DataFrame({"const": 1.0}, index=df.index), df[list(terms)],
                      pd.get_dummies(df["market"], prefix="m", drop_first=True, dtype=float),
                      pd.get_dummies(df["period"], prefix="t", drop_first=True, dtype=float)],
                     axis=1)
    model = sm.OLS(df["price"], exog)
    if cov_type == "cluster":
        return model.fit(cov_type="cluster", cov_kwds={"groups": df["market"].to_numpy()})
    return model.fit(cov_type=cov_type)


def test_regression_recovers_known_coefficient_within_ci():
    df = _panel()
    fit = concentration_regression(df, controls=["cost"])
    ci = fit.conf_int()
    assert ci.loc["hhi", "lower"] < BETA_HHI < ci.loc["hhi", "upper"]
    assert ci.loc["mhhi_delta", "lower"] < BETA_MHHI < ci.loc["mhhi_delta", "upper"]
    assert fit.cov_type == "cluster" and fit.n_clusters == 40
    # pooled OLS without fixed effects is far off: the fixed effects matter here
    pooled = sm.OLS(df["price"], sm.add_constant(df[["hhi", "mhhi_delta", "cost"]])).fit()
    assert not (ci.loc["hhi", "lower"] < pooled.params["hhi"] < ci.loc["hhi", "upper"])


@pytest.mark.parametrize("method", ["within", "dummies"])
@pytest.mark.parametrize("drop", [0.0, 0.25])
def test_clustered_se_equal_statsmodels_dummy_fit(method, drop):
    df = _panel(drop=drop, seed=3)
    ref = _statsmodels_dummies(df, "cluster")
    fit = concentration_regression(df, controls=["cost"], method=method)
    terms = ["hhi", "mhhi_delta", "cost"]
    assert_allclose(fit.params[terms], ref.params[terms], rtol=1e-9)
    assert_allclose(fit.bse[terms], ref.bse[terms], rtol=1e-8)
    assert_allclose(fit.conf_int()[["lower", "upper"]].to_numpy(),
                    ref.conf_int().loc[terms].to_numpy(), rtol=1e-8)
    assert_allclose(fit.pvalues[terms], ref.pvalues[terms], rtol=1e-6)
    assert fit.balanced == (drop == 0.0)
    if method == "within" and drop:
        assert fit.iterations > 0


@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "nonrobust"])
def test_robust_se_within_equal_dummies(cov_type):
    df = _panel(n_markets=25, seed=5, drop=0.1)
    ref = _statsmodels_dummies(df, cov_type)
    fit = concentration_regression(df, controls=["cost"], method="within", cov_type=cov_type)
    assert_allclose(fit.bse, ref.bse[list(fit.terms)], rtol=1e-8)


@pytest.mark.parametrize("cov_type", ["HC2", "HC3"])
def test_hc2_hc3_use_dummies(cov_type):
    df = _panel(n_markets=15, seed=6)
    ref = _statsmodels_dummies(df, cov_type)
    fit = concentration_regression(df, controls=["cost"], cov_type=cov_type)
    assert fit.method == "dummies"
    assert_allclose(fit.bse, ref.bse[list(fit.terms)], rtol=1e-10)
    with pytest.raises(InvalidParameterError, match="HC2/HC3"):
        concentration_regression(df, controls=["cost"], cov_type=cov_type, method="within")


def test_auto_switches_to_within_for_many_levels():
    df = _panel(n_markets=320, n_periods=3, seed=7)
    fit = concentration_regression(df, controls=["cost"])
    assert fit.method == "within" and fit.fe_rank == 320 + 3 - 1
    ref = concentration_regression(df, controls=["cost"], method="dummies")
    assert_allclose(fit.bse, ref.bse, rtol=1e-8)


def test_regression_result_object():
    fit = concentration_regression(_panel(n_markets=10), measures="hhi")
    assert fit.to_frame().index.tolist() == ["hhi"]
    assert "Price-concentration regression" in str(fit.summary())
    with warnings.catch_warnings():  # statsmodels' F-test note on clustered dummies
        warnings.simplefilter("ignore")
        assert "OLS Regression Results" in str(fit.results.summary())
    with pytest.raises(Exception):
        fit.method = "x"  # frozen


def test_regression_errors():
    df = _panel(n_markets=5)
    with pytest.raises(SchemaError, match="'outcome'"):
        concentration_regression(df, outcome="p")
    with pytest.raises(InvalidParameterError, match="'cov_type'"):
        concentration_regression(df, cov_type="HC9")
    with pytest.raises(InvalidParameterError, match="'cluster'"):
        concentration_regression(df, cluster=None)
    bad = df.copy()
    bad.loc[bad.index[0], "hhi"] = np.nan
    with pytest.raises(InvalidParameterError, match="missing values"):
        concentration_regression(bad)
    assert np.isfinite(df["hhi"]).all()  # input not modified


# ---------------------------------------------------------------------------
# intervals

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


# ---------------------------------------------------------------------------
# decomposition

def test_decomposition_hand_example():
    df = pd.DataFrame({"period": [1, 1, 2, 2, 2], "firm": ["A", "B", "A", "B", "C"],
                       "share": [0.5, 0.5, 0.3, 0.5, 0.2]})
    row = hhi_change_decomposition(df).to_frame().iloc[0]
    # v(0)=.5, v(E)=.54, v(R)=.34, v(ER)=.38 -> entry .04, reallocation -.16
    assert_allclose([row.entry, row.exit, row.reallocation, row.ownership],
                    [400, 0, -1600, 0], atol=1e-9)
    assert row.n_entrants == 1


def test_pure_ownership_change_is_two_sa_sb():
    df = pd.DataFrame({"market": "m", "period": [1, 1, 1, 2, 2, 2],
                       "firm": list("ABCABC"), "share": [0.3, 0.2, 0.5] * 2,
                       "owner": ["A", "B", "C", "A", "A", "C"]})
    row = hhi_change_decomposition(df, owner="owner").to_frame().iloc[0]
    assert_allclose(row.ownership, 2 * 0.3 * 0.2 * 10_000)
    assert_allclose([row.entry, row.exit, row.reallocation], 0, atol=1e-9)
    assert row.n_owner_changes == 1


def test_decomposition_sums_to_delta_and_matches_hhi():
    rng = np.random.default_rng(8)
    rows = []
    for m in range(6):
        for t in range(4):
            firms = rng.choice(list("ABCDEFG"), size=rng.integers(2, 6), replace=False)
            s = rng.dirichlet(np.ones(len(firms)))
            owners = [f if rng.random() < 0.7 else rng.choice(list("XY")) for f in firms]
            rows += [{"market": m, "period": t, "firm": f, "share": x, "owner": o}
                     for f, x, o in zip(firms, s, owners)]
    df = pd.DataFrame(rows)
    out = hhi_change_decomposition(df, owner="owner").to_frame()
    assert len(out) == 6 * 3
    parts = out[["entry", "exit", "reallocation", "ownership"]].sum(axis=1)
    assert_allclose(parts, out["delta_hhi"], atol=1e-8)
    # without ownership the endpoints are the library's HHI
    plain = hhi_change_decomposition(df.drop(columns="owner")).to_frame()
    h = cn.hhi(df)
    assert_allclose(plain["hhi_from"], h.loc[list(zip(plain["market"], plain["period_from"]))])
    assert_allclose(plain["ownership"], 0, atol=1e-9)
    # a fixed parent mapping raises both endpoints to the parent-level HHI
    par = hhi_change_decomposition(df.drop(columns="owner"), parent={"A": "B"}).to_frame()
    assert_allclose(par["hhi_to"], cn.hhi(df, parent={"A": "B"}).loc[
        list(zip(par["market"], par["period_to"]))])
    assert_allclose(par["ownership"], 0, atol=1e-9)


# ---------------------------------------------------------------------------
# sensitivity

def test_sensitivity_product_grouping_flips():
    df = pd.DataFrame({"product": ["p", "p", "q", "q", "r"], "firm": ["A", "B", "C", "D", "A"],
                       "value": [50.0, 50.0, 50.0, 50.0, 10.0]})
    res = market_sensitivity(
        df, {"narrow": {"products": {"p": "p", "q": "q", "r": "r"}},
             "broad": {"products": {"p": "pq", "q": "pq", "r": None}}},
        value="value", thresholds=[2500])
    t = res.by_unit
    assert_allclose(t.loc[["p", "q"], "broad:value"], 2500.0)
    assert t.loc["p", "broad:verdict"] == "<= 2500" and t.loc["p", "narrow:verdict"] == "> 2500"
    assert res.flips.index.tolist() == ["p", "q"]
    # r is excluded by the broad definition: present in one definition, no flip
    assert pd.isna(t.loc["r", "broad:market"]) and not t.loc["r", "flips"]
    with pytest.raises(InvalidParameterError, match="no entry for"):
        market_sensitivity(df, {"a": {"products": {"p": "x"}}, "b": None},
                           value="value", market=None)


def test_sensitivity_fringe_treatments():
    df = pd.DataFrame({"market": ["m1"] * 3 + ["m2"] * 2, "firm": list("ABCAB"),
                       "share": [0.4, 0.2, 0.1, 0.5, 0.5]})
    res = market_sensitivity(df, {"with fringe": None, "no fringe": {"fringe": "exclude"},
                                  "fringe firms": {"fringe": "as_firms", "fringe_size": 0.05}},
                             thresholds=[2200], period=None)
    t = res.by_unit
    assert_allclose(t.loc["m1", ["with fringe:value", "no fringe:value", "fringe firms:value"]]
                    .astype(float), [2100.0, 2100.0 / 0.49, 2250.0])
    assert res.flips.index.tolist() == ["m1"]
    assert_allclose(res.results["share_sum"].iloc[0], 0.7)
    assert "lower bound" in str(res.summary())
    assert df["share"].tolist() == [0.4, 0.2, 0.1, 0.5, 0.5]


def test_sensitivity_with_merger_screen():
    screen = pytest.importorskip("concentration.screen")
    # in product p alone A+B is presumed anticompetitive; adding product q, where D
    # dominates, dilutes the parties' shares below the 2023 delta of 100 points
    df = pd.DataFrame({"product": ["p", "p", "p", "q", "q"], "firm": ["A", "B", "C", "A", "D"],
                       "value": [30.0, 30.0, 40.0, 10.0, 900.0]})
    res = market_sensitivity(df, {"p only": {"products": {"p": "p", "q": "q"}},
                                  "p+q": {"products": {"p": "pq", "q": "pq"}}},
                             value="value", merging=["A", "B"], guidelines="us2023")
    t = res.by_unit
    assert res.mode == "screen" and res.value_name == "post_hhi"
    ref = screen.screen_merger({"A": 0.3, "B": 0.3, "C": 0.4}, ["A", "B"]).to_frame()
    assert_allclose(t.loc["p", "p only:value"], ref["post_hhi"].iloc[0])
    assert t.loc["p", "p only:verdict"] == ref["verdict"].iloc[0] == "presumed_anticompetitive"
    assert t.loc["p", "p+q:verdict"] != "presumed_anticompetitive"
    assert "p" in res.flips.index
    with pytest.raises(InvalidParameterError, match="'thresholds'"):
        market_sensitivity(df, {"a": None, "b": None}, merging=["A", "B"], thresholds=[1],
                           value="value", market=None, product="product")


# ---------------------------------------------------------------------------
# plots

def test_plots_return_axes():
    pytest.importorskip("matplotlib")
    fit = concentration_regression(_panel(n_markets=8), controls=["cost"])
    ci = index_interval(_observations(100, 0, markets=("x", "y")), n_draws=50, seed=0)
    dec = hhi_change_decomposition(pd.DataFrame({"period": [1, 1, 2], "firm": ["A", "B", "A"],
                                                 "share": [0.5, 0.5, 1.0]}))
    sens = market_sensitivity(pd.DataFrame({"market": ["a", "b"], "firm": ["A", "A"],
                                            "share": [1.0, 1.0]}),
                              {"x": None, "y": {"fringe": "exclude"}}, thresholds=[5000],
                              period=None)
    for obj in (fit, ci, dec, sens):
        ax = obj.plot()
        assert ax.figure is not None and ax.has_data()


def test_plot_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    ci = index_interval({"A": 0.5, "B": 0.5}, method="delta", sample_size=10)
    with pytest.raises(MissingDependencyError, match=r"pip install antitrust-concentration\[plot\]"):
        ci.plot()
