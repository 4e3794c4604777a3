"""``profit_weights`` and ``mhhi`` over Dask input: one task per period.

Every check of the holdings and every formula of κ and the MHHI lies within one
period, so each task runs the in-memory function on one period's rows (for
``mhhi``, one period of shares with the holdings of that period) and the client
joins the per-period results in the order the in-memory call returns them.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd

from ..._periods import period_bounds
from ..._validation import check_choice, check_columns, param_message
from ...exceptions import InvalidParameterError, SchemaError
from ...ownership import Holdings
from ...ownership._kappa import KAPPA_OUTPUTS
from ...ownership._mhhi import resolve_holdings_period
from ._groups import is_dask, partition_keys, plain, require, whole_group_partitions
from ._readers import as_holdings, validated_holdings

__all__ = ["profit_weights_graph", "mhhi_graph"]


def _check_holdings_frame(func, ddf):
    cols = list(ddf._meta.columns)
    missing = [c for c in ("owner", "firm", "cash_flow") if c not in cols]
    if missing:
        raise SchemaError(
            f"{func}: a Dask DataFrame of holdings needs columns 'owner', 'firm' and "
            f"'cash_flow' ('period' and 'control' optional); missing {missing}. Read it with "
            "concentration.read_holdings(source, engine='dask', owner=..., firm=..., "
            "cash_flow=...) to name your columns.")


def _holdings_partitions(func, ddf, client):
    """(partitions holding whole periods, periods of each partition) or (ddf, None)."""
    _check_holdings_frame(func, ddf)
    if "period" not in ddf.columns:
        return ddf, None
    known = validated_holdings(ddf)
    if known is not None and known[1] is not None:
        return ddf, known[1]
    parts = whole_group_partitions(ddf, ["period"], client=client)
    found = partition_keys(parts, ["period"], client=client)
    return parts, [list(f["period"]) for f in found]


def profit_weights_graph(func, arguments, reduce, client):
    require(func.__name__)
    import dask

    name = func.__name__
    ddf = arguments.pop("holdings")
    check_choice(name, "output", arguments["output"], KAPPA_OUTPUTS)
    known = validated_holdings(ddf)
    validated = None if known is None else known[2]   # the control_missing policy read with
    parts, pmap = _holdings_partitions(name, ddf, client)
    if pmap is not None and arguments.get("at") is not None:
        if arguments["period"] is not None:
            raise InvalidParameterError(param_message(
                name, "period", "None when at= is given", arguments["period"],
                "Pass either a holdings period (period=) or a date (at=)."))
        pmap = None      # holdings as of a date draw on every period: one task
    if pmap is None:
        whole = dask.delayed(pd.concat)(parts.to_delayed())
        task = dask.delayed(functools.partial(_pw_task, func=func, arguments=arguments,
                                              reduce=reduce, validated=validated))(whole, None)
        return dask.delayed(functools.partial(_pw_combine, periods=[None], arguments=arguments,
                                              reduce=reduce))([task])
    present = sorted(set().union(*map(set, pmap)) if pmap else set())
    period = arguments["period"]
    if period is not None:
        if period not in present:
            raise InvalidParameterError(param_message(
                name, "period", f"one of the holdings' periods {present[:10]}", period))
        wanted = [period]
    else:
        wanted = present
    if arguments["output"] in ("dense", "sparse") and len(wanted) > 1 and reduce is None:
        raise InvalidParameterError(param_message(
            name, "period", f"one period when output={arguments['output']!r}", None,
            f"Pass period=<one of {wanted[:5]}>."))
    if not wanted:
        raise InvalidParameterError(
            f"{name}: the Dask DataFrame of holdings has no rows, so there is nothing to "
            "compute. Check the path and the filters used to read it.")
    delayed_parts = parts.to_delayed()
    home = {}
    for i, ps in enumerate(pmap):
        for p in ps:
            home[p] = i
    call = functools.partial(_pw_task, func=func, arguments=arguments, reduce=reduce,
                             validated=validated)
    tasks = [dask.delayed(call)(delayed_parts[home[p]], p) for p in wanted]
    return dask.delayed(functools.partial(_pw_combine, periods=wanted, arguments=arguments,
                                          reduce=reduce))(tasks)


def _pw_task(frame, period, *, func, arguments, reduce, validated=None):
    """κ of one period (in a worker): the in-memory profit_weights on that period's rows."""
    frame = plain(frame)
    if period is not None:
        frame = frame[frame["period"] == period]
    holdings = as_holdings(frame, func.__name__, validated is not None,
                           control_missing=validated or "error")
    kwargs = dict(arguments, period=period)
    out = func(holdings, **kwargs)
    return reduce(out) if reduce is not None else out


