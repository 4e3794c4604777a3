"""The price-concentration regression of the common-ownership literature.

:func:`concentration_regression` regresses an outcome (a price) on the HHI and the
MHHI delta with market and time fixed effects, as in Azar, Schmalz and Tecu [AST]_,
fitted by statsmodels OLS with standard errors clustered by market [CG]_.  The fixed
effects are either dummies or swept out by demeaning (alternating projections on
unbalanced panels [GU]_); the residual degrees of freedom count them either way.
statsmodels is imported on the first fit, never on ``import concentration``.

References
----------
.. [AST] Azar, J., Schmalz, M. C. and Tecu, I. (2018). Anticompetitive effects of
   common ownership. Journal of Finance 73(4), 1513-1565.
.. [CG] Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to
   cluster-robust inference. Journal of Human Resources 50(2), 317-372.
.. [GU] Guimaraes, P. and Portugal, P. (2010). A simple feasible procedure to fit
   models with high-dimensional fixed effects. Stata Journal 10(4), 628-649.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._results import ResultMixin
from .._validation import (as_list, check_choice, check_columns, check_int, check_number,
                           param_message)
from ..exceptions import ConvergenceError, InvalidParameterError, SchemaError

__all__ = ["concentration_regression", "ConcentrationRegression", "COV_TYPES", "REG_METHODS"]

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
        """Coefficient plot with confidence intervals; returns the matplotlib Axes.

        Drawn by :func:`concentration.plotting.plot_coefficients`.
        """
        from ..plotting import plot_coefficients

        ci = self.conf_int(alpha)
        frame = pd.DataFrame({"coef": self.params, "lower": ci["lower"], "upper": ci["upper"]})
        return plot_coefficients(frame, ax=ax,
                                 xlabel=f"effect on {self.outcome} ({100 * (1 - alpha):g}% CI)")


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


def _rank(swept, scale) -> int:
    """Numerical rank of the swept regressors ``swept``, each column divided by ``scale``
    (its length before the sweep), so a column the sweep reduced to rounding noise
    counts as zero."""
    if swept.shape[1] == 0:
        return 0
    sv = np.linalg.svd(swept / scale, compute_uv=False)
    return int((sv > 1e-8).sum())


def _check_collinear(func, swept, x, measures, controls):
    """Raise InvalidParameterError naming the first regressor that the fixed effects
    (or the constant) and the regressors before it already span.

    ``swept`` holds the regressors ``x`` with the fixed effects (or the mean) swept
    out, so a column adds to the rank only if it is not such a combination.
    """
    terms = list(measures) + list(controls)
    scale = np.linalg.norm(x, axis=0)
    scale[scale == 0] = 1.0
    for j, term in enumerate(terms):
        if _rank(swept[:, :j + 1], scale[:j + 1]) <= j:
            before = ", ".join(repr(t) for t in terms[:j])
            name = "measures" if j < len(measures) else "controls"
            raise InvalidParameterError(param_message(
                func, name, "regressors that are not linear combinations of each other and "
                "of the fixed effects", term, "It is a combination of "
                + (f"{before} and " if before else "") + "the fixed effects (or the "
                "constant): drop it. A regressor constant within each market or period is "
                "absorbed by the fixed effects; one proportional to another adds nothing."))


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
        column; ``method="within"`` with HC2/HC3; missing values; collinear
        regressors (one a linear combination of the others and the fixed effects);
        no more rows than parameters.
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
        from scipy.sparse import csgraph

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
    if n - len(terms) - fe_rank <= 0:
        raise InvalidParameterError(param_message(
            func, "panel", f"a table with more rows than parameters ({len(terms) + fe_rank}: "
            f"{len(terms)} regressor(s) and {fe_rank} fixed effect(s) with the constant)",
            f"{n} row(s)", "Add observations, or drop regressors or fixed effects."))
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
        if fe:
            try:
                swept, _ = _within(x, codes_list, tol=tol, max_iter=max_iter,
                                   balanced=balanced)
            except ConvergenceError:  # the dummy fit does not need the sweep
                swept = None
        else:
            swept = x - x.mean(axis=0)
        if swept is not None:
            _check_collinear(func, swept, x, measures, controls)
        model = sm.OLS(pd.Series(y, index=panel.index, name=outcome), exog)
    else:
        if not fe:
            z = np.column_stack([y, x])
            z = z - z.mean(axis=0)
        else:
            z, iterations = _within(np.column_stack([y, x]), codes_list, tol=tol,
                                    max_iter=max_iter, balanced=balanced)
        _check_collinear(func, z[:, 1:], x, measures, controls)
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
