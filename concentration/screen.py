"""Merger screens: pre/post HHI, ΔHHI, combined share and the verdict of each guideline.

For every market x period (and every deal), the screen computes

.. math::

    \\mathrm{HHI}_{pre} = 10{,}000 \\sum_j s_j^2, \\qquad
    \\Delta\\mathrm{HHI} = 10{,}000 \\Big[\\big(\\sum_{p \\in P} s_p\\big)^2
        - \\sum_{p \\in P} s_p^2\\Big] = 20{,}000 \\sum_{p<q \\in P} s_p s_q,

with :math:`P` the merging parties (for two parties :math:`2 s_a s_b`, in points),
and :math:`\\mathrm{HHI}_{post}` over the table where the parties are one firm.  Pre-
and post-merger HHI come from the grouped kernel behind :func:`concentration.hhi`;
ΔHHI is computed from the parties' shares so that it is exact even when the table
lists only some firms.  The verdicts are read from :mod:`concentration.guidelines`.

References
----------
.. [MG23] U.S. DOJ and FTC (2023). Merger Guidelines, Section 2.1.
.. [HMG10] U.S. DOJ and FTC (2010). Horizontal Merger Guidelines, Section 5.3.
.. [EU04] European Commission (2004). Horizontal Merger Guidelines, OJ C 31, paras 17-21.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.api.types import pandas_dtype

from ._dispatch import dispatchable
from ._docstrings import MERGER_PARAMETERS, substitute
from ._entities import coerce_entities
from ._results import DeferredFrame, FrameField, ResultMixin, built_state
from ._tables import DEFAULT_TOLERANCE, ShareTable, coerce_shares, small_market
from ._validation import check_number, close_matches, param_message
from .exceptions import InvalidParameterError
from .guidelines import GUIDELINES, VERDICTS, Guideline, get_guideline, resolve_guidelines
from .measures import (MARKET_FLAG_PARAMETERS, PERIOD_PARAMETERS, hhi_bounds_from_stats,
                       split_non_markets)

__all__ = ["MergerScreen", "screen_merger", "divest", "minimum_divestiture"]

_FRINGE_NOTE = ("Policy of screen_merger: pre- and post-merger HHI (and verdict) cover the "
                "listed firms only (lower bounds, column lower_bound); the *_upper columns "
                "and verdict_upper add the fringe at the upper bound of hhi_bounds, and "
                "holds_at_both_bounds says whether the verdict survives it.")
_BOUND_COLUMNS = {"lower": "verdict", "upper": "verdict_upper", "both": "holds_at_both_bounds"}
_BOUNDS_NOTE = ("Top-N markets (lower_bound): verdict/verdict_lower are read on the listed "
                "firms, verdict_upper with the unlisted remainder split into firms no larger "
                "than the smallest listed share (the upper bound of hhi_bounds), merging "
                "parties not listed taken as the largest of them; ΔHHI is the same at both "
                "bounds when both parties are listed.")


@dataclass(frozen=True, repr=False)
class MergerScreen(ResultMixin):
    """Result of :func:`screen_merger`, :func:`divest` or :func:`minimum_divestiture`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (deal,) market x period x guideline with ``pre_hhi``,
        ``post_hhi``, ``delta_hhi`` (points), ``combined_share`` (fraction),
        ``parties_present``, ``overlap``, ``share_sum``, ``lower_bound``, ``zone``,
        ``verdict``, ``rule``, ``citation``, ``not_checked``; the same read at the
        upper bound of the HHI (see :func:`screen_merger`): ``verdict_lower`` (=
        ``verdict``), ``pre_hhi_upper``, ``post_hhi_upper``, ``delta_hhi_upper``,
        ``combined_share_upper``, ``fringe_parties``, ``zone_upper``,
        ``verdict_upper``, ``rule_upper``, ``citation_upper`` and
        ``holds_at_both_bounds``; remedies add ``divested``, ``buyer`` and
        ``buyer_share``.
    guidelines : tuple of str
        Registry keys applied.
    deals : dict
        Deal name -> tuple of merging parties.
    keys : tuple of str
        Grouping columns (market, period) present in ``table``.
    notes : tuple of str
        Policies applied (top-N bounds, the divestiture search).
    merged : pandas.DataFrame
        What the entity model (``parent=``) merged into what in the data: columns
        ``firm`` (as in the data) and ``entity`` (its ultimate parent at the period's
        end); empty without ``parent=``.
    parties : pandas.DataFrame
        How each merging party was resolved through the entity model: columns
        ``deal``, ``party`` (as given) and ``entity`` (one row per entity it stands
        for in some period); empty without ``parent=``.
    """

    # FrameField is a descriptor: the frames may be given deferred and built when read
    table: pd.DataFrame = FrameField()  # noqa: RUF009
    guidelines: tuple
    deals: dict
    keys: tuple = ()
    notes: tuple = field(default_factory=tuple)
    merged: pd.DataFrame = FrameField(  # noqa: RUF009
        default=lambda: _no_entities(("firm", "entity")))
    parties: pd.DataFrame = FrameField(  # noqa: RUF009
        default=lambda: _no_entities(("deal", "party", "entity")))

    def __getstate__(self):
        return built_state(self)

    def to_frame(self) -> pd.DataFrame:
        """The screen as a tidy DataFrame (a copy)."""
        return self.table.copy()

    def verdicts(self, *, bound="lower") -> pd.DataFrame:
        """Verdict codes pivoted: one row per (deal,) market x period, one column per guideline.

        ``bound="lower"`` gives ``verdict`` (the listed firms), ``"upper"`` gives
        ``verdict_upper`` (the HHI upper bound of top-N markets) and ``"both"`` gives
        ``holds_at_both_bounds``.  Rows keep the table's order (each market's periods
        in time order), columns the order of the guidelines.
        """
        if bound not in _BOUND_COLUMNS:
            raise InvalidParameterError(param_message(
                "MergerScreen.verdicts", "bound", "one of {'lower', 'upper', 'both'}", bound))
        col = _BOUND_COLUMNS[bound]
        idx = [c for c in ("deal",) + tuple(self.keys) if c in self.table.columns]
        if not idx:
            return self.table.set_index("guideline")[[col]].T.reset_index(drop=True)
        t = self.table
        out = t.pivot_table(index=idx, columns="guideline", values=col, aggfunc="first")
        rows = t[idx].drop_duplicates()
        order = pd.MultiIndex.from_frame(rows) if len(idx) > 1 else pd.Index(rows[idx[0]])
        out = out.reindex(index=order, columns=[g for g in self.guidelines if g in out.columns])
        out.columns.name = "guideline"
        return out

    def plot(self, *, guideline=None, ax=None):
        """Zone chart: each screened market on the (post-merger HHI, ΔHHI) plane.

        Draws the overlapping markets under ``guideline`` (the first applied when
        omitted) with that guideline's HHI and ΔHHI thresholds; see
        :func:`concentration.plotting.plot_screen_zones`.  Needs matplotlib
        (``pip install antitrust-concentration[plot]``).  Returns the Axes.
        """
        from .plotting import plot_screen_zones

        key = guideline or self.guidelines[0]
        t = self.table[self.table["guideline"] == key]
        if "overlap" in t.columns:
            t = t[t["overlap"]]
        keys = [c for c in ("deal",) + tuple(self.keys) if c in t.columns]
        labels = [" ".join(map(str, r)) for r in t[keys].itertuples(index=False)] if keys \
            else None
        return plot_screen_zones(t["post_hhi"].to_numpy(), t["delta_hhi"].to_numpy(),
                                 labels=labels, thresholds=get_guideline(key).thresholds(), ax=ax,
                                 title=f"Merger screen under {key}")

    def _summary_parts(self):
        t = self.table
        n_markets = len(t) // max(len(self.guidelines), 1) // max(len(self.deals), 1)
        facts = [("deals", "; ".join(f"{k}: {' + '.join(map(str, v))}"
                                     for k, v in self.deals.items())),
                 ("guidelines", ", ".join(self.guidelines)),
                 ("markets", n_markets),
                 ("overlapping", int(t.loc[t["guideline"] == self.guidelines[0],
                                           "overlap"].sum()) if len(t) else 0)]
        counts = t["verdict"].value_counts()
        facts.append(("verdicts", ", ".join(f"{k} {v}" for k, v in counts.items())))
        if len(self.parties):
            facts.append(("parties as entities", "; ".join(
                f"{p} -> {e}" for p, e in dict.fromkeys(
                    zip(self.parties["party"], self.parties["entity"])))))
        if len(self.merged):
            facts.append(("firms merged into parents", "; ".join(
                f"{f} -> {e}" for f, e in zip(self.merged["firm"], self.merged["entity"]))))
        notes = list(self.notes)
        if "holds_at_both_bounds" in t.columns and "lower_bound" in t.columns \
                and t["lower_bound"].any():
            flips = int((~t["holds_at_both_bounds"]).sum())
            facts.append(("verdicts not at both bounds", flips))
            notes.append(_BOUNDS_NOTE)
        return "Merger screen", facts, notes


# ---------------------------------------------------------------------------
# helpers


def _parties(value) -> tuple:
    """The parties of one deal as a tuple (empty when ``value`` lists none)."""
    if isinstance(value, str):
        return (value,)
    if value is None or not isinstance(value, Iterable):
        return ()
    return tuple(value)


def _deals(merging, func) -> dict:
    if isinstance(merging, Mapping):
        deals = {str(k): _parties(v) for k, v in merging.items()}
    elif isinstance(merging, str):
        deals = {"deal": tuple(p.strip() for p in merging.split(",") if p.strip())}
    else:
        deals = {"deal": _parties(merging)}
    distinct = [len(p) >= 2 and all(isinstance(x, Hashable) for x in p)
                and len(set(p)) == len(p) for p in deals.values()]
    if not distinct or not all(distinct):
        raise InvalidParameterError(param_message(
            func, "merging", "two or more distinct parties (or a mapping deal -> parties)",
            merging, "Pass e.g. ['A', 'B'] or {'deal 1': ['A', 'B'], 'deal 2': ['C', 'D']}."))
    return deals


def _guidelines(guidelines, func) -> tuple:
    """The guideline records of ``guidelines`` (a key, a record, a list of them or 'all')."""
    if isinstance(guidelines, Iterable) and not isinstance(guidelines, (str, Mapping)):
        guidelines = list(guidelines)
        ok = all(isinstance(k, (str, Guideline)) for k in guidelines)
    else:
        ok = isinstance(guidelines, (str, Guideline))
    if not ok:
        raise InvalidParameterError(param_message(
            func, "guidelines", "a registry key, a list of keys or 'all'", guidelines,
            "Pass e.g. guidelines='us2023' or guidelines=['us2023', 'us2010']; "
            "see concentration.list_guidelines()."))
    return resolve_guidelines(guidelines, func)


def _buyer(buyer, func):
    """``buyer`` itself: None or one firm label (not a list of them)."""
    if buyer is not None and (not isinstance(buyer, Hashable) or (
            isinstance(buyer, Iterable) and not isinstance(buyer, str))):
        raise InvalidParameterError(param_message(
            func, "buyer", "one firm label (or None for a new entrant)", buyer,
            "Pass e.g. buyer='C'."))
    return buyer


def _table(func, shares, market, period, firm, share, value, scale, duplicates, parent,
           tolerance, period_start="period_start", period_end="period_end",
           market_flag="is_market", non_markets=True):
    """The validated share table, the entity model (None without ``parent=``) and the
    labels of the markets flagged as no market (kept with ``non_markets=True``)."""
    shares, flagged = split_non_markets(shares, market_flag, non_markets, market, func)
    entities = coerce_entities(parent, func)
    table = coerce_shares(shares, market=market, period=period, firm=firm, share=share,
                          value=value, scale=scale, duplicates=duplicates, parent=entities,
                          tolerance=tolerance, func=func, fringe_note=_FRINGE_NOTE,
                          period_start=period_start, period_end=period_end)
    if table.firms is None:
        raise InvalidParameterError(param_message(
            func, "shares", "labelled by firm (a mapping, a Series indexed by firm, or a "
            "DataFrame with a firm column)", "unlabelled shares",
            "Name the firms so that the merging parties can be found."))
    return table, entities, _market_flags(table, flagged, market)


def _market_flags(table, flagged, market):
    """Per group: False for the markets flagged as no market (None when none is kept)."""
    if not flagged:
        return None
    if table.groups is None or market not in (table.groups.names or []):
        return np.zeros(table.n_groups, dtype=bool)
    return ~np.asarray(pd.Index(table.groups.get_level_values(market)).isin(flagged))


def _entity_per_group(table, entities, name):
    """What ``name`` is in each group: its ultimate parent at the period's end."""
    if table.intervals is None:
        return np.full(table.n_groups, entities.resolve([name])[0], dtype=object)
    at = table.intervals["period_end"].to_numpy(dtype="datetime64[ns]")
    return entities.resolve(np.full(table.n_groups, name, dtype=object), at)


