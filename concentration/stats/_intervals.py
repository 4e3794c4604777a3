"""Econometrics and uncertainty for concentration measures.

* :func:`concentration_regression` -- the price-concentration regression of the
  common-ownership literature (outcome on HHI and MHHI delta with market and time
  fixed effects, standard errors clustered by market), fitted with statsmodels OLS.
* :func:`index_interval` -- confidence intervals for an index when the shares are
  estimates: a bootstrap from the underlying observations, a multinomial or Dirichlet
  model for survey shares with a stated sample size, and the delta method.
* :func:`market_sensitivity` -- an index or a merger screen over alternative market
  definitions, and where the verdict flips.
* :func:`hhi_change_decomposition` -- the change of the HHI between periods split
  exactly into entry, exit, reallocation among incumbents and ownership change.

Every HHI here comes from :mod:`concentration.measures` or the quadratic form of
:mod:`concentration._quadratic`; nothing re-implements it.

References
----------
.. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
   common ownership. Journal of Finance 73(4), 1513-1565.
.. [SI] Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.
.. [EF] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
   New York: Chapman & Hall, ch. 13 (percentile intervals).
.. [CG] Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to
   cluster-robust inference. Journal of Human Resources 50(2), 317-372.
.. [GU] Guimaraes, P. and Portugal, P. (2010). A simple feasible procedure to fit
   models with high-dimensional fixed effects. Stata Journal 10(4), 628-649.
.. [SH] Shapley, L. S. (1953). A value for n-person games. In Contributions to the
   Theory of Games II, Annals of Mathematics Studies 28, 307-317.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats as _sstats
from scipy.sparse import csgraph

from .._quadratic import quadratic_form
from .._results import ResultMixin
from .._tables import DEFAULT_TOLERANCE, coerce_shares
from .._validation import (as_list, check_choice, check_columns, check_int,
                          check_number, param_message)
from ..exceptions import (ConvergenceError, InvalidParameterError, InvalidSharesError,
                         MissingDependencyError, SchemaError)
from ..measures import MEASURES as _INDEX_MEASURES
from ..measures import indices as _indices
from ..plotting._mpl import new_axes, tick_label

__all__ = [
    "concentration_regression",
    "ConcentrationRegression",
    "index_interval",
    "IndexInterval",
    "market_sensitivity",
    "MarketSensitivity",
    "hhi_change_decomposition",
    "HHIChangeDecomposition",
]

# ===========================================================================
# 1. price-concentration regression

COV_TYPES = ("cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust")
REG_METHODS = ("auto", "within", "dummies")

#: Above this many fixed-effect levels, method="auto" uses the within transformation.
_AUTO_DUMMY_LIMIT = 300


@dataclass(frozen=True, repr=False)
class ConcentrationRegression(ResultMixin):
    """A fitted price-concentration regression.

    Attributes
    ----------
    results : statsmodels.regression.linear_model.RegressionResultsWrapper
        The statsmodels results object (``results.summary()`` is statsmodels' own
        table).  With ``method="within"`` its regressors are the demeaned measures and
        controls only; with ``method="dummies"`` it also holds the constant and the
        fixed-effect dummies.
    method : str
        ``"within"`` or ``"dummies"``.
    terms : tuple of str
        The measures and controls, in order.
    cov_type : str
    nobs, n_entities, n_periods, n_clusters : int
    fe_rank : int
        Number of parameters absorbed by the fixed effects (constant included).
    iterations : int
        Alternating-projection sweeps (0 when the demeaning was exact or not used).
    balanced : bool
    """

    results: object
    method: str
    terms: tuple
    outcome: str
    cov_type: str
    nobs: int
    n_entities: int
    n_periods: int
    n_clusters: int
    fe_rank: int
    iterations: int
    balanced: bool

    @property
    def params(self) -> pd.Series:
        """Coefficients of the measures and controls."""
        return self.results.params[list(self.terms)]

    @property
    def bse(self) -> pd.Series:
        """Standard errors of the measures and controls (of the chosen covariance)."""
        return self.results.bse[list(self.terms)]

    @property
    def pvalues(self) -> pd.Series:
        """p-values of the measures and controls."""
        return self.results.pvalues[list(self.terms)]

    def conf_int(self, alpha=0.05) -> pd.DataFrame:
        """Confidence intervals (columns ``lower``, ``upper``) at level ``1 - alpha``."""
        alpha = check_number("ConcentrationRegression.conf_int", "alpha", alpha, low=0.0,
                             high=1.0, low_open=True, high_open=True)
        ci = self.results.conf_int(alpha=alpha).loc[list(self.terms)]
        ci.columns = ["lower", "upper"]
        return ci

    def to_frame(self) -> pd.DataFrame:
        """Coefficient table: coef, std_err, t (or z), p_value, lower, upper (95 %)."""
        ci = self.conf_int()
        return pd.DataFrame({"coef": self.params, "std_err": self.bse,
                             "t": self.results.tvalues[list(self.terms)],
                             "p_value": self.pvalues, "lower": ci["lower"],
                             "upper": ci["upper"]})

    def _summary_parts(self):
        facts = [("outcome", self.outcome), ("method", self.method),
                 ("covariance", self.cov_type), ("observations", self.nobs),
                 ("markets", self.n_entities), ("periods", self.n_periods)]
        if self.cov_type == "cluster":
            facts.append(("clusters", self.n_clusters))
        facts.append(("fixed-effect parameters", self.fe_rank))
        notes = ["Fixed effects are absorbed; degrees of freedom count them, so standard "
                 "errors equal those of the dummy-variable fit."]
        if self.method == "within":
            notes.append("R-squared of the statsmodels results is the within R-squared.")
        return "Price-concentration regression", facts, notes

    def plot(self, *, ax=None, alpha=0.05):
        """Coefficient plot with confidence intervals; returns the matplotlib Axes."""
        ax = new_axes(ax)
        ci = self.conf_int(alpha)
        y = np.arange(len(self.terms))
        coef = self.params.to_numpy()
        ax.errorbar(coef, y, xerr=[coef - ci["lower"].to_numpy(), ci["upper"].to_numpy() - coef],
                    fmt="o", color="#0072B2", capsize=3)
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_yticks(y, list(self.terms))
        ax.set_xlabel(f"effect on {self.outcome} ({100 * (1 - alpha):g}% CI)")
        return ax


def _fe_codes(frame, col):
    codes, uniques = pd.factorize(frame[col], sort=True)
    return codes.astype(np.int64), len(uniques)


def _demean_once(values, codes, n, counts):
    sums = np.zeros((n, values.shape[1]))
    np.add.at(sums, codes, values)
    return values - (sums / counts[:, None])[codes]


def _within(values, codes_list, *, tol, max_iter, balanced):
    """Sweep out each set of fixed effects; exact in one sweep for balanced two-way panels.

    For unbalanced panels the sweeps are repeated (alternating projections, the method
    of [GU]_) until the largest change is below ``tol`` times the scale of the data.
    """
    counts = [np.bincount(c, minlength=n).astype(np.float64) for c, n in codes_list]
    out = values.astype(np.float64, copy=True)
    if len(codes_list) == 1:
        c, n = codes_list[0]
        return _demean_once(out, c, n, counts[0]), 0
    if balanced:
        (c0, n0), (c1, n1) = codes_list
        grand = out.mean(axis=0)
        a = _demean_once(out, c0, n0, counts[0])
        # y - mean_i - mean_t + mean
        m1 = np.zeros((n1, out.shape[1]))
        np.add.at(m1, c1, out)
        return a - (m1 / counts[1][:, None])[c1] + grand, 0
    scale = max(float(np.abs(out).max()), 1.0)
    for it in range(1, max_iter + 1):
        before = out
        for (c, n), cnt in zip(codes_list, counts):
            out = _demean_once(out, c, n, cnt)
        if float(np.abs(out - before).max()) <= tol * scale:
            return out, it
    raise ConvergenceError(
        f"concentration_regression: alternating projections did not converge in {max_iter} "
        f"sweeps (tolerance {tol:g}). Pass method='dummies', raise max_iter=, or loosen tol=.")


def concentration_regression(panel, *, outcome="price", measures=("hhi", "mhhi_delta"),
                             entity="market", time="period", controls=(), cluster="market",
                             cov_type="cluster", method="auto", tol=1e-12, max_iter=10_000):
    r"""Regress an outcome on concentration with market and time fixed effects.

    The specification of Azar, Schmalz and Tecu [AST]_ (Table 3 and eq. 2):

    .. math:: y_{mt} = \beta_1\,\mathrm{HHI}_{mt} + \beta_2\,\mathrm{MHHI\Delta}_{mt}
              + \gamma' x_{mt} + \alpha_m + \tau_t + \varepsilon_{mt}

    fitted by OLS with statsmodels.  With ``method="dummies"`` the fixed effects are
    a constant and ``M-1`` market and ``T-1`` period dummies; with ``method="within"``
    they are swept out (two-way demeaning, exact in one pass for balanced panels,
    alternating projections to convergence for unbalanced ones [GU]_) and the residual
    degrees of freedom still count the absorbed parameters, so every covariance type
    below gives the same standard errors as the dummy-variable fit.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per (entity, time): the outcome, the measures, the controls and the
        grouping columns.  Measures are used in the unit given (points for an HHI
        from this library); rows with a missing value in any used column are an error.
    outcome : str, default "price"
    measures : sequence of str, default ("hhi", "mhhi_delta")
        Concentration regressors (columns of ``panel``).
    entity, time : str or None, default "market", "period"
        Fixed-effect columns; ``None`` leaves out that set of fixed effects.
    controls : sequence of str, default ()
        Further regressors.
    cluster : str or None, default "market"
        Cluster column for ``cov_type="cluster"`` (one-way clustering).
    cov_type : {"cluster", "HC0", "HC1", "HC2", "HC3", "nonrobust"}, default "cluster"
        Covariance of the estimates.  Clustered errors use statsmodels' small-sample
        factor :math:`\frac{G}{G-1}\frac{N-1}{N-K}` with :math:`K` including the fixed
        effects, and t-statistics with :math:`G-1` degrees of freedom [CG]_.
    method : {"auto", "within", "dummies"}, default "auto"
        ``"auto"`` uses dummies when the fixed effects have at most 300 levels (and for
        HC2/HC3, whose leverages need the full design), the within transformation
        otherwise.
    tol, max_iter : float, int
        Convergence of the alternating projections on unbalanced panels.

    Returns
    -------
    ConcentrationRegression
        ``.results`` is the statsmodels results object; ``params``, ``bse``,
        ``conf_int()``, ``to_frame()``, ``summary()`` and ``plot()`` cover the
        measures and controls.

    Raises
    ------
    SchemaError
        A named column is missing or not numeric.
    InvalidParameterError
        An unknown ``cov_type`` or ``method``; ``cov_type="cluster"`` without a cluster
        column; ``method="within"`` with HC2/HC3; missing values.
    ConvergenceError
        The alternating projections did not converge.

    See Also
    --------
    index_interval : uncertainty of the concentration measures themselves.

    References
    ----------
    .. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
       common ownership. Journal of Finance 73(4), 1513-1565.
    .. [CG] Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to
       cluster-robust inference. Journal of Human Resources 50(2), 317-372.

    Examples
    --------
    >>> import pandas as pd
    >>> import concentration as cn
    >>> panel = pd.DataFrame({"market": [1, 1, 2, 2, 3, 3], "period": [1, 2] * 3,
    ...                       "hhi": [1000, 2000, 1500, 2500, 3000, 3000.0]})
    >>> panel["price"] = 0.001 * panel["hhi"] + panel["market"]
    >>> fit = cn.stats.concentration_regression(panel, measures=["hhi"], cov_type="HC1")
    >>> round(float(fit.params["hhi"]), 6)
    0.001
    """
    func = "concentration_regression"
    if not isinstance(panel, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, "panel", "a pandas DataFrame with one row per (market, period)",
            type(panel).__name__))
    check_choice(func, "cov_type", cov_type, COV_TYPES)
    check_choice(func, "method", method, REG_METHODS)
    tol = check_number(func, "tol", tol, low=0.0, low_open=True)
    max_iter = check_int(func, "max_iter", max_iter, low=1)
    measures, controls = as_list(measures), as_list(controls)
    terms = measures + controls
    if not measures:
        raise InvalidParameterError(param_message(func, "measures", "a non-empty list of "
                                                  "columns", measures))
    if len(set(terms)) != len(terms) or outcome in terms:
        raise InvalidParameterError(param_message(
            func, "measures", "columns distinct from each other, the controls and the "
            "outcome", terms))
    if cov_type == "cluster" and cluster is None:
        raise InvalidParameterError(param_message(
            func, "cluster", "a column name when cov_type='cluster'", cluster,
            "Pass cluster='market' or choose cov_type='HC1'."))
    cols = {"outcome": outcome, "entity": entity, "time": time,
            "cluster": cluster if cov_type == "cluster" else None}
    cols.update({f"measures[{i}]": m for i, m in enumerate(measures)})
    cols.update({f"controls[{i}]": c for i, c in enumerate(controls)})
    check_columns(func, panel, cols)
    for name in [outcome] + terms:
        s = panel[name]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise SchemaError(f"{func}: the column {name!r} must be numeric; it has dtype "
                              f"{s.dtype}. Convert it with pd.to_numeric first.")
    used = list(dict.fromkeys([outcome] + terms + [c for c in (entity, time, cols["cluster"])
                                                   if c is not None]))
    missing = panel[used].isna().any(axis=1)
    if missing.any():
        raise InvalidParameterError(param_message(
            func, "panel", "free of missing values in the columns used",
            f"{int(missing.sum())} row(s) with missing values",
            "Drop or fill them first (e.g. panel.dropna(subset=[...])); rows are not "
            "dropped silently."))
    n = len(panel)
    fe = [c for c in (entity, time) if c is not None]
    codes_list = [_fe_codes(panel, c) for c in fe]
    n_ent = codes_list[0][1] if entity is not None else 0
    n_per = codes_list[-1][1] if time is not None else 0
    # rank of [1, D_entity, D_time]: levels minus connected components of the bipartite graph
    if len(codes_list) == 2:
        (c0, n0), (c1, n1) = codes_list
        graph = sp.coo_matrix((np.ones(n), (c0, n0 + c1)), shape=(n0 + n1, n0 + n1))
        n_comp = csgraph.connected_components(graph, directed=False)[0]
        fe_rank = n0 + n1 - n_comp
        balanced = n == n0 * n1 and not pd.DataFrame({"a": c0, "b": c1}).duplicated().any()
    elif len(codes_list) == 1:
        fe_rank = codes_list[0][1]
        balanced = True
    else:
        fe_rank, balanced = 1, True
    n_fe_levels = sum(k for _, k in codes_list)
    if method == "auto":
        method = "dummies" if (n_fe_levels <= _AUTO_DUMMY_LIMIT
                               or cov_type in ("HC2", "HC3")) else "within"
    if method == "within" and cov_type in ("HC2", "HC3"):
        raise InvalidParameterError(param_message(
            func, "method", "'dummies' with cov_type HC2/HC3 (their leverages need the "
            "fixed-effect dummies)", method, "Use method='dummies' or cov_type='HC1'."))

    import statsmodels.api as sm

    y = panel[outcome].to_numpy(dtype=np.float64)
    x = panel[terms].to_numpy(dtype=np.float64)
    iterations = 0
    if method == "dummies":
        parts = [pd.DataFrame({"const": np.ones(n)}, index=panel.index),
                 pd.DataFrame(x, columns=terms, index=panel.index)]
        for col in fe:
            d = pd.get_dummies(pd.Categorical(panel[col]), prefix=str(col),
                               drop_first=True, dtype=np.float64)
            d.index = panel.index
            parts.append(d)
        exog = pd.concat(parts, axis=1)
        model = sm.OLS(pd.Series(y, index=panel.index, name=outcome), exog)
    else:
        if not fe:
            z = np.column_stack([y, x])
            z = z - z.mean(axis=0)
        else:
            z, iterations = _within(np.column_stack([y, x]), codes_list, tol=tol,
                                    max_iter=max_iter, balanced=balanced)
        model = sm.OLS(pd.Series(z[:, 0], index=panel.index, name=outcome),
                       pd.DataFrame(z[:, 1:], columns=terms, index=panel.index))
        model.df_resid = float(n - len(terms) - fe_rank)
        model.df_model = float(len(terms))
    if cov_type == "cluster":
        groups = pd.factorize(panel[cluster], sort=True)[0]
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        n_clusters = int(groups.max()) + 1
        if method == "within":
            # statsmodels' factor (N-1)/(N-k) counts only the demeaned regressors; the
            # dummy-variable fit has K = k + fe_rank parameters.
            k = len(terms)
            inner = res._results
            inner.cov_params_default = inner.cov_params_default * (n - k) / (n - k - fe_rank)
            inner._cache.clear()
    else:
        res = model.fit(cov_type=cov_type)
        n_clusters = 0
    return ConcentrationRegression(results=res, method=method, terms=tuple(terms),
                                   outcome=outcome, cov_type=cov_type, nobs=n,
                                   n_entities=n_ent, n_periods=n_per, n_clusters=n_clusters,
                                   fe_rank=int(fe_rank) if fe else 1, iterations=iterations,
                                   balanced=bool(balanced))


# ===========================================================================
# 2. confidence intervals for indices when shares are estimates

INTERVAL_METHODS = ("bootstrap", "multinomial", "dirichlet", "delta")


@dataclass(frozen=True, repr=False)
class IndexInterval(ResultMixin):
    """Confidence intervals for a concentration index, one row per (market, period).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``estimate`` (the index from the full data), ``lower``, ``upper``,
        ``std_error`` and ``sample_size``; indexed by the grouping columns (a single
        row labelled 0 for one unlabelled market).
    measure, method : str
    level : float
        Confidence level, e.g. 0.95.
    n_draws : int
        Simulation draws (0 for the delta method).
    seed : int or None
    draws : numpy.ndarray or None
        Simulated index values, shape (groups, n_draws); ``None`` for the delta method.
    """

    table: pd.DataFrame
    measure: str
    method: str
    level: float
    n_draws: int
    seed: object
    draws: np.ndarray | None = field(default=None, compare=False)
    grouped: bool = True

    def _col(self, name):
        col = self.table[name]
        return float(col.iloc[0]) if not self.grouped else col

    @property
    def estimate(self):
        """Point estimate: a float for one market, else a Series."""
        return self._col("estimate")

    @property
    def lower(self):
        """Lower confidence limit: a float for one market, else a Series."""
        return self._col("lower")

    @property
    def upper(self):
        """Upper confidence limit: a float for one market, else a Series."""
        return self._col("upper")

    @property
    def width(self):
        """``upper - lower``."""
        w = self.table["upper"] - self.table["lower"]
        return float(w.iloc[0]) if not self.grouped else w

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table`."""
        return self.table

    def _summary_parts(self):
        facts = [("measure", self.measure), ("method", self.method),
                 ("level", f"{100 * self.level:g}%"), ("groups", len(self.table))]
        if self.n_draws:
            facts += [("draws", self.n_draws), ("seed", self.seed)]
        notes = {
            "bootstrap": "Percentile intervals from resampling observations within each "
                         "market (Efron and Tibshirani 1993, ch. 13).",
            "multinomial": "Percentile intervals from a parametric bootstrap: counts drawn "
                           "from Multinomial(n, estimated shares).",
            "dirichlet": "Equal-tailed credible intervals from Dirichlet(n * shares + prior) "
                         "draws.",
            "delta": "Wald intervals with the delta-method variance "
                     "(4/n)(sum s^3 - (sum s^2)^2) (Simpson 1949), clipped to [0, 10,000].",
        }
        return f"Confidence intervals for {self.measure}", facts, [notes[self.method]]

    def plot(self, *, ax=None):
        """Estimates with their intervals per market; returns the matplotlib Axes."""
        ax = new_axes(ax)
        t = self.table
        y = np.arange(len(t))
        est = t["estimate"].to_numpy()
        ax.errorbar(est, y, xerr=[est - t["lower"].to_numpy(), t["upper"].to_numpy() - est],
                    fmt="o", color="#0072B2", capsize=3)
        ax.set_yticks(y, [tick_label(v) for v in t.index])
        ax.set_xlabel(f"{self.measure} ({100 * self.level:g}% interval, {self.method})")
        return ax


