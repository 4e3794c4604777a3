"""``read_shares`` and ``read_holdings`` with ``engine="dask"``: lazy, validated per group.

Each group (a (market, period) of shares, a period of holdings) is validated and
converted by the in-memory reader when the frame is computed, so every check of the
pandas path applies; the partitions hold whole groups, so a computed result can be
passed on without another shuffle.  Holdings read here are remembered as validated
(:func:`validated_holdings`), so the ownership tasks do not validate them again.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ... import io as _io
from ..._validation import check_columns, param_message
from ...exceptions import InvalidParameterError, SchemaError
from ...ownership import Holdings
from ...ownership import read_holdings as read_holdings_in_memory
from ._groups import (is_dask, partition_keys, plain, remember_whole, require,
                      whole_group_partitions)

__all__ = ["read_shares", "read_holdings", "read_parquet", "HOLDINGS_COLUMNS",
           "validated_holdings", "as_holdings"]

#: Columns of a Dask DataFrame of holdings (as ``Holdings.table``; ``period`` when the
#: data have periods, ``control`` only when voting stakes were supplied).
HOLDINGS_COLUMNS = ("period", "owner", "firm", "cash_flow", "control")

# expression name -> (control given, periods of each partition or None) for frames made
# by read_holdings(engine="dask"): validated already, so tasks do not validate again
_VALIDATED_HOLDINGS: dict = {}
_VALIDATED_MAX = 4096


def read_shares(source, *, func="read_shares", **kwargs):
    """``read_shares(..., engine="dask")``: a lazy Dask DataFrame of validated shares.

    Each group is validated and converted by the in-memory :func:`read_shares` when
    the frame is computed; the partitions hold whole groups (so a computed result
    can be passed on without another shuffle).
    """
    dd = require(func)
    import dask

    if is_dask(source):
        if kwargs.get("filters") is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a Dask DataFrame input", kwargs["filters"],
                "Filter the DataFrame before passing it."))
        frame = source
    elif isinstance(source, (str, os.PathLike)):
        frame = read_parquet(source, func=func, filters=kwargs.get("filters"),
                             columns=_share_columns(source, func, kwargs))
    else:
        raise InvalidParameterError(param_message(
            func, "source", "a path (file, directory or hive dataset) or a Dask DataFrame "
            "with engine='dask'", type(source).__name__,
            "Use engine='pandas' for in-memory data, or dask.dataframe.from_pandas()."))
    keys = [c for c in (kwargs.get("market"), kwargs.get("period"))
            if c is not None and c in frame.columns]
    kwargs = dict(kwargs, filters=None)
    probe = _probe(frame, keys, kwargs)
    meta = _io.read_shares(probe, **kwargs).iloc[:0]
    meta.attrs.clear()
    if not keys:
        whole = dask.delayed(pd.concat)(frame.to_delayed())
        return dd.from_delayed([dask.delayed(_read_part)(whole, kwargs, meta)], meta=meta,
                               verify_meta=False)
    parts = whole_group_partitions(frame, keys)
    out = dd.from_delayed([dask.delayed(_read_part)(p, kwargs, meta) for p in parts.to_delayed()],
                          meta=meta, verify_meta=False)
    remember_whole(out, keys)
    return out


def _read_part(frame, kwargs, meta):

    frame = plain(frame)
    if len(frame) == 0:
        return meta
    out = _io.read_shares(frame, **kwargs)
    out.attrs.clear()
    return out


def _share_columns(source, func, kwargs):

    dataset = _io.open_dataset(source, func)
    names = set(dataset.schema.names)
    wanted = []
    for param, default in (("market", "market"), ("period", "period"), ("firm", "firm")):
        col = kwargs.get(param)
        if col is None:
            continue
        if col in names or col != default:
            wanted.append(col)
    wanted.append(kwargs.get("value") or kwargs.get("share"))
    if kwargs.get("period") in names:  # the periods' own dates, when the file has them
        wanted += [kwargs[c] for c in ("period_start", "period_end")
                   if kwargs.get(c) is not None and kwargs[c] in names]
    missing = [c for c in wanted if c not in names]
    if missing:
        raise SchemaError(
            f"{func}: column(s) {missing} not found in {str(source)!r}. Columns present: "
            f"{sorted(names)}. Pass market=/period=/firm=/share= to name the columns.")
    return wanted


def _probe(frame, keys, kwargs):
    """A one-row, valid table with the column dtypes of ``frame`` (for Dask's meta)."""
    sample = plain(frame._meta_nonempty.iloc[:1]).reset_index(drop=True)
    col = kwargs.get("value") or kwargs.get("share")
    sample[col] = 100.0 if kwargs.get("scale") == "percent" and not kwargs.get("value") else 1.0
    return sample


def read_parquet(source, *, func, columns=None, filters=None):
    """Open a Parquet file, directory or hive dataset lazily, with the library's errors."""
    dd = require(func)

    # typed errors for a missing or unreadable path, type clashes between files and hive
    # keys that are file columns; a directory is read as the files io.dataset_files lists
    # (each real file once, no link loop), as the pandas engine reads it
    _io.open_dataset(source, func)
    path = os.fspath(source)
    target = path
    if os.path.isdir(path):
        files = _io.dataset_files(path)
        if files:
            target = files
    kwargs = {}
    if filters is not None:
        if not isinstance(filters, list):
            raise InvalidParameterError(param_message(
                func, "filters", "a list of (column, op, value) tuples with engine='dask'",
                type(filters).__name__, "Write the filter as e.g. [('period', '>=', '2024Q1')]."))
        _io.filter_expression(filters, func)
        kwargs["filters"] = filters
    frame = dd.read_parquet(target, columns=columns, dataset={"partitioning": "hive"}, **kwargs)
    cats = [c for c, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)]
    for c in cats:
        frame[c] = frame[c].astype(frame._meta[c].dtype.categories.dtype)
    return frame


