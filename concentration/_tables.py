"""The market-share data model: coercion, validation and grouping.

Every public function that takes shares calls :func:`coerce_shares` once.  It
accepts a mapping, Series, 1-D array or a long DataFrame, and returns a
:class:`ShareTable`: integer group codes, shares as fractions, firm labels and
the per-group totals, plus a :class:`ValidationReport`.  Inputs are never
modified.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._entities import coerce_entities
from ._kernels import load
from ._periods import period_bounds, period_order, to_dates, unplaced_error
from ._results import ResultMixin
from ._validation import (
    check_choice,
    check_columns,
    check_memory,
    check_number,
    did_you_mean,
    param_message,
    scale_factor,
    warn,
)
from .exceptions import (
    FringeWarning,
    InvalidParameterError,
    InvalidSharesError,
    SchemaError,
)

_grouped = load("_grouped")

__all__ = [
    "DEFAULT_TOLERANCE",
    "ISSUE_COLUMNS",
    "ShareTable",
    "ValidationReport",
    "coerce_shares",
    "group_codes",
    "group_label",
    "issues_frame",
    "map_parents",
    "numeric_column",
    "period_order",
    "resolve_key",
    "small_market",
]

#: Shares of a market may sum above one by this much (rounding in published tables)
#: before the data are rejected, and below one by this much before a fringe is reported.
DEFAULT_TOLERANCE = 0.01

ISSUE_COLUMNS = ["severity", "check", "column", "group", "value", "message"]
_MAX_EXAMPLES = 5


class _LazyIssues:
    """The ``issues`` field of :class:`ValidationReport`: a frame built when first read.

    A report may be given the issue rows (a list of dicts) instead of a frame; most
    reports have no issue, and an empty DataFrame costs far more to build than the
    validation of a small market.
    """

    def __set_name__(self, owner, name):
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the dataclass default: no issues
        value = obj.__dict__[self.slot]
        if not isinstance(value, pd.DataFrame):
            value = issues_frame(value)
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = [] if value is None else value


@dataclass(frozen=True, repr=False)
class ValidationReport(ResultMixin):
    """What validation found in a table: one row per problem.

    Attributes
    ----------
    issues : pandas.DataFrame
        Columns ``severity`` (``"error"`` or ``"warning"``), ``check`` (a stable code
        such as ``"negative_share"``, ``"duplicate_key"``, ``"sum_above_one"``,
        ``"fringe"``), ``column``, ``group`` (the market/period label, when the issue
        concerns one group), ``value`` and ``message``.
    policy : str
        How warnings are handled downstream (for example the fringe policy).
    """

    issues: pd.DataFrame = _LazyIssues()
    policy: str = ""

    def _rows(self):
        """The issue rows as given (a list), or None once they are a frame."""
        value = self.__dict__["_issues"]
        return None if isinstance(value, pd.DataFrame) else value

    @property
    def errors(self) -> pd.DataFrame:
        """The rows of :attr:`issues` whose severity is ``"error"``."""
        return self.issues[self.issues["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        """The rows of :attr:`issues` whose severity is ``"warning"``."""
        return self.issues[self.issues["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        rows = self._rows()
        if rows is not None:
            return not any(r["severity"] == "error" for r in rows)
        return self.errors.empty

    def raise_if_errors(self, error_class=InvalidSharesError):
        """Raise ``error_class`` describing the first failed check, if any error was found."""
        if self._rows() == []:
            return self
        errs = self.errors
        if errs.empty:
            return self
        check = errs["check"].iloc[0]
        rows = errs[errs["check"] == check]
        msg = rows["message"].iloc[0]
        if len(rows) > 1:
            examples = "; ".join(str(g) for g in rows["group"].head(_MAX_EXAMPLES))
            msg += f" ({len(rows)} groups fail this check, e.g. {examples}.)"
        raise error_class(msg)

    def emit_warnings(self, category=FringeWarning):
        """Issue one Python warning per warning check (not per group), at the caller's line."""
        if self._rows() == [] or self.issues.empty:
            return
        warns = self.warnings
        for check, rows in warns.groupby("check", sort=False):
            msg = rows["message"].iloc[0]
            if len(rows) > 1:
                examples = "; ".join(str(g) for g in rows["group"].head(_MAX_EXAMPLES))
                msg = f"{len(rows)} groups: {msg} Examples: {examples}."
            warn(msg, category)

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`issues`."""
        return self.issues

    def _summary_parts(self):
        facts = [("errors", len(self.errors)), ("warnings", len(self.warnings))]
        if self.policy:
            facts.append(("policy", self.policy))
        return "Validation report", facts, []


class _Firms:
    """The firm label of each row, held as integer codes until the labels are read.

    Three layouts, all with an integer ``key`` per row that is equal exactly when the
    labels are equal (the duplicate check and the (group, firm) sums use nothing
    else):

    * codes into ``labels`` (an object array or an Index: factorized labels, the
      categories of a categorical);
    * integers that are the labels themselves, minus ``offset`` (``labels`` None,
      ``dtype`` the column's), so no label array is ever built;
    * rows of ``strings``, a pyarrow string array (``codes`` None for every row in
      order, else row numbers): the key is a 64-bit hash of the bytes, so a repeat
      found by key is confirmed on the strings (:func:`_repeated_pairs`).

    ``categories`` keeps a categorical column's dtype (the codes index its categories), so
    that :meth:`ShareTable.to_frame` can give the column back as a Categorical.
    """

    __slots__ = (
        "_hashes",
        "categories",
        "codes",
        "dtype",
        "labels",
        "n_keys",
        "offset",
        "strings",
    )

    def __init__(self, codes, labels=None, *, offset=0, dtype=None, n_keys=0, strings=None,
                 categories=None):
        self.codes = codes
        self.labels = labels
        self.offset = offset
        self.dtype = dtype
        self.n_keys = n_keys
        self.strings = strings
        self.categories = categories
        self._hashes = None

    def __len__(self):
        return len(self.strings) if self.codes is None else self.codes.size

    def keys(self):
        """One int32/int64 key per row (see the class docstring)."""
        if self.strings is None:
            return self.codes
        if self._hashes is None:
            self._hashes = _string_hashes(self.strings)
        return self._hashes if self.codes is None else self._hashes[self.codes]

    def take(self, rows):
        """The labels of ``rows`` (an integer array), in the same layout."""
        if self.strings is not None and self.codes is None:
            out = _Firms(rows, strings=self.strings)
            out._hashes = self._hashes
            return out
        out = _Firms(self.codes[rows], self.labels, offset=self.offset, dtype=self.dtype,
                     n_keys=self.n_keys, strings=self.strings, categories=self.categories)
        out._hashes = self._hashes
        return out

    def values(self):
        """The labels as an object array (what ``column.to_numpy(dtype=object)`` gives)."""
        if self.strings is not None:
            arr = self.strings if self.codes is None else self.strings.take(self.codes)
            return arr.to_numpy(zero_copy_only=False)
        if self.labels is not None:
            return np.asarray(self.labels.take(self.codes), dtype=object)
        return self.integers().astype(object)

    def integers(self):
        """Integer labels kept as codes, in the column's own dtype (None for others)."""
        if self.strings is not None or self.labels is not None:
            return None
        vals = self.codes.astype(self.dtype)
        if self.offset:
            vals += np.asarray(self.offset, dtype=self.dtype)
        return vals

    def label(self, i):
        """The label of row ``i``."""
        return self.take(np.asarray([i], dtype=np.int64)).values()[0]

    def column(self):
        """The labels as a DataFrame column without a Python object per row, or None.

        A Categorical (same categories, the codes kept) when they came from one;
        Arrow-backed text when they came as text; None otherwise.
        """
        if self.categories is not None:
            return pd.Categorical.from_codes(self.codes, dtype=self.categories)
        if self.strings is not None:
            arr = self.strings if self.codes is None else self.strings.take(self.codes)
            return arr.to_pandas().array
        return None


class _LazyFirms:
    """The ``firms`` field of :class:`ShareTable`: labels built from ``firm_index`` on
    first use (never, for an index that needs only the duplicate check)."""

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the dataclass default
        value = obj.__dict__.get("_firms")
        if value is None and obj.firm_index is not None:
            value = obj.firm_index.values()
            obj.__dict__["_firms"] = value
        return value

    def __set__(self, obj, value):
        obj.__dict__["_firms"] = value


@dataclass(repr=False, kw_only=True)
class ShareTable:
    """Validated shares, grouped.  Private: built by :func:`coerce_shares`.

    Read-only by convention, not frozen: every public call builds one, and a frozen
    dataclass's ``__init__`` (one ``object.__setattr__`` per field) costs a five-firm
    call more than its validation does.

    ``codes[i]`` is the group of row ``i`` (``0 <= codes < len(groups)``), ``shares``
    are fractions, ``firms`` the firm labels (or ``None`` when rows are firms with no
    label), ``groups`` the group labels (``None`` for a single unlabelled group) and
    ``keys`` the names of the grouping columns.  A table read from a DataFrame keeps
    its firm labels as codes (``firm_index``) and builds ``firms`` when it is first
    read.
    """

    codes: np.ndarray
    shares: np.ndarray
    firms: np.ndarray | None = _LazyFirms()
    groups: pd.Index | None
    keys: tuple
    firm_name: str
    totals: np.ndarray
    report: ValidationReport
    attrs: dict
    #: ``(total, sumsq, count)`` per group when validation already computed them.
    pass_sums: tuple | None = None
    #: ``period_start`` and ``period_end`` of each group (aligned with ``groups``), or
    #: None when the table has no period column.
    intervals: pd.DataFrame | None = None
    #: The firms that were joined to another entity (columns ``firm``, ``entity``), or
    #: None when no ``parent=`` was given.
    merged: pd.DataFrame | None = None
    #: ``(market, label)`` of the first period that cannot be placed in time, if any.
    unplaced: tuple | None = None
    #: The name of the period column, when there is one.
    period_name: str | None = None
    #: The firm labels as codes (a ``_Firms``), when ``firms`` is built lazily.
    firm_index: _Firms | None = None

    def time_order(self, func="indices"):
        """Group positions in time order: by market, then period start and end.

        Groups are built in this order already; the call checks that it exists.
        Raises :class:`~concentration.exceptions.PeriodError` when a period label of a
        market cannot be placed in time (see :mod:`concentration._periods`).
        """
        if self.unplaced is not None:
            market, label = self.unplaced
            where = f"market {market!r}" if market is not None else ""
            raise unplaced_error(func, label, where=where)
        return np.arange(self.n_groups)

    @property
    def n_groups(self) -> int:
        return 1 if self.groups is None else len(self.groups)

    def to_frame(self, share_name="share", *, dates=False, categorical=False) -> pd.DataFrame:
        """Long table: grouping columns, firm (when known) and share as a fraction.

        ``dates=True`` adds each row's ``period_start`` and ``period_end``.  With
        ``categorical=True`` a firm column that came as a Categorical is one again
        (codes per row, no label per row), and a text firm column is Arrow-backed text
        (no Python string per row).  Integer firm labels and the grouping columns keep
        the labels' own dtype.
        """
        data = {}
        if self.groups is not None:
            if isinstance(self.groups, pd.MultiIndex):
                for lvl, name in enumerate(self.groups.names):
                    data[name] = self.groups.get_level_values(lvl).take(self.codes)
            else:
                data[self.groups.name] = self.groups.take(self.codes)
        if dates and self.intervals is not None:
            for col in ("period_start", "period_end"):
                data[col] = self.intervals[col].to_numpy().take(self.codes)
        col = None
        if self.firm_index is not None:   # integer labels keep their dtype
            col = self.firm_index.column() if categorical else None
            if col is None:
                col = self.firm_index.integers()
        if col is not None:
            data[self.firm_name] = col
        elif self.firms is not None:
            data[self.firm_name] = self.firms
        data[share_name] = self.shares.copy()   # the frame's own, as every column here
        return pd.DataFrame(data, copy=False)   # no second copy into consolidated blocks

    def stats(self, k=0, func="concentration_ratio"):
        """Per-group ``(total, sumsq, count, max, min, top-k)`` from the grouped kernel.

        ``k`` above the largest group's row count is lowered to that count (the extra
        columns would all be 0), and the ``[groups x k]`` top-share buffers are checked
        against the memory available first (:func:`check_memory`, a ResourceError naming
        ``func``).  The top-k matrix therefore has ``min(k, largest count)`` columns.
        """
        if k > 0:
            counts = self.sums()[2]
            k = int(min(k, counts.max(initial=0)))
            if k > 0:
                chunks = _grouped.n_chunks(self.codes.size, self.n_groups)
                # per-chunk buffers, their merged copy and sort, and the result
                nbytes = 8.0 * self.n_groups * k * (4 * chunks + 2)
                check_memory(func, nbytes,
                             what=f"the {k:,} largest shares of each of {self.n_groups:,} "
                                  "markets",
                             fits="Pass a smaller k (the largest shares are kept per market), "
                                  "or compute the markets in batches.")
        return _grouped.grouped_stats(self.codes, self.shares, self.n_groups, k)

    def sums(self):
        """Per-group ``(total, sumsq, count)``, reusing the validation pass when it has them."""
        if self.pass_sums is not None:
            return self.pass_sums
        return _grouped.grouped_sums(self.codes, self.shares, self.n_groups)[0]

    def with_fringe_firms(self, size: float) -> ShareTable:
        """Append synthetic fringe firms of share ``size`` (last one smaller) to each group.

        The fringe of a group is ``1 - total``; it is split into ``floor(rest / size)``
        firms of share ``size`` and one firm holding the remainder, labelled
        ``"fringe 1"``, ``"fringe 2"``, ... when the table has firm labels.
        """
        rest = np.clip(1.0 - self.totals, 0.0, None)
        rest[rest < 1e-12] = 0.0
        n_full = np.floor(rest / size + 1e-9).astype(np.int64)
        rem = rest - n_full * size
        rem[rem < 1e-12] = 0.0
        n_new = n_full + (rem > 0)
        groups = np.repeat(np.arange(rest.size, dtype=np.int64), n_new)
        vals = np.full(groups.size, size)
        last = np.cumsum(n_new) - 1
        has_rem = rem > 0
        vals[last[has_rem]] = rem[has_rem]
        firms = None
        if self.firms is not None:
            ordinal = np.arange(groups.size) - np.repeat(np.cumsum(n_new) - n_new, n_new)
            firms = np.concatenate([self.firms, np.asarray([f"fringe {i + 1}" for i in ordinal],
                                                           dtype=object)])
        return ShareTable(codes=np.concatenate([self.codes, groups]),
                          shares=np.concatenate([self.shares, vals]), firms=firms,
                          groups=self.groups, keys=self.keys, firm_name=self.firm_name,
                          totals=np.maximum(self.totals, 1.0) if rest.any() else self.totals,
                          report=self.report, attrs=self.attrs, intervals=self.intervals,
                          merged=self.merged, unplaced=self.unplaced,
                          period_name=self.period_name)

    def wrap(self, values, name=None):
        """Return per-group ``values`` as a float (one unlabelled group) or a Series/DataFrame."""
        if self.groups is None:
            if isinstance(values, pd.DataFrame):
                return values.iloc[0].rename(None)
            return float(np.asarray(values)[0])
        if isinstance(values, pd.DataFrame):
            values.index = self.groups
            return values
        return pd.Series(np.asarray(values), index=self.groups, name=name)


def resolve_key(frame, name, default, param, func):
    """Resolve an optional grouping column: absent default -> None; absent explicit -> error."""
    if name is None:
        return None
    if name not in frame.columns:
        if name == default:
            return None
        check_columns(func, frame, {param: name})
    return name


def _int_codes(col: np.ndarray):
    """Codes ``col - min`` for an integer column with a compact range, or None.

    A column that already holds int64 codes starting at 0 is used as it is, through
    a read-only view (never copied, never written).
    """
    if col.size == 0 or col.dtype.kind not in "iu":
        return None
    lo, hi = int(col.min()), int(col.max())
    span = hi - lo + 1
    if span > max(4 * col.size, 1 << 16):
        return None
    if lo == 0 and col.dtype == np.int64 and col.flags.c_contiguous:
        codes = col.view()
        codes.flags.writeable = False
    else:
        codes = np.subtract(col, lo, dtype=np.int64, casting="unsafe")
    uniques = np.arange(lo, hi + 1, dtype=col.dtype)
    return codes, uniques


def _span_codes(frame: pd.DataFrame, keys):
    """Codes over every combination of the key levels, before absent groups are dropped.

    Returns ``(codes, levels, n_codes)``: ``levels = (level_uniques, present)`` where
    ``present`` is None when some of the ``n_codes`` combinations may have no row
    (:func:`_compress` drops them from the row counts), or the span code of each
    group when the codes are already dense over the groups present.
    """
    codes = None
    level_uniques = []
    for key in keys:
        series = frame[key]
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered:
            # the codes are the groups, in category order (as factorize(sort=True) has
            # them); the labels are the used categories' values, as for a plain column
            c = series.cat.codes.to_numpy()
            fast = None  # missing values: reported below
            if not (c.size and c.min() < 0):
                cats = dtype.categories
                used = np.bincount(c, minlength=len(cats)) > 0
                if used.all():
                    fast = c.astype(np.int64), cats
                else:  # unused categories are no groups: renumber the used ones
                    fast = (np.cumsum(used) - 1)[c], cats[used]
        else:
            fast = _int_codes(series.to_numpy()) if isinstance(dtype, np.dtype) and \
                dtype.kind in "iu" else None
        if fast is None:
            c, u = pd.factorize(frame[key], sort=True)
            if (c < 0).any():
                raise InvalidSharesError(
                    f"The grouping column {key!r} has missing values. Every row needs a "
                    f"{key}; fill or drop the missing ones before the analysis."
                )
            c = c.astype(np.int64, copy=False)
        else:
            c, u = fast
        codes = c if codes is None else codes * len(u) + c
        level_uniques.append(pd.Index(u, name=key))
    span = int(np.prod([len(u) for u in level_uniques], dtype=np.float64))
    if span > max(4 * codes.size, 1 << 16):
        codes, present = pd.factorize(codes, sort=True)
        codes = codes.astype(np.int64, copy=False)
        return codes, (level_uniques, present), len(present)
    return codes, (level_uniques, None), span


def _compress(codes, levels, counts, keys):
    """Drop the key combinations with no rows; ``counts`` = rows per span code."""
    level_uniques, present = levels
    if present is None:
        present = np.flatnonzero(counts)
        if present.size < counts.size:  # some label combinations are absent: renumber
            remap = np.full(counts.size, -1, dtype=np.int64)
            remap[present] = np.arange(present.size, dtype=np.int64)
            codes = remap[codes]
    if len(keys) == 1:
        return codes, pd.Index(level_uniques[0].take(present), name=keys[0]), present
    sizes = [len(u) for u in level_uniques]
    level_codes = np.unravel_index(present, sizes)
    groups = pd.MultiIndex(levels=level_uniques, codes=list(level_codes), names=list(keys))
    return codes, groups, present


def group_codes(frame: pd.DataFrame, keys):
    """Factorize ``frame[keys]`` into int64 codes and a pandas Index of the groups present.

    Integer columns with a compact range are coded arithmetically (no hashing); other
    columns through :func:`pandas.factorize`.  Groups are sorted by their labels.
    """
    keys = list(keys)
    if not keys:
        return np.zeros(len(frame), dtype=np.int64), None
    codes, levels, n_codes = _span_codes(frame, keys)
    counts = None if levels[1] is not None else np.bincount(codes, minlength=n_codes)
    codes, groups, _ = _compress(codes, levels, counts, keys)
    return codes, groups


def numeric_column(frame, col, param, func):
    """Column ``col`` as float64; SchemaError unless it is a real (not bool) numeric column."""
    if col is None:
        raise InvalidParameterError(param_message(
            func, param, "a column name (str)", col, f"Pass {param}='<column>'."))
    check_columns(func, frame, {param: col})
    series = frame[col]
    if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            and not pd.api.types.is_complex_dtype(series)):
        raise SchemaError(
            f"{func}: the '{param}' column {col!r} must be numeric (float or int); "
            f"it has dtype {series.dtype}. Convert it first, e.g. "
            f"df[{col!r}] = pd.to_numeric(df[{col!r}])."
        )
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _refuse_values(func, got, why, fix):
    raise InvalidSharesError(param_message(func, "shares", why, got, fix))