def _measure_check(func, measure, method):
    if not isinstance(measure, str) or not (
            measure in _INDEX_MEASURES and measure not in ("cr<k>", "hhi_min", "hhi_max")
            or (measure.startswith("cr") and measure[2:].isdigit())):
        raise InvalidParameterError(param_message(
            func, "measure", "'hhi', 'cr<k>', 'effective_number', 'entropy', "
            "'entropy_normalized', 'gini', 'hannah_kay' or 'n_firms'", measure))
    if method == "delta" and measure != "hhi":
        raise InvalidParameterError(param_message(
            func, "measure", "'hhi' with method='delta' (the delta-method variance is "
            "derived for the HHI)", measure, "Use method='bootstrap' or 'multinomial'."))
    return measure


def _index_of(frame, measure, *, value=None, share=None):
    """One call to :func:`concentration.indices` on a long table keyed by ``_g``."""
    import warnings

    from ..exceptions import FringeWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FringeWarning)
        out = _indices(frame, [measure], market="_g", period=None, firm="_f",
                       share=share or "share", value=value)
    return out[measure]


def _stack(group_ids, firm_ids, values, n_groups):
    """Long table for :func:`_index_of`; every group id in ``range(n_groups)`` must occur."""
    return pd.DataFrame({"_g": group_ids, "_f": firm_ids, "_v": values})


