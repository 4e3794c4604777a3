"""Dask back end: the public functions over Dask DataFrames, one group at a time.

Nothing here imports Dask when :mod:`concentration` is imported.  A Dask
DataFrame is recognised only if ``dask.dataframe`` is already in
:data:`sys.modules` (an object of that type cannot exist otherwise), and Dask is
imported on first use.

The scheme is *map by group*: the rows are arranged so that every group (a
(market, period) pair, or a period) lies in one partition, and each partition is
handed to the in-memory public function -- the code path the rest of the test
suite checks.  No formula is implemented twice.  The partial results (one row
per group) are concatenated and sorted as the in-memory function sorts them, so
the answer is the one the pandas path gives on the same rows.

Arranging the rows costs one of two things:

* nothing but a scan of the grouping columns, when the partitions already hold
  whole groups (a hive dataset partitioned by period, read one file per
  partition, is the common case);
* otherwise a shuffle on the grouping columns.  Each row is tagged with its
  position before the shuffle and each partition is re-sorted by it afterwards,
  so the rows of a group reach the in-memory function in their original order.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import os
import sys

import numpy as np
import pandas as pd

from ..._validation import check_bool, check_choice, check_columns, param_message
from ...exceptions import InvalidParameterError, MissingDependencyError

__all__ = ["is_dask", "require", "dispatch", "dispatch_ownership", "read_shares",
           "read_holdings", "INSTALL"]

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


# ---------------------------------------------------------------------------
# the decorator that gives public functions their Dask path

_DASK_DOC = """compute : bool, default True
        Dask input only.  ``True`` computes and returns the pandas result the
        in-memory call returns on the same rows; ``False`` returns a lazy
        :class:`dask.delayed.Delayed` whose ``.compute()`` gives that result (or a
        :class:`distributed.Future` when ``client`` is given).
    client : distributed.Client, optional
        Dask input only.  The cluster to run on.  Without it, the global client
        (the last ``distributed.Client`` created) is used if there is one, and
        Dask's local scheduler otherwise.  See ``docs/dask.md``."""


def _dask_only(name, options):
    """Raise when a Dask-only option ``(name, value, default)`` is set for in-memory data."""
    names = [f"{which}=" for which, _, _ in options]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    for which, val, default in options:
        if val is not default:
            raise InvalidParameterError(param_message(
                name, which, "left at its default for in-memory data",
                val if which == "compute" else type(val).__name__,
                f"{listed} apply to Dask DataFrames only."))


def dispatch(*, data="data", keys=("market", "period"), combine="concat"):
    """Decorate a public function so that it accepts a Dask DataFrame.

    Parameters
    ----------
    data : str
        Name of the argument that holds the long table.
    keys : tuple of str
        Names of the arguments that name the grouping columns; the groups are
        handed whole to the in-memory function.
    combine : {"concat"}
        How per-partition results are joined: concatenated and sorted by group.
    """

    def deco(func):
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        extra = [inspect.Parameter("compute", inspect.Parameter.KEYWORD_ONLY, default=True),
                 inspect.Parameter("client", inspect.Parameter.KEYWORD_ONLY, default=None)]
        if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD:
            new_sig = sig.replace(parameters=params[:-1] + extra + params[-1:])
        else:
            new_sig = sig.replace(parameters=params + extra)
        name = func.__name__
        module = func.__module__

        @functools.wraps(func)
        def wrapper(*args, compute=True, client=None, **kwargs):
            bound = sig.bind(*args, **kwargs)
            if not is_dask(bound.arguments.get(data)):
                _dask_only(name, (("compute", compute, True), ("client", client, None)))
                return func(*args, **kwargs)
            check_bool(name, "compute", compute)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            return _run(module, name, sig, arguments, data, keys, compute, client)

        wrapper.__signature__ = new_sig
        wrapper.__doc__ = _with_dask_doc(func.__doc__)
        return wrapper

    return deco


def _with_dask_doc(doc):
    if not doc:
        return doc
    marker = "\n    Returns\n    -------"
    if marker not in doc:
        return doc
    return doc.replace(marker, "\n    " + _DASK_DOC + "\n" + marker, 1)


def _run(module, name, sig, arguments, data_arg, key_args, compute, client):
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
        lazy = dask.delayed(_combine)(results, keys)
    return _finish(lazy, compute, client)


def _finish(lazy, compute, client):
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
    frame = _plain(frame)
    func = getattr(importlib.import_module(module), name)
    kwargs = dict(arguments)
    kwargs[data_arg] = frame
    return func(**kwargs)


def _plain(frame):
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