_NUMBERS = "real numbers (a mapping firm -> share, a Series or a 1-D array)"
_PLAIN_NUMBERS = frozenset({float, int})


def _float_values(raw, func):
    """``raw`` (list, ndarray or Series) as float64, refusing bools, complex and text.

    The same values the DataFrame path refuses in a share column (its dtype must be
    numeric and not bool) are refused here, element by element for Python lists and
    object arrays; missing values (None, NaN, ``pd.NA``) pass through as NaN and are
    reported by the missing-share check.
    """
    if isinstance(raw, pd.Series):
        if pd.api.types.is_bool_dtype(raw.dtype) or pd.api.types.is_complex_dtype(raw.dtype):
            _refuse_values(func, f"a Series of dtype {raw.dtype}", _NUMBERS,
                           "Booleans and complex numbers are not shares; convert the values "
                           "to float first.")
        if pd.api.types.is_numeric_dtype(raw.dtype):
            return raw.to_numpy(dtype=np.float64, na_value=np.nan)
        raw = raw.to_numpy(dtype=object)
    arr = raw if isinstance(raw, np.ndarray) else None
    if arr is None and isinstance(raw, list) and set(map(type, raw)) <= _PLAIN_NUMBERS:
        return np.asarray(raw, dtype=np.float64)  # plain Python numbers (never bool)
    if arr is None:
        try:
            arr = np.asarray(raw, dtype=object)
        except (TypeError, ValueError):
            _refuse_values(func, raw, _NUMBERS, "Convert the values to float first.")
        if arr.ndim == 1 and arr.size:
            arr = _checked_objects(arr, func)
    kind = arr.dtype.kind
    if kind in "bc" or kind in "USMmV":
        what = {"b": "booleans", "c": "complex numbers"}.get(kind, f"dtype {arr.dtype}")
        _refuse_values(func, f"an array of {what}", _NUMBERS,
                       "Booleans, complex numbers, text and dates are not shares; convert "
                       "the values to float first.")
    if kind == "O" and arr.ndim == 1:
        arr = _checked_objects(arr, func)
    try:
        return np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError):
        _refuse_values(func, raw, _NUMBERS, "Convert the values to float first.")