def _row_mask(table, entities, name):
    """The rows of firm ``name`` (resolved through the entity model when there is one)
    and the entity it stands for in each group (None without entities)."""
    if entities is None:
        firms = table.firms
        if type(name) is str and isinstance(firms, np.ndarray) and firms.dtype == object:
            # the comparison pd.Index makes for an object index (False for missing
            # labels); a label numpy cannot compare (pd.NA) is left to pandas
            try:
                return np.asarray(firms == name, dtype=bool), None
            except (TypeError, ValueError):
                pass
        return np.asarray(pd.Index(firms) == name), None
    per_group = _entity_per_group(table, entities, name)
    return np.asarray(table.firms == per_group[table.codes], dtype=bool), per_group


def _present_names(table):
    """Firm names of the data, as given and as joined, for "did you mean" hints."""
    names = list(pd.unique(table.firms))
    if table.merged is not None and len(table.merged):
        names = list(dict.fromkeys(list(table.merged["firm"]) + names))
    return names


def _missing_message(func, missing, table, entities):
    present = _present_names(table)
    hints = []
    for p in missing:
        near = close_matches(p, present)
        hints.append(f"{p!r}: " + (", ".join(repr(n) for n in near) if near else
                                  "no close name"))
    how = ("Pass parent=concentration.datasets.load('entities') (or your own entity "
           "table) to resolve aliases and subsidiaries." if entities is None else
           "The entity model resolved aliases and parents and still found no such firm.")
    return param_message(
        func, "merging", "firms present in the data", missing,
        "Closest names present: " + "; ".join(hints) + ". Check the spelling (firm labels "
        "are case-sensitive). " + how)


