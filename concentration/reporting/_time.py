"""Periods in the report: each market's periods in time order, and its latest period.

Order and "latest" are per market and follow the periods' dates: the data's own
``period_start``/``period_end`` columns where present, else the labels placed in
time by :mod:`concentration._periods` (a label that cannot be placed is a
:class:`~concentration.exceptions.PeriodError` naming it).  Never one order over the
mixed period column of several markets, never the labels' text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._periods import period_bounds, period_order

__all__ = ["START", "END", "PeriodIndex", "period_index"]

#: Columns of the period dates the report reads from the share data when present.
START, END = "period_start", "period_end"


class PeriodIndex:
    """Each (market, period) of a share table with its dates and its rank in its market.

    ``frame`` has the columns market (when the data have one), period,
    ``period_start``, ``period_end`` and ``rank`` (0 for a market's first period).
    """

    def __init__(self, frame: pd.DataFrame, market, period):
        self.frame = frame
        self.market = market
        self.period = period

    @property
    def has_market(self) -> bool:
        return self.market in self.frame.columns

    def _keys(self):
        return [c for c in (self.market, self.period) if c in self.frame.columns]

    def attach(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` (market and period as columns or index levels) with the dates and rank.

        Rows keep their other columns; the index is reset.
        """
        out = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df.copy()
        keys = [k for k in self._keys() if k in out.columns]
        extra = [c for c in (START, END, "rank") if c in out.columns]
        out = out.drop(columns=extra)
        look = self.frame[keys + [START, END, "rank"]]
        return out.merge(look, on=keys, how="left", sort=False, validate="many_to_one")

    def sort(self, df: pd.DataFrame, *, by=()) -> pd.DataFrame:
        """``df`` with the dates, by market (sorted) and, within one, in time order.

        ``by`` names further columns to sort by after the period (e.g. a guideline).
        """
        out = self.attach(df)
        keys = ([self.market] if self.market in out.columns else []) + ["rank"] + list(by)
        return out.sort_values(keys, kind="stable").reset_index(drop=True)

    def latest(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``df`` in each market's latest period (the latest start in time)."""
        return self._edge(df, "max")

    def first(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``df`` in each market's first period."""
        return self._edge(df, "min")

    def _edge(self, df, how):
        out = self.attach(df)
        if self.market in out.columns:
            edge = out.groupby(self.market, sort=False)["rank"].transform(how)
        else:
            edge = getattr(out["rank"], how)()
        return out[out["rank"] == edge].reset_index(drop=True)

    def periods(self, market=None) -> list:
        """The periods of ``market`` (or of the table) in time order."""
        f = self.frame
        if market is not None and self.has_market:
            f = f[f[self.market] == market]
        return list(f.sort_values("rank", kind="stable")[self.period])


def period_index(frame: pd.DataFrame, *, market, period, func="report") -> PeriodIndex | None:
    """The periods of a share table with their dates and order, per market.

    None when the table has no period column.  Dates come from the ``period_start``
    and ``period_end`` columns where present and not missing, else from the labels.
    Raises :class:`~concentration.exceptions.PeriodError` for a label that has no
    place in time (naming it and its market).
    """
    if period is None or period not in frame.columns:
        return None
    has_market = market is not None and market in frame.columns
    keys = ([market] if has_market else []) + [period]
    starts = frame[START] if START in frame.columns else None
    ends = frame[END] if END in frame.columns else None
    s, e = period_bounds(frame[period], starts, ends)
    dated = pd.DataFrame({k: frame[k].to_numpy() for k in keys})
    dated[START] = s
    dated[END] = e
    groups = dated.groupby(keys, sort=False, dropna=False, observed=True).agg(
        **{START: (START, "min"), END: (END, "max")}).reset_index()
    parts = []
    for m, g in (groups.groupby(market, sort=True, observed=True) if has_market
                 else [(None, groups)]):
        where = "" if m is None else f"market {m!r}"
        order = period_order(g[period].astype(frame[period].dtype)
                             if isinstance(frame[period].dtype, pd.CategoricalDtype)
                             else g[period], g[START], g[END], func=func, where=where)
        rank = {p: i for i, p in enumerate(order)}
        parts.append(g.assign(rank=g[period].map(rank).to_numpy(dtype=np.int64)))
    table = pd.concat(parts, ignore_index=True) if parts else groups.assign(rank=0)
    return PeriodIndex(table, market, period)