def _combine(results, keys):
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
            return out.sort_index(kind="stable")
        if isinstance(out, pd.DataFrame) and all(k in out.columns for k in keys):
            return out.sort_values(keys, kind="stable").reset_index(drop=True)
        return out
    if dataclasses.is_dataclass(first) and isinstance(getattr(first, "table", None),
                                                      pd.DataFrame):
        return _combine_tables(results, keys)
    raise TypeError(f"Cannot combine partial results of type {type(first).__name__}.")


def _combine_tables(results, keys):
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
        table = table.loc[order.sort_values(list(order.columns), kind="stable").index]
        table = table.reset_index(drop=True)
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


def _remember(ddf, keys):
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
    stacked = pd.concat([_plain(u) for u in uniques], ignore_index=True)
    return bool(stacked.duplicated(subset=list(keys)).any())


def whole_group_partitions(ddf, keys, *, client=None):
    """A Dask DataFrame with the rows of ``ddf`` such that no group spans two partitions.

    When the partitions already hold whole groups, ``ddf`` itself (one scan of the key
    columns to find out); otherwise the rows tagged with their position and shuffled on
    ``keys``.
    """
    keys = list(keys)
    if _known_whole(ddf, keys) or not groups_split(ddf, keys, client=client):
        _remember(ddf, keys)
        return ddf
    meta = ddf._meta.assign(**{_ROW: np.array([], dtype=np.int64)})
    tagged = ddf.map_partitions(_tag_rows, meta=meta)
    out = tagged.shuffle(on=keys, npartitions=ddf.npartitions)
    _remember(out, keys)
    return out


# ---------------------------------------------------------------------------
# readers

def read_shares(source, *, func="read_shares", **kwargs):
    """``read_shares(..., engine="dask")``: a lazy Dask DataFrame of validated shares.

    Each group is validated and converted by the in-memory :func:`read_shares` when
    the frame is computed; the partitions hold whole groups (so a computed result
    can be passed on without another shuffle).
    """
    dd = require(func)
    import dask

    from ... import io as _io

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
    _remember(out, keys)
    return out


def _read_part(frame, kwargs, meta):
    from ... import io as _io

    frame = _plain(frame)
    if len(frame) == 0:
        return meta
    out = _io.read_shares(frame, **kwargs)
    out.attrs.clear()
    return out


def _share_columns(source, func, kwargs):
    from ... import io as _io

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
    missing = [c for c in wanted if c not in names]
    if missing:
        from ...exceptions import SchemaError

        raise SchemaError(
            f"{func}: column(s) {missing} not found in {str(source)!r}. Columns present: "
            f"{sorted(names)}. Pass market=/period=/firm=/share= to name the columns.")
    return wanted


def _probe(frame, keys, kwargs):
    """A one-row, valid table with the column dtypes of ``frame`` (for Dask's meta)."""
    sample = _plain(frame._meta_nonempty.iloc[:1]).reset_index(drop=True)
    col = kwargs.get("value") or kwargs.get("share")
    sample[col] = 100.0 if kwargs.get("scale") == "percent" and not kwargs.get("value") else 1.0
    return sample


def read_parquet(source, *, func, columns=None, filters=None):
    """Open a Parquet file, directory or hive dataset lazily, with the library's errors."""
    dd = require(func)
    from ... import io as _io

    _io.open_dataset(source, func)  # typed errors for a missing or unreadable path
    kwargs = {}
    if filters is not None:
        if not isinstance(filters, list):
            raise InvalidParameterError(param_message(
                func, "filters", "a list of (column, op, value) tuples with engine='dask'",
                type(filters).__name__, "Write the filter as e.g. [('period', '>=', '2024Q1')]."))
        _io.filter_expression(filters, func)
        kwargs["filters"] = filters
    frame = dd.read_parquet(os.fspath(source), columns=columns, **kwargs)
    cats = [c for c, t in frame.dtypes.items() if isinstance(t, pd.CategoricalDtype)]
    for c in cats:
        frame[c] = frame[c].astype(frame._meta[c].dtype.categories.dtype)
    return frame


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
    return [_plain(u) for u in uniques]


# ---------------------------------------------------------------------------
# holdings: read_holdings(engine="dask"), profit_weights and mhhi over Dask input

#: Columns of a Dask DataFrame of holdings (as ``Holdings.table``; ``period`` when the
#: data have periods, ``control`` only when voting stakes were supplied).
HOLDINGS_COLUMNS = ("period", "owner", "firm", "cash_flow", "control")


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

    from ... import io as _io
    from ...exceptions import SchemaError

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
    _remember(out, ["period"])
    _remember_holdings(out, kwargs.get("control") is not None, pmap)
    return out


# expression name -> (control given, periods of each partition or None) for frames made
# by read_holdings(engine="dask"): validated already, so tasks do not validate again
_VALIDATED_HOLDINGS: dict = {}