def _party_masks(table, entities, parties, func):
    """One row mask per party, and how each party was resolved (party, entity rows;
    None without an entity model).

    A party is found under its own name or, with an entity model, under its ultimate
    parent at each period's end.  A party found nowhere is an error naming it and the
    closest names present; parties that are one entity in every period (``Google``
    and ``Alphabet``) are an error too: there is no merger to screen.
    """
    masks, resolved, rows = [], [], []
    for p in parties:
        mask, per_group = _row_mask(table, entities, p)
        masks.append(mask)
        resolved.append(per_group)
        if per_group is not None:
            rows += [(p, e) for e in pd.unique(per_group)]
    missing = [p for p, m in zip(parties, masks) if not m.any()]
    if missing:
        raise InvalidParameterError(_missing_message(func, missing, table, entities))
    if entities is not None and len(parties) > 1:
        stacked = np.vstack(resolved)
        distinct = [len(set(stacked[:, g])) for g in range(stacked.shape[1])]
        if max(distinct, default=0) < 2:
            names = ", ".join(f"{p!r} -> {e!r}" for p, e in dict.fromkeys(rows))
            raise InvalidParameterError(param_message(
                func, "merging", "parties that are distinct entities", names,
                "Under parent= these parties are one firm in every period, so there is "
                "no merger to screen; name firms of different groups."))
    if entities is None:
        return masks, None   # nothing was resolved (the caller keeps no parties)
    names = pd.DataFrame(list(dict.fromkeys(rows)), columns=["party", "entity"])
    return masks, names


def _group_reduce(codes, values, n, how):
    out = np.full(n, -np.inf if how == "max" else np.inf)
    (np.maximum if how == "max" else np.minimum).at(out, codes, values)
    return out


