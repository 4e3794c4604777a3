"""Periods as intervals of time.

A period label of a share table or of holdings names an interval ``[start, end]`` of
days (``end`` is the period's last day, at midnight, as in the data's own columns):
``2024`` is 2024-01-01 to 2024-12-31, ``2024Q3`` (or ``Q3 2024``) a quarter,
``2024H1`` (or ``H1 2024``) a half year, ``2024-03`` a month and ``2024-03-31`` a
day.  Order, "latest" and as-of matching follow these intervals, never the text of
the labels.  Where the data carry their own dates (the ``period_start`` and
``period_end`` columns of the bundled datasets), those dates win; a label that can
be placed neither way is an error that names it, because any order chosen for it
would be a guess.
"""
from __future__ import annotations

import datetime as _dt
import re
import warnings

import numpy as np
import pandas as pd

from .exceptions import PeriodError

__all__ = ["parse_period", "period_bounds", "period_order", "placed", "describe_forms",
           "to_dates", "unplaced_error"]

#: The label forms that can be placed in time, for messages and docs.
FORMS = ("years (2024)", "halves (2024H1, H1 2024)", "quarters (2024Q1, Q1 2024)",
         "months (2024-03)", "dates (2024-03-31)")

_HALF = re.compile(r"^\s*(?:(\d{4})\s*[-/ ]?\s*[Hh]([12])|[Hh]([12])\s*[-/ ]?\s*(\d{4}))\s*$")
_QUARTER_FIRST = re.compile(r"^\s*[Qq]([1-4])[\s/-]*(\d{4})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]([1-4])\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?\s*$")


def describe_forms() -> str:
    """The accepted label forms, as one phrase."""
    return ", ".join(FORMS)


def _year(y: int):
    start = pd.Timestamp(year=y, month=1, day=1)
    return start, pd.Timestamp(year=y, month=12, day=31)


def parse_period(label):
    """``(start, end)`` timestamps of one period label, or ``None`` if it names no interval.

    Accepted: :class:`pandas.Period`, timestamps and dates (an instant: start = end),
    integers 1000-9999 (calendar years), and text in the forms of :data:`FORMS`.
    Free text (``"2025-mid"``, ``"pre"``) and numbers outside the year range give
    ``None``.

    >>> parse_period("Q3 2024")[0]
    Timestamp('2024-07-01 00:00:00')
    >>> parse_period("2024H2")[1].date()
    datetime.date(2024, 12, 31)
    >>> parse_period("2025-mid") is None
    True
    """
    if isinstance(label, pd.Period):
        return label.start_time, label.end_time.normalize()
    if isinstance(label, (pd.Timestamp, _dt.date, np.datetime64)):
        t = pd.Timestamp(label)
        return None if pd.isna(t) else (t, t)
    if isinstance(label, (bool, np.bool_)):
        return None
    if isinstance(label, (int, np.integer)):
        return _year(int(label)) if 1000 <= label <= 9999 else None
    if isinstance(label, (float, np.floating)):
        return _year(int(label)) if float(label).is_integer() and 1000 <= label <= 9999 \
            else None
    if not isinstance(label, str):
        return None
    try:
        m = _YEAR.match(label)
        if m:
            return _year(int(m.group(1)))
        m = _QUARTER.match(label) or _QUARTER_FIRST.match(label)
        if m:
            y, q = (m.group(1), m.group(2)) if m.re is _QUARTER else (m.group(2), m.group(1))
            p = pd.Period(year=int(y), quarter=int(q), freq="Q")
            return p.start_time, p.end_time.normalize()
        m = _HALF.match(label)
        if m:
            y = int(m.group(1) or m.group(4))
            h = int(m.group(2) or m.group(3))
            start = pd.Timestamp(year=y, month=1 if h == 1 else 7, day=1)
            end = pd.Timestamp(year=y, month=6, day=30) if h == 1 else \
                pd.Timestamp(year=y, month=12, day=31)
            return start, end
        m = _MONTH.match(label)
        if m and 1 <= int(m.group(2)) <= 12:
            p = pd.Period(year=int(m.group(1)), month=int(m.group(2)), freq="M")
            return p.start_time, p.end_time.normalize()
        m = _DATE.match(label)
        if m:
            t = pd.Timestamp(label.strip())
            return t, t
    except (ValueError, OverflowError):
        return None
    return None


def to_dates(values) -> pd.Series:
    """``values`` as naive datetimes (UTC for time-zone-aware input); ``NaT`` where not a date."""
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s
    else:
        with warnings.catch_warnings():  # element-wise parsing of mixed text is intended
            warnings.simplefilter("ignore", UserWarning)
            out = pd.to_datetime(s, errors="coerce", format="mixed")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _as_datetimes(values, n):
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return to_dates(values).to_numpy(dtype="datetime64[ns]", copy=True)