def _checked_objects(arr, func):
    """An object array of Python numbers as float64; bools, complex and text refused."""
    for v in arr:
        if isinstance(v, (bool, np.bool_, complex, np.complexfloating)) or not (
                isinstance(v, (numbers.Real, decimal.Decimal)) or v is None or v is pd.NA):
            kind = ("a boolean" if isinstance(v, (bool, np.bool_)) else
                    "a complex number" if isinstance(v, (complex, np.complexfloating)) else
                    f"a {type(v).__name__}")
            _refuse_values(func, v, _NUMBERS,
                           f"One value is {kind}; booleans, complex numbers and text are not "
                           "shares. Convert the values to float first.")
    return np.asarray([np.nan if (v is None or v is pd.NA) else float(v) for v in arr],
                      dtype=np.float64)


def _multiindex_frame(data, *, market, period, firm, share, func):
    """A Series indexed by (market, [period,] firm) as the long DataFrame it stands for.

    Each level is read by its name, as the DataFrame path reads columns of those
    names; unnamed levels, or names that are none of ``market``, ``period`` and
    ``firm``, are refused with a message saying how to pass the data.
    """
    names = list(data.index.names)
    known = [k for k in (market, period, firm) if isinstance(k, str)]
    how = ("Name the levels, e.g. s.rename_axis(['market', 'firm']), pass market=/period=/"
           "firm= with the level names, or pass s.reset_index() as a long DataFrame.")
    if any(n is None for n in names) or len(set(names)) != len(names):
        raise InvalidSharesError(param_message(
            func, "shares", "a Series whose MultiIndex levels have distinct names",
            f"a Series with index levels {names}", how))
    other = [n for n in names if n not in known]
    if other:
        raise InvalidSharesError(param_message(
            func, "shares", f"a Series whose index levels are among {known} (market, period "
            "and firm)", f"a Series with index levels {names}", how))
    share_name = share if isinstance(share, str) else "share"
    if share_name in names:
        share_name = "share" if "share" not in names else "__share__"
    frame = data.index.to_frame(index=False)
    values = _float_values(data, func)
    frame[share_name] = values
    frame.attrs = dict(data.attrs)
    return frame, share_name