def _remember_holdings(ddf, control_given, pmap):
    if len(_VALIDATED_HOLDINGS) >= _WHOLE_GROUPS_MAX:
        _VALIDATED_HOLDINGS.clear()
    _VALIDATED_HOLDINGS[ddf._name] = (control_given, pmap)


def _holdings_meta(frame, kwargs):
    """The empty output frame, from the in-memory reader run on a one-row probe."""
    from ...ownership._holdings import read_holdings as _read

    probe = _plain(frame._meta_nonempty.iloc[:1]).reset_index(drop=True)
    owner, firm = kwargs["owner"], kwargs["firm"]
    if probe[owner].iloc[0] == probe[firm].iloc[0]:
        val = probe[firm].iloc[0]
        probe[firm] = val + 1 if isinstance(val, (int, float, np.number)) else f"{val}_"
    stake = 50.0 if kwargs.get("scale") == "percent" else 0.5
    for col in (kwargs["cash_flow"], kwargs["control"]):
        if col is not None:
            probe[col] = stake
    meta = _holdings_table(_read(probe, **kwargs), kwargs).iloc[:0]
    meta.attrs.clear()
    return meta


def _holdings_table(holdings, kwargs):
    t = holdings.table
    return t if kwargs.get("control") is not None else t.drop(columns="control")


def _holdings_part(frame, kwargs, meta):
    from ...ownership._holdings import read_holdings as _read

    frame = _plain(frame)
    if len(frame) == 0:
        return meta
    out = _holdings_table(_read(frame, **kwargs), kwargs)
    out.attrs.clear()
    return out


def _as_holdings(frame, func, validated=False):
    """A Holdings object from a (computed) Dask holdings partition.

    Validated by :func:`concentration.read_holdings` unless it comes from
    ``read_holdings(engine="dask")`` (``validated``): then the table is used as is.
    """
    from ...ownership._holdings import Holdings
    from ...ownership._holdings import read_holdings as _read

    frame = _plain(frame)
    control = "control" if "control" in frame.columns else None
    if not validated:
        return _read(frame, control=control)
    table = frame.reset_index(drop=True)
    if control is None:
        table = table.assign(control=table["cash_flow"].to_numpy().copy())
    firms = set(table["firm"])
    cross = tuple(sorted({o for o in pd.unique(table["owner"]) if o in firms}, key=str))
    return Holdings(table=table, control_given=control is not None,
                    has_period="period" in table.columns, cross_owners=cross)


_PW_DOC = """reduce : callable, optional
        Dask input only.  Applied on the worker to each period's κ (what the
        in-memory call returns for that period alone, in the requested ``output``)
        before anything is gathered; the call then returns a dict
        ``{period: reduce(kappa_p)}`` in period order (key ``None`` when the holdings
        have no period).  With ``reduce``, ``output="dense"`` or ``"sparse"`` may
        span several periods (each is reduced on its own).  This keeps a 13F
        panel's κ matrices (8,000 firms: 512 MB each) on the workers, e.g.
        ``reduce=lambda k: k.mean()``."""

_PW_RETURNS = """
        With a Dask DataFrame of holdings (columns as returned by
        ``read_holdings(..., engine="dask")``; each period is validated by
        :func:`concentration.read_holdings` in its task), the same pandas / NumPy /
        SciPy result as the in-memory call on the same rows, computed per period on
        the workers and assembled on the client; with ``reduce``, a dict of reduced
        values per period instead."""

_MHHI_RETURNS = """
        With Dask input (``shares`` and/or ``holdings`` a Dask DataFrame; holdings
        with the columns of ``read_holdings(..., engine="dask")``), the same
        :class:`MHHI` as the in-memory call on the same rows: one task per period
        (per market when the shares have no period column) runs this function, and
        the per-task results are joined in group order on the client."""


