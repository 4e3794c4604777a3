"""Tests for concentration.stats.concentration_regression against statsmodels' own fits."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from concentration.exceptions import InvalidParameterError, SchemaError
from concentration.stats import concentration_regression

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


def test_regression_plot():
    pytest.importorskip("matplotlib")
    fit = concentration_regression(_panel(n_markets=8), controls=["cost"])
    ax = fit.plot(alpha=0.1)
    assert ax.figure is not None and ax.has_data()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["hhi", "mhhi_delta", "cost"]
    assert ax.get_xlabel() == "effect on price (90% CI)"
    x, _ = ax.containers[0].lines[0].get_data()
    assert_allclose(x, fit.params.to_numpy())


def _collinear_panel(balanced=True):
    rng = np.random.default_rng(3)
    panel = pd.DataFrame({"market": np.repeat(np.arange(6), 4),
                          "period": np.tile(np.arange(4), 6)})
    panel["hhi"] = rng.uniform(1000, 3000, len(panel))
    panel["mhhi_delta"] = 2 * panel["hhi"]
    panel["by_market"] = 3.0 * panel["market"]
    panel["price"] = rng.normal(size=len(panel))
    return panel if balanced else panel.drop(index=[0, 5, 7])


@pytest.mark.parametrize("method", ["dummies", "within"])
@pytest.mark.parametrize("balanced", [True, False])
def test_collinear_regressors_are_a_typed_error(method, balanced):
    panel = _collinear_panel(balanced)
    with pytest.raises(InvalidParameterError,
                       match=r"The 'measures' parameter of concentration_regression must be "
                             r"regressors that are not linear combinations .* Got 'mhhi_delta' "
                             r"instead\. It is a combination of 'hhi' and the fixed effects"):
        concentration_regression(panel, method=method)
    with pytest.raises(InvalidParameterError, match=r"'controls' parameter .* Got 'by_market'"):
        concentration_regression(panel, measures=["hhi"], controls=["by_market"],
                                 method=method)


def test_no_more_rows_than_parameters_is_a_typed_error():
    panel = pd.DataFrame({"market": [1, 1, 2, 2], "period": [1, 2, 1, 2],
                          "hhi": [1.0, 2.0, 3.0, 5.0], "price": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(InvalidParameterError, match=r"'panel' parameter of "
                       r"concentration_regression must be a table with more rows than "
                       r"parameters \(4: 1 regressor\(s\) and 3 fixed effect"):
        concentration_regression(panel, measures=["hhi"])
