"""Map by group: the in-memory function on partitions that hold whole groups.

The rows of a Dask DataFrame are arranged so that every group (a (market, period)
pair, or a period) lies in one partition, and each partition is handed to the
in-memory public function -- the code path the rest of the test suite checks.  No
formula is implemented twice.  The partial results (one row per group) are
concatenated and sorted as the in-memory function sorts them, so the answer is the
one the pandas path gives on the same rows.

Arranging the rows costs one of two things:

* nothing but a scan of the grouping columns, when the partitions already hold
  whole groups (a hive dataset partitioned by period, read one file per partition,
  is the common case);
* otherwise a shuffle on the grouping columns.  Each row is tagged with its
  position before the shuffle and each partition is re-sorted by it afterwards, so
  the rows of a group reach the in-memory function in their original order.

Dask is imported inside the functions, on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import sys

import numpy as np
import pandas as pd

from ..._validation import check_columns
from ...exceptions import InvalidParameterError, MissingDependencyError

__all__ = ["INSTALL", "is_dask", "require", "map_groups", "finish", "plain",
           "whole_group_partitions", "partition_keys", "remember_whole", "groups_split"]

#: What to install for the Dask back end.
INSTALL = "pip install 'antitrust-concentration[dask]'"

_ROW = "__concentration_row__"
_DEFAULT_STR = pd.Series(["a"]).dtype  # "str" under pandas 3, object under pandas 2

# expression name -> grouping keys whose groups are known to lie within one partition
_WHOLE_GROUPS: dict = {}
_WHOLE_GROUPS_MAX = 4096


def is_dask(obj) -> bool:
    """True for a Dask DataFrame or Series, without importing Dask."""
    mod = sys.modules.get("dask.dataframe")
    if mod is None:
        return False
    return isinstance(obj, (mod.DataFrame, mod.Series))


def require(func):
    """Import and return ``dask.dataframe``, or raise MissingDependencyError."""
    try:
        import dask  # noqa: F401
        import dask.dataframe as dd
    except ImportError as exc:
        raise MissingDependencyError(
            f"{func}: Dask input and engine='dask' need the optional Dask dependencies, which "
            f"are not installed ({exc}). Install them with: {INSTALL}") from None
    return dd


def map_groups(spec, arguments, compute, client):
    """Run the public function ``spec`` on whole groups of its Dask data argument.

    ``arguments`` are the bound arguments (defaults applied); the first of
    ``spec.data`` holds the Dask DataFrame or Series.
    """
    name, module, sig, data_arg, key_args = (spec.name, spec.module, spec.signature,
                                             spec.data[0], spec.keys)
    dd = require(name)
    import dask

    ddf = arguments.pop(data_arg)
    if isinstance(ddf, dd.Series):
        ddf = ddf.to_frame()
    keys = _resolve_keys(name, ddf, arguments, sig, key_args)
    call = functools.partial(_call_public, module, name, data_arg, arguments)
    if not keys:
        # one market: it must fit in memory anyway
        whole = dask.delayed(pd.concat)(ddf.to_delayed())
        lazy = dask.delayed(call)(whole)
    else:
        parts = whole_group_partitions(ddf, keys, client=client)
        results = [dask.delayed(call)(p) for p in parts.to_delayed()]
        period = arguments.get("period")
        period = period if period in keys else None
        lazy = dask.delayed(_combine)(results, keys, period,
                                      _period_dates(ddf, keys, period, arguments))
    return finish(lazy, compute, client)


def finish(lazy, compute, client):
    """Compute ``lazy`` (on ``client`` if given) or return it lazy, as ``compute`` says."""
    if client is not None:
        future = client.compute(lazy)
        return future.result() if compute else future
    if not compute:
        return lazy
    return lazy.compute()


def _resolve_keys(name, ddf, arguments, sig, key_args):
    """Grouping columns present, as the in-memory function resolves them."""
    meta = ddf._meta
    keys = []
    for arg in key_args:
        col = arguments.get(arg)
        if col is None:
            continue
        default = sig.parameters[arg].default if arg in sig.parameters else None
        if col not in meta.columns:
            if col == default:
                continue
            check_columns(name, meta, {arg: col})
        if col not in keys:
            keys.append(col)
    return keys


def _call_public(module, name, data_arg, arguments, frame):
    """Run the public in-memory function on one partition (in a worker)."""
    if frame is None or len(frame) == 0:
        return None
    frame = plain(frame)
    func = getattr(importlib.import_module(module), name)
    kwargs = dict(arguments)
    kwargs[data_arg] = frame
    return func(**kwargs)


def plain(frame):
    """Restore the original row order after a shuffle; categorical keys to plain dtypes.

    Dask reads hive partition columns as categoricals; pyarrow's dataset reader (the
    pandas engine) as their values.  Converting gives both paths the same group labels.
    """
    if _ROW in frame.columns:
        frame = frame.sort_values(_ROW, kind="stable").drop(columns=_ROW)
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if cats:
        frame = frame.copy()
        for c in cats:
            frame[c] = frame[c].astype(frame[c].dtype.categories.dtype)
    # Dask turns text into pyarrow strings with pd.NA; pandas' own default is "str"
    strings = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)
               and frame[c].dtype.na_value is pd.NA and frame[c].dtype != _DEFAULT_STR]
    if strings:
        frame = frame.astype({c: _DEFAULT_STR for c in strings})
    return frame


def _period_dates(ddf, keys, period, arguments):
    """A lazy (keys) -> period_start/period_end table when the data carry their dates."""
    if period is None:
        return None
    cols = {c: arguments.get(c) for c in ("period_start", "period_end")}
    have = {c: v for c, v in cols.items() if isinstance(v, str) and v in ddf.columns}
    if not have:
        return None
    frame = ddf[list(keys) + list(have.values())]
    frame = frame.rename(columns={v: c for c, v in have.items()})
    agg = {c: ("min" if c == "period_start" else "max") for c in have}
    return frame.groupby(list(keys)).agg(agg)


def _combine(results, keys, period=None, dates=None):
    """Concatenate per-partition results and sort them by group like the pandas path."""
    results = [r for r in results if r is not None]
    if not results:
        raise InvalidParameterError(
            "The Dask DataFrame has no rows, so there is nothing to compute. Check the path "
            "and the filters used to read it.")
    first = results[0]
    if isinstance(first, (pd.Series, pd.DataFrame)):
        out = pd.concat(results)
        if list(out.index.names) == list(keys):
            return out.iloc[_group_order(out.index.to_frame(index=False), keys, period,
                                         dates)]
        if isinstance(out, pd.DataFrame) and all(k in out.columns for k in keys):
            return out.iloc[_group_order(out, keys, period, dates)].reset_index(drop=True)
        return out
    if dataclasses.is_dataclass(first) and isinstance(getattr(first, "table", None),
                                                      pd.DataFrame):
        return _combine_tables(results, keys, period, dates)
    raise TypeError(f"Cannot combine partial results of type {type(first).__name__}.")


def _group_order(frame, keys, period, dates=None):
    """Row positions sorted as the in-memory functions sort groups.

    Markets (and deals) by label; each market's periods in time order: by the start
    and end their labels name (see :mod:`concentration._periods`), all-digit labels
    that are not years numerically, other labels in the order the partitions gave
    them (each partition holds whole groups, already in time order).
    """
    from ..._periods import period_bounds

    work = pd.DataFrame(index=range(len(frame)))
    cols = []
    for k in keys:
        col = frame[k].reset_index(drop=True)
        if k == period:
            given = [None, None]
            if dates is not None:  # the data's own dates, per (market, period)
                looked = pd.DataFrame({c: frame[c].reset_index(drop=True) for c in keys}
                                      ).join(dates, on=list(keys))
                given = [looked[c] if c in looked else None
                         for c in ("period_start", "period_end")]
            start, end = period_bounds(col.astype(object), *given)
            digits = pd.to_numeric(col.astype(object).where(
                col.astype(str).str.strip().str.isdigit()), errors="coerce")
            work[f"{k}__start"], work[f"{k}__end"] = start, end
            work[f"{k}__ordinal"] = digits.to_numpy(dtype=float)
            cols += [f"{k}__start", f"{k}__end", f"{k}__ordinal"]
        else:
            work[k] = col.to_numpy()
            cols.append(k)
    work["__pos"] = np.arange(len(work))
    return work.sort_values(cols + ["__pos"], kind="stable", na_position="last")["__pos"] \
        .to_numpy()


def _combine_tables(results, keys, period=None, dates=None):
    """Join result dataclasses holding a tidy ``table`` (e.g. MergerScreen) by group.

    Rows are ordered as the in-memory call orders them: by deal (in the order given),
    then by group; the order within a group (guidelines) is kept.
    """
    first = results[0]
    table = pd.concat([r.table for r in results], ignore_index=True)
    by = [k for k in keys if k in table.columns]
    order = table[by].copy() if by else pd.DataFrame(index=table.index)
    if "deal" in table.columns and isinstance(getattr(first, "deals", None), dict):
        rank = {d: i for i, d in enumerate(first.deals)}
        order.insert(0, "deal", table["deal"].map(rank))
    if order.shape[1]:
        table = table.iloc[_group_order(order, list(order.columns), period, dates)
                           ].reset_index(drop=True)
    notes = []
    for r in results:
        for n in getattr(r, "notes", ()):
            if n not in notes:
                notes.append(n)
    changes = {"table": table}
    if hasattr(first, "notes"):
        changes["notes"] = tuple(notes)
    return dataclasses.replace(first, **changes)


# ---------------------------------------------------------------------------
# arranging rows so that every group lies in one partition

def _unique_keys(frame, keys):
    return frame[keys].drop_duplicates()


def _tag_rows(frame, partition_info=None):
    number = 0 if partition_info is None else int(partition_info["number"])
    out = frame.copy()
    out[_ROW] = (np.int64(number) << np.int64(40)) + np.arange(len(frame), dtype=np.int64)
    return out


def remember_whole(ddf, keys):
    """Note that the groups over ``keys`` of ``ddf`` each lie within one partition."""
    if len(_WHOLE_GROUPS) >= _WHOLE_GROUPS_MAX:
        _WHOLE_GROUPS.clear()
    _WHOLE_GROUPS[ddf._name] = tuple(keys)


def _known_whole(ddf, keys) -> bool:
    known = _WHOLE_GROUPS.get(ddf._name)
    return known is not None and set(known) <= set(keys)


def groups_split(ddf, keys, client=None) -> bool:
    """True when some group has rows in more than one partition (scans the key columns)."""
    import dask

    if ddf.npartitions == 1:
        return False
    projected = ddf[list(keys)]
    if projected.optimize().npartitions != ddf.optimize().npartitions:
        projected = ddf.map_partitions(_unique_keys, list(keys), meta=ddf._meta[list(keys)])
    pieces = [dask.delayed(_unique_keys)(p, list(keys)) for p in projected.to_delayed()]
    if client is not None:
        uniques = client.gather(client.compute(pieces))
    else:
        uniques = dask.compute(*pieces)
    stacked = pd.concat([plain(u) for u in uniques], ignore_index=True)
    return bool(stacked.duplicated(subset=list(keys)).any())


def whole_group_partitions(ddf, keys, *, client=None):
    """A Dask DataFrame with the rows of ``ddf`` such that no group spans two partitions.

    When the partitions already hold whole groups, ``ddf`` itself (one scan of the key
    columns to find out); otherwise the rows tagged with their position and shuffled on
    ``keys``.
    """
    keys = list(keys)
    if _known_whole(ddf, keys) or not groups_split(ddf, keys, client=client):
        remember_whole(ddf, keys)
        return ddf
    meta = ddf._meta.assign(**{_ROW: np.array([], dtype=np.int64)})
    tagged = ddf.map_partitions(_tag_rows, meta=meta)
    out = tagged.shuffle(on=keys, npartitions=ddf.npartitions)
    remember_whole(out, keys)
    return out


def partition_keys(ddf, keys, *, client=None):
    """The distinct values of ``keys`` in each partition of ``ddf`` (one small frame each)."""
    import dask

    keys = list(keys)
    projected = ddf[keys]
    if projected.optimize().npartitions != ddf.optimize().npartitions:
        projected = ddf.map_partitions(_unique_keys, keys, meta=ddf._meta[keys])
    pieces = [dask.delayed(_unique_keys)(p, keys) for p in projected.to_delayed()]
    if client is not None:
        uniques = client.gather(client.compute(pieces))
    else:
        uniques = dask.compute(*pieces)
    return [plain(u) for u in uniques]