def _pw_combine(results, *, periods, arguments, reduce):
    """Assemble per-period κ as the in-memory call does over several periods."""
    if reduce is not None:
        return dict(zip(periods, results))
    output = arguments["output"]
    if len(results) == 1:
        return results[0]
    # several periods: output is "frame" or "long" (dense/sparse were refused)
    attrs = dict(results[0].attrs)
    for key in ("no_holdings", "no_control", "notes", "kappa_above_one"):
        attrs[key] = [x for r in results for x in r.attrs.get(key, [])]
    pieces = []
    for r in results:
        r = r.copy(deep=False)
        r.attrs = {}
        pieces.append(r)
    if output == "long":
        out = pd.concat(pieces, ignore_index=True)
        out = out.sort_values(["period", "firm", "other"], kind="stable", ignore_index=True)
    else:
        out = pd.concat(dict(zip(periods, pieces)), names=["period", "firm"])
    out.attrs.update(attrs)
    return out


def mhhi_graph(func, arguments, client):
    require(func.__name__)
    import dask

    name = func.__name__
    shares = arguments.pop("shares")
    holdings = arguments.pop("holdings")
    market, period = arguments["market"], arguments["period"]

    # --- the shares, in pieces that hold whole periods (or whole markets)
    if is_dask(shares):
        dd = require(name)
        if isinstance(shares, dd.Series):
            shares = shares.to_frame()
        cols = list(shares._meta.columns)
        pcol = period if period is not None and period in cols else None
        if period is not None and pcol is None and period != "period":
            check_columns(name, shares._meta, {"period": period})
        mcol = market if market is not None and market in cols else None
        split = [pcol] if pcol is not None else ([mcol] if mcol is not None else [])
        if split:
            sparts = whole_group_partitions(shares, split, client=client)
            spieces = list(sparts.to_delayed())
            speriods = ([list(f[pcol]) for f in partition_keys(sparts, [pcol], client=client)]
                        if pcol is not None else [None] * len(spieces))
        else:
            spieces = [dask.delayed(pd.concat)(shares.to_delayed())]
            speriods = [None]
    elif isinstance(shares, pd.DataFrame) and period is not None and period in shares.columns:
        pcol = period
        spieces, speriods = [], []
        for p, piece in shares.groupby(period, sort=True, dropna=False):
            spieces.append(piece)
            speriods.append([p])
    else:
        pcol = None
        spieces, speriods = [shares], [None]

    # --- the holdings each piece needs
    end_col = arguments.get("period_end")
    if is_dask(shares):
        dates_given = end_col is not None and end_col in shares._meta.columns
    else:
        dates_given = isinstance(shares, pd.DataFrame) and end_col in shares.columns
    known = validated_holdings(holdings) if is_dask(holdings) else None
    validated = None if known is None else known[2]   # the control_missing policy read with
    if is_dask(holdings):
        hparts, hmap = _holdings_partitions(name, holdings, client)
        hdelayed = list(hparts.to_delayed())
        if hmap is None:
            hwhole = dask.delayed(pd.concat)(hdelayed)

            def holdings_for(periods):
                return [hwhole], None
        else:
            present = sorted(set().union(*map(set, hmap)) if hmap else set())
            if pcol is None:
                fixed = [resolve_holdings_period(name, present, arguments["holdings_period"])]
            else:
                fixed = None
            dated = _as_of_periods(arguments, present, pcol is not None and dates_given)

            def holdings_for(periods):
                periods = fixed if fixed is not None else dated(periods)
                idx = sorted({i for i, ps in enumerate(hmap) for p in ps if p in set(periods)})
                return [hdelayed[i] for i in idx], list(periods)
    elif isinstance(holdings, Holdings):
        dated = (_as_of_periods(arguments, holdings.periods, dates_given)
                 if holdings.has_period else None)

        def holdings_for(periods):
            if periods is None or not holdings.has_period:
                return holdings, None
            t = holdings.table
            keep = dated(periods)
            return dataclasses.replace(holdings, table=t[t["period"].isin(keep)]), None
    else:
        raise InvalidParameterError(param_message(
            name, "holdings", "a Holdings object or a Dask DataFrame of holdings",
            type(holdings).__name__, "Build it with concentration.read_holdings(df)."))

    tasks = []
    for piece, periods in zip(spieces, speriods):
        hpieces, keep = holdings_for(periods)
        if isinstance(hpieces, Holdings):   # not traversed by Dask: bound in the call
            call = functools.partial(_mhhi_task, holdings=hpieces, periods=keep, func=func,
                                     arguments=arguments)
            tasks.append(dask.delayed(call)(piece))
        else:
            call = functools.partial(_mhhi_task, periods=keep, func=func, arguments=arguments,
                                     validated=validated)
            tasks.append(dask.delayed(call)(piece, hpieces))
    return dask.delayed(_mhhi_combine)(tasks)


