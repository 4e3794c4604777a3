"""Concentration indices per market and period.

Every function accepts either one market's shares (a mapping ``{firm: share}``, a
:class:`pandas.Series` indexed by firm, or a 1-D array), returning a float, or a
long DataFrame with one row per (market, period, firm), returning pandas objects
indexed by the grouping columns present.  Shares are fractions unless
``scale="percent"``; the HHI is reported in points (0-10,000).

The grouped statistics come from one pass of the compiled kernel
:mod:`concentration._kernels._grouped`.

References
----------
.. [HH] Hirschman, A. O. (1964). The paternity of an index. American Economic Review
   54(5), 761.  Herfindahl, O. C. (1950). Concentration in the steel industry. PhD
   thesis, Columbia University.
.. [HK] Hannah, L. and Kay, J. A. (1977). Concentration in Modern Industry. London:
   Macmillan, ch. 4.
.. [AD] Adelman, M. A. (1969). Comment on the "H" concentration measure as a
   numbers-equivalent. Review of Economics and Statistics 51(1), 99-101.
.. [CA] Calkins, S. (1983). The new merger guidelines and the Herfindahl-Hirschman
   Index. California Law Review 71(2), 402-429.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping

import numpy as np
import pandas as pd

from ._dispatch import dispatchable
from ._docstrings import FRINGE_PARAMETERS, SHARE_PARAMETERS, substitute
from ._kernels import load
from ._tables import DEFAULT_TOLERANCE, ShareTable, coerce_shares, small_market
from ._validation import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    did_you_mean,
    param_message,
    warn,
)
from .exceptions import (
    DataQualityWarning,
    InvalidParameterError,
    InvalidSharesError,
    SchemaError,
)

_grouped = load("_grouped")

__all__ = [
    "hhi",
    "concentration_ratio",
    "effective_number",
    "entropy",
    "hannah_kay",
    "gini",
    "lorenz",
    "hhi_bounds",
    "indices",
    "MEASURES",
]

FRINGE_POLICIES = ("ignore", "bounds", "as_firms")

#: The date columns that place each period in time (documented with the share columns).
PERIOD_PARAMETERS = """period_start, period_end : str or None, default "period_start", "period_end"
        Columns with each period's first and last day.  Absent default columns are
        ignored and the period labels are parsed instead; ``None`` ignores a column."""

#: The flag of row sets that are not markets (indices and merger screens).
MARKET_FLAG_PARAMETERS = """market_flag : str or None, default "is_market"
        Boolean column that is False for rows that are not a market (a peer set, a
        ratio of some firms' revenue); an absent default column is ignored.
    non_markets : bool, default True
        Keep the markets with rows flagged False; the result then has an
        ``is_market`` column that says which rows are no market.  ``False`` leaves
        them out, with a :class:`~concentration.exceptions.DataQualityWarning` that
        names them (the bundled ``ai_market_shares`` flags
        ``dc_segment_rev_peerset``)."""

_SHARES = SHARE_PARAMETERS + "\n    " + PERIOD_PARAMETERS
_doc = substitute(common=_SHARES)
_doc_fringe = substitute(common=_SHARES, fringe=FRINGE_PARAMETERS)


def _fringe_note(fringe, fringe_size):
    if fringe == "ignore":
        return ("Policy fringe='ignore': indices cover the listed firms only, so the HHI is a "
                "lower bound; pass fringe='bounds' or fringe='as_firms' to model the fringe.")
    if fringe == "bounds":
        return "Policy fringe='bounds': the smallest and largest values consistent with it."
    return f"Policy fringe='as_firms': the fringe is split into firms of share {fringe_size:g}."


def split_non_markets(data, market_flag, non_markets, market, func):
    """``(data, non-market labels)``: rows of row sets that are not markets, left out.

    ``market_flag`` names a boolean column (absent default ``"is_market"``: nothing to
    do).  A market with any row flagged False is a non-market.  With ``non_markets``
    the data are returned whole and the labels are those to flag; otherwise the
    rows of those markets are dropped with a :class:`DataQualityWarning` naming them.
    """
    non_markets = check_bool(func, "non_markets", non_markets)
    if market_flag is not None and not isinstance(market_flag, Hashable):
        raise InvalidParameterError(param_message(
            func, "market_flag", "a column name (str) or None", market_flag))
    if not isinstance(data, pd.DataFrame) or market_flag is None \
            or market_flag not in data.columns:
        if isinstance(data, pd.DataFrame) and market_flag not in (None, "is_market"):
            raise SchemaError(
                f"{func}: the 'market_flag' column {market_flag!r} was not found. Columns "
                f"present: {list(data.columns)}. Pass market_flag=None to use every row.")
        return data, []
    flag = data[market_flag]
    values = flag.to_numpy(dtype=object)
    ok = np.asarray([v is None or (isinstance(v, float) and np.isnan(v))
                     or isinstance(v, (bool, np.bool_)) for v in values], dtype=bool)
    if not ok.all():
        bad = values[np.flatnonzero(~ok)[0]]
        raise SchemaError(
            f"{func}: the 'market_flag' column {market_flag!r} must hold True/False "
            f"(missing counts as a market); it holds {bad!r}. Convert it, or pass "
            "market_flag=None.")
    not_market = np.asarray([v is False or v is np.False_ for v in values], dtype=bool)
    if not not_market.any():
        return data, []
    keyed = isinstance(market, str) and market in data.columns
    if keyed:
        labels = list(pd.unique(data.loc[not_market, market]))
        rows = np.asarray(data[market].isin(labels))
    else:
        labels, rows = [None], np.ones(len(data), dtype=bool)
    if non_markets:
        return data, labels
    if rows.all():
        raise InvalidParameterError(param_message(
            func, "non_markets", "True when every row is flagged as no market",
            f"{market_flag}=False on every row",
            "Pass non_markets=True to compute them anyway, or market_flag=None."))
    shown = ", ".join(repr(m) for m in labels[:5]) + (", ..." if len(labels) > 5 else "")
    warn(f"{func}: left out {len(labels)} row set(s) that are not markets "
                  f"({market_flag} is False): {shown}. Pass non_markets=True to keep them.",
                  DataQualityWarning)
    return data.loc[~rows], []


def _table(func, data, *, market, period, firm, share, value, scale, duplicates, parent,
           tolerance, fringe="ignore", fringe_size=None, period_start="period_start",
           period_end="period_end") -> ShareTable:
    """Validate once and apply the fringe policy."""
    check_choice(func, "fringe", fringe, FRINGE_POLICIES)
    if fringe_size is not None:
        check_number(func, "fringe_size", fringe_size, low=0.0, low_open=True)
    if fringe == "as_firms":
        if fringe_size is None:
            raise InvalidParameterError(param_message(
                func, "fringe_size", "a positive share when fringe='as_firms'", None,
                "Pass fringe_size=0.01 (for example) to split the fringe into 1% firms."))
        divisor = 100.0 if scale == "percent" else 1.0
        fringe_size = check_number(func, "fringe_size", fringe_size, low=1e-4 * divisor,
                                   high=divisor) / divisor
    table = coerce_shares(data, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=parent,
                          tolerance=tolerance, func=func,
                          fringe_note=_fringe_note(fringe, fringe_size),
                          emit=(fringe == "ignore"), period_start=period_start,
                          period_end=period_end)
    if fringe == "as_firms":
        table = table.with_fringe_firms(fringe_size)
    return table


def hhi_bounds_from_stats(sumsq, totals, minimum, count, n_fringe=None):
    """HHI bounds (fractions squared) given listed shares and a fringe of 1 - total.

    The listed firms are taken to be the largest ones, so no fringe firm exceeds the
    smallest listed share ``minimum``: the upper bound splits the fringe into as many
    firms of ``minimum`` as fit and one of the remainder (see :func:`hhi_bounds`).
    Arrays per market: ``sumsq`` (sum of squared listed shares), ``totals``,
    ``minimum`` and ``count`` (listed firms); returns ``(low, high)``.  Shared by
    :func:`hhi_bounds`, :func:`indices` and the merger screens' upper-bound verdicts.
    """
    rest = np.clip(1.0 - totals, 0.0, None)
    rest[rest < 1e-12] = 0.0
    cap = np.where(count > 0, minimum, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if n_fringe is None:
            low = sumsq.copy()
        else:
            low = sumsq + np.where(n_fringe > 0, rest * rest / np.maximum(n_fringe, 1), 0.0)
        # q firms of share cap and one of rem = rest - q cap: q cap^2 + rem^2, written as
        # (rest - rem) cap + rem^2 with rem = fmod(rest, cap) (exact), so that no
        # rest / cap is formed (it overflows for a denormal smallest share)
        safe = np.where(cap > 0, cap, 1.0)
        rem = np.where(cap > 0, np.fmod(rest, safe), rest)
        high = sumsq + (rest - rem) * np.where(cap > 0, cap, 0.0) + rem * rem
    return low, high


@dispatchable()
@_doc_fringe
def hhi(data, *, market="market", period="period", firm="firm", share="share", value=None,
        scale="fraction", duplicates="error", parent=None, tolerance=DEFAULT_TOLERANCE,
        fringe="ignore", fringe_size=None, period_start="period_start",
        period_end="period_end"):
    r"""Herfindahl-Hirschman Index in points (0-10,000).

    .. math:: \mathrm{HHI} = 10{,}000 \sum_j s_j^2

    with :math:`s_j` the share of firm :math:`j` as a fraction [HH]_.  A monopoly
    scores 10,000 and :math:`n` equal firms :math:`10{,}000/n`.

    Parameters
    ----------
    {common}
    {fringe}

    Returns
    -------
    float or pandas.Series or pandas.DataFrame
        A float for one market; a Series indexed by the grouping columns for a long
        table; with ``fringe="bounds"`` the columns ``hhi_min`` and ``hhi_max``
        (a Series for one market).

    Raises
    ------
    InvalidSharesError
        Negative, missing or duplicated shares, the wrong unit, or sums above one.
    SchemaError
        A named column is missing or not numeric.

    See Also
    --------
    indices : several measures in one table.
    hhi_bounds : bounds on the HHI with an unobserved fringe.

    References
    ----------
    .. [HH] Hirschman, A. O. (1964). The paternity of an index. American Economic
       Review 54(5), 761.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.hhi({"A": 0.5, "B": 0.3, "C": 0.2})
    3800.0
    >>> cn.hhi([50, 30, 20], scale="percent")
    3800.0
    """
    if fringe == "ignore" and value is None and parent is None and fringe_size is None:
        small = small_market(data, names=(market, period, firm, share, period_start,
                                          period_end),
                             scale=scale, tolerance=tolerance, duplicates=duplicates)
        if small is not None:  # a small clean market: the table's own sums, without it
            return 10_000.0 * small[2]
    table = _table("hhi", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe=fringe, fringe_size=fringe_size)
    if fringe == "bounds":
        total, sumsq, count, _, minimum, _ = table.stats()
        _require_a_share(table, total, "hhi", "bounds on the HHI are")
        low, high = hhi_bounds_from_stats(sumsq, total, minimum, count)
        frame = pd.DataFrame({"hhi_min": 10_000.0 * low, "hhi_max": 10_000.0 * high})
        return table.wrap(frame)
    return table.wrap(10_000.0 * table.sums()[1], name="hhi")


@dispatchable()
@_doc
def concentration_ratio(data, k=4, *, market="market", period="period", firm="firm",
                        share="share", value=None, scale="fraction", duplicates="error",
                        parent=None, tolerance=DEFAULT_TOLERANCE,
                        period_start="period_start", period_end="period_end"):
    r"""Combined share of the ``k`` largest firms, :math:`CR_k = \sum_{j=1}^{k} s_{(j)}`.

    Parameters
    ----------
    {common}
    k : int, default 4
        Number of largest firms, at least 1.  Markets with fewer firms sum all of
        them (the work is limited to the largest market's firm count, and the
        ``[markets x k]`` buffer is checked against the available memory first).

    Raises
    ------
    ResourceError
        The largest shares of every market would not fit in memory; pass a smaller
        ``k``.

    Returns
    -------
    float or pandas.Series
        CRk as a fraction in [0, 1] (multiply by 100 for percent).

    Examples
    --------
    >>> import concentration as cn
    >>> cn.concentration_ratio({"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.06, "E": 0.04}, k=2)
    0.7
    """
    k = check_int("concentration_ratio", "k", k, low=1)
    table = _table("concentration_ratio", data, market=market, period=period, firm=firm,
                   share=share, value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end)
    top = table.stats(k, func="concentration_ratio")[5]
    return table.wrap(top.sum(axis=1), name=f"cr{k}")


@dispatchable()
@_doc_fringe
def effective_number(data, *, market="market", period="period", firm="firm", share="share",
                     value=None, scale="fraction", duplicates="error", parent=None,
                     tolerance=DEFAULT_TOLERANCE, fringe="ignore", fringe_size=None,
                     period_start="period_start", period_end="period_end"):
    r"""Numbers-equivalent of the HHI, :math:`10{,}000 / \mathrm{HHI} = 1 / \sum_j s_j^2`.

    The number of equal-sized firms that would produce the same HHI [AD]_.

    Parameters
    ----------
    {common}
    {fringe}

    Returns
    -------
    float or pandas.Series
        Effective number of firms (``inf`` where all shares are zero).

    References
    ----------
    .. [AD] Adelman, M. A. (1969). Comment on the "H" concentration measure as a
       numbers-equivalent. Review of Economics and Statistics 51(1), 99-101.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.effective_number({"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25})
    4.0
    """
    table = _table("effective_number", data, market=market, period=period, firm=firm,
                   share=share, value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe=_no_bounds("effective_number", fringe),
                   fringe_size=fringe_size)
    total, sumsq, _ = table.sums()
    _require_a_share(table, total, "effective_number", "the effective number of firms is")
    return table.wrap(_effective_values(sumsq), name="effective_number")


def _no_bounds(func, fringe):
    if fringe == "bounds":
        raise InvalidParameterError(param_message(
            func, "fringe", "'ignore' or 'as_firms' (bounds are defined for the HHI only)",
            fringe, "Use hhi(..., fringe='bounds') or hhi_bounds()."))
    return fringe


@dispatchable()
@_doc_fringe
def entropy(data, *, normalize=False, market="market", period="period", firm="firm",
            share="share", value=None, scale="fraction", duplicates="error", parent=None,
            tolerance=DEFAULT_TOLERANCE, fringe="ignore", fringe_size=None,
            period_start="period_start", period_end="period_end"):
    r"""Shannon entropy of the shares, :math:`H = -\sum_j s_j \ln s_j` (natural log).

    Higher entropy means less concentration.  With ``normalize=True`` the result is
    :math:`H / \ln n` in [0, 1] (``n`` firms with positive share; 0 for one firm).

    Parameters
    ----------
    {common}
    normalize : bool, default False
        Divide by :math:`\ln n`.
    {fringe}

    Returns
    -------
    float or pandas.Series

    References
    ----------
    Theil, H. (1967). Economics and Information Theory. Amsterdam: North-Holland.

    Examples
    --------
    >>> import concentration as cn
    >>> round(cn.entropy({"A": 0.5, "B": 0.5}), 6)   # ln 2
    0.693147
    """
    normalize = check_bool("entropy", "normalize", normalize)
    table = _table("entropy", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe=_no_bounds("entropy", fringe),
                   fringe_size=fringe_size)
    h = _entropy_values(table, normalize)
    return table.wrap(h, name="entropy_normalized" if normalize else "entropy")


@dispatchable()
@_doc_fringe
def hannah_kay(data, alpha=2.0, *, market="market", period="period", firm="firm",
               share="share", value=None, scale="fraction", duplicates="error", parent=None,
               tolerance=DEFAULT_TOLERANCE, fringe="ignore", fringe_size=None,
               period_start="period_start", period_end="period_end"):
    r"""Hannah-Kay numbers-equivalent of order :math:`\alpha`.

    .. math:: N(\alpha) = \Big(\sum_j s_j^{\alpha}\Big)^{1/(1-\alpha)},\qquad
              N(1) = \exp(H)

    :math:`N(2)` is the effective number :math:`1/\sum s_j^2`; larger :math:`\alpha`
    weighs the largest firms more.  :math:`N` falls as concentration rises [HK]_.
    It is computed through logs (a log-sum-exp form scaled by the largest share
    :math:`m`, and an ``expm1``/``log1p`` form near :math:`\alpha = 1`), so large
    orders tend to :math:`1/m` instead of overflowing and orders near 1 tend to
    :math:`\exp(H)` without cancellation (``docs/methodology.md``).

    Parameters
    ----------
    {common}
    alpha : float, default 2.0
        Order, :math:`\alpha > 0`.
    {fringe}

    Returns
    -------
    float or pandas.Series

    References
    ----------
    .. [HK] Hannah, L. and Kay, J. A. (1977). Concentration in Modern Industry.
       London: Macmillan.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.hannah_kay({"A": 0.5, "B": 0.5}, alpha=3)
    2.0
    """
    alpha = check_number("hannah_kay", "alpha", alpha, low=0.0, low_open=True)
    table = _table("hannah_kay", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe=_no_bounds("hannah_kay", fringe),
                   fringe_size=fringe_size)
    _require_a_share(table, table.sums()[0], "hannah_kay", "the Hannah-Kay index is")
    return table.wrap(_hannah_kay_values(table, alpha), name=f"hannah_kay_{alpha:g}")


def _sorted_within(table: ShareTable):
    """Row order that sorts shares ascending within each group, plus group starts."""
    order = np.lexsort((table.shares, table.codes))
    counts = np.bincount(table.codes, minlength=table.n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return order, counts, starts


@dispatchable()
@_doc
def gini(data, *, market="market", period="period", firm="firm", share="share", value=None,
         scale="fraction", duplicates="error", parent=None, tolerance=DEFAULT_TOLERANCE,
         period_start="period_start", period_end="period_end"):
    r"""Gini coefficient of firm sizes within each market.

    .. math:: G = \frac{\sum_{i=1}^{n} (2i - n - 1)\, x_{(i)}}{n \sum_i x_i}

    with :math:`x_{(1)} \le \dots \le x_{(n)}` the listed firms' shares.  It measures
    inequality among the listed firms, not concentration: two equal firms score 0.

    Parameters
    ----------
    {common}

    Returns
    -------
    float or pandas.Series
        In [0, 1 - 1/n]; 0 for one firm or equal firms.

    References
    ----------
    Gini, C. (1912). Variabilità e mutabilità. Bologna: Cuppini.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.gini({"A": 0.75, "B": 0.25})
    0.25
    """
    table = _table("gini", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end)
    return table.wrap(_gini_values(table), name="gini")


@dispatchable()
@_doc
def lorenz(data, *, market="market", period="period", firm="firm", share="share", value=None,
           scale="fraction", duplicates="error", parent=None, tolerance=DEFAULT_TOLERANCE,
           period_start="period_start", period_end="period_end"):
    r"""Points of the Lorenz curve of firm sizes.

    Firms are sorted from smallest to largest; point :math:`i` is
    :math:`(i/n, \sum_{j \le i} x_{(j)} / \sum_j x_j)`, starting at (0, 0).

    Parameters
    ----------
    {common}

    Returns
    -------
    pandas.DataFrame
        Columns ``firm_fraction`` and ``share_fraction`` (plus the grouping columns
        for a long table), ``n + 1`` rows per market.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.lorenz({"A": 0.75, "B": 0.25})["share_fraction"].tolist()
    [0.0, 0.25, 1.0]
    """
    table = _table("lorenz", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end)
    order, counts, starts = _sorted_within(table)
    x = table.shares[order]
    g = table.codes[order]
    tot = np.bincount(g, weights=x, minlength=table.n_groups)
    cum = pd.Series(x).groupby(g, sort=False).cumsum().to_numpy()  # restarts in each group
    rank = np.arange(x.size) - starts[g] + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        yfrac = np.where(tot[g] > 0, cum / np.where(tot[g] > 0, tot[g], 1.0), 0.0)
    xfrac = rank / counts[g]
    codes = np.concatenate([np.arange(table.n_groups), g])
    xs = np.concatenate([np.zeros(table.n_groups), xfrac])
    ys = np.concatenate([np.zeros(table.n_groups), yfrac])
    o = np.lexsort((xs, codes))
    out = pd.DataFrame({"firm_fraction": xs[o], "share_fraction": ys[o]})
    if table.groups is not None:
        labels = table.groups.take(codes[o])
        keys = labels.to_frame(index=False) if isinstance(labels, pd.MultiIndex) \
            else pd.DataFrame({table.groups.name: labels})
        out = pd.concat([keys.reset_index(drop=True), out], axis=1)
    return out


@dispatchable()
@_doc
def hhi_bounds(data, *, n_fringe=None, market="market", period="period", firm="firm",
               share="share", value=None, scale="fraction", duplicates="error", parent=None,
               tolerance=DEFAULT_TOLERANCE,
               period_start="period_start", period_end="period_end"):
    r"""Smallest and largest HHI consistent with the listed (largest) firms and a fringe.

    The listed firms are taken to be the largest ones (top-m data) and the rest of the
    market, :math:`r = 1 - \sum_j s_j`, belongs to fringe firms no larger than the
    smallest listed share :math:`s_{(m)}` [CA]_:

    .. math::

        \mathrm{HHI}_{\min} = 10{,}000\Big(\sum_j s_j^2 + \frac{r^2}{n_f}\Big)
        \quad(\text{or } \sum_j s_j^2 \text{ with an unknown, unbounded } n_f)

        \mathrm{HHI}_{\max} = 10{,}000\Big(\sum_j s_j^2 + q\, s_{(m)}^2 + (r - q s_{(m)})^2\Big),
        \quad q = \lfloor r / s_{(m)} \rfloor

    Parameters
    ----------
    {common}
    n_fringe : int, optional
        Number of fringe firms when known.  It must be large enough for the fringe
        to fit under the smallest listed share.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``hhi_min`` and ``hhi_max`` in points (a Series for one market, a DataFrame
        indexed by market/period for a long table).

    Raises
    ------
    InvalidSharesError
        When ``n_fringe`` fringe firms cannot hold the fringe without exceeding the
        smallest listed share.

    References
    ----------
    .. [CA] Calkins, S. (1983). The new merger guidelines and the Herfindahl-Hirschman
       Index. California Law Review 71(2), 402-429.

    Examples
    --------
    >>> import concentration as cn
    >>> b = cn.hhi_bounds({"A": 0.4, "B": 0.3, "C": 0.2})
    >>> float(round(b["hhi_min"], 6)), float(round(b["hhi_max"], 6))
    (2900.0, 3000.0)
    """
    n_fringe = check_int("hhi_bounds", "n_fringe", n_fringe, low=0, allow_none=True)
    table = _table("hhi_bounds", data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe="bounds")
    total, sumsq, count, _, minimum, _ = table.stats()
    _require_a_share(table, total, "hhi_bounds", "bounds on the HHI are")
    nf = None
    if n_fringe is not None:
        rest = np.clip(1.0 - total, 0.0, None)
        with np.errstate(over="ignore"):  # rest / a denormal share is inf firms
            need = np.where(minimum > 0,
                            np.ceil(rest / np.where(minimum > 0, minimum, 1) - 1e-9), 0)
        bad = (rest > 1e-12) & ((n_fringe == 0) | (need > n_fringe))
        if bad.any():
            g = int(np.flatnonzero(bad)[0])
            where = "the market" if table.groups is None else repr(table.groups[g])
            raise InvalidSharesError(
                f"hhi_bounds: in {where} a fringe of {rest[g]:.4g} cannot be held by "
                f"{n_fringe} firm(s) each no larger than the smallest listed share "
                f"{minimum[g]:.4g} (at least {need[g]:.6g} needed). Pass a larger "
                "n_fringe, or n_fringe=None if it is unknown.")
        nf = np.full(table.n_groups, n_fringe)
    low, high = hhi_bounds_from_stats(sumsq, total, minimum, count, nf)
    frame = pd.DataFrame({"hhi_min": 10_000.0 * low, "hhi_max": 10_000.0 * high})
    return table.wrap(frame)


# ---------------------------------------------------------------------------
# several measures in one table

MEASURES = ("hhi", "cr<k>", "effective_number", "entropy", "entropy_normalized", "gini",
            "hannah_kay", "n_firms", "share_sum", "hhi_min", "hhi_max")

_CR = re.compile(r"^cr(\d+)$")


@dispatchable()
@substitute(common=_SHARES, fringe=FRINGE_PARAMETERS, flags=MARKET_FLAG_PARAMETERS)
def indices(data, measures=("hhi", "cr4"), *, alpha=2.0, market="market", period="period",
            firm="firm", share="share", value=None, scale="fraction", duplicates="error",
            parent=None, tolerance=DEFAULT_TOLERANCE, fringe="ignore", fringe_size=None,
            bounds=True, market_flag="is_market", non_markets=True,
            period_start="period_start", period_end="period_end"):
    r"""Several concentration measures in one tidy table, one row per (market, period).

    Rows follow time within each market: each period is placed by the data's
    ``period_start``/``period_end`` columns, else by its label (years, halves,
    quarters, months, dates), so ``2024, 2025-mid, 2025-late`` come out in that
    order when the dates say so.  A label that can be placed neither way is a
    :class:`~concentration.exceptions.PeriodError` that names it (pass
    ``period_start``/``period_end`` columns, or relabel it), never a silent order.

    Top-N data (listed shares summing below one, ``lower_bound``) carry their HHI
    bounds beside the HHI: ``hhi_min`` (the listed firms: the HHI itself) and
    ``hhi_max`` (the remainder :math:`r = 1 - \sum_j s_j` split into firms no larger
    than the smallest listed share, :math:`10{,}000[\sum_j s_j^2 + q s_{(m)}^2 +
    (r - q s_{(m)})^2]` with :math:`q = \lfloor r/s_{(m)} \rfloor`; see
    :func:`hhi_bounds`).  Complete markets have ``hhi_min = hhi_max = hhi``.

    Parameters
    ----------
    {common}
    measures : sequence of str, default ("hhi", "cr4")
        Any of ``"hhi"``, ``"cr<k>"`` (e.g. ``"cr4"``), ``"effective_number"``,
        ``"entropy"``, ``"entropy_normalized"``, ``"gini"``, ``"hannah_kay"``
        (order ``alpha``), ``"n_firms"``, ``"share_sum"``, ``"hhi_min"``,
        ``"hhi_max"``.  The columns ``share_sum`` and ``lower_bound`` (True where
        the listed shares sum below one, so the HHI covers only the listed firms) are
        always included.
    alpha : float, default 2.0
        Order of the Hannah-Kay index.
    {fringe}
    bounds : bool, default True
        With ``"hhi"`` among the measures, add the columns ``hhi_min`` and
        ``hhi_max`` after it (the bounds of :func:`hhi_bounds`; missing for a market
        without a positive share, where no bound exists).  ``False`` leaves them out
        unless they are requested as measures.
    {flags}

    Returns
    -------
    pandas.DataFrame
        One row per group (a single row for one market), one column per measure;
        each market's periods in time order.

    Raises
    ------
    PeriodError
        A period label that cannot be placed in time (and no date columns for it).

    References
    ----------
    .. [CA] Calkins, S. (1983). The new merger guidelines and the Herfindahl-Hirschman
       Index. California Law Review 71(2), 402-429.

    Examples
    --------
    >>> import concentration as cn
    >>> cn.indices({"A": 0.5, "B": 0.3, "C": 0.2}, ["hhi", "cr2"])[["hhi", "cr2"]]
          hhi  cr2
    0  3800.0  0.8

    Top-3 data summing to 0.9: the 0.1 not listed is at most one firm of 0.1 (the
    smallest listed share), so the HHI lies in [2,900, 3,000].

    >>> import warnings
    >>> with warnings.catch_warnings():  # the FringeWarning reports the top-N market
    ...     warnings.simplefilter("ignore", cn.exceptions.FringeWarning)
    ...     t = cn.indices({"A": 0.4, "B": 0.3, "C": 0.2}, ["hhi"])
    >>> t[["hhi", "hhi_min", "hhi_max", "lower_bound"]].round(6)
          hhi  hhi_min  hhi_max  lower_bound
    0  2900.0   2900.0   3000.0         True
    """
    func = "indices"
    if isinstance(measures, str):
        measures = [m.strip() for m in measures.split(",") if m.strip()]
    listed = ", ".join(MEASURES)
    if measures is None or isinstance(measures, (bytes, Mapping)) \
            or not isinstance(measures, Iterable):
        raise InvalidParameterError(param_message(
            func, "measures", f"a list of measure names ({listed})", measures,
            "For example measures=['hhi', 'cr4'] or measures='hhi,cr4'."))
    measures = list(measures)
    for m in measures:
        if not isinstance(m, str):
            raise InvalidParameterError(param_message(
                func, "measures", f"a list of measure names ({listed})", m,
                "Each measure is a string, e.g. 'hhi' or 'cr4'."))
    if not measures:
        raise InvalidParameterError(param_message(func, "measures", "a non-empty list", measures))
    ks = []
    for m in measures:
        match = _CR.match(m)
        if match:
            ks.append(check_int(func, "measures", int(match.group(1)), low=1))
        elif m not in MEASURES or m == "cr<k>":
            raise InvalidParameterError(param_message(
                func, "measures", "a list of " + ", ".join(MEASURES), m,
                (did_you_mean(m, [x for x in MEASURES if x != "cr<k>"]) + " "
                 if isinstance(m, str) else "")
                + "For a k-firm concentration ratio write e.g. 'cr4'."))
    alpha = check_number(func, "alpha", alpha, low=0.0, low_open=True)
    bounds = check_bool(func, "bounds", bounds)
    data, flagged = split_non_markets(data, market_flag, non_markets, market, func)
    table = _table(func, data, market=market, period=period, firm=firm, share=share,
                   value=value, scale=scale, duplicates=duplicates, parent=parent,
                   tolerance=tolerance, period_start=period_start,
                   period_end=period_end, fringe=fringe, fringe_size=fringe_size)
    table.time_order(func)
    total, sumsq, count, _, minimum, top = table.stats(max(ks, default=0), func=func)
    cols = {}
    for m in measures:
        if m == "hhi":
            cols[m] = 10_000.0 * sumsq
            if bounds and "hhi_min" not in measures and "hhi_max" not in measures:
                low, high = hhi_bounds_from_stats(sumsq, total, minimum, count)
                none = np.asarray(total) <= 0  # no positive share: no bound
                cols["hhi_min"] = np.where(none, np.nan, 10_000.0 * low)
                cols["hhi_max"] = np.where(none, np.nan, 10_000.0 * high)
        elif _CR.match(m):
            cols[m] = top[:, : int(_CR.match(m).group(1))].sum(axis=1)
        elif m == "effective_number":
            _require_a_share(table, total, func, "the effective number of firms is")
            cols[m] = _effective_values(sumsq)
        elif m in ("entropy", "entropy_normalized"):
            cols[m] = _entropy_values(table, m == "entropy_normalized")
        elif m == "hannah_kay":
            _require_a_share(table, total, func, "the Hannah-Kay index is")
            cols[m] = _hannah_kay_values(table, alpha)
        elif m == "gini":
            cols[m] = _gini_values(table)
        elif m == "n_firms":
            cols[m] = count
        elif m in ("hhi_min", "hhi_max"):
            _require_a_share(table, total, func, "bounds on the HHI are")
            low, high = hhi_bounds_from_stats(sumsq, total, minimum, count)
            cols[m] = 10_000.0 * (low if m == "hhi_min" else high)
    cols["share_sum"] = total
    cols["lower_bound"] = total < 1.0 - tolerance
    frame = pd.DataFrame(cols)
    if flagged:
        if table.groups is None or market not in (table.groups.names or []):
            frame["is_market"] = False
        else:
            labels = table.groups.get_level_values(market)
            frame["is_market"] = ~np.asarray(pd.Index(labels).isin(flagged))
    if table.groups is None:
        return frame
    frame.index = table.groups
    return frame


def _gini_values(table):
    """Per-group Gini coefficient (see :func:`gini`)."""
    order, counts, starts = _sorted_within(table)
    x = table.shares[order]
    g = table.codes[order]
    rank = np.arange(x.size) - starts[g] + 1
    num = np.bincount(g, weights=(2 * rank - counts[g] - 1) * x, minlength=table.n_groups)
    tot = np.bincount(g, weights=x, minlength=table.n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, num / (counts * np.where(tot > 0, tot, 1.0)), 0.0)


def _require_a_share(table, total, func, what):
    """InvalidSharesError when a market has no firm with a positive share.

    Such a market has no effective number of firms (1/0) and no HHI bounds (a fringe
    of 1 cannot lie below a largest share of 0); the HHI itself is 0 over no firm.
    """
    empty = np.flatnonzero(np.asarray(total) <= 0)
    if empty.size:
        where = "the market" if table.groups is None else repr(table.groups[int(empty[0])])
        raise InvalidSharesError(
            f"{func}: {empty.size} market(s) have no firm with a positive share (first: "
            f"{where}), so {what} not defined there. Drop those markets, or check that "
            "the shares were read from the right column.")


def _effective_values(sumsq):
    """1 / sum of squared shares (markets without a positive share are refused first)."""
    return np.where(sumsq > 0, 1.0 / np.where(sumsq > 0, sumsq, 1.0), np.inf)


def _entropy_values(table, normalize):
    """Per-group Shannon entropy, optionally divided by ln(n) (see :func:`entropy`)."""
    h = -_grouped.grouped_power_sum(table.codes, table.shares, table.n_groups, 1.0) + 0.0
    if normalize:
        npos = np.bincount(table.codes[table.shares > 0], minlength=table.n_groups)
        h = np.where(npos > 1, h / np.log(np.maximum(npos, 2)), 0.0)
    return h


def _hannah_kay_values(table, alpha):
    """Per-group Hannah-Kay numbers-equivalent (see :func:`hannah_kay`), through logs.

    With :math:`m` the largest share, :math:`T = \\sum_j s_j` and :math:`d = \\alpha - 1`,

    * :math:`|d| > 1/2`: :math:`\\ln N = -\\frac{\\alpha}{\\alpha - 1}\\ln m
      - \\frac{1}{\\alpha - 1}\\ln \\sum_j (s_j/m)^{\\alpha}` (the log-sum-exp form: the
      sum is at least 1, so nothing underflows or overflows, and
      :math:`N \\to 1/m` as :math:`\\alpha \\to \\infty`);
    * :math:`|d| \\le 1/2`: :math:`\\ln N = -\\frac{1}{d}\\big(\\ln T + \\operatorname{log1p}(A/T)\\big)`,
      :math:`A = \\sum_j s_j \\operatorname{expm1}(d \\ln s_j)`, which tends to the entropy
      form :math:`\\ln N(1) = -\\sum_j s_j \\ln s_j` (for :math:`T = 1`) without the
      cancellation of :math:`\\sum_j s_j^{\\alpha} - 1`.  A total within rounding of one
      (:math:`|T - 1| \\le 4 n \\epsilon`) is taken as one: its log divided by a small
      :math:`d` would otherwise dominate.

    An all-zero group gives ``inf`` (as the effective number does).
    """
    codes, shares, n = table.codes, table.shares, table.n_groups
    if alpha == 1.0:
        p = _grouped.grouped_power_sum(codes, shares, n, 1.0)
        return np.exp(-p)
    total, _, count, maximum, _, _ = table.stats()
    pos = shares > 0
    c, s = codes[pos], shares[pos]
    d = alpha - 1.0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        if abs(d) > 0.5:
            m = maximum[c]
            inner = np.bincount(c, weights=np.power(s / m, alpha), minlength=n)
            t = np.log(maximum) + np.log(inner)  # ln(m * inner); N = exp(-t / d) / m
            # exp(-t / d) / m where m is a normal number, else all in logs
            value = np.where(maximum > 1e-290, np.exp(-t / d) / maximum,
                             np.exp(-(alpha / d) * np.log(maximum) - np.log(inner) / d))
        else:
            a = np.bincount(c, weights=s * np.expm1(d * np.log(s)), minlength=n)
            rounding = np.abs(total - 1.0) <= 4.0 * np.maximum(count, 1) * np.finfo(float).eps
            log_t = np.where(rounding, 0.0, np.log(total))
            value = np.exp(-(log_t + np.log1p(a / total)) / d)
        return np.where(maximum > 0, value, np.inf)