def dispatch_ownership(kind):
    """Decorate :func:`profit_weights` (``kind="profit_weights"``) or :func:`mhhi`.

    Either data argument (``holdings``; ``shares`` for mhhi) may be a Dask DataFrame;
    each task runs the decorated in-memory function on one period.
    """

    def deco(func):
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        names = ["compute", "client"] + (["reduce"] if kind == "profit_weights" else [])
        defaults = {"compute": True, "client": None, "reduce": None}
        extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=defaults[n])
                 for n in names]
        new_sig = sig.replace(parameters=params + extra)
        name = func.__name__
        data_args = ("holdings",) if kind == "profit_weights" else ("shares", "holdings")

        @functools.wraps(func)
        def wrapper(*args, compute=True, client=None, reduce=None, **kwargs):
            bound = sig.bind(*args, **kwargs)
            if not any(is_dask(bound.arguments.get(a)) for a in data_args):
                _dask_only(name, (("compute", compute, True), ("client", client, None),
                                  ("reduce", reduce, None)))
                return func(*args, **kwargs)
            check_bool(name, "compute", compute)
            if reduce is not None and not callable(reduce):
                raise InvalidParameterError(param_message(
                    name, "reduce", "a callable or None", type(reduce).__name__))
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            if kind == "profit_weights":
                lazy = _profit_weights_graph(func, arguments, reduce, client)
            else:
                lazy = _mhhi_graph(func, arguments, client)
            return _finish(lazy, compute, client)

        wrapper.__signature__ = new_sig
        doc = _with_dask_doc(func.__doc__)
        if doc:
            doc = doc.replace("\n    holdings : Holdings\n",
                              "\n    holdings : Holdings or dask.dataframe.DataFrame\n", 1)
            if kind == "mhhi":
                doc = doc.replace("\n    shares : mapping, pandas.Series or pandas.DataFrame\n",
                                  "\n    shares : mapping, pandas.Series, pandas.DataFrame or "
                                  "dask.dataframe.DataFrame\n", 1)
            if kind == "profit_weights":
                doc = doc.replace("\n\n    Returns\n    -------", "\n    " + _PW_DOC
                                  + "\n\n    Returns\n    -------", 1)
            returns_note = _PW_RETURNS if kind == "profit_weights" else _MHHI_RETURNS
            doc = doc.replace("\n\n    Raises\n    ------", returns_note
                              + "\n\n    Raises\n    ------", 1)
        wrapper.__doc__ = doc
        return wrapper

    return deco


def _check_holdings_frame(func, ddf):
    from ...exceptions import SchemaError

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
    known = _VALIDATED_HOLDINGS.get(ddf._name)
    if known is not None and known[1] is not None:
        return ddf, known[1]
    parts = whole_group_partitions(ddf, ["period"], client=client)
    found = partition_keys(parts, ["period"], client=client)
    return parts, [list(f["period"]) for f in found]


def _profit_weights_graph(func, arguments, reduce, client):
    require(func.__name__)
    import dask

    from ...ownership._mhhi import KAPPA_OUTPUTS

    name = func.__name__
    ddf = arguments.pop("holdings")
    check_choice(name, "output", arguments["output"], KAPPA_OUTPUTS)
    validated = ddf._name in _VALIDATED_HOLDINGS
    parts, pmap = _holdings_partitions(name, ddf, client)
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


def _pw_task(frame, period, *, func, arguments, reduce, validated=False):
    """κ of one period (in a worker): the in-memory profit_weights on that period's rows."""
    frame = _plain(frame)
    if period is not None:
        frame = frame[frame["period"] == period]
    holdings = _as_holdings(frame, func.__name__, validated)
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
    for key in ("no_holdings", "no_control", "notes"):
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


def _mhhi_graph(func, arguments, client):
    require(func.__name__)
    import dask

    from ...ownership._holdings import Holdings

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
    validated = is_dask(holdings) and holdings._name in _VALIDATED_HOLDINGS
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
                from ...ownership._mhhi import resolve_holdings_period

                fixed = [resolve_holdings_period(name, present, arguments["holdings_period"])]
            else:
                fixed = None

            def holdings_for(periods):
                periods = fixed if fixed is not None else periods
                idx = sorted({i for i, ps in enumerate(hmap) for p in ps if p in set(periods)})
                return [hdelayed[i] for i in idx], list(periods)
    elif isinstance(holdings, Holdings):
        def holdings_for(periods):
            if periods is None or not holdings.has_period:
                return holdings, None
            t = holdings.table
            return dataclasses.replace(holdings, table=t[t["period"].isin(periods)]), None
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


def _mhhi_task(shares, holdings, *, periods, func, arguments, validated=False):
    """The in-memory mhhi on one piece of the shares (in a worker)."""
    from ...ownership._holdings import Holdings

    if isinstance(shares, pd.DataFrame):
        if len(shares) == 0:
            return None
        shares = _plain(shares)
    if not isinstance(holdings, Holdings):
        frame = pd.concat([_plain(h) for h in holdings], ignore_index=True)
        if periods is not None:
            frame = frame[frame["period"].isin(periods)]
        holdings = _as_holdings(frame, func.__name__, validated)
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
    return dataclasses.replace(first, frame=frame, no_holdings=nh, notes=tuple(notes),
                               _groups=groups, _blocks=tuple(blocks), _structures=structures)


def _index_sort_key(index):
    """Positions that sort ``index`` by its labels (as group_codes sorts groups)."""
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [index.get_level_values(i) for i in range(index.nlevels)]).argsort()
    return index.argsort()