def _as_of_periods(arguments, present, dates_given):
    """``periods -> the holdings periods a piece of shares with those periods may use``.

    By label with ``as_of="label"``; otherwise every holdings period dated on or
    before the piece's last period end (the in-memory call then picks the holdings
    as of each end), and every holdings period when a label has no date or the
    shares carry their own end dates (which may differ from their labels').
    """
    if arguments.get("as_of", "snapshot") == "label":
        return list
    hend = period_bounds(pd.Series(present, dtype=object))[1]

    def dated(periods):
        periods = list(periods)
        if not periods:
            return []
        if dates_given or np.isnat(hend).any():
            return list(present)
        send = period_bounds(pd.Series(list(periods), dtype=object))[1]
        if np.isnat(send).any():
            return list(present)
        last = send.max()
        return [p for p, e in zip(present, hend) if e <= last]
    return dated


def _mhhi_task(shares, holdings, *, periods, func, arguments, validated=None):
    """The in-memory mhhi on one piece of the shares (in a worker)."""
    if isinstance(shares, pd.DataFrame):
        if len(shares) == 0:
            return None
        shares = plain(shares)
    if not isinstance(holdings, Holdings):
        frame = pd.concat([plain(h) for h in holdings], ignore_index=True)
        if periods is not None:
            frame = frame[frame["period"].isin(periods)]
        holdings = as_holdings(frame, func.__name__, validated is not None,
                               control_missing=validated or "error")
    return func(shares, holdings, **arguments)


def _mhhi_combine(results):
    """Join per-task MHHI results in group order, as one in-memory call returns them."""
    results = [r for r in results if r is not None]
    if not results:
        raise InvalidParameterError(
            "The Dask DataFrame of shares has no rows, so there is nothing to compute. "
            "Check the path and the filters used to read it.")
    if len(results) == 1:
        return results[0]
    first = results[0]
    frame = pd.concat([r.frame for r in results])
    frame = frame.iloc[_index_sort_key(frame.index)]
    groups = frame.index
    position = {lab: i for i, lab in enumerate(groups)}
    blocks = []
    for r in results:
        for g, firms, s, K, where in r._blocks:
            blocks.append((position[r._groups[g]], firms, s, K, where))
    blocks.sort(key=lambda b: b[0])
    names = list(groups.names)
    filled = [r.no_holdings for r in results if len(r.no_holdings)]
    nh = (pd.concat(filled, ignore_index=True) if len(filled) > 1 else
          filled[0] if filled else first.no_holdings)
    if len(nh):
        labs = list(nh[names].itertuples(index=False, name=None))
        rank = [position[lab if len(names) > 1 else lab[0]] for lab in labs]
        nh = nh.iloc[np.argsort(np.asarray(rank), kind="stable")].reset_index(drop=True)
    flagged = [r.kappa_above_one for r in results if len(r.kappa_above_one)]
    above = (pd.concat(flagged, ignore_index=True) if len(flagged) > 1 else
             flagged[0] if flagged else first.kappa_above_one)
    if len(above) and names:
        labs = list(above[names].itertuples(index=False, name=None))
        rank = [position[lab if len(names) > 1 else lab[0]] for lab in labs]
        above = above.iloc[np.argsort(np.asarray(rank), kind="stable")].reset_index(drop=True)
    structures = {}
    for b in blocks:
        period = b[4][0]
        if period not in structures:
            for r in results:
                if period in r._structures:
                    structures[period] = r._structures[period]
                    break
    notes = []
    for st in structures.values():
        notes += [n for n in st.notes if n not in notes]
    entities = first.entities
    if entities is not None:
        entities = (pd.concat([r.entities for r in results], ignore_index=True)
                    .drop_duplicates().reset_index(drop=True))
    return dataclasses.replace(first, frame=frame, no_holdings=nh, notes=tuple(notes),
                               kappa_above_one=above, _n_above_one=len(above),
                               entities=entities, _groups=groups, _blocks=tuple(blocks), _structures=structures)


def _index_sort_key(index):
    """Positions that sort ``index`` by its labels (as group_codes sorts groups)."""
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [index.get_level_values(i) for i in range(index.nlevels)]).argsort()
    return index.argsort()