def _observation_groups(func, data, market, period, firm, value, parent):
    from .._tables import group_codes, map_parents, resolve_key

    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(param_message(
            func, "data", "a DataFrame of observations (one row per sale or respondent) when "
            "sample_size is None", type(data).__name__,
            "Pass sample_size=<n> for survey shares, or a long table of observations."))
    keys = [k for k in (resolve_key(data, market, "market", "market", func),
                        resolve_key(data, period, "period", "period", func)) if k is not None]
    check_columns(func, data, {"firm": firm, "value": value})
    firms = data[firm].to_numpy(dtype=object)
    if pd.isna(firms).any():
        raise InvalidSharesError(f"{func}: the 'firm' column {firm!r} has missing values. "
                                 "Every observation needs a firm; fill or drop them first.")
    if parent is not None:
        firms = map_parents(firms, parent, func)
    if value is None:
        v = np.ones(len(data))
    else:
        s = data[value]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise SchemaError(f"{func}: the 'value' column {value!r} must be numeric; it has "
                              f"dtype {s.dtype}.")
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isfinite(v).all() or (v < 0).any():
            raise InvalidSharesError(f"{func}: the 'value' column {value!r} has missing, "
                                     "infinite or negative values. Sales must be finite and "
                                     ">= 0; correct or drop those rows.")
    codes, groups = group_codes(data, keys)
    return codes, groups, firms, v, keys