def _one_dimensional(data, func):
    """Firm labels and raw shares from a mapping, Series or 1-D array."""
    if isinstance(data, Mapping):
        # one label per key, each kept as it is: no key is read as an array or sequence
        firms = np.fromiter(data.keys(), dtype=object, count=len(data))
        raw = list(data.values())
    elif isinstance(data, pd.Series):
        firms = data.index.to_numpy(dtype=object)
        raw = data
    else:
        firms = None
        raw = data
    values = _float_values(raw, func)
    if values.ndim != 1:
        raise InvalidSharesError(
            param_message(func, "shares", "one-dimensional", f"an array of shape {values.shape}",
                          "Pass a long DataFrame for several markets.")
        )
    if values.size == 0:
        raise InvalidSharesError(
            param_message(func, "shares", "non-empty", "no shares",
                          "Pass at least one firm's share.")
        )
    # an array made here from a list is the table's own; other input may be the caller's
    return firms, values if isinstance(raw, list) else values.copy()


def text_as_labels(names, frame, column):
    """Labels named as text (a list, a tuple, or a mapping keyed by them; anything else
    is returned as it is) as ``frame[column]`` holds them.

    A command line or a configuration file gives every name as text; where the column
    holds integer ids (firm ids, market numbers), a name that reads as one of those ids
    (``"12"``) is that id.  Other names stay as given, for the analysis to report as
    absent.
    """
    if names is None or column is None or column not in frame.columns \
            or not pd.api.types.is_integer_dtype(frame[column].dtype):
        return names
    ids = set(pd.unique(frame[column]).tolist())

    def label(name):
        if not isinstance(name, str):
            return name
        try:
            value = int(name)
        except ValueError:
            return name
        return value if value in ids else name

    if isinstance(names, Mapping):
        return {label(k): v for k, v in names.items()}
    if isinstance(names, (list, tuple)):
        return type(names)(label(n) for n in names)
    return names


def group_label(value) -> str:
    """A group label as text: a (market, period) tuple joined by ``" / "``."""
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return str(value)


def _label(groups, g):
    """A group named by its keys: ``market 'cloud', period '2024Q1'`` (never a tuple repr)."""
    if groups is None:
        return "the market"
    lab = groups[g]
    names = list(groups.names) if isinstance(groups, pd.MultiIndex) else [groups.name]
    values = lab if isinstance(lab, tuple) else (lab,)
    # numpy scalars as the numbers they are (market 35, not market np.int64(35))
    values = tuple(v.item() if isinstance(v, np.generic) else v for v in values)
    return ", ".join(f"{n} {v!r}" if n is not None else repr(v)
                     for n, v in zip(names, values))