def read_holdings(source, *, func="read_holdings", **kwargs):
    """``read_holdings(..., engine="dask")``: a lazy Dask DataFrame of validated holdings.

    Columns ``period`` (when the data have periods), ``owner``, ``firm``,
    ``cash_flow`` and, only when a control column was named, ``control``; stakes
    are fractions.  Each period is validated by the in-memory
    :func:`concentration.read_holdings` when the frame is computed (every check of
    the holdings is within one period), and the partitions hold whole periods.
    """
    dd = require(func)
    import dask

    owner, firm, cash_flow = kwargs["owner"], kwargs["firm"], kwargs["cash_flow"]
    control, period, filters = kwargs["control"], kwargs["period"], kwargs["filters"]
    required = {"owner": owner, "firm": firm, "cash_flow": cash_flow, "control": control}
    if is_dask(source):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None for a Dask DataFrame input", filters,
                "Filter the DataFrame before passing it."))
        frame = source
    elif isinstance(source, (str, os.PathLike)):
        names = set(_io.open_dataset(source, func).schema.names)
        cols = [c for c in (owner, firm, cash_flow, control) if c is not None]
        if period is not None and (period in names or period != "period"):
            cols.insert(0, period)
        missing = [c for c in cols if c not in names]
        if missing:
            raise SchemaError(
                f"{func}: column(s) {missing} not found in {str(source)!r}. Columns present: "
                f"{sorted(names)}. Pass owner=/firm=/cash_flow=/control=/period= to name "
                "the columns.")
        frame = read_parquet(source, func=func, columns=cols, filters=filters)
    else:
        raise InvalidParameterError(param_message(
            func, "source", "a path (file, directory or hive dataset) or a Dask DataFrame "
            "with engine='dask'", type(source).__name__,
            "Use engine='pandas' for in-memory data, or dask.dataframe.from_pandas()."))
    check_columns(func, frame._meta, required)
    has_period = period is not None and period in frame.columns
    if period is not None and not has_period and period != "period":
        check_columns(func, frame._meta, {"period": period})
    kwargs = dict(kwargs, filters=None)
    meta = _holdings_meta(frame, kwargs)
    if not has_period:
        whole = dask.delayed(pd.concat)(frame.to_delayed())
        return dd.from_delayed([dask.delayed(_holdings_part)(whole, kwargs, meta)], meta=meta,
                               verify_meta=False)
    found = partition_keys(frame, [period]) if frame.npartitions > 1 else None
    if found is None or not pd.concat(found).duplicated().any():
        parts = frame
        pmap = None if found is None else [list(f[period]) for f in found]
    else:
        parts, pmap = whole_group_partitions(frame, [period]), None
    out = dd.from_delayed([dask.delayed(_holdings_part)(p, kwargs, meta)
                           for p in parts.to_delayed()], meta=meta, verify_meta=False)
    remember_whole(out, ["period"])
    _remember_holdings(out, kwargs.get("control") is not None, pmap,
                       kwargs.get("control_missing", "error"))
    return out