def _sizes(func, sample_size, data, table):
    """Per-group sample sizes from an int or a column constant within each group."""
    n_groups = table.n_groups
    if isinstance(sample_size, str):
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(param_message(
                func, "sample_size", "an integer for one market's shares", sample_size))
        check_columns(func, data, {"sample_size": sample_size})
        col = pd.to_numeric(data[sample_size]).to_numpy(dtype=np.float64)
        # coerce_shares keeps one row per input row unless duplicates were summed
        if col.size != table.codes.size:
            raise InvalidParameterError(param_message(
                func, "sample_size", "an integer when duplicates='sum' or parent= merges rows",
                sample_size))
        lo = np.full(n_groups, np.inf)
        hi = np.full(n_groups, -np.inf)
        np.minimum.at(lo, table.codes, col)
        np.maximum.at(hi, table.codes, col)
        if (lo != hi).any() or not np.isfinite(lo).all():
            raise InvalidParameterError(param_message(
                func, "sample_size", "a column constant within each market and period",
                sample_size, "Give one survey size per market and period."))
        sizes = lo
    else:
        sizes = np.full(n_groups, float(check_int(func, "sample_size", sample_size, low=1)))
    if (sizes < 1).any() or (sizes != np.round(sizes)).any():
        raise InvalidParameterError(param_message(
            func, "sample_size", "positive whole numbers", sizes[(sizes < 1)
                                                                 | (sizes != np.round(sizes))][0]))
    return sizes.astype(np.int64)


def index_interval(data, *, measure="hhi", method="bootstrap", sample_size=None, level=0.95,
                   n_draws=999, prior=0.0, seed=None, market="market", period="period",
                   firm="firm", share="share", value=None, scale="fraction",
                   duplicates="error", parent=None, tolerance=DEFAULT_TOLERANCE):
    r"""Confidence interval for a concentration index whose shares are estimated.

    Two kinds of input:

    * **Observations** (``sample_size=None``): a long table with one row per sale,
      transaction or respondent, columns ``market``/``period`` (optional), ``firm``
      and optionally ``value`` (the amount of that observation; without it every row
      counts one).  Shares are :math:`\hat s_j = \sum_{i: f_i = j} v_i / \sum_i v_i`.
    * **Estimated shares** (``sample_size`` given): shares as for :func:`hhi`, from a
      survey of ``sample_size`` respondents (an int, or a column constant within each
      market and period).

    Methods:

    ``"bootstrap"`` (observations)
        Resample the observations with replacement within each market and period,
        recompute the index, and take percentile limits [EF]_.
    ``"multinomial"`` (estimated shares)
        Parametric bootstrap: counts :math:`c \sim \mathrm{Multinomial}(n, \hat s)`,
        index of :math:`c/n`.
    ``"dirichlet"`` (estimated shares)
        Bayesian: :math:`s \sim \mathrm{Dirichlet}(n\hat s + a)` with prior ``a`` per
        firm (``prior=0`` keeps firms with zero share at zero); equal-tailed interval.
    ``"delta"`` (either; HHI only)
        Wald interval :math:`\hat H \pm z\,\mathrm{se}` with the first-order
        variance of the squared-share sum for multinomial sampling [SI]_

        .. math:: \mathrm{Var}\Big(\sum_j \hat s_j^2\Big) \approx \frac{4}{n}
                  \Big(\sum_j s_j^3 - \big(\sum_j s_j^2\big)^2\Big),

        times :math:`10{,}000^2` in points.  For value-weighted observations the
        linearisation :math:`\psi_i = 2 v_i (\hat s_{f_i} - \hat H)/\bar v` gives
        :math:`\mathrm{Var} \approx \sum_i \psi_i^2 / n^2`, which reduces to the
        formula above when every :math:`v_i = 1`.  Limits are clipped to [0, 10,000].

    When shares sum below one (a fringe) the remainder is sampled as one extra
    category that never enters the index (a :class:`~concentration.exceptions.FringeWarning`
    is issued once for the data).  Note that the plug-in HHI is biased upwards in
    small samples: :math:`E\sum_j \hat s_j^2 = \sum_j s_j^2 + (1 - \sum_j s_j^2)/n`.

    Parameters
    ----------
    data : mapping, pandas.Series, array_like or pandas.DataFrame
        Observations, or estimated shares (see above).
    measure : str, default "hhi"
        Any per-market measure of :func:`concentration.indices` (``"hhi"``,
        ``"cr4"``, ``"effective_number"``, ``"entropy"``, ...); the delta method only
        for ``"hhi"``.
    method : {"bootstrap", "multinomial", "dirichlet", "delta"}, default "bootstrap"
    sample_size : int or str, optional
        Survey size per market (required for multinomial and Dirichlet).
    level : float, default 0.95
    n_draws : int, default 999
    prior : float, default 0.0
        Dirichlet prior added to every firm's count (0.5 is Jeffreys').
    seed : int or numpy.random.Generator, optional
        Same seed, same intervals.
    market, period, firm, share, value, scale, duplicates, parent, tolerance
        As for :func:`concentration.hhi`; for observations ``value`` is the amount of
        each observation and ``parent`` maps firms to parents before shares are formed.

    Returns
    -------
    IndexInterval
        ``estimate``, ``lower``, ``upper`` (floats for one market), ``to_frame()``,
        ``summary()``, ``plot()`` and the simulated ``draws``.

    See Also
    --------
    concentration.hhi : the point estimate.
    hhi_change_decomposition : sources of a change in the HHI.

    References
    ----------
    .. [SI] Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688 (the
       variance of the sample sum of squared proportions; its leading term is the
       formula above).
    .. [EF] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
       Chapman & Hall, ch. 13.

    Examples
    --------
    Shares 0.6 and 0.4 from a survey of 100: HHI 5,200; the variance is
    (4/100)(0.28 - 0.52^2) = 0.000384, a standard error of 0.0196 (196 points).

    >>> import concentration as cn
    >>> ci = cn.stats.index_interval({"A": 0.6, "B": 0.4}, method="delta", sample_size=100)
    >>> round(ci.estimate, 6), round(float(ci.to_frame()["std_error"].iloc[0]), 2)
    (5200.0, 195.96)
    """
    func = "index_interval"
    check_choice(func, "method", method, INTERVAL_METHODS)
    measure = _measure_check(func, measure, method)
    level = check_number(func, "level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    prior = check_number(func, "prior", prior, low=0.0)
    if method != "delta":
        n_draws = check_int(func, "n_draws", n_draws, low=2, high=10_000_000)
    if not (seed is None or isinstance(seed, (numbers.Integral, np.random.Generator))) \
            or isinstance(seed, bool):
        raise InvalidParameterError(param_message(func, "seed", "None, an int or a "
                                                  "numpy Generator", seed))
    rng = np.random.default_rng(seed)
    if sample_size is None:
        if method in ("multinomial", "dirichlet"):
            raise InvalidParameterError(param_message(
                func, "sample_size", f"the survey size for method={method!r}", None,
                "Pass sample_size=<number of respondents>, or method='bootstrap' with the "
                "observations."))
        return _interval_observations(func, data, measure, method, level, n_draws, rng, seed,
                                      market, period, firm, value, parent)
    if method == "bootstrap":
        raise InvalidParameterError(param_message(
            func, "sample_size", "None for method='bootstrap' (it resamples the observations)",
            sample_size, "Use method='multinomial' or 'dirichlet' for survey shares."))
    table = coerce_shares(data, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func=func,
                          fringe_note="The remainder is sampled as one category outside the "
                          "index.")
    sizes = _sizes(func, sample_size, data, table)
    n_groups = table.n_groups
    fids = table.firms if table.firms is not None else np.arange(table.shares.size)
    point_frame = pd.DataFrame({"_g": table.codes, "_f": fids, "share": table.shares})
    estimate = _index_of(point_frame, measure).to_numpy()
    rest = np.clip(1.0 - table.totals, 0.0, None)
    rest[rest < 1e-12] = 0.0
    if method == "delta":
        sumsq = estimate / 10_000.0
        cube = np.bincount(table.codes, weights=table.shares ** 3, minlength=n_groups)
        var = 4.0 / sizes * np.clip(cube - sumsq ** 2, 0.0, None)
        out = _wald(estimate, 10_000.0 * np.sqrt(var), level, sizes)
        return _interval_result(out, table.groups, measure, method, level, 0, seed, None)
    order = np.argsort(table.codes, kind="stable")
    counts = np.bincount(table.codes, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)])
    draws = np.empty((n_groups, n_draws))
    for g in range(n_groups):
        rows = order[starts[g]:starts[g + 1]]
        p = np.append(table.shares[rows], rest[g])
        p = p / p.sum() if p.sum() > 0 else p
        n = int(sizes[g])
        if method == "multinomial":
            sim = rng.multinomial(n, p, size=n_draws)[:, :-1] / n
        else:
            alpha = n * p + prior
            if rest[g] == 0:
                alpha[-1] = 0.0  # no fringe: the remainder category does not exist
            sim = np.zeros((n_draws, p.size))
            pos = alpha > 0
            if pos.sum() == 1:
                sim[:, pos] = 1.0
            elif pos.any():
                sim[:, pos] = rng.dirichlet(alpha[pos], size=n_draws)
            sim = sim[:, :-1]
        draws[g] = _draw_index(sim, fids[rows], measure)
    out = _percentile(estimate, draws, level, sizes)
    return _interval_result(out, table.groups, measure, method, level, n_draws, seed, draws)


