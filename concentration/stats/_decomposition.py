"""The change of the HHI between periods, split into its sources.

:func:`hhi_change_decomposition` splits the change of the HHI between consecutive
periods of each market exactly into entry, exit, firms not reported (a gap in top-N
data), reallocation among incumbents and ownership change: the Shapley value [SH]_
of each of the five factors for the quadratic form of :mod:`concentration._quadratic`,
so the parts sum to the change whatever the order in which the changes are imagined.

References
----------
.. [SH] Shapley, L. S. (1953). A value for n-person games. In Contributions to the
   Theory of Games II, Annals of Mathematics Studies 28, 307-317.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._quadratic import quadratic_form
from .._results import ResultMixin
from .._tables import DEFAULT_TOLERANCE, coerce_shares, map_parents
from .._validation import check_columns, param_message
from ..exceptions import InvalidParameterError

__all__ = ["hhi_change_decomposition", "HHIChangeDecomposition"]

_PARTS = ("entry", "exit", "not_reported", "reallocation", "ownership")
_COUNTS = ("n_entrants", "n_exiters", "n_not_reported", "n_owner_changes")
_NOT_REPORTED_RULE = ("A firm missing from a period whose listed shares sum below one (top-N "
                      "data) and listed both before and after it is 'not reported' there, "
                      "not an exit and a re-entry.")


@dataclass(frozen=True, repr=False)
class HHIChangeDecomposition(ResultMixin):
    """The change of the HHI between consecutive periods of each market, by source.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per market and pair of consecutive periods: ``market`` (when the data
        have one), ``period_from``, ``period_to``, ``hhi_from``, ``hhi_to``,
        ``delta_hhi``, ``entry``, ``exit``, ``not_reported``, ``reallocation``,
        ``ownership`` (points; the five parts sum to ``delta_hhi``), ``n_entrants``,
        ``n_exiters``, ``n_not_reported``, ``n_owner_changes``.
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
        notes = ["Shapley decomposition over five factors (entry, exit, firms not reported "
                 "in top-N data, reallocation among incumbents, ownership change); the parts "
                 "sum exactly to the change.", _NOT_REPORTED_RULE]
        return "HHI change decomposition", facts, notes

    def plot(self, *, ax=None):
        """Stacked bars of the five parts per transition, with the total change marked.

        Drawn by :func:`concentration.plotting.plot_decomposition`; returns the Axes.
        """
        from ..plotting import plot_decomposition

        first = self.table.columns[0] if len(self.table.columns) else None
        market = first if first != "period_from" else None  # the market column, if any
        return plot_decomposition(self.table, parts=_PARTS, market=market, ax=ax)


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
            for subset in combinations(others, r):
                s = frozenset(subset)
                phi[i] += weight * (v(s | {i}) - v(s))
    return phi, v(frozenset()), v(frozenset(range(n_factors)))


def _listed_span(firms, rows):
    """Positions of the first and last period in which each firm of one market is listed.

    ``rows[i]`` are the row numbers of the market's ``i``-th period in time order.
    """
    first, last = {}, {}
    for i, r in enumerate(rows):
        for f in firms[r]:
            first.setdefault(f, i)
            last[f] = i
    return first, last


def _decompose_pair(s0, s1, own0, own1, gap0, gap1):
    """Shapley parts of quadratic_form(s1, K1) - quadratic_form(s0, K0).

    ``gap0`` marks the firms not reported in the first period (absent there, listed
    before it, in a lower-bound period), ``gap1`` those not reported in the second
    (absent there, listed after it, in a lower-bound period).
    """
    unlisted = (gap0 & (s0 == 0) & (s1 > 0)) | (gap1 & (s0 > 0) & (s1 == 0))
    entrant = (s0 == 0) & (s1 > 0) & ~unlisted
    exiter = (s0 > 0) & (s1 == 0) & ~unlisted
    incumbent = (s0 > 0) & (s1 > 0)
    # owners of firms seen in one period only are taken from that period
    o0 = np.where(s0 == 0, own1, own0)
    o1 = np.where(s1 == 0, own0, own1)
    k0, k1 = _owner_weights(o0), _owner_weights(o1)
    d = [np.where(entrant, s1, 0.0), np.where(exiter, -s0, 0.0),
         np.where(unlisted, s1 - s0, 0.0), np.where(incumbent, s1 - s0, 0.0)]
    n_shares = len(d)

    def value(subset):
        s = s0.copy()
        for f in range(n_shares):
            if f in subset:
                s = s + d[f]
        return quadratic_form(s, k1 if n_shares in subset else k0)

    phi, start, end = _shapley(value, n_shares + 1)
    changed = incumbent & (np.asarray(o0, dtype=object) != np.asarray(o1, dtype=object))
    return phi, start, end, (int(entrant.sum()), int(exiter.sum()), int(unlisted.sum()),
                             int(changed.sum()))


