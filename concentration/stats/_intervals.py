"""Confidence intervals for a concentration index whose shares are estimated.

:func:`index_interval` gives an interval per market and period, from the
observations (a percentile bootstrap within each market [EF]_), from survey shares
with a stated sample size (a multinomial parametric bootstrap, or Dirichlet posterior
draws), or by the delta method for the HHI (the first-order variance of the sum of
squared sample proportions [SI]_).  Every index value comes from
:func:`concentration.indices`; the normal quantile of the delta method is taken from
:mod:`scipy.stats`, imported on first use.

References
----------
.. [EF] Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap.
   New York: Chapman & Hall, ch. 13 (percentile intervals).
.. [SI] Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._tables import (DEFAULT_TOLERANCE, coerce_shares, group_codes, group_label, map_parents,
                      resolve_key)
from .._validation import check_choice, check_columns, check_int, check_number, param_message
from ..exceptions import InvalidParameterError, InvalidSharesError, SchemaError
from ..measures import indices
from ._common import check_measure, fringe_warnings_ignored

__all__ = ["index_interval", "IndexInterval", "INTERVAL_METHODS"]

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
        """Estimates with their intervals per market; returns the matplotlib Axes.

        Drawn by :func:`concentration.plotting.plot_intervals`.
        """
        from ..plotting import plot_intervals

        return plot_intervals(self.table, ax=ax, xlabel=f"{self.measure} "
                              f"({100 * self.level:g}% interval, {self.method})")


def _interval_measure(func, measure, method):
    measure = check_measure(func, measure)
    if method == "delta" and measure != "hhi":
        raise InvalidParameterError(param_message(
            func, "measure", "'hhi' with method='delta' (the delta-method variance is "
            "derived for the HHI)", measure, "Use method='bootstrap' or 'multinomial'."))
    return measure


def _index_of(frame, measure, *, value=None, share=None):
    """One call to :func:`concentration.indices` on a long table keyed by ``_g``."""
    with fringe_warnings_ignored():
        out = indices(frame, [measure], market="_g", period=None, firm="_f",
                      share=share or "share", value=value)
    return out[measure]


def _observation_groups(func, data, market, period, firm, value, parent):
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
    measure = _interval_measure(func, measure, method)
    level = check_number(func, "level", level, low=0.0, high=1.0, low_open=True, high_open=True)
    prior = check_number(func, "prior", prior, low=0.0)
    if method != "delta":
        n_draws = check_int(func, "n_draws", n_draws, low=2, high=10_000_000)
    if not (seed is None or isinstance(seed, (numbers.Integral, np.random.Generator))) \
            or isinstance(seed, bool) or (isinstance(seed, numbers.Integral) and seed < 0):
        raise InvalidParameterError(param_message(func, "seed", "None, an int >= 0 or a "
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
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2.0)
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
            where = "the market" if groups is None else group_label(groups[g])
            raise InvalidSharesError(
                f"{func}: a bootstrap sample of {where} has zero total value (most "
                "observations have value 0). Drop zero-value observations or use "
                "method='delta'.")
        draws[g] = _draw_index(sim / sums, np.asarray(funiq, dtype=object)[labels], measure)
    out = _percentile(estimate, draws, level, sizes)
    return _interval_result(out, groups, measure, method, level, n_draws, seed, draws)