def _draw_index(sim, firm_labels, measure):
    """Index of each simulated share vector (rows of ``sim``) through :func:`indices`."""
    b, f = sim.shape
    frame = pd.DataFrame({"_g": np.repeat(np.arange(b), f), "_f": np.tile(firm_labels, b),
                          "share": sim.ravel()})
    return _index_of(frame, measure).to_numpy()


def _percentile(estimate, draws, level, sizes):
    lo, hi = np.quantile(draws, [(1.0 - level) / 2.0, (1.0 + level) / 2.0], axis=1)
    return pd.DataFrame({"estimate": estimate, "lower": lo, "upper": hi,
                         "std_error": draws.std(axis=1, ddof=1), "sample_size": sizes})


def _wald(estimate, se, level, sizes):
    z = _sstats.norm.ppf(0.5 + level / 2.0)
    return pd.DataFrame({"estimate": estimate, "lower": np.clip(estimate - z * se, 0, 10_000),
                         "upper": np.clip(estimate + z * se, 0, 10_000), "std_error": se,
                         "sample_size": sizes})


def _interval_result(out, groups, measure, method, level, n_draws, seed, draws):
    if groups is not None:
        out.index = groups
    seed_shown = seed if seed is None or isinstance(seed, numbers.Integral) else "Generator"
    return IndexInterval(table=out, measure=measure, method=method, level=level,
                         n_draws=n_draws, seed=seed_shown, draws=draws,
                         grouped=groups is not None)