def _fringe_parties(table, masks, total, minimum, count):
    """Shares the fringe gives the parties not listed in a market, at the HHI upper bound.

    The upper bound of :func:`concentration.hhi_bounds` splits the unlisted remainder
    ``r = 1 - total`` into ``q`` firms of the smallest listed share ``m`` and one of
    ``r - q m``.  A party with no row in a market where ``r > 0`` takes the largest of
    these fringe firms still free (in the order the parties are given).  Returns the
    per-group squared share of that fringe (fractions) and a ``[groups x parties]``
    array of the fringe shares assigned.
    """
    n = table.n_groups
    low, high = hhi_bounds_from_stats(table.sums()[1], total, minimum, count)
    fringe_sq = np.clip(high - low, 0.0, None)
    rest = np.clip(1.0 - total, 0.0, None)
    rest[rest < 1e-12] = 0.0
    cap = np.where(count > 0, minimum, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rem = np.where(cap > 0, np.fmod(rest, np.where(cap > 0, cap, 1.0)), rest)
        q = np.where(cap > 0, np.floor((rest - rem) / np.where(cap > 0, cap, 1.0) + 0.5), 0.0)
    free_caps = np.nan_to_num(q, posinf=float(len(masks)))
    rem_free = rem > 0
    assigned = np.zeros((n, len(masks)))
    for j, mask in enumerate(masks):
        listed = np.bincount(table.codes[mask], minlength=n) > 0
        absent = ~listed & (rest > 0)
        take_cap = absent & (free_caps >= 1)
        take_rem = absent & ~take_cap & rem_free
        assigned[:, j] = np.where(take_cap, cap, np.where(take_rem, rem, 0.0))
        free_caps = free_caps - take_cap
        rem_free = rem_free & ~take_rem
    return fringe_sq, assigned


def _metrics(table: ShareTable, masks, divested=None, buyer=None, *, fringe=None):
    """Per-group screen metrics at the lower and the upper bound of the HHI.

    Pre/post HHI at the lower bound (the listed firms) come from the grouped kernel;
    the upper bound adds the fringe of :func:`concentration.hhi_bounds` (see
    :func:`_fringe_parties`).  ``fringe`` (None: whether any group's shares leave a
    remainder) False takes the upper bound to be the lower one, which it is when
    no group has a fringe; True computes it in every case.
    """
    n = table.n_groups
    codes, s = table.codes, table.shares
    total, sumsq, count, maximum, minimum, _ = table.stats()
    is_p = np.logical_or.reduce(masks)
    pc, ps = codes[is_p], s[is_p]
    comb = np.bincount(pc, weights=ps, minlength=n)
    psq = np.bincount(pc, weights=ps * ps, minlength=n)
    present = np.bincount(pc[ps > 0], minlength=n)
    pmax = _group_reduce(pc, ps, n, "max")
    pmin = _group_reduce(pc[ps > 0], ps[ps > 0], n, "min")
    pmax[~np.isfinite(pmax)] = 0.0
    pmin[~np.isfinite(pmin)] = 0.0
    overlap = present >= 2
    d = np.zeros(n) if divested is None else divested
    is_b = np.zeros(s.size, dtype=bool)
    bshare = np.zeros(n)
    if buyer is not None:
        is_b = buyer & ~is_p
        bshare = np.bincount(codes[is_b], weights=s[is_b], minlength=n)
    merged = comb - d
    keep = ~is_p & ~is_b
    gid = np.arange(n, dtype=np.int64)
    post_codes = np.concatenate([codes[keep], gid, gid])
    post_shares = np.concatenate([s[keep], merged, bshare + d])
    post_table = ShareTable(codes=post_codes, shares=post_shares, firms=None,
                            groups=table.groups, keys=table.keys, firm_name=table.firm_name,
                            totals=table.totals, report=table.report, attrs={})
    post = 1e4 * post_table.sums()[1]
    buyer_term = (bshare + d) ** 2 - bshare ** 2
    delta = 1e4 * ((merged * merged - psq) + buyer_term)
    leader = np.where(pmax >= maximum - 1e-12, pmax, np.nan)
    metrics = {"pre_hhi": 1e4 * sumsq, "post_hhi": post, "delta_hhi": delta,
               "combined_share": merged, "max_party_share": pmax,
               "min_party_share": np.where(overlap, pmin, np.nan),
               "leading_party_share": np.where(overlap, leader, np.nan)}
    extra = {"parties_present": present, "overlap": overlap, "share_sum": total,
             "combined_share_pre": comb, "buyer_share": bshare}
    if fringe is None:   # a remainder as _fringe_parties reads it
        fringe = bool(np.count_nonzero(1.0 - total >= 1e-12))
    if not fringe:
        # no fringe anywhere: the upper bound is the lower one (every term the fringe
        # adds is 0), so the same arrays serve and no verdict is read twice
        extra.update(upper=metrics, overlap_upper=overlap,
                     fringe_parties=np.zeros(n, dtype=np.int64))
        return metrics, extra
    # the upper bound: the fringe as firms no larger than the smallest listed share,
    # parties not listed taken as the largest of them
    fringe_sq, x = _fringe_parties(table, masks, total, minimum, count)
    xsum, xsq = x.sum(axis=1), (x * x).sum(axis=1)
    merged_up = merged + xsum
    present_up = present + (x > 0).sum(axis=1)
    overlap_up = present_up >= 2
    xpos = np.where(x > 0, x, np.inf).min(axis=1)
    pmax_up = np.maximum(pmax, x.max(axis=1, initial=0.0))
    pmin_up = np.where(present > 0, np.minimum(pmin, xpos), xpos)
    leader_up = np.where(pmax_up >= maximum - 1e-12, pmax_up, np.nan)
    upper = {"pre_hhi": 1e4 * (sumsq + fringe_sq),
             "post_hhi": post + 1e4 * (fringe_sq - xsq + merged_up ** 2 - merged ** 2),
             "delta_hhi": 1e4 * ((merged_up ** 2 - psq - xsq) + buyer_term),
             "combined_share": merged_up, "max_party_share": pmax_up,
             "min_party_share": np.where(overlap_up, pmin_up, np.nan),
             "leading_party_share": np.where(overlap_up, leader_up, np.nan)}
    extra.update(upper=upper, overlap_upper=overlap_up, fringe_parties=(x > 0).sum(axis=1))
    return metrics, extra


def _rows(table, metrics, extra, gl, deal, tolerance, remedy=None, is_market=None) -> tuple:
    """The rows of one deal as arrays: ``(deal, groups, k, columns)`` for :func:`_frame`.

    Every verdict is read here; only the DataFrame is left to be built when read.
    """
    n = table.n_groups
    low = _classified(gl, metrics, extra["overlap"], n)
    if extra["upper"] is metrics or (_same_metrics(metrics, extra["upper"]) and
                                     np.array_equal(extra["overlap"], extra["overlap_upper"])):
        up = low   # no fringe moves a metric: the same verdicts at the upper bound
    else:
        up = _classified(gl, extra["upper"], extra["overlap_upper"], n)
    return deal, table.groups, len(gl), _columns(n, gl, metrics, extra, low, up, tolerance,
                                                 remedy, is_market)


def _columns(n, gl, metrics, extra, low, up, tolerance, remedy=None, is_market=None) -> dict:
    """The columns of :func:`_rows` for ``n`` groups, their verdicts read: ``low`` and
    ``up`` are ``(zone, verdict, rule, citation, not_checked)`` per group x guideline
    at the lower and the upper bound."""
    k = len(gl)
    cols = {}
    cols["guideline"] = np.tile(np.array([g.key for g in gl], dtype=object), n)
    rep = {key: np.repeat(np.asarray(v), k) for key, v in metrics.items()}
    for c in ("pre_hhi", "post_hhi", "delta_hhi", "combined_share"):
        cols[c] = rep[c]
    cols["parties_present"] = np.repeat(extra["parties_present"], k).astype(np.int64)
    cols["overlap"] = np.repeat(extra["overlap"], k)
    cols["share_sum"] = np.repeat(extra["share_sum"], k)
    cols["lower_bound"] = cols["share_sum"] < 1.0 - tolerance
    if is_market is not None:
        cols["is_market"] = np.repeat(is_market, k)
    cols.update(zone=low[0], verdict=low[1], rule=low[2], citation=low[3], not_checked=low[4])
    upper = {key: np.repeat(np.asarray(v), k) for key, v in extra["upper"].items()}
    cols["verdict_lower"] = low[1]
    for c in ("pre_hhi", "post_hhi", "delta_hhi", "combined_share"):
        cols[f"{c}_upper"] = upper[c]
    cols["fringe_parties"] = np.repeat(extra["fringe_parties"], k).astype(np.int64)
    cols.update(zone_upper=up[0], verdict_upper=up[1], rule_upper=up[2], citation_upper=up[3])
    cols["holds_at_both_bounds"] = low[1] == up[1]
    if remedy is not None:
        cols["divested"] = np.repeat(remedy["divested"], k)
        cols["buyer"] = np.full(n * k, remedy["buyer"], dtype=object)
        cols["buyer_share"] = np.repeat(extra["buyer_share"], k)
        cols["combined_share_pre_remedy"] = np.repeat(extra["combined_share_pre"], k)
        if "attainable" in remedy:
            cols["attainable"] = np.repeat(remedy["attainable"], k)
    return cols


def _frame(deal, groups, k, columns) -> pd.DataFrame:
    """The DataFrame of the rows of one deal (see :func:`_rows`)."""
    cols = {}
    if deal is not None:
        cols["deal"] = np.full(len(columns["guideline"]), deal, dtype=object)
    if groups is not None:
        labels = groups.repeat(k)
        if isinstance(labels, pd.MultiIndex):
            for lvl, name in enumerate(labels.names):
                cols[name] = labels.get_level_values(lvl)
        else:
            cols[labels.name] = labels
    cols.update(columns)
    text = pandas_dtype(str)
    if isinstance(text, ExtensionDtype):
        # the array astype(str) makes, made before the frame rather than column by column
        # (once for each array of texts; a column of the same texts gets its own copy)
        made = {}
        for c in _TEXT_COLUMNS:
            source = cols[c]
            if id(source) in made:
                cols[c] = made[id(source)].copy()
            else:
                cols[c] = made[id(source)] = pd.array(source, dtype=text)
        if cols["holds_at_both_bounds"].dtype == bool:
            return pd.DataFrame(cols)
    out = pd.DataFrame(cols)
    if not isinstance(text, ExtensionDtype):
        for c in _TEXT_COLUMNS:
            out[c] = out[c].astype(str)
    out["holds_at_both_bounds"] = out["holds_at_both_bounds"].astype(bool)
    return out


_TEXT_COLUMNS = ("guideline", "zone", "verdict", "rule", "citation", "not_checked",
                 "verdict_lower", "zone_upper", "verdict_upper", "rule_upper", "citation_upper")


def _same_metrics(a, b) -> bool:
    """Whether two dicts of metric arrays hold the same values (NaN equal to NaN)."""
    return a.keys() == b.keys() and all(
        np.array_equal(np.asarray(a[key], dtype=np.float64),
                       np.asarray(b[key], dtype=np.float64), equal_nan=True) for key in a)


def _classified(gl, metrics, overlap, n):
    """``(zone, verdict, rule, citation, not_checked)`` per group x guideline (rows of
    :func:`_rows`), with ``no_overlap`` where the parties do not both have a share."""
    k = len(gl)
    parts = [np.empty(n * k, dtype=object) for _ in range(5)]
    for j, g in enumerate(gl):
        for part, values in zip(parts, g.classify(metrics)):
            part[j::k] = values
    no = ~np.repeat(overlap, k)
    parts[1][no], parts[2][no], parts[4][no] = _NO_OVERLAP
    return tuple(parts)


#: ``(verdict, rule, not_checked)`` where the parties do not both have a positive share.
_NO_OVERLAP = ("no_overlap", "the merging parties do not both have a positive share in "
               "this market", "")


def _finish(tables, gl, deals, table, notes=(), parties=None) -> MergerScreen:
    """The screen of the deals' rows (:func:`_rows`); its frames are built when read.

    ``tables`` may also be the :class:`DeferredFrame` of the whole table, and ``table``
    None for a screen of one market without a :class:`ShareTable` (no keys, no
    entities).
    """
    merged = table.merged if table is not None and table.merged is not None else \
        DeferredFrame(_no_entities, ("firm", "entity"))
    if parties:
        resolved = DeferredFrame(_resolved_parties, parties)
    else:
        resolved = DeferredFrame(_no_entities, ("deal", "party", "entity"))
    frame = tables if isinstance(tables, DeferredFrame) else \
        DeferredFrame(_screen_table, tables)
    return MergerScreen(table=frame, guidelines=tuple(g.key for g in gl), deals=deals,
                        keys=() if table is None else tuple(table.keys),
                        notes=tuple(notes), merged=merged, parties=resolved)


def _screen_table(tables) -> pd.DataFrame:
    """The tidy table of a screen: the rows of each deal (:func:`_rows`) in turn."""
    frames = [_frame(*t) for t in tables]
    if len(frames) > 1:
        return pd.concat(frames, ignore_index=True).reset_index(drop=True)
    frame = frames[0]
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 \
            and index.name is None:
        return frame   # already what reset_index(drop=True) would give
    return frame.reset_index(drop=True)


def _resolved_parties(parties) -> pd.DataFrame:
    return pd.concat([p.assign(deal=name) for name, p in parties.items()],
                     ignore_index=True)[["deal", "party", "entity"]]


def _no_entities(columns):
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _buyer_mask(table, entities, buyer, masks, func):
    """Rows of the buyer (None for a new entrant); a buyer that is a party is an error."""
    if buyer is None:
        return None
    mask, _ = _row_mask(table, entities, buyer)
    if (mask & np.logical_or.reduce(masks)).any():
        raise InvalidParameterError(param_message(
            func, "buyer", "a firm other than the merging parties", buyer,
            "The buyer is one of the parties (or, under parent=, the same entity)."))
    return mask


def _one_small_market(shares, merging, guidelines, names, scale, tolerance, duplicates,
                      non_markets):
    """The screen of a deal in one small market without a table, or None.

    Taken when ``shares`` is a dict of at most 64 plain numbers keyed by str that
    every check of :func:`coerce_shares` passes with no remainder (see
    :func:`concentration._tables.small_market`), ``merging`` a list or tuple of
    distinct str keys of it, ``guidelines`` one registry key, and every option plain.
    The metrics are those of :func:`_metrics` for the table of ``shares``, to the
    last bit: the parties' shares are added in the order of the rows, the post-merger
    HHI adds the other firms' squares in that order and then the merged firm's, as
    the grouped kernel adds the post-merger table.  The verdicts are read with
    :meth:`Guideline.classify_one`; only the DataFrame is left to be built when read.
    Anything else returns None and takes the general path and its messages.
    """
    if type(merging) is not list and type(merging) is not tuple or len(merging) < 2 \
            or type(guidelines) is not str or (non_markets is not True and
                                                non_markets is not False):
        return None
    key = guidelines.lower()
    if key not in GUIDELINES:
        return None
    parties = set()
    for p in merging:
        if type(p) is not str or p not in shares:
            return None
        parties.add(p)
    if len(parties) != len(merging):
        return None
    for firm in shares:
        if type(firm) is not str:
            return None
    small = small_market(shares, names=names, scale=scale, tolerance=tolerance,
                         duplicates=duplicates)
    if small is None:
        return None
    values, total, sumsq, largest = small
    if 1.0 - total >= 1e-12:
        return None   # a remainder: the upper bound of the HHI is another market
    comb = psq = others = 0.0
    present = 0
    pmax, pmin = -math.inf, math.inf
    for firm, v in zip(shares, values):
        if firm in parties:
            comb += v
            psq += v * v
            if v > pmax:
                pmax = v
            if v > 0.0:
                present += 1
                if v < pmin:
                    pmin = v
        else:
            others += v * v
    if pmin == math.inf:
        pmin = 0.0
    overlap = present >= 2
    post = others + comb * comb
    metrics = {"pre_hhi": 1e4 * sumsq, "post_hhi": 1e4 * post,
               "delta_hhi": 1e4 * ((comb * comb - psq) + 0.0), "combined_share": comb,
               "max_party_share": pmax,
               "min_party_share": pmin if overlap else math.nan,
               "leading_party_share": pmax if overlap and pmax >= largest - 1e-12
               else math.nan}
    gl = GUIDELINES[key]
    zone, verdict, rule, cite, unchecked = gl.classify_one(metrics)
    if not overlap:
        verdict, rule, unchecked = _NO_OVERLAP
    table = DeferredFrame(_one_market_table, (gl,), metrics, (present, overlap, total),
                          [(zone, verdict, rule, cite, unchecked)], tolerance)
    return _finish(table, (gl,), {"deal": tuple(merging)}, None)


def _one_market_table(gl, metrics, extra, verdicts, tolerance) -> pd.DataFrame:
    """The table of :func:`_one_small_market`: its scalars as the columns of one group."""
    metrics = {key: np.array([v], dtype=np.float64) for key, v in metrics.items()}
    present, overlap, total = extra
    overlap = np.array([overlap])
    extra = {"parties_present": np.array([present], dtype=np.int64), "overlap": overlap,
             "share_sum": np.array([total], dtype=np.float64), "upper": metrics,
             "overlap_upper": overlap, "fringe_parties": np.zeros(1, dtype=np.int64)}
    low = tuple(np.array(part, dtype=object) for part in zip(*verdicts))
    return _screen_table([(None, None, len(gl),
                           _columns(1, gl, metrics, extra, low, low, tolerance))])


_doc = substitute(params="\n    ".join((MERGER_PARAMETERS, MARKET_FLAG_PARAMETERS,
                                         PERIOD_PARAMETERS)))


@dispatchable(data=("shares",))
@_doc
def screen_merger(shares, merging, *, guidelines="us2023", market="market", period="period",
                  firm="firm", share="share", value=None, scale="fraction", duplicates="error",
                  parent=None, tolerance=DEFAULT_TOLERANCE, market_flag="is_market",
                  non_markets=True, period_start="period_start",
                  period_end="period_end") -> MergerScreen:
    r"""Screen a merger in every market and period under each edition of the guidelines.

    .. math:: \Delta\mathrm{HHI} = 10{,}000\,\big[(\textstyle\sum_P s_p)^2 - \sum_P s_p^2\big]
              \;(= 2 \cdot 10{,}000\, s_a s_b \text{ for two parties})

    Parameters
    ----------
    {params}

    Returns
    -------
    MergerScreen
        ``to_frame()`` has one row per (deal,) market x period x guideline; markets
        where the parties do not overlap have verdict ``"no_overlap"`` (kept, not
        dropped).

    Notes
    -----
    **Top-N data.**  Where the listed shares sum below one (``lower_bound``), the
    verdict is read at both bounds of the HHI [CA]_ and ``holds_at_both_bounds``
    says whether it is the same:

    * lower bound (``verdict``, ``verdict_lower``, ``pre_hhi``, ``post_hhi``): the
      listed firms only;
    * upper bound (``verdict_upper`` and the ``*_upper`` columns): the remainder
      :math:`r = 1 - \sum_j s_j` split into :math:`q = \lfloor r / s_{(m)} \rfloor`
      firms of the smallest listed share :math:`s_{(m)}` and one of
      :math:`r - q s_{(m)}` (the upper bound of :func:`concentration.hhi_bounds`),
      which adds :math:`10{,}000\,[q s_{(m)}^2 + (r - q s_{(m)})^2]` to the pre- and
      the post-merger HHI.  ΔHHI and the combined share are the same at both bounds
      when every party is listed; a party with no row in the market is taken to be
      the largest fringe firm still free (``fringe_parties`` counts them), so
      ``no_overlap`` on the listed firms may not hold at the upper bound.

    Each verdict keeps its rule and citation (``rule_upper``, ``citation_upper``).

    Raises
    ------
    InvalidParameterError
        Fewer than two parties, a party absent from the data, an unknown guideline.
    InvalidSharesError
        Invalid shares (see :func:`concentration.hhi`).

    References
    ----------
    .. [MG23] U.S. DOJ and FTC (2023). Merger Guidelines, Section 2.1 (Guideline 1).
    .. [CA] Calkins, S. (1983). The new merger guidelines and the Herfindahl-Hirschman
       Index. California Law Review 71(2), 402-429.

    Examples
    --------
    >>> import concentration as cn
    >>> s = cn.screen_merger({"A": .30, "B": .25, "C": .45}, ["A", "B"])
    >>> row = s.to_frame().iloc[0]
    >>> float(round(row["delta_hhi"], 6)), float(round(row["post_hhi"], 6)), row["verdict"]
    (1500.0, 5050.0, 'presumed_anticompetitive')

    Top-3 data (sum 0.61): post-merger HHI 1,901 on the listed firms, 2,126 with the
    remainder 0.39 as six firms of 0.06 and one of 0.03 (+225); ΔHHI 240 at both.
    The EU safe harbour (para 20: 1,000-2,000 with ΔHHI < 250) holds only at the
    lower bound.

    >>> import warnings
    >>> with warnings.catch_warnings():  # the FringeWarning reports the top-N market
    ...     warnings.simplefilter("ignore", cn.exceptions.FringeWarning)
    ...     t = cn.screen_merger({"A": .20, "B": .06, "C": .35}, ["A", "B"],
    ...                          guidelines="eu2004").to_frame()
    >>> row = t.iloc[0]
    >>> row["verdict_lower"], row["verdict_upper"], bool(row["holds_at_both_bounds"])
    ('safe_harbour', 'outside_safe_harbour', False)
    """
    if type(shares) is dict and value is None and parent is None:
        screen = _one_small_market(shares, merging, guidelines,
                                   (market, period, firm, share, period_start, period_end,
                                    market_flag), scale, tolerance, duplicates, non_markets)
        if screen is not None:   # one small clean market: its metrics without a table
            return screen
    func = "screen_merger"
    deals = _deals(merging, func)
    gl = _guidelines(guidelines, func)
    table, entities, is_market = _table(
        func, shares, market, period, firm, share, value, scale, duplicates, parent,
        tolerance, period_start, period_end, market_flag, non_markets)
    tables, resolved = [], {}
    for name, parties in deals.items():
        masks, resolved[name] = _party_masks(table, entities, parties, func)
        metrics, extra = _metrics(table, masks)
        tables.append(_rows(table, metrics, extra, gl,
                            name if isinstance(merging, Mapping) else None, tolerance,
                            is_market=is_market))
    return _finish(tables, gl, deals, table, parties=resolved if entities else None)


def _amounts(func, amount, table, scale):
    divisor = 100.0 if scale == "percent" else 1.0
    if isinstance(amount, pd.Series):
        if table.groups is None:
            raise InvalidParameterError(param_message(
                func, "amount", "a number for a single market", "a Series"))
        vals = amount.reindex(table.groups).to_numpy(dtype=np.float64)
        if np.isnan(vals).any():
            raise InvalidParameterError(param_message(
                func, "amount", "a Series with a value for every market x period",
                "missing markets", "Reindex it on the markets of the data; use 0 for none."))
        if (vals < 0).any():
            raise InvalidParameterError(param_message(func, "amount", "shares >= 0",
                                                      float(vals.min())))
        return vals / divisor
    a = check_number(func, "amount", amount, low=0.0)
    return np.full(table.n_groups, a / divisor)


@_doc
def divest(shares, merging, amount, *, buyer=None, guidelines="us2023", market="market",
           period="period", firm="firm", share="share", value=None, scale="fraction",
           duplicates="error", parent=None, tolerance=DEFAULT_TOLERANCE,
           market_flag="is_market", non_markets=True, period_start="period_start",
           period_end="period_end") -> MergerScreen:
    r"""Re-screen a merger after a divestiture remedy.

    The merged firm's share falls by :math:`d` and the buyer's rises by :math:`d`
    (a new entrant when ``buyer`` is None or absent from a market).  Relative to the
    pre-merger market,

    .. math:: \Delta\mathrm{HHI} = 10{,}000\,\big[(C - d)^2 - \sum_P s_p^2
              + (b + d)^2 - b^2\big]

    with :math:`C` the parties' combined share and :math:`b` the buyer's share.

    Parameters
    ----------
    {params}
    amount : float or pandas.Series
        Share divested (unit of ``scale``), one number or a Series indexed like the
        markets.  It may not exceed the combined share.
    buyer : str, optional
        The firm that acquires the divested share; not one of the parties.

    Returns
    -------
    MergerScreen
        As :func:`screen_merger`, with ``divested``, ``buyer``, ``buyer_share`` and
        ``combined_share_pre_remedy``; ``combined_share`` is the merged firm's share
        after the remedy.

    Examples
    --------
    >>> import concentration as cn
    >>> s = cn.divest({"A": .30, "B": .25, "C": .45}, ["A", "B"], 0.25)
    >>> row = s.to_frame().iloc[0]
    >>> float(round(row["delta_hhi"], 6)), row["verdict"]
    (0.0, 'no_presumption')
    """
    func = "divest"
    deals = _deals(merging, func)
    gl = _guidelines(guidelines, func)
    buyer = _buyer(buyer, func)
    table, entities, is_market = _table(
        func, shares, market, period, firm, share, value, scale, duplicates, parent,
        tolerance, period_start, period_end, market_flag, non_markets)
    d = _amounts(func, amount, table, scale)
    tables, resolved = [], {}
    for name, parties in deals.items():
        if buyer is not None and buyer in parties:
            raise InvalidParameterError(param_message(
                func, "buyer", "a firm other than the merging parties", buyer))
        masks, resolved[name] = _party_masks(table, entities, parties, func)
        is_b = _buyer_mask(table, entities, buyer, masks, func)
        base, _ = _metrics(table, masks)
        if (d > base["combined_share"] + 1e-12).any():
            g = int(np.flatnonzero(d > base["combined_share"] + 1e-12)[0])
            raise InvalidParameterError(param_message(
                func, "amount", "at most the parties' combined share in every market",
                float(d[g]), f"The combined share is {base['combined_share'][g]:.4g} there."))
        metrics, extra = _metrics(table, masks, divested=d, buyer=is_b)
        tables.append(_rows(table, metrics, extra, gl,
                            name if isinstance(merging, Mapping) else None, tolerance,
                            remedy={"divested": d, "buyer": "" if buyer is None else buyer},
                            is_market=is_market))
    return _finish(tables, gl, deals, table, parties=resolved if entities else None)


@_doc
def minimum_divestiture(shares, merging, *, target="no_presumption", guidelines="us2023",
                        buyer=None, market="market", period="period", firm="firm",
                        share="share", value=None, scale="fraction", duplicates="error",
                        parent=None, tolerance=DEFAULT_TOLERANCE, xtol=1e-10,
                        market_flag="is_market", non_markets=True,
                        period_start="period_start", period_end="period_end") -> MergerScreen:
    r"""Smallest divestiture, per market, that leaves a verdict no worse than ``target``.

    Verdicts are ordered by the severity in :data:`concentration.guidelines.VERDICTS`.
    The search runs, vectorised over all markets, by bisection on
    :math:`d \in [0, (C - b)/2]`, where the post-merger HHI, ΔHHI and the merged
    firm's share all fall as :math:`d` rises (so the severity is monotone); the
    result is the smallest :math:`d` within ``xtol`` at which the target holds,
    boundaries counted as each text writes them.

    Parameters
    ----------
    {params}
    target : str, default "no_presumption"
        Verdict code to reach (or anything less severe).
    guidelines : str, default "us2023"
        One registry key.
    buyer : str, optional
        Who acquires the divested share (a new entrant when None).
    xtol : float, default 1e-10
        Precision of the share found.

    Returns
    -------
    MergerScreen
        The screen at the divestiture found; ``divested`` is the minimum share,
        ``attainable`` False where no divestiture in the range reaches the target
        (the row is then screened at ``d = 0``).

    Examples
    --------
    >>> import concentration as cn
    >>> s = cn.minimum_divestiture({"A": .30, "B": .25, "C": .45}, ["A", "B"])
    >>> row = s.to_frame().iloc[0]
    >>> float(round(row["divested"], 6)), row["verdict"]     # ΔHHI down to 100: 0.15 - 2d(0.55 - d) = 0.01
    (0.2, 'no_presumption')
    """
    func = "minimum_divestiture"
    if not isinstance(target, str) or target not in VERDICTS:
        raise InvalidParameterError(param_message(
            func, "target", "one of {" + ", ".join(repr(v) for v in VERDICTS) + "}", target))
    if not isinstance(guidelines, str) or guidelines == "all":
        raise InvalidParameterError(param_message(
            func, "guidelines", "one registry key (the search targets one text)", guidelines))
    g = _guidelines(guidelines, func)[0]
    xtol = check_number(func, "xtol", xtol, low=0.0, low_open=True)
    deals = _deals(merging, func)
    buyer = _buyer(buyer, func)
    table, entities, is_market = _table(
        func, shares, market, period, firm, share, value, scale, duplicates, parent,
        tolerance, period_start, period_end, market_flag, non_markets)
    limit = VERDICTS[target][0]
    severity = np.vectorize(lambda v: VERDICTS[v][0], otypes=[np.int64])
    tables, resolved = [], {}
    for name, parties in deals.items():
        if buyer is not None and buyer in parties:
            raise InvalidParameterError(param_message(
                func, "buyer", "a firm other than the merging parties", buyer))
        masks, resolved[name] = _party_masks(table, entities, parties, func)
        is_b = _buyer_mask(table, entities, buyer, masks, func)

        def ok(d, masks=masks, is_b=is_b):
            m, e = _metrics(table, masks, divested=d, buyer=is_b)
            sev = severity(g.classify(m)[1])
            return (sev <= limit) | ~e["overlap"]

        base, extra = _metrics(table, masks, buyer=is_b)
        comb, b = base["combined_share"], extra["buyer_share"]
        lo = np.zeros(table.n_groups)
        hi = np.clip((comb - b) / 2.0, 0.0, None)
        ok0, okhi = ok(lo), ok(hi)
        attainable = ok0 | okhi
        hi = np.where(ok0, 0.0, hi)
        active = ~ok0 & okhi
        while active.any() and float(np.max((hi - lo)[active])) > xtol:
            mid = np.where(active, 0.5 * (lo + hi), hi)
            good = ok(mid)
            hi = np.where(active & good, mid, hi)
            lo = np.where(active & ~good, mid, lo)
        d = np.where(attainable, hi, 0.0)
        metrics, extra2 = _metrics(table, masks, divested=d, buyer=is_b)
        tables.append(_rows(table, metrics, extra2, (g,),
                            name if isinstance(merging, Mapping) else None, tolerance,
                            remedy={"divested": np.where(attainable, d, np.nan),
                                    "buyer": "" if buyer is None else buyer,
                                    "attainable": attainable}, is_market=is_market))
    note = (f"Smallest divestiture leaving a verdict no worse than {target!r} under "
            f"{g.key}, found by bisection to {xtol:g}.")
    return _finish(tables, (g,), deals, table, notes=(note,),
                   parties=resolved if entities else None)
