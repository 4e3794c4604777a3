"""Validation helpers shared by every public function.

All argument errors use one template::

    The '<name>' parameter of <func> must be <expected>. Got <received> instead. <how to fix>

Validation happens once, at the public boundary; private helpers and kernels assume
clean input.
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from collections.abc import Iterable

import numpy as np

from ._kernels import default_threads
from .exceptions import (
    CappedParameterWarning,
    InvalidParameterError,
    ResourceError,
    SchemaError,
)

__all__ = [
    "param_message",
    "check_choice",
    "check_number",
    "check_int",
    "check_bool",
    "check_columns",
    "check_column_name",
    "close_matches",
    "did_you_mean",
    "warn",
    "SCALES",
    "scale_factor",
    "check_threads",
    "available_memory",
    "check_memory",
    "format_bytes",
]

SCALES = ("fraction", "percent")
#: Allocations below this size are not checked against the memory available: reading
#: the system's figures costs more than a small call's work, and a process that cannot
#: find one MiB fails before and after such a call anyway.
UNCHECKED_BYTES = 1 << 20


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
    if type(value) is float:  # the usual case, without the ABC check and NumPy call
        ok = math.isfinite(value)
    else:
        ok = not isinstance(value, bool) and isinstance(value, numbers.Real) \
            and bool(np.isfinite(value))
    if not ok:
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


def check_column_name(func, name, value):
    """Raise InvalidParameterError unless ``value`` can name a column (hashable, not a bool)."""
    try:
        hash(value)
    except TypeError:
        ok = False
    else:
        ok = not isinstance(value, (bool, np.bool_))
    if not ok:
        raise InvalidParameterError(param_message(
            func, name, "a column name (str)", value,
            f"Pass {name}='<column>' to name the column that holds it."))
    return value


def close_matches(name, candidates, n=3) -> list:
    """Up to ``n`` of ``candidates`` closest to ``name`` (difflib), for "did you mean" hints.

    The comparison ignores case; candidates are compared as text and returned as given.

    >>> close_matches("mkt_shares", ["market", "mkt_share", "firm"])
    ['mkt_share']
    """
    import difflib

    by_text: dict = {}
    for c in candidates:
        by_text.setdefault(str(c).lower(), c)
    hits = difflib.get_close_matches(str(name).lower(), list(by_text), n=n, cutoff=0.6)
    if not hits:  # "Google Cloud" vs "Google": a candidate contained in the name
        low = str(name).lower()
        hits = [t for t in by_text if t and (t in low or low in t)][:n]
    return [by_text[h] for h in hits]


def did_you_mean(name, candidates) -> str:
    """``" Did you mean 'x'?"`` (or ``"x' or 'y"``) when a close match exists, else ``""``."""
    hits = close_matches(name, candidates)
    if not hits:
        return ""
    return " Did you mean " + " or ".join(repr(h) for h in hits) + "?"


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message, category):
    """:func:`warnings.warn` attributed to the user's line: the first frame outside the package.

    Whatever depth inside the library the warning is raised at, the ``filename`` and
    ``lineno`` of the warning are those of the code that called the library, so that
    the default filter shows it once per calling line and the user sees where it came
    from.
    """
    import sys

    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def check_columns(func, frame, columns: dict, *, source=None):
    """Check that each ``{parameter: column}`` named in ``columns`` exists in ``frame``.

    ``None`` values are skipped.  Raises :class:`SchemaError` naming the parameter, the
    missing column, the columns present and how to fix it.
    """
    for param, col in columns.items():
        if col is None:
            continue
        check_column_name(func, param, col)
        if col not in frame.columns:
            present = list(frame.columns)
            where = f" in {source}" if source else ""
            shown = ", ".join(repr(c) for c in present[:20])
            if len(present) > 20:
                shown += ", ..."
            raise SchemaError(
                f"{func}: the '{param}' column {col!r} was not found{where}. "
                f"Columns present: [{shown}].{did_you_mean(col, present)} "
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


def check_threads(func, n_threads, *, name="n_threads"):
    """Validate a thread count: None (all available CPUs) or an int >= 1, capped.

    A count above the CPUs this process may use is lowered to that number with a
    :class:`~concentration.exceptions.CappedParameterWarning` (starting thousands of
    OpenMP threads kills the interpreter); results do not depend on the thread count.
    Returns the count to use.
    """
    available = default_threads()
    if n_threads is None:
        return available
    n = check_int(func, name, n_threads, low=1)
    if n > available:
        warn(
            f"{func}: {name}={n} is more than the {available} CPU(s) available to this "
            f"process; using {available}.", CappedParameterWarning)
        return available
    return n


def available_memory() -> int:
    """Bytes this process can still allocate: ``MemAvailable`` bounded by its limits.

    The smallest of the kernel's estimate of available memory (``/proc/meminfo``), the
    cgroup memory limit (v2 ``memory.max`` or v1 ``memory.limit_in_bytes``) less what the
    group uses, and the address-space limit (``RLIMIT_AS``); on systems without these
    files, the physical memory.
    """
    candidates = []
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    candidates.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            with open(limit, encoding="ascii") as fh:
                text = fh.read().strip()
            if text != "max" and int(text) < 1 << 60:
                with open(usage, encoding="ascii") as fh:
                    used = int(fh.read().strip())
                candidates.append(max(0, int(text) - used))
            break
        except (OSError, ValueError):
            continue
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
            candidates.append(int(soft))
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        pass
    if not candidates:
        try:
            candidates.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
        except (ValueError, OSError, AttributeError):  # pragma: no cover
            return 1 << 62
    return int(min(candidates))


def format_bytes(n) -> str:
    """``n`` bytes in binary units, e.g. ``'298.0 GiB'``."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PiB"  # pragma: no cover


def check_memory(func, nbytes, *, what, fits=""):
    """Raise ResourceError when ``nbytes`` exceed the memory available (with a margin).

    Sizes below :data:`UNCHECKED_BYTES` (1 MiB) pass without reading the system's
    figures.

    Parameters
    ----------
    func : str
        The public function (named in the message).
    nbytes : int or float
        The estimated size of the allocation(s) about to be made.
    what : str
        What would be allocated, e.g. ``"a dense 200,000 x 200,000 float64 result"``.
    fits : str
        The options that make the call fit, as advice to the user.

    Returns
    -------
    int
        ``nbytes`` as an int, when it fits.
    """
    if 0 <= nbytes < UNCHECKED_BYTES:
        return int(nbytes)
    try:
        finite = math.isfinite(nbytes)
    except OverflowError:   # a Python int beyond any float
        finite = False
    if not (finite and nbytes >= 0):   # an estimate that overflowed
        raise ResourceError(
            f"{func}: the size of {what} overflows the arithmetic of this machine. "
            f"{fits}".rstrip())
    available = available_memory()
    if nbytes > 0.9 * available:
        raise ResourceError(
            f"{func}: {what} needs about {format_bytes(nbytes)}, but about "
            f"{format_bytes(available)} of memory is available. {fits}".rstrip())
    return int(nbytes)
