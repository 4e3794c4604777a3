"""A report's configuration: a TOML file or dict of :func:`report`'s keyword arguments."""

from __future__ import annotations

import os

from .._validation import param_message
from ..exceptions import DataFileError, InvalidParameterError, MissingDependencyError

__all__ = ["CONFIG_KEYS", "load_config", "apply_config"]

#: Keys a configuration may hold: the keyword arguments of :func:`report`.
CONFIG_KEYS = ("shares", "holdings", "partnerships", "merging", "guidelines", "output",
               "json_output", "title", "market", "period", "firm", "share", "value", "scale",
               "filters", "holdings_filters", "entities", "control_missing", "as_of",
               "max_age", "markets", "non_markets", "margins", "prices", "diversion",
               "efficiency")

# The keyword arguments' defaults: a configuration value replaces an argument left at
# its default (or None), never one given explicitly.
_DEFAULTS = {"guidelines": ("us2023",), "output": "report.html",
             "title": "Concentration report", "market": "market", "period": "period",
             "firm": "firm", "share": "share", "scale": "fraction",
             "control_missing": "cash_flow", "non_markets": False,
             "diversion": "proportional", "efficiency": 0.0}

# Keys that name files: relative paths in a TOML file resolve from its directory.
_PATH_KEYS = ("shares", "holdings", "partnerships", "output", "json_output", "entities")


def load_config(path) -> dict:
    """Read a report configuration from a TOML file.

    Keys are the keyword arguments of :func:`report` (``shares``, ``holdings``,
    ``partnerships``, ``merging``, ``guidelines``, ``output``, ``json_output``,
    ``title``, the column names ``market``, ``period``, ``firm``, ``share``,
    ``value``, ``scale``, and ``entities``, ``control_missing``, ``as_of``,
    ``max_age``, ``markets``, ``non_markets``), at the top level or under a
    ``[report]`` table.  Relative paths are resolved from the file's directory
    (``entities = "bundled"`` names the bundled entity table).

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file.

    Returns
    -------
    dict
        Keyword arguments for :func:`report`.

    Examples
    --------
    A ``report.toml``::

        shares = "shares.parquet"
        merging = ["Microsoft", "Google"]
        guidelines = ["us2023", "us2010"]
        output = "report.html"
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise MissingDependencyError(
                "Reading a TOML configuration on Python 3.10 needs tomli: "
                "'pip install tomli'.") from None

    p = os.fspath(path)
    try:
        with open(p, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise DataFileError(f"report: could not read the configuration {p!r} ({exc}).") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"report: the configuration {p!r} is not valid TOML "
                                    f"({exc}). Fix the line shown.") from None
    except UnicodeDecodeError:
        raise InvalidParameterError(param_message(
            "report", "config", "a TOML file (UTF-8 text)", p,
            "It is not UTF-8 text: pass the .toml configuration, not a data file.")) from None
    cfg = raw.get("report", raw)
    unknown = sorted(set(cfg) - set(CONFIG_KEYS))
    if unknown:
        raise InvalidParameterError(param_message(
            "report", "config", "a table with keys among " + ", ".join(CONFIG_KEYS),
            unknown, "Remove or rename the unknown keys."))
    base = os.path.dirname(os.path.abspath(p))
    out = dict(cfg)
    for k in _PATH_KEYS:
        if isinstance(out.get(k), str) and not os.path.isabs(out[k]) and not (
                k == "entities" and out[k].strip().lower() == "bundled"):
            out[k] = os.path.join(base, out[k])
    return out


def apply_config(args: dict, config, func="report") -> dict:
    """``args`` with the values of ``config`` (a TOML path or a dict) filled in.

    A configuration value replaces an argument that is None or at its default;
    explicit arguments win.  Unknown keys raise :class:`InvalidParameterError`.
    """
    if config is None:
        return args
    cfg = dict(config) if isinstance(config, dict) else load_config(config)
    unknown = sorted(set(cfg) - set(CONFIG_KEYS))
    if unknown:
        raise InvalidParameterError(param_message(
            func, "config", "a dict with keys among " + ", ".join(CONFIG_KEYS), unknown))
    out = dict(args)
    for k, v in cfg.items():
        if out[k] is None or (k in _DEFAULTS and out[k] == _DEFAULTS[k]):
            out[k] = v
    return out