def _interval_observations(func, data, measure, method, level, n_draws, rng, seed, market,
                           period, firm, value, parent):
    codes, groups, firms, v, keys = _observation_groups(func, data, market, period, firm,
                                                        value, parent)
    n_groups = 1 if groups is None else len(groups)
    fcodes, funiq = pd.factorize(firms)
    n_f = len(funiq)
    # firm totals per group (the data of the point estimate)
    tot = np.bincount(codes * n_f + fcodes, weights=v, minlength=n_groups * n_f)
    tot = tot.reshape(n_groups, n_f)
    present = np.bincount(codes * n_f + fcodes, minlength=n_groups * n_f).reshape(n_groups, n_f)
    g_idx, f_idx = np.nonzero(present)
    point = pd.DataFrame({"_g": g_idx, "_f": np.asarray(funiq, dtype=object)[f_idx], "_v": tot[g_idx, f_idx]})
    estimate = _index_of(point, measure, value="_v").to_numpy()
    sizes = np.bincount(codes, minlength=n_groups)
    if method == "delta":
        shares = tot / tot.sum(axis=1, keepdims=True)
        h = estimate / 10_000.0
        vbar = np.bincount(codes, weights=v, minlength=n_groups) / sizes
        psi = 2.0 * v * (shares[codes, fcodes] - h[codes]) / vbar[codes]
        var = np.bincount(codes, weights=psi ** 2, minlength=n_groups) / sizes ** 2
        out = _wald(estimate, 10_000.0 * np.sqrt(var), level, sizes)
        return _interval_result(out, groups, measure, method, level, 0, seed, None)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    draws = np.empty((n_groups, n_draws))
    unit = value is None
    for g in range(n_groups):
        rows = order[starts[g]:starts[g + 1]]
        local, labels = pd.factorize(fcodes[rows])
        k, n = len(labels), rows.size
        if unit:
            # resampling unit-weight observations = multinomial counts over firms
            p = np.bincount(local, minlength=k) / n
            sim = rng.multinomial(n, p, size=n_draws).astype(np.float64)
        else:
            sim = np.empty((n_draws, k))
            vals = v[rows]
            chunk = max(1, min(n_draws, 4_000_000 // max(n, 1)))
            for b0 in range(0, n_draws, chunk):
                b1 = min(n_draws, b0 + chunk)
                idx = rng.integers(0, n, size=(b1 - b0, n))
                flat = (np.arange(b1 - b0)[:, None] * k + local[idx]).ravel()
                sim[b0:b1] = np.bincount(flat, weights=vals[idx].ravel(),
                                         minlength=(b1 - b0) * k).reshape(b1 - b0, k)
        sums = sim.sum(axis=1, keepdims=True)
        if (sums <= 0).any():
            raise InvalidSharesError(
                f"{func}: a bootstrap sample of {tick_label(groups[g]) if groups is not None else 'the market'} "
                "has zero total value (most observations have value 0). Drop zero-value "
                "observations or use method='delta'.")
        draws[g] = _draw_index(sim / sums, np.asarray(funiq, dtype=object)[labels], measure)
    out = _percentile(estimate, draws, level, sizes)
    return _interval_result(out, groups, measure, method, level, n_draws, seed, draws)


# ===========================================================================
# 4. decomposition of the HHI change between periods

_PARTS = ("entry", "exit", "reallocation", "ownership")


@dataclass(frozen=True, repr=False)
class HHIChangeDecomposition(ResultMixin):
    """The change of the HHI between consecutive periods of each market, by source.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per market and pair of consecutive periods: ``market`` (when the data
        have one), ``period_from``, ``period_to``, ``hhi_from``, ``hhi_to``,
        ``delta_hhi``, ``entry``, ``exit``, ``reallocation``, ``ownership`` (points;
        the four parts sum to ``delta_hhi``), ``n_entrants``, ``n_exiters``,
        ``n_owner_changes``.
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`table`."""
        return self.table

    def _summary_parts(self):
        t = self.table
        facts = [("transitions", len(t))]
        for part in ("delta_hhi",) + _PARTS:
            facts.append((f"total {part}", f"{t[part].sum():,.1f}"))
        notes = ["Shapley decomposition over four factors (entry, exit, reallocation among "
                 "incumbents, ownership change); the parts sum exactly to the change."]
        return "HHI change decomposition", facts, notes

    def plot(self, *, ax=None):
        """Stacked bars of the four parts per transition, with the total change marked."""
        ax = new_axes(ax)
        t = self.table
        x = np.arange(len(t))
        colors = ("#009E73", "#D55E00", "#0072B2", "#CC79A7")
        pos = np.zeros(len(t))
        neg = np.zeros(len(t))
        for part, c in zip(_PARTS, colors):
            vals = t[part].to_numpy()
            base = np.where(vals >= 0, pos, neg)
            ax.bar(x, vals, bottom=base, color=c, label=part)
            pos += np.clip(vals, 0, None)
            neg += np.clip(vals, None, 0)
        ax.plot(x, t["delta_hhi"].to_numpy(), "k_", markersize=14, label="change in HHI")
        ax.axhline(0.0, color="0.5", lw=0.8)
        labels = [(f"{m}: " if "market" in t.columns else "") + f"{a}->{b}"
                  for m, a, b in zip(t["market"] if "market" in t.columns else [None] * len(t),
                                     t["period_from"], t["period_to"])]
        ax.set_xticks(x, labels, rotation=45, ha="right")
        ax.set_ylabel("points")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _owner_weights(owners):
    """K[j, k] = 1 when firms j and k have the same owner (sparse G Gᵀ)."""
    codes, uniq = pd.factorize(np.asarray(owners, dtype=object))
    g = sp.csr_matrix((np.ones(codes.size), (np.arange(codes.size), codes)),
                      shape=(codes.size, len(uniq)))
    return (g @ g.T).tocsr()


def _shapley(value, n_factors):
    """Shapley value of each factor for a set function ``value(frozenset)``."""
    cache = {}

    def v(subset):
        if subset not in cache:
            cache[subset] = value(subset)
        return cache[subset]

    phi = np.zeros(n_factors)
    fact = math.factorial
    for i in range(n_factors):
        others = [j for j in range(n_factors) if j != i]
        for r in range(len(others) + 1):
            weight = fact(r) * fact(n_factors - r - 1) / fact(n_factors)
            for subset in _subsets(others, r):
                s = frozenset(subset)
                phi[i] += weight * (v(s | {i}) - v(s))
    return phi, v(frozenset()), v(frozenset(range(n_factors)))


def _subsets(items, r):
    from itertools import combinations
    return combinations(items, r)


def _decompose_pair(s0, s1, own0, own1):
    """Shapley parts of quadratic_form(s1, K1) - quadratic_form(s0, K0)."""
    entrant = (s0 == 0) & (s1 > 0)
    exiter = (s0 > 0) & (s1 == 0)
    incumbent = (s0 > 0) & (s1 > 0)
    # owners of firms seen in one period only are taken from that period
    o0 = np.where(entrant, own1, own0)
    o1 = np.where(exiter, own0, own1)
    k0, k1 = _owner_weights(o0), _owner_weights(o1)
    d = [np.where(entrant, s1, 0.0), np.where(exiter, -s0, 0.0),
         np.where(incumbent, s1 - s0, 0.0)]

    def value(subset):
        s = s0.copy()
        for f in range(3):
            if f in subset:
                s = s + d[f]
        return quadratic_form(s, k1 if 3 in subset else k0)

    phi, start, end = _shapley(value, 4)
    changed = incumbent & (np.asarray(o0, dtype=object) != np.asarray(o1, dtype=object))
    return phi, start, end, int(entrant.sum()), int(exiter.sum()), int(changed.sum())


def hhi_change_decomposition(data, *, market="market", period="period", firm="firm",
                             share="share", value=None, owner=None, parent=None,
                             scale="fraction", tolerance=DEFAULT_TOLERANCE):
    r"""Split the change of the HHI between consecutive periods into its sources.

    With shares :math:`s^0, s^1` of the operating firms and same-owner matrices
    :math:`K^0, K^1` (:math:`K_{jk} = 1` when firms :math:`j, k` have the same owner),
    :math:`\mathrm{HHI}^t = 10{,}000\, s^{t\prime} K^t s^t` (the quadratic form of
    :mod:`concentration._quadratic`).  Write :math:`s^1 = s^0 + d_E + d_X + d_R` with
    :math:`d_E` the entrants' new shares (:math:`s^0_j = 0 < s^1_j`), :math:`d_X = -s^0`
    on exiting firms (:math:`s^0_j > 0 = s^1_j`) and :math:`d_R = s^1 - s^0` on incumbents,
    and let the fourth factor switch :math:`K^0` to :math:`K^1`.  With
    :math:`v(S) = 10{,}000\,(s^0 + \sum_{f \in S} d_f)' K^{1[O \in S]} (s^0 + \sum_{f\in S} d_f)`
    for a subset :math:`S` of the factors {E, X, R, O}, each part is the Shapley value
    [SH]_

    .. math:: \phi_i = \sum_{S \subseteq N \setminus \{i\}}
              \frac{|S|!\,(3 - |S|)!}{4!}\,\big(v(S \cup \{i\}) - v(S)\big),

    so :math:`\phi_E + \phi_X + \phi_R + \phi_O = v(N) - v(\emptyset) =
    \mathrm{HHI}^1 - \mathrm{HHI}^0` exactly, whatever the order in which the changes
    are imagined.  The interaction of two changes (say an entrant whose owner also owns
    an incumbent that grew) is split equally between them.  A firm listed in one period
    only keeps the owner it had there, so only incumbents' owner changes count as
    ownership change.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per market, period and operating firm.
    market, period, firm, share, value, scale, tolerance
        As for :func:`concentration.hhi`; ``period`` is required (its values must sort
        in time order).
    owner : str, optional
        Column with each firm's ultimate owner in that period (missing means the firm
        owns itself).  Ownership changes come from here.
    parent : mapping, pandas.Series or pandas.DataFrame, optional
        A firm -> parent mapping that holds in every period (no ownership change).

    Returns
    -------
    HHIChangeDecomposition

    See Also
    --------
    concentration.hhi : the HHI per market and period.

    References
    ----------
    .. [SH] Shapley, L. S. (1953). A value for n-person games. In Contributions to the
       Theory of Games II, Annals of Mathematics Studies 28, 307-317.

    Examples
    --------
    Firm C enters with 0.2, taken from A: HHI goes from 5,000 to 3,800; entry and
    reallocation split the change.

    >>> import pandas as pd
    >>> import concentration as cn
    >>> df = pd.DataFrame({"period": [1, 1, 2, 2, 2], "firm": ["A", "B", "A", "B", "C"],
    ...                    "share": [0.5, 0.5, 0.3, 0.5, 0.2]})
    >>> d = cn.stats.hhi_change_decomposition(df).to_frame()
    >>> d[["delta_hhi", "entry", "exit", "reallocation", "ownership"]].round(6).iloc[0].tolist()
    [-1200.0, 400.0, 0.0, -1600.0, 0.0]
    """
    func = "hhi_change_decomposition"
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(param_message(func, "data", "a long DataFrame with a "
                                                  "period column", type(data).__name__))
    check_columns(func, data, {"period": period, "firm": firm, "owner": owner})
    if owner is not None and parent is not None:
        raise InvalidParameterError(param_message(
            func, "parent", "None when owner= names an ownership column", "a mapping",
            "Use owner= for ownership that changes, parent= for a fixed mapping."))
    table = coerce_shares(data, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates="error", parent=None,
                          tolerance=tolerance, func=func,
                          fringe_note="The decomposition covers the listed firms.")
    firms = table.firms
    if owner is not None:
        owners = data[owner].to_numpy(dtype=object)
        owners = np.where(pd.isna(owners), firms, owners)
    elif parent is not None:
        from .._tables import map_parents
        owners = map_parents(firms, parent, func)
    else:
        owners = firms
    groups = table.groups
    has_market = isinstance(groups, pd.MultiIndex)
    glabels = groups.to_frame(index=False)
    mk = glabels.iloc[:, 0].to_numpy(dtype=object) if has_market else np.zeros(len(groups))
    pk = glabels.iloc[:, -1].to_numpy(dtype=object)
    order = np.argsort(table.codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(table.codes,
                                                        minlength=len(groups)))])
    rows_out = []
    for m in pd.unique(mk):
        gs = np.flatnonzero(mk == m)  # groups are sorted by (market, period)
        for g0, g1 in zip(gs[:-1], gs[1:]):
            r0 = order[starts[g0]:starts[g0 + 1]]
            r1 = order[starts[g1]:starts[g1 + 1]]
            universe = pd.Index(pd.unique(np.concatenate([firms[r0], firms[r1]])))
            i0, i1 = universe.get_indexer(firms[r0]), universe.get_indexer(firms[r1])
            s0 = np.zeros(len(universe))
            s1 = np.zeros(len(universe))
            own0 = np.asarray(universe, dtype=object).copy()
            own1 = own0.copy()
            s0[i0], s1[i1] = table.shares[r0], table.shares[r1]
            own0[i0], own1[i1] = owners[r0], owners[r1]
            phi, h0, h1, n_e, n_x, n_o = _decompose_pair(s0, s1, own0, own1)
            row = {"market": m} if has_market else {}
            row.update({"period_from": pk[g0], "period_to": pk[g1], "hhi_from": h0,
                        "hhi_to": h1, "delta_hhi": h1 - h0, "entry": phi[0], "exit": phi[1],
                        "reallocation": phi[2], "ownership": phi[3], "n_entrants": n_e,
                        "n_exiters": n_x, "n_owner_changes": n_o})
            rows_out.append(row)
    cols = (["market"] if has_market else []) + [
        "period_from", "period_to", "hhi_from", "hhi_to", "delta_hhi", *_PARTS,
        "n_entrants", "n_exiters", "n_owner_changes"]
    out = pd.DataFrame(rows_out, columns=cols)
    if has_market:
        out = out.rename(columns={"market": groups.names[0]})
    return HHIChangeDecomposition(table=out)