def _issue(issues, severity, check, column, group, value, message):
    issues.append({"severity": severity, "check": check, "column": column, "group": group,
                   "value": value, "message": message})


#: A mapping or list of at most this many shares may be read by :func:`small_market`.
_SMALL_MARKET = 64
_PLAIN_NAMES = (str, type(None))


def small_market(data, *, names, scale, tolerance, duplicates):
    """``(shares, sum, sum of squares, largest)`` of one small market that every check passes.

    ``data`` is a dict or a list of at most 64 plain Python numbers (float or int);
    ``names`` are the column-name arguments of the call (each must be a str or None),
    ``scale``, ``tolerance`` and ``duplicates`` its options.  When :func:`coerce_shares`
    would record no finding at all for these arguments (every share finite, at least 0
    and at most 1, or 100 for ``scale="percent"``; the sum within 1 ± ``tolerance``),
    ``shares`` is the list of the table's shares (fractions, in the order given) and
    the sums are those of :meth:`ShareTable.sums` for its table, exactly: the shares are
    added in order, one accumulator each, as the kernel adds a market's rows;
    ``largest`` is the largest share.  Anything else returns None, and the caller takes
    :func:`coerce_shares`, which validates the arguments and reports the finding with
    its message.  A loop over thousands of deals then pays for a few comparisons per
    firm instead of building a table.
    """
    kind = type(data)
    if kind is not dict and kind is not list:
        return None
    values = data.values() if kind is dict else data
    n = len(values)
    if not 0 < n <= _SMALL_MARKET or type(tolerance) is not float \
            or not 0.0 <= tolerance <= 1.0 or (duplicates != "error" and duplicates != "sum"):
        return None
    for name in names:
        if type(name) not in _PLAIN_NAMES:
            return None
    if scale == "fraction":
        factor = 1.0
    elif scale == "percent":
        factor = 100.0
    else:
        return None
    top = factor * (1.0 + tolerance)
    raw_total = total = sumsq = largest = 0.0
    shares = []
    for v in values:
        kind = type(v)
        if kind is int:
            if not 0 <= v <= top:
                return None
            v = float(v)
        elif kind is not float or not 0.0 <= v <= top:  # (NaN fails the comparison)
            return None
        raw_total += v
        if v > largest:
            largest = v
        if factor != 1.0:
            v = v / factor
            total += v
        shares.append(v)
        sumsq += v * v
    if factor == 1.0:
        total = raw_total
    else:
        if largest <= 1.0 and 0.0 < raw_total <= 1.0 + tolerance:
            return None  # fractions declared as percentages: the general path says so
        raw_total = raw_total / factor
        largest = largest / factor
    if not 1.0 - tolerance <= raw_total <= 1.0 + tolerance + 1e-9:
        return None  # above one (an error) or a fringe (a warning)
    return shares, total, sumsq, largest