# expression name -> (control given, periods of each partition or None) for frames made
# by read_holdings(engine="dask"): validated already, so tasks do not validate again


def _remember_holdings(ddf, control_given, pmap, control_missing="error"):
    if len(_VALIDATED_HOLDINGS) >= _VALIDATED_MAX:
        _VALIDATED_HOLDINGS.clear()
    _VALIDATED_HOLDINGS[ddf._name] = (control_given, pmap, control_missing)


def validated_holdings(ddf):
    """``(control given, periods of each partition or None, control_missing)`` if
    ``read_holdings`` made ``ddf``, else None."""
    return _VALIDATED_HOLDINGS.get(ddf._name)


def _holdings_meta(frame, kwargs):
    """The empty output frame, from the in-memory reader run on a one-row probe."""

    probe = plain(frame._meta_nonempty.iloc[:1]).reset_index(drop=True)
    owner, firm = kwargs["owner"], kwargs["firm"]
    if probe[owner].iloc[0] == probe[firm].iloc[0]:
        val = probe[firm].iloc[0]
        probe[firm] = val + 1 if isinstance(val, (int, float, np.number)) else f"{val}_"
    stake = 50.0 if kwargs.get("scale") == "percent" else 0.5
    for col in (kwargs["cash_flow"], kwargs["control"]):
        if col is not None:
            probe[col] = stake
    meta = _holdings_table(read_holdings_in_memory(probe, **kwargs), kwargs).iloc[:0]
    meta.attrs.clear()
    return meta


def _holdings_table(holdings, kwargs):
    t = holdings.table
    return t if kwargs.get("control") is not None else t.drop(columns="control")


def _holdings_part(frame, kwargs, meta):

    frame = plain(frame)
    if len(frame) == 0:
        return meta
    out = _holdings_table(read_holdings_in_memory(frame, **kwargs), kwargs)
    out.attrs.clear()
    return out


def as_holdings(frame, func, validated=False, control_missing="error"):
    """A Holdings object from a (computed) Dask holdings partition.

    Validated by :func:`concentration.read_holdings` unless it comes from
    ``read_holdings(engine="dask")`` (``validated``): then the table is used as is,
    and ``control_missing`` is the policy it was read with (stated in the note).
    """

    frame = plain(frame)
    control = "control" if "control" in frame.columns else None
    if not validated:
        return read_holdings_in_memory(frame, control=control)
    table = frame.reset_index(drop=True)
    if control is None:
        table = table.assign(control=table["cash_flow"].to_numpy().copy())
    firms = set(table["firm"])
    cross = tuple(sorted({o for o in pd.unique(table["owner"]) if o in firms}, key=str))
    return Holdings(table=table, control_given=control is not None,
                    has_period="period" in table.columns, cross_owners=cross,
                    control_missing=control_missing,
                    n_control_missing=None if control_missing != "error" else 0)