# ===========================================================================
# 3. market-definition sensitivity

FRINGE_TREATMENTS = ("include", "exclude", "as_firms")
_SPEC_KEYS = ("products", "fringe", "fringe_size")


@dataclass(frozen=True, repr=False)
class MarketSensitivity(ResultMixin):
    """An index or a merger screen over alternative market definitions.

    Attributes
    ----------
    results : pandas.DataFrame
        Long table, one row per definition, market (as that definition draws it) and
        period: the index (or the screen's ``pre_hhi``, ``post_hhi``, ``delta_hhi``,
        ``combined_share``), ``share_sum`` (listed shares before any fringe
        treatment), and ``verdict`` (the screen's verdict, or the threshold band).
    by_unit : pandas.DataFrame
        One row per unit (product, or market when no product mapping is used) and
        period; for each definition the market the unit falls in, the value and the
        verdict, and ``flips`` (True where the verdicts differ across the definitions
        that include the unit).
    definitions : tuple of str
    mode : str
        ``"index"`` or ``"screen"``.
    value_name : str
        The column compared (the measure, or ``"post_hhi"`` for a screen).
    thresholds : tuple
    """

    results: pd.DataFrame
    by_unit: pd.DataFrame
    definitions: tuple
    mode: str
    value_name: str
    thresholds: tuple = ()

    @property
    def flips(self) -> pd.DataFrame:
        """The rows of :attr:`by_unit` whose verdict depends on the market definition."""
        return self.by_unit[self.by_unit["flips"]]

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`by_unit` (one row per unit and period)."""
        return self.by_unit

    def _summary_parts(self):
        facts = [("mode", self.mode), ("compared", self.value_name),
                 ("definitions", ", ".join(map(str, self.definitions))),
                 ("units", len(self.by_unit)), ("verdict flips", int(self.by_unit["flips"].sum()))]
        notes = []
        if self.mode == "index" and not self.thresholds:
            notes.append("No thresholds given: values only, no verdicts to compare.")
        if (self.results["share_sum"] < 1.0 - DEFAULT_TOLERANCE).any():
            notes.append("Some markets' listed shares sum below one; under fringe='include' "
                         "their HHI covers the listed firms only (a lower bound).")
        return "Market-definition sensitivity", facts, notes

    def plot(self, *, ax=None):
        """The compared value per unit under each definition; thresholds as lines."""
        ax = new_axes(ax)
        t = self.by_unit
        y = np.arange(len(t))
        palette = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
        for i, d in enumerate(self.definitions):
            ax.plot(t[f"{d}:value"].to_numpy(dtype=float), y, "o",
                    color=palette[i % len(palette)], label=str(d))
        for thr in self.thresholds:
            ax.axvline(thr, color="0.5", lw=0.8, ls="--")
        ax.set_yticks(y, [tick_label(v) for v in t.index])
        ax.set_xlabel(self.value_name)
        ax.legend(frameon=False, fontsize="small")
        return ax


def _spec(func, name, spec):
    if spec is None:
        return {"products": None, "fringe": "include", "fringe_size": None}
    if not isinstance(spec, Mapping) or set(spec) - set(_SPEC_KEYS):
        raise InvalidParameterError(param_message(
            func, "definitions", "a mapping name -> None or a dict with keys "
            f"{list(_SPEC_KEYS)}", {name: spec},
            "For a product grouping write {'narrow': {'products': {'p1': 'm1', ...}}}."))
    out = {"products": spec.get("products"), "fringe": spec.get("fringe", "include"),
           "fringe_size": spec.get("fringe_size")}
    check_choice(func, f"definitions[{name!r}]['fringe']", out["fringe"], FRINGE_TREATMENTS)
    if out["fringe"] == "as_firms":
        out["fringe_size"] = check_number(func, f"definitions[{name!r}]['fringe_size']",
                                          out["fringe_size"], low=1e-4, high=1.0)
    if out["products"] is not None and not isinstance(out["products"], (Mapping, pd.Series)):
        raise InvalidParameterError(param_message(
            func, f"definitions[{name!r}]['products']", "a mapping product -> market",
            type(out["products"]).__name__))
    return out


def _bands(values, thresholds, labels):
    idx = np.searchsorted(np.asarray(thresholds), np.asarray(values, dtype=float), side="left")
    out = np.asarray(labels, dtype=object)[idx]
    return np.where(np.isnan(np.asarray(values, dtype=float)), None, out)


def market_sensitivity(data, definitions, *, measure="hhi", thresholds=None, labels=None,
                       merging=None, guidelines="us2023", market="market", period="period",
                       firm="firm", share="share", value=None, product="product",
                       scale="fraction", tolerance=DEFAULT_TOLERANCE):
    r"""Compute an index or a merger screen under alternative market definitions.

    Each definition says how markets are drawn and what is done with a fringe:

    ``products``
        A mapping product -> market (broader or narrower groupings).  The data need a
        ``product`` column and sales in ``value``; shares are each firm's sales in the
        market's products over the market's total.  A product mapped to ``None`` is
        left out of every market (and reported); a product missing from the mapping
        is an error.  Without ``products`` the ``market`` column is used as given.
    ``fringe``
        ``"include"`` (default): shares as given, so a fringe stays an outside mass
        and the HHI covers the listed firms (a lower bound); ``"exclude"``: the market
        is the listed firms only, shares rescaled to sum to one,
        :math:`s_j / \sum_k s_k`; ``"as_firms"``: the fringe split into firms of share
        ``fringe_size``.

    Each unit (a product, or a market without a product mapping) is followed across
    the definitions: the market it falls in, that market's value and verdict.  A
    *flip* is a unit whose verdict differs between two definitions that include it.

    Without ``merging`` the index ``measure`` is computed with
    :func:`concentration.indices`, and the verdict is the band of ``thresholds`` it
    falls in (a value equal to a threshold belongs to the lower band: band ``i`` is
    :math:`t_{i-1} < x \le t_i`).  Thresholds are the user's: take them from the
    guideline registry (:mod:`concentration.guidelines`) with their citation.  With
    ``merging`` each definition is screened by :func:`concentration.screen_merger`
    (edition ``guidelines``) and its ``verdict`` is compared.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table: ``market`` and/or ``product``, ``period`` (optional), ``firm``,
        and ``share`` or ``value``.
    definitions : mapping
        ``{name: None | {"products": mapping, "fringe": str, "fringe_size": float}}``;
        ``None`` means the markets and shares as given.
    measure : str, default "hhi"
        Any per-market measure of :func:`concentration.indices` (index mode).
    thresholds : sequence of float, optional
        Increasing cut points, in the measure's unit (index mode).
    labels : sequence of str, optional
        ``len(thresholds) + 1`` band names (default ``"<= t1"``, ``"(t1, t2]"``, ...,
        ``"> tn"``).
    merging : sequence or mapping, optional
        The merging parties, passed to :func:`concentration.screen_merger`.
    guidelines : str, default "us2023"
        One guideline key for the screen.
    market, period, firm, share, value, product, scale, tolerance
        Column names and options as for :func:`concentration.hhi`.

    Returns
    -------
    MarketSensitivity
        ``by_unit`` / ``to_frame()``, ``flips``, ``results``, ``summary()``, ``plot()``.

    See Also
    --------
    concentration.screen_merger : the merger screen compared with ``merging=``.
    concentration.indices : the measures compared without it.

    Examples
    --------
    Two products, each split evenly between two firms: as separate markets each HHI
    is 5,000; as one market (equal sales) the HHI is 4 x 25^2 = 2,500, which sits on
    the threshold and so in the lower band: the verdict flips.

    >>> import pandas as pd
    >>> import concentration as cn
    >>> df = pd.DataFrame({"product": ["p", "p", "q", "q"], "firm": ["A", "B", "C", "D"],
    ...                    "value": [50.0, 50.0, 50.0, 50.0]})
    >>> res = cn.stats.market_sensitivity(
    ...     df, {"narrow": {"products": {"p": "p", "q": "q"}},
    ...          "broad": {"products": {"p": "pq", "q": "pq"}}},
    ...     value="value", thresholds=[2500])
    >>> res.by_unit["narrow:value"].tolist(), res.by_unit["broad:value"].tolist()
    ([5000.0, 5000.0], [2500.0, 2500.0])
    >>> res.by_unit["broad:verdict"].tolist(), res.flips.index.tolist()
    (['<= 2500', '<= 2500'], ['p', 'q'])
    """
    import warnings

    from .._tables import resolve_key
    from ..exceptions import FringeWarning

    func = "market_sensitivity"
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(param_message(func, "data", "a long DataFrame",
                                                  type(data).__name__))
    if not isinstance(definitions, Mapping) or len(definitions) < 2:
        raise InvalidParameterError(param_message(
            func, "definitions", "a mapping of at least two named market definitions",
            definitions, "E.g. {'as given': None, 'no fringe': {'fringe': 'exclude'}}."))
    specs = {name: _spec(func, name, spec) for name, spec in definitions.items()}
    mode = "screen" if merging is not None else "index"
    if mode == "index":
        measure = _measure_check(func, measure, "bootstrap")
    if thresholds is not None:
        if mode == "screen":
            raise InvalidParameterError(param_message(
                func, "thresholds", "None when merging= is given (the screen's verdict is "
                "compared)", thresholds))
        thresholds = tuple(check_number(func, "thresholds", t) for t in as_list(thresholds))
        if list(thresholds) != sorted(set(thresholds)) or not thresholds:
            raise InvalidParameterError(param_message(func, "thresholds",
                                                      "strictly increasing numbers",
                                                      thresholds))
        if labels is None:
            labels = ([f"<= {thresholds[0]:g}"]
                      + [f"({a:g}, {b:g}]" for a, b in zip(thresholds[:-1], thresholds[1:])]
                      + [f"> {thresholds[-1]:g}"])
        labels = as_list(labels)
        if len(labels) != len(thresholds) + 1:
            raise InvalidParameterError(param_message(
                func, "labels", f"{len(thresholds) + 1} names (one per band)", labels))
    else:
        thresholds = ()
    screen_merger = None
    if mode == "screen":
        if not isinstance(guidelines, str):
            raise InvalidParameterError(param_message(
                func, "guidelines", "one guideline key (verdicts of one edition are "
                "compared)", guidelines))
        try:
            from ..screen import screen_merger
        except ImportError:  # pragma: no cover - depends on the installed version
            raise MissingDependencyError(
                "market_sensitivity(merging=...) needs concentration.screen_merger, which "
                "this installation does not provide. Upgrade antitrust-concentration, or "
                "leave merging=None to compare an index.") from None
    uses_products = any(s["products"] is not None for s in specs.values())
    period_col = resolve_key(data, period, "period", "period", func)
    market_col = resolve_key(data, market, "market", "market", func)
    if uses_products:
        check_columns(func, data, {"product": product})
        if value is None:
            raise InvalidParameterError(param_message(
                func, "value", "a sales column when a definition regroups products", None,
                "Shares of different products cannot be added; pass value=<sales column>."))
        unit_col = product
    else:
        if market_col is None:
            raise SchemaError(f"{func}: a 'market' column is needed when no definition maps "
                              "products to markets. Pass market=<column>.")
        unit_col = market_col
    check_columns(func, data, {"firm": firm})
    keys = [unit_col] + ([period_col] if period_col else [])
    rows, unit_frames = [], []
    value_name = measure if mode == "index" else "post_hhi"
    for name, spec in specs.items():
        work = data[[c for c in dict.fromkeys(keys + [market_col, firm, value, share])
                     if c is not None and c in data.columns]].copy()
        if spec["products"] is not None:
            mapping = dict(spec["products"])
            unknown = ~work[product].isin(list(mapping))
            if unknown.any():
                missing = pd.unique(work.loc[unknown, product])[:5].tolist()
                raise InvalidParameterError(param_message(
                    func, f"definitions[{name!r}]['products']", "a mapping covering every "
                    "product in the data", f"no entry for {missing}",
                    "Map each product to a market, or to None to leave it out explicitly."))
            work["_mkt"] = work[product].map(mapping)
            work = work[work["_mkt"].notna()]
        else:
            work["_mkt"] = work[market_col] if market_col else "all"
        exclude = spec["fringe"] == "exclude"
        if value is None and not exclude:
            kw = {"share": share, "value": None}
        else:
            kw = {"share": share, "value": value if value is not None else share}
        table = coerce_shares(work, market="_mkt", period=period_col, firm=firm,
                              scale=scale if value is None and not exclude else "fraction",
                              duplicates="sum" if spec["products"] is not None else "error",
                              tolerance=tolerance, func=func, emit=False, **kw)
        listed = coerce_shares(work, market="_mkt", period=period_col, firm=firm,
                               share=share, value=value, scale=scale, tolerance=tolerance,
                               duplicates="sum" if spec["products"] is not None else "error",
                               func=func, emit=False).totals
        if spec["fringe"] == "as_firms":
            table = table.with_fringe_firms(spec["fringe_size"])
        shares = table.to_frame(share_name="share")
        if mode == "index":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FringeWarning)
                vals = _indices(shares, [measure], market="_mkt", period=period_col, firm=firm,
                                share="share")[[measure]]
            res = vals.copy()
            res["verdict"] = _bands(res[measure], thresholds, labels) if thresholds else None
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FringeWarning)
                screen = screen_merger(shares, merging, guidelines=guidelines, market="_mkt",
                                       period=period_col, firm=firm, share="share")
            sf = screen.to_frame()
            sf = sf.reset_index() if "_mkt" not in sf.columns else sf
            keep = [c for c in ("pre_hhi", "post_hhi", "delta_hhi", "combined_share",
                                "verdict", "rule", "citation") if c in sf.columns]
            res = sf.set_index(["_mkt"] + ([period_col] if period_col else []))[keep]
        res["share_sum"] = pd.Series(listed, index=table.groups).reindex(res.index).to_numpy()
        res = res.reset_index()
        res.insert(0, "definition", name)
        rows.append(res)
        # where each unit lands under this definition
        u = work[keys + ["_mkt"]].drop_duplicates(subset=keys)
        u = u.merge(res, on=["_mkt"] + ([period_col] if period_col else []), how="left")
        u = u.set_index(keys)
        unit_frames.append(pd.DataFrame({f"{name}:market": u["_mkt"],
                                         f"{name}:value": u[value_name],
                                         f"{name}:verdict": u["verdict"]}, index=u.index))
    results = pd.concat(rows, ignore_index=True).rename(columns={"_mkt": "market"})
    by_unit = pd.concat(unit_frames, axis=1).sort_index()
    verdict_cols = [f"{n}:verdict" for n in specs]
    by_unit["flips"] = by_unit[verdict_cols].apply(
        lambda r: r.dropna().nunique() > 1, axis=1).astype(bool)
    return MarketSensitivity(results=results, by_unit=by_unit, definitions=tuple(specs),
                             mode=mode, value_name=value_name, thresholds=tuple(thresholds))
