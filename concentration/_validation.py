"""Validation helpers shared by every public function.

All argument errors use one template::

    The '<name>' parameter of <func> must be <expected>. Got <received> instead. <how to fix>

Validation happens once, at the public boundary; private helpers and kernels assume
clean input.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from .exceptions import InvalidParameterError, SchemaError

__all__ = [
    "param_message",
    "check_choice",
    "check_number",
    "check_int",
    "check_bool",
    "check_columns",
    "SCALES",
    "scale_factor",
]

SCALES = ("fraction", "percent")


def _show(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def param_message(func, name, expected, got, fix=""):
    """Return the one-template message for a bad argument."""
    msg = f"The '{name}' parameter of {func} must be {expected}. Got {_show(got)} instead."
    return f"{msg} {fix}".rstrip()


def check_choice(func, name, value, choices, *, fix=""):
    """Raise InvalidParameterError unless ``value`` is one of ``choices``; return it."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:
        ok = False
    if not ok:
        listed = "{" + ", ".join(repr(c) for c in choices) + "}"
        raise InvalidParameterError(param_message(func, name, f"one of {listed}", value, fix))
    return value


def check_number(func, name, value, *, low=None, high=None, low_open=False, high_open=False,
                 allow_none=False):
    """Validate a finite real number within optional bounds; return it as float."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise InvalidParameterError(param_message(func, name, "a finite real number", value))
    value = float(value)
    lo_bad = low is not None and (value <= low if low_open else value < low)
    hi_bad = high is not None and (value >= high if high_open else value > high)
    if lo_bad or hi_bad:
        lb = "(" if low_open else "["
        hb = ")" if high_open else "]"
        rng = f"{lb}{'-inf' if low is None else low}, {'inf' if high is None else high}{hb}"
        raise InvalidParameterError(param_message(func, name, f"a number in {rng}", value))
    return value


def check_int(func, name, value, *, low=None, high=None, allow_none=False):
    """Validate an integer within optional inclusive bounds; return it as int."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(param_message(func, name, "an integer", value))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        rng = f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        raise InvalidParameterError(param_message(func, name, f"an integer in {rng}", value))
    return value


def check_bool(func, name, value):
    """Validate a bool; return it."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(param_message(func, name, "True or False", value))
    return bool(value)


def check_columns(func, frame, columns: dict, *, source=None):
    """Check that each ``{parameter: column}`` named in ``columns`` exists in ``frame``.

    ``None`` values are skipped.  Raises :class:`SchemaError` naming the parameter, the
    missing column, the columns present and how to fix it.
    """
    present = list(frame.columns)
    where = f" in {source}" if source else ""
    for param, col in columns.items():
        if col is None:
            continue
        if col not in frame.columns:
            shown = ", ".join(repr(c) for c in present[:20])
            if len(present) > 20:
                shown += ", ..."
            raise SchemaError(
                f"{func}: the '{param}' column {col!r} was not found{where}. "
                f"Columns present: [{shown}]. "
                f"Pass {param}=<column name> to name the column that holds it."
            )


def scale_factor(func, scale):
    """Return the divisor that turns input shares into fractions (1 or 100)."""
    check_choice(func, "scale", scale, SCALES,
                 fix="Use scale='percent' when shares are given as 0-100.")
    return 100.0 if scale == "percent" else 1.0


def as_list(value) -> list:
    """Return ``value`` as a list: a string or scalar becomes a one-element list."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)