def hhi_change_decomposition(data, *, market="market", period="period", firm="firm",
                             share="share", value=None, owner=None, parent=None,
                             scale="fraction", tolerance=DEFAULT_TOLERANCE,
                             period_start="period_start", period_end="period_end"):
    r"""Split the change of the HHI between consecutive periods into its sources.

    With shares :math:`s^0, s^1` of the operating firms and same-owner matrices
    :math:`K^0, K^1` (:math:`K_{jk} = 1` when firms :math:`j, k` have the same owner),
    :math:`\mathrm{HHI}^t = 10{,}000\, s^{t\prime} K^t s^t` (the quadratic form of
    :mod:`concentration._quadratic`).  Write :math:`s^1 = s^0 + d_E + d_X + d_U + d_R`
    with :math:`d_E` the entrants' new shares (:math:`s^0_j = 0 < s^1_j`),
    :math:`d_X = -s^0` on exiting firms (:math:`s^0_j > 0 = s^1_j`), :math:`d_U` the
    change of the firms *not reported* in one of the two periods (below) and
    :math:`d_R = s^1 - s^0` on incumbents, and let the fifth factor switch :math:`K^0`
    to :math:`K^1`.  With
    :math:`v(S) = 10{,}000\,(s^0 + \sum_{f \in S} d_f)' K^{1[O \in S]} (s^0 + \sum_{f\in S} d_f)`
    for a subset :math:`S` of the factors :math:`N = \{E, X, U, R, O\}`, each part is the
    Shapley value [SH]_

    .. math:: \phi_i = \sum_{S \subseteq N \setminus \{i\}}
              \frac{|S|!\,(4 - |S|)!}{5!}\,\big(v(S \cup \{i\}) - v(S)\big),

    so :math:`\phi_E + \phi_X + \phi_U + \phi_R + \phi_O = v(N) - v(\emptyset) =
    \mathrm{HHI}^1 - \mathrm{HHI}^0` exactly, whatever the order in which the changes
    are imagined.  The interaction of two changes (say an entrant whose owner also owns
    an incumbent that grew) is split equally between them.  A firm listed in one period
    only keeps the owner it had there, so only incumbents' owner changes count as
    ownership change.

    **Not reported is not exit.**  Top-N tables (shares summing below one by more than
    ``tolerance``) leave firms out.  A firm with no row in such a period that is listed
    in an earlier *and* a later period of the market was not reported there: its
    disappearance and its return are booked as ``not_reported``, not as ``exit`` and
    ``entry``.  A firm missing from a period whose shares sum to one has exited; a firm
    missing from every later period has exited (or is not known to have returned); a
    firm listed with a share of 0 is reported as 0.  The HHI of such a period is a lower
    bound (see :func:`concentration.hhi_bounds`).

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per market, period and operating firm.
    market, period, firm, share, value, scale, tolerance, period_start, period_end
        As for :func:`concentration.hhi`; ``period`` is required.  Consecutive means
        consecutive in time within each market: periods are placed by the
        ``period_start``/``period_end`` columns, else by their labels, and a label
        that can be placed neither way is a PeriodError.  ``tolerance`` also decides
        which periods are top-N (lower bound) for the not-reported rule.
    owner : str, optional
        Column with each firm's ultimate owner in that period (missing means the firm
        owns itself).  Ownership changes come from here.
    parent : mapping, pandas.Series or pandas.DataFrame, optional
        The entity model, as for :func:`concentration.hhi` (a mapping, or a table such
        as ``concentration.datasets.load("entities")`` with aliases and dated
        ``parent_since`` links).  Each firm's owner is its ultimate parent at the end
        of each period, so a link that starts between two periods is an ownership
        change; undated links hold in every period (no ownership change).

    Returns
    -------
    HHIChangeDecomposition

    Raises
    ------
    PeriodError
        A period label that cannot be placed in time.

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

    Top-N data: B is missing from period 2 (the listed shares sum to 0.6) but listed in
    periods 1 and 3, so its 0.3 is not reported, not an exit.  From 3,400 to 3,600:
    ``not_reported`` is :math:`\tfrac12[(0.25 - 0.34) + (0.36 - 0.45)] = -0.09`
    (-900 points) and A's growth from 0.5 to 0.6 gives reallocation +1,100.

    >>> top = pd.DataFrame({"period": [1, 1, 2, 3, 3], "firm": ["A", "B", "A", "A", "B"],
    ...                     "share": [0.5, 0.3, 0.6, 0.5, 0.3]})
    >>> import warnings
    >>> with warnings.catch_warnings():  # the FringeWarning reports the top-N periods
    ...     warnings.simplefilter("ignore", cn.exceptions.FringeWarning)
    ...     t = cn.stats.hhi_change_decomposition(top).to_frame()
    >>> t[["exit", "not_reported", "reallocation"]].round(6).iloc[0].tolist()
    [0.0, -900.0, 1100.0]
    """
    func = "hhi_change_decomposition"
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(param_message(func, "data", "a long DataFrame with a "
                                                  "period column", type(data).__name__))
    names = {"market": market, "period": period, "firm": firm, "share": share, "value": value,
             "owner": owner}
    for name, col in names.items():
        optional = name in ("market", "value", "owner")
        if (col is None and not optional) or (col is not None and not isinstance(col, (str, int))):
            raise InvalidParameterError(param_message(
                func, name, "a column name" + (" or None" if optional else ""), col,
                f"Pass {name}=<column name>."))
    check_columns(func, data, {"period": period, "firm": firm, "owner": owner})
    if owner is not None and parent is not None:
        raise InvalidParameterError(param_message(
            func, "parent", "None when owner= names an ownership column", "a mapping",
            "Use owner= for ownership that changes, parent= for a fixed mapping."))
    table = coerce_shares(data, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates="error", parent=None,
                          tolerance=tolerance, func=func,
                          fringe_note="The decomposition covers the listed firms.",
                          period_start=period_start, period_end=period_end)
    table.time_order(func)
    firms = table.firms
    if owner is not None:
        owners = data[owner].to_numpy(dtype=object)
        owners = np.where(pd.isna(owners), firms, owners)
    elif parent is not None:
        at = None if table.intervals is None else \
            table.intervals["period_end"].to_numpy(dtype="datetime64[ns]")[table.codes]
        owners = map_parents(firms, parent, func, at=at)
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
    lower = np.asarray(table.totals) < 1.0 - tolerance
    rows_out = []
    for m in pd.unique(mk):
        gs = np.flatnonzero(mk == m)  # groups come in time order within a market
        rows = [order[starts[g]:starts[g + 1]] for g in gs]
        first, last = _listed_span(firms, rows)
        for i, (g0, g1) in enumerate(zip(gs[:-1], gs[1:])):
            r0, r1 = rows[i], rows[i + 1]
            universe = pd.Index(pd.unique(np.concatenate([firms[r0], firms[r1]])))
            i0, i1 = universe.get_indexer(firms[r0]), universe.get_indexer(firms[r1])
            s0 = np.zeros(len(universe))
            s1 = np.zeros(len(universe))
            own0 = np.asarray(universe, dtype=object).copy()
            own1 = own0.copy()
            s0[i0], s1[i1] = table.shares[r0], table.shares[r1]
            own0[i0], own1[i1] = owners[r0], owners[r1]
            listed0 = np.zeros(len(universe), dtype=bool)
            listed1 = listed0.copy()
            listed0[i0], listed1[i1] = True, True
            pos_first = universe.map(first).to_numpy(dtype=np.int64)
            pos_last = universe.map(last).to_numpy(dtype=np.int64)
            gap0 = lower[g0] & ~listed0 & (pos_first < i)
            gap1 = lower[g1] & ~listed1 & (pos_last > i + 1)
            phi, h0, h1, counts = _decompose_pair(s0, s1, own0, own1, gap0, gap1)
            row = {"market": m} if has_market else {}
            row.update({"period_from": pk[g0], "period_to": pk[g1], "hhi_from": h0,
                        "hhi_to": h1, "delta_hhi": h1 - h0})
            row.update(zip(_PARTS, phi))
            row.update(zip(_COUNTS, counts))
            rows_out.append(row)
    cols = (["market"] if has_market else []) + [
        "period_from", "period_to", "hhi_from", "hhi_to", "delta_hhi", *_PARTS, *_COUNTS]
    out = pd.DataFrame(rows_out, columns=cols)
    if has_market:
        out = out.rename(columns={"market": groups.names[0]})
    return HHIChangeDecomposition(table=out)