def period_bounds(labels, starts=None, ends=None):
    """Start and end of each label: ``(start, end)`` arrays of ``datetime64[ns]``.

    Given ``starts``/``ends`` (the data's own dates, one per label) win where they are
    not missing; otherwise the label is parsed (:func:`parse_period`).  A missing end
    with a known start is the start (an instant), and the reverse.  Elements that
    cannot be placed are ``NaT`` in both arrays.  Labels are parsed once per distinct
    value.
    """
    lab = pd.Series(labels).reset_index(drop=True)
    n = lab.size
    start = _as_datetimes(starts, n)
    end = _as_datetimes(ends, n)
    need = np.isnat(start) | np.isnat(end)
    if need.any():
        codes, uniques = pd.factorize(lab[need].astype(object), use_na_sentinel=True)
        parsed = [parse_period(u) for u in uniques]
        ps = pd.DatetimeIndex([p[0] if p else pd.NaT for p in parsed] + [pd.NaT]
                              ).to_numpy(dtype="datetime64[ns]")
        pe = pd.DatetimeIndex([p[1] if p else pd.NaT for p in parsed] + [pd.NaT]
                              ).to_numpy(dtype="datetime64[ns]")
        idx = np.flatnonzero(need)
        c = np.where(codes < 0, len(parsed), codes)
        s_fill, e_fill = ps[c], pe[c]
        s_now, e_now = start[idx], end[idx]
        # a given start with no end (or the reverse) is completed from the label first,
        # then from the other date
        start[idx] = np.where(np.isnat(s_now), s_fill, s_now)
        end[idx] = np.where(np.isnat(e_now), e_fill, e_now)
    start = np.where(np.isnat(start), end, start)
    end = np.where(np.isnat(end), start, end)
    return start, end


def placed(labels, starts=None, ends=None) -> np.ndarray:
    """Boolean mask: which labels have a place in time."""
    return ~np.isnat(period_bounds(labels, starts, ends)[0])


def unplaced_error(func, label, *, param="period", where="", start_param="period_start"):
    """The :class:`PeriodError` for a label that cannot be placed in time."""
    at = f" (in {where})" if where else ""
    return PeriodError(
        f"{func}: the {param} label {label!r}{at} cannot be placed in time: expected "
        f"{describe_forms()}, or start and end dates. Fix: give the data "
        f"{start_param!r} and 'period_end' columns with each period's first and last day "
        "(the bundled datasets have them), relabel the period in one of these forms, or "
        "pass the periods as an ordered pandas.Categorical to state their order.")


def period_order(values, starts=None, ends=None, *, func="period_order", where="") -> list:
    """Distinct periods of ``values`` in time order.

    The order is, in turn: the categories' order for an ordered
    :class:`pandas.Categorical`; ascending for numbers and all-digit labels that are
    not calendar years (``1, 2, 10``); otherwise by start date, then end date (from
    ``starts``/``ends`` where given, else from the label, see :func:`parse_period`).
    A label that cannot be placed raises :class:`PeriodError` naming it: no order is
    guessed.

    >>> period_order(["2024Q1", "2023", "Q4 2023"])
    ['2023', 'Q4 2023', '2024Q1']
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    s = s.reset_index(drop=True)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
        present = set(s.dropna().unique())
        return [c for c in s.cat.categories if c in present]
    keep = s.notna().to_numpy()
    s = s[keep].astype(object).reset_index(drop=True)
    st = None if starts is None else pd.Series(starts).reset_index(drop=True)[keep]
    en = None if ends is None else pd.Series(ends).reset_index(drop=True)[keep]
    seen = list(pd.unique(s))
    if not seen:
        return []
    numeric = all(isinstance(v, (int, float, np.integer, np.floating))
                  and not isinstance(v, (bool, np.bool_)) for v in seen)
    digits = all(isinstance(v, str) and v.strip().isdigit() for v in seen)
    if (numeric or digits) and starts is None and ends is None \
            and not all(parse_period(v) for v in seen):
        return sorted(seen, key=float)
    start, end = period_bounds(s, st, en)
    first = pd.DataFrame({"label": s, "start": start, "end": end}).groupby(
        "label", sort=False).agg(start=("start", "min"), end=("end", "max"))
    bad = first.index[first["start"].isna()]
    if len(bad):
        raise unplaced_error(func, bad[0], where=where)
    first["pos"] = np.arange(len(first))
    first = first.sort_values(["start", "end", "pos"], kind="stable")
    return list(first.index)