def coerce_shares(data, *, market="market", period="period", firm="firm", share="share",
                  value=None, scale="fraction", duplicates="error", parent=None,
                  tolerance=DEFAULT_TOLERANCE, func="hhi", fringe_note=None,
                  raise_errors=True, emit=True, period_start="period_start",
                  period_end="period_end") -> ShareTable:
    """Validate and group shares given as a mapping, Series, array or long DataFrame.

    See :func:`concentration.read_shares` for the meaning of every argument.  With
    ``raise_errors=True`` the first failed check raises; otherwise every finding is
    recorded in the report.  ``fringe_note`` is appended to the fringe warning to
    state the policy the caller applies.
    """
    for name, col in (("market", market), ("period", period), ("firm", firm),
                      ("share", share), ("value", value), ("period_start", period_start),
                      ("period_end", period_end)):
        if col is not None and type(col) is not str and not isinstance(col, Hashable):
            raise InvalidParameterError(param_message(
                func, name, "a column name (str) or None", col))
    factor = scale_factor(func, scale)
    check_choice(func, "duplicates", duplicates, ("error", "sum"),
                 fix="Use duplicates='sum' to add up several rows of one firm in one market.")
    tolerance = check_number(func, "tolerance", tolerance, low=0.0, high=1.0)
    entities = coerce_entities(parent, func)
    issues: list = []
    attrs: dict = {}
    firm_name = firm if isinstance(firm, str) else "firm"
    share_col = share
    period_key = market_key = None
    dates = (None, None)

    if isinstance(data, pd.Series) and isinstance(data.index, pd.MultiIndex):
        if value is not None:
            raise InvalidParameterError(param_message(
                func, "value", "None for a Series input", value,
                "Pass s.reset_index() as a DataFrame with a value column to derive shares "
                "from sales."))
        data, share = _multiindex_frame(data, market=market, period=period, firm=firm,
                                        share=share, func=func)
        share_col = share

    if isinstance(data, pd.DataFrame):
        attrs = dict(data.attrs)
        market_key = resolve_key(data, market, "market", "market", func)
        period_key = resolve_key(data, period, "period", "period", func)
        keys = tuple(k for k in (market_key, period_key) if k is not None)
        if period_key is not None:
            dates = tuple(
                None if c is None else data[c]
                for c in (resolve_key(data, period_start, "period_start", "period_start", func),
                          resolve_key(data, period_end, "period_end", "period_end", func)))
        if len(set(keys)) != len(keys):
            raise InvalidParameterError(param_message(
                func, "period", "a column other than the market column", period))
        firm_col = resolve_key(data, firm, "firm", "firm", func)
        measure_param, measure_col = ("value", value) if value is not None else ("share", share)
        named = [("market", keys[0] if keys else None), ("period", keys[1] if len(keys) > 1
                                                          else None), ("firm", firm_col)]
        for param, col in named:
            if col is not None and col == measure_col:
                raise InvalidParameterError(param_message(
                    func, measure_param, f"a column other than the {param} column", measure_col,
                    f"Name the column that holds the {measure_param}s."))
        if firm_col is not None and firm_col in keys:
            raise InvalidParameterError(param_message(
                func, "firm", "a column other than the market and period columns", firm_col))
        if value is not None:
            check_columns(func, data, {"value": value})
            raw = numeric_column(data, value, "value", func)
            share_col = value
        else:
            check_columns(func, data, {"share": share})
            raw = numeric_column(data, share, "share", func)
        firm_index = _firm_index(data[firm_col], func, firm_col) \
            if firm_col is not None else None
        firms = None
        if keys:
            codes, levels, n_groups = _span_codes(data, keys)
        else:
            if raw.size == 0:  # one market with no firm, as for a mapping or array
                raise InvalidSharesError(param_message(
                    func, "shares", "non-empty", "a DataFrame with no rows",
                    "Pass at least one firm's share."))
            codes, levels, n_groups = np.zeros(raw.size, dtype=np.int64), None, 1
        groups = None
        if firm_col is not None:
            firm_name = firm_col
    else:
        if value is not None:
            raise InvalidParameterError(param_message(
                func, "value", "None for a mapping/Series/array input", value,
                "Pass a DataFrame with a value column to derive shares from sales."))
        firms, raw = _one_dimensional(data, func)
        # a mapping's keys are distinct; so is a Series index that says so
        firm_index = None if firms is None or isinstance(data, Mapping) or \
            data.index.is_unique else _factorized_firms(firms, func, "firm")
        codes, groups, keys = np.zeros(raw.size, dtype=np.int64), None, ()
        levels, n_groups = None, 1
        share_col = "shares"

    # -- row-level checks on the raw numbers, in the same pass as the group sums
    stats, (n_nonfinite, i_nonfinite, n_negative, i_negative), largest = \
        _grouped.grouped_sums(codes, raw, n_groups)
    if levels is not None:  # drop key combinations with no rows
        codes, groups, present = _compress(codes, levels, stats[2], keys)
        if present.size < n_groups:
            stats = tuple(a[present] for a in stats)
        n_groups = present.size
    intervals, unplaced = (None, None) if period_key is None else \
        _group_intervals(func, codes, groups, period_key, market_key, dates, n_groups)
    if n_nonfinite:
        i = i_nonfinite
        _issue(issues, "error", "missing_share", share_col, _label(groups, codes[i]), raw[i],
               f"{func}: {share_col!r} has {n_nonfinite} missing or infinite value(s) "
               f"(first in {_label(groups, codes[i])}). Drop or fill them; a share cannot be "
               "guessed.")
    if n_negative:
        i = i_negative
        _issue(issues, "error", "negative_share", share_col, _label(groups, codes[i]), raw[i],
               f"{func}: {share_col!r} has {n_negative} negative value(s) "
               f"(e.g. {raw[i]!r} in {_label(groups, codes[i])}). Shares and sales must be >= 0; "
               "correct the data.")
    if issues and raise_errors:
        ValidationReport(issues_frame(issues)).raise_if_errors()

    # raw may be a view of the caller's data: it is never written to.
    clean = raw if not issues else np.where(np.isfinite(raw) & (raw >= 0), raw, 0.0)

    # -- duplicate (group, firm) keys: in the compiled kernel, on integer keys
    if firm_index is not None and len(firm_index):
        want_sum = duplicates == "sum"
        if want_sum and value is not None and not np.isfinite(stats[0]).all():
            # sales whose sum overflows: divide by the group's largest before adding up
            clean, _ = _rescaled_values(codes, clean, stats[0], n_groups)
        n_rep, first, kept, sums, firm_index = _repeated_pairs(
            func, codes, firm_index, stats[2], clean if want_sum else None)
        if n_rep:
            if duplicates == "error":
                i, label = first, firm_index.label(first)
                _issue(issues, "error", "duplicate_key", firm_name, _label(groups, codes[i]),
                       label,
                       f"{func}: firm {label!r} appears more than once in "
                       f"{_label(groups, codes[i])} ({n_rep} duplicate row(s) in all). "
                       + _absent_keys_hint(data, market_key, period_key, market, period)
                       + "Pass duplicates='sum' to add up several product lines of one firm, "
                       "or remove the repeated rows.")
                if raise_errors:
                    ValidationReport(issues_frame(issues)).raise_if_errors()
            else:
                codes, clean, firm_index = codes[kept], sums, firm_index.take(kept)
                stats = None
    merged = None
    if entities is not None and (firms is not None or firm_index is not None):
        if firm_index is not None:
            firms = firm_index.values()
        at = None if intervals is None else \
            intervals["period_end"].to_numpy(dtype="datetime64[ns]")[codes]
        joined = entities.resolve(firms, at)
        changed = firms != joined
        merged = pd.DataFrame({"firm": firms[changed], "entity": joined[changed]}
                              ).drop_duplicates().reset_index(drop=True)
        firm_index = _factorized_firms(joined, func, "firm")
        n_rep, _, kept, sums, firm_index = _repeated_pairs(
            func, codes, firm_index, np.bincount(codes, minlength=n_groups), clean)
        if n_rep:
            codes, clean, firm_index = codes[kept], sums, firm_index.take(kept)
        stats = None
    elif entities is not None:
        raise InvalidParameterError(param_message(
            func, "parent", "None when the data have no firm labels", type(parent).__name__,
            "Give firm names (a mapping or a 'firm' column) to aggregate to parents."))
    if firm_index is not None:
        firms = None  # built from firm_index when read

    # -- totals and unit checks
    if stats is None:
        stats, _, largest = _grouped.grouped_sums(codes, clean, n_groups)
    totals = stats[0]
    raw_max = largest[0]
    if value is not None:
        zero = totals <= 0
        if zero.any():
            g = int(np.flatnonzero(zero)[0])
            _issue(issues, "error", "zero_total", value, _label(groups, g), 0.0,
                   f"{func}: the values in {value!r} sum to 0 in {_label(groups, g)}, so no share "
                   "can be derived. Drop that market or correct its values.")
            if raise_errors:
                ValidationReport(issues_frame(issues)).raise_if_errors()
        if not np.isfinite(totals).all():
            clean, totals = _rescaled_values(codes, clean, totals, n_groups)
        shares = clean / np.where(zero, 1.0, totals)[codes]
        totals = np.where(zero, 0.0, 1.0)
        stats = None
    else:
        if factor == 1.0 and raw_max > 1.0 + tolerance:
            g = int(codes[largest[1]])
            if raw_max <= 100.0 * (1.0 + tolerance):
                _issue(issues, "error", "percent_as_fraction", share, _label(groups, g), raw_max,
                       f"{func}: shares look like percentages (largest {raw_max:g} in "
                       f"{_label(groups, g)}) but scale='fraction' was declared. "
                       "Pass scale='percent', or divide the shares by 100.")
            else:
                _issue(issues, "error", "share_above_one", share, _label(groups, g), raw_max,
                       f"{func}: a share of {raw_max:g} in {_label(groups, g)} is above 1 "
                       "(and above 100, so not a percentage either). Correct the data, or pass "
                       "value=<column> if these are sales.")
        elif factor == 100.0:
            if raw_max > 100.0 * (1.0 + tolerance):
                g = int(codes[largest[1]])
                _issue(issues, "error", "share_above_one", share, _label(groups, g), raw_max,
                       f"{func}: a share of {raw_max:g}% in {_label(groups, g)} is above 100%. "
                       "Correct the data, or pass value=<column> if these are sales.")
            elif clean.size and raw_max <= 1.0 and totals.max() <= 1.0 + tolerance \
                    and totals.max() > 0:
                _issue(issues, "error", "fraction_as_percent", share, None, raw_max,
                       f"{func}: shares look like fractions (every market sums to at most "
                       f"{totals.max():.3g}) but scale='percent' was declared. "
                       "Pass scale='fraction' (the default).")
        if issues and raise_errors:
            ValidationReport(issues_frame(issues)).raise_if_errors()
        shares = clean / factor if factor != 1.0 else clean
        if factor != 1.0:
            totals = totals / factor
            stats = None
        above = totals > 1.0 + tolerance + 1e-9  # 1e-9: float error in sums of rounded shares
        if np.count_nonzero(above):  # (far cheaper than .any() on a small array)
            for g in np.flatnonzero(above)[:1000]:
                _issue(issues, "error", "sum_above_one", share, _label(groups, g),
                       float(totals[g]),
                       f"{func}: shares in {_label(groups, g)} sum to {totals[g]:.4g}, above 1 "
                       f"by more than the tolerance {tolerance:g}. Check for double-counted "
                       "firms, an 'others' row overlapping named firms, or mixed market "
                       "definitions; or raise tolerance= if the excess is rounding.")
            if raise_errors:
                ValidationReport(issues_frame(issues)).raise_if_errors()
        below = totals < 1.0 - tolerance
        note = f" {fringe_note}" if fringe_note else ""
        for g in np.flatnonzero(below) if np.count_nonzero(below) else ():
            _issue(issues, "warning", "fringe", share, _label(groups, g), float(totals[g]),
                   f"shares sum to {totals[g]:.4g} < 1 in {_label(groups, g)} (a fringe, an "
                   f"outside good or top-N data).{note}")
    report = ValidationReport(list(issues), policy=fringe_note or "")
    if emit:
        report.emit_warnings(FringeWarning)
    if intervals is not None:
        ordinal = _ordinals(groups, period_key, unplaced) \
            if np.isnat(intervals["period_start"].to_numpy()).any() else np.zeros(len(groups))
        codes, groups, totals, stats, intervals = _in_time_order(
            codes, groups, totals, stats, intervals, market_key, ordinal)
    return ShareTable(codes=codes, shares=shares, firms=firms, groups=groups, keys=keys,
                      firm_name=firm_name, totals=totals, report=report, attrs=attrs,
                      pass_sums=stats, intervals=intervals, merged=merged, unplaced=unplaced,
                      period_name=period_key, firm_index=firm_index)


def _absent_keys_hint(data, market_key, period_key, market, period) -> str:
    """The likely cause of repeated firms when a grouping column is absent, or ``""``.

    A table without its period (or market) column puts every period (or market) in one
    group, so each firm "appears more than once"; the fix is to name the column, not
    to add the rows up.
    """
    if not isinstance(data, pd.DataFrame):
        return ""
    hints = []
    for param, key, name in (("period", period_key, period), ("market", market_key, market)):
        if key is None and name is not None:
            hints.append(f"The data have no {param} column ({name!r} is absent), so all "
                         f"{param}s form one group: if the rows cover several {param}s, "
                         f"name their column with {param}=<column name>"
                         f"{did_you_mean(name, data.columns)}. ")
    return "".join(hints)


def _group_intervals(func, codes, groups, period_key, market_key, dates, n_groups):
    """``period_start``/``period_end`` of each group, and the first unplaceable label.

    The data's own date columns (``dates``, per row) win: a group takes the earliest
    start and the latest end of its rows.  Otherwise the period label is parsed.
    Labels of an ordered Categorical or numbers that are not years need no dates
    (their order is stated or natural), so they are never reported as unplaceable.
    """
    labels = groups.get_level_values(period_key) if isinstance(groups, pd.MultiIndex) \
        else groups
    row_dates = []
    for col in dates:
        if col is None:
            row_dates.append(None)
            continue
        t = to_dates(col)
        bad = col.notna().to_numpy() & t.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidSharesError(param_message(
                func, "period_start" if col is dates[0] else "period_end", "dates",
                col.iloc[i], "Give the period's first and last day as dates (2024-01-01)."))
        per = pd.Series(t.to_numpy(dtype="datetime64[ns]")).groupby(codes)
        agg = per.min() if col is dates[0] else per.max()
        row_dates.append(agg.reindex(range(n_groups)).to_numpy(dtype="datetime64[ns]"))
    start, end = period_bounds(pd.Series(np.asarray(labels, dtype=object)), *row_dates)
    intervals = pd.DataFrame({"period_start": start, "period_end": end})
    unplaced = None
    missing = np.isnat(start)
    if missing.any():
        dtype = labels.dtype
        stated = isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
        numeric = pd.api.types.is_numeric_dtype(dtype) and not isinstance(
            dtype, pd.CategoricalDtype)
        digits = all(isinstance(v, str) and v.strip().isdigit()
                     for v in np.asarray(labels, dtype=object)[missing])
        if not (stated or numeric or digits):
            g = int(np.flatnonzero(missing)[0])
            market = groups[g][0] if isinstance(groups, pd.MultiIndex) else None
            unplaced = (market, labels[g])
    return intervals, unplaced


def _ordinals(groups, period_key, unplaced):
    """Numeric value of all-digit period labels that are not years ("1", "10"), else 0."""
    labels = groups.get_level_values(period_key) if isinstance(groups, pd.MultiIndex) \
        else groups
    out = np.zeros(len(labels), dtype=np.float64)
    if unplaced is None and (labels.dtype == object
                             or pd.api.types.is_string_dtype(labels.dtype)):
        for i, v in enumerate(labels):
            if isinstance(v, str) and v.strip().isdigit():
                out[i] = float(v)
    return out


def _in_time_order(codes, groups, totals, stats, intervals, market_key, ordinal):
    """Renumber groups so that each market's periods follow time (start, then end).

    Markets keep their order; within a market, periods that cannot be placed follow
    the placed ones, all-digit labels ("1", "2", "10") in numeric order and other labels
    in label order.  Nothing is copied when the groups are in time order already.
    """
    n = len(groups)
    market_codes = (groups.codes[0] if isinstance(groups, pd.MultiIndex) and market_key
                    else np.zeros(n, dtype=np.int64))
    start = intervals["period_start"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    end = intervals["period_end"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    nat = np.iinfo(np.int64).min
    big = np.iinfo(np.int64).max
    start = np.where(start == nat, big, start)
    end = np.where(end == nat, big, end)
    perm = np.lexsort((np.arange(n), ordinal, end, start, market_codes))
    if (perm == np.arange(n)).all():
        return codes, groups, totals, stats, intervals
    inverse = np.empty(n, dtype=np.int64)
    inverse[perm] = np.arange(n, dtype=np.int64)
    codes = inverse[codes]
    stats = None if stats is None else tuple(a[perm] for a in stats)
    return (codes, groups.take(perm), totals[perm], stats,
            intervals.iloc[perm].reset_index(drop=True))


def _rescaled_values(codes, values, totals, n_groups):
    """Values divided by their group's largest where the group's sum overflows float64.

    Sales of finite rows can still sum to ``inf`` (e.g. two values of ``1e308``), which
    would make every share 0.  In the groups whose total is not finite, each value is
    divided by the group maximum first (the shares ``v / sum(v)`` are unchanged by a
    common factor), so the sum is at most the row count; other groups are untouched.
    Returns the rescaled values and the new totals.
    """
    maximum = _grouped.grouped_stats(codes, values, n_groups, 0)[3]
    factor = np.where(np.isfinite(totals), 1.0, np.where(maximum > 0, maximum, 1.0))
    scaled = values / factor[codes]
    new_totals = np.bincount(codes, weights=scaled, minlength=n_groups)
    return scaled, np.where(np.isfinite(totals), totals, new_totals)


def issues_frame(rows):
    """Issue rows as a frame with the columns of :attr:`ValidationReport.issues`."""
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)


def _missing_firms(func, col):
    raise InvalidSharesError(
        f"{func}: the 'firm' column {col!r} has missing values. Every row needs "
        "a firm name; fill or drop them first.")


def _factorized_firms(values, func, col):
    """Firm labels of any hashable kind, factorized once (:func:`pandas.factorize`)."""
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable labels (lists, dicts)
        bad = next(f for f in np.asarray(values, dtype=object) if not isinstance(f, Hashable))
        raise InvalidSharesError(param_message(
            func, "firm", "labels that are text or numbers", bad,
            "Each firm label must be hashable; convert lists or dicts to text first, "
            "e.g. df['firm'] = df['firm'].astype(str).")) from None
    if codes.size and codes.min() < 0:
        _missing_firms(func, col)
    return _Firms(codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object),
                  n_keys=len(uniques))


def _arrow_strings(values):
    """``values`` as one pyarrow string (or large_string) array, or None if it is not text."""
    import pyarrow as pa

    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            ValueError):
        return None
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 1:
        arr = arr.chunk(0)
    # several chunks (a Parquet file's row groups) stay as they are: no copy of the text
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return None


def _string_hashes(arr):
    """The kernel's 64-bit hash of each string of a pyarrow string array (or of each
    chunk of a chunked one, in order, written into one array)."""
    import pyarrow as pa

    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    out = np.empty(len(arr), dtype=np.int64)
    start = 0
    for chunk in chunks:
        n = len(chunk)
        if n:
            bufs = chunk.buffers()
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset:chunk.offset + n + 1]
            data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None and \
                bufs[2].size else np.zeros(1, dtype=np.uint8)
            _grouped.string_hashes(data, np.ascontiguousarray(offsets), 0,
                                   out[start:start + n])
        start += n
    return out


def _firm_index(series, func, col):
    """The firm column as a :class:`_Firms`: codes without hashing where possible.

    Categorical codes and integer labels are used as they are; text (object or
    Arrow-backed) is hashed on its bytes in the kernel; anything else is factorized
    once.  A missing label is an InvalidSharesError.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        if codes.size and codes.min() < 0:
            _missing_firms(func, col)
        cats = dtype.categories
        codes = np.ascontiguousarray(codes, dtype=np.int32 if len(cats) < 2**31 else np.int64)
        return _Firms(codes, cats, n_keys=len(cats), categories=dtype)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()
        if values.size == 0:
            return _Firms(np.zeros(0, dtype=np.int64), None, dtype=dtype)
        lo, hi = int(values.min()), int(values.max())
        span = hi - lo + 1
        if span <= max(4 * values.size, 1 << 16):
            # label - lo is in [0, span), so subtracting modulo 2**64 (or 2**32) is exact
            # (also for uint64 labels above 2**63); codes below 2**31 are int32, half
            # the bytes for the kernels to read
            wrapped = np.int64((lo + 2**63) % 2**64 - 2**63)
            kind = np.int32 if span < 2**31 else np.int64
            codes = np.subtract(values, wrapped, dtype=kind, casting="unsafe") if lo \
                else np.ascontiguousarray(values, dtype=kind)
            return _Firms(codes, None, offset=lo, dtype=dtype, n_keys=span)
        if hi < 2**63:
            return _Firms(np.ascontiguousarray(values, dtype=np.int64), None, dtype=dtype)
        return _factorized_firms(series, func, col)
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        arr = _arrow_strings(series.array if dtype != object else series.to_numpy())
        if arr is not None:
            if arr.null_count:
                _missing_firms(func, col)
            return _Firms(None, strings=arr)
    return _factorized_firms(series, func, col)


def _repeated_pairs(func, codes, firms, counts, values=None):
    """Repeated (group, firm) rows, and with ``values`` the sums over each pair.

    Returns ``(n_repeated, first_repeated, kept, sums, firms)`` from
    :func:`concentration._kernels._grouped.first_rows` (with ``values``: each pair's
    first row, ascending, and its sum); ``firms`` is the index the answer holds for.  Keys that are string hashes are confirmed on the strings of
    each repeated row and its first row; if two different strings ever share a hash,
    the labels are factorized exactly and the check runs again.
    """
    keys = firms.keys()
    n = codes.size
    per_row = 2 * (8 + keys.itemsize) + (25 if values is not None else 0) \
        + (16 if firms.strings is not None else 0)
    check_memory(func, per_row * n, what=f"the check for repeated firms over {n:,} rows",
                 fits="Compute the markets in batches (e.g. by period).")
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    group_bits = max(counts.size - 1, 1).bit_length()
    if firms.strings is not None or not firms.n_keys:   # hashes or wide integers
        key_bits = 64 - group_bits        # their low bits: a count of 0 is still exact
    else:
        key_bits = max(int(firms.n_keys) - 1, 1).bit_length()
    if (values is None and group_bits < 48 and key_bits + group_bits <= 64
            and _grouped.count_repeats(codes, keys, counts, key_bits, firms.n_keys) == 0):
        # the usual case, no repeated pair: found on packed (group, firm) words, half
        # the bytes of the full pass below, which runs only to name the first repeat
        return 0, -1, None, None, firms
    if values is not None and keys.dtype == np.int64 and 0 < firms.n_keys < 2**31:
        keys = keys.astype(np.int32)   # codes in [0, n_keys): the sort moves half the bytes
    # hashed text: each row's first row comes out of the same pass, to confirm repeats
    out = _grouped.first_rows(codes, keys, counts, firms.n_keys, values,
                              firms.strings is not None)
    if out[0] and firms.strings is not None:
        rep = out[4]
        rows = np.flatnonzero(rep != np.arange(n))
        if not _same_strings(firms, rows, rep[rows]):
            return _repeated_pairs(func, codes, _factorized_firms(firms.values(), func, "firm"),
                                   counts, values)
    return out[0], out[1], out[2], out[3], firms


def _same_strings(firms, a, b):
    """True when rows ``a`` and ``b`` of a string index hold the same strings."""
    import pyarrow.compute as pc

    if firms.codes is not None:
        a, b = firms.codes[a], firms.codes[b]
    return bool(pc.all(pc.equal(firms.strings.take(a), firms.strings.take(b))).as_py())


def map_parents(firms, parent, func, at=None):
    """Replace each firm by its ultimate parent (see :mod:`concentration._entities`).

    ``parent`` is anything :func:`~concentration._entities.coerce_entities` accepts;
    ``at`` is ``None`` (every link applies), a date or one date per firm.  Firms
    without an entry stay themselves.
    """
    return coerce_entities(parent, func).resolve(firms, at)
