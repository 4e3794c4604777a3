"""Reproducible HTML reports with a machine-readable JSON twin.

:func:`report` runs the analyses its inputs allow and writes one self-contained
HTML file (inline CSS, figures as inline SVG, no script and no network fetch; a
Content-Security-Policy forbids both) and a JSON file holding every number shown.
The same inputs give the same bytes: there is no timestamp, every table has a
defined order, and figures are rendered with fixed SVG metadata and id salts.
Every string that comes from the data is HTML-escaped.

The pieces: ``_config`` (TOML configuration), ``_inputs`` (reading, hashing and
provenance of the inputs; the demo data), ``_sections`` (one builder per section)
and ``_html`` (escaping, tables, figures and the page, rendered from
``templates/``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._entities import coerce_entities
from .._results import ResultMixin
from .._tables import text_as_labels
from .._validation import check_choice, close_matches, param_message
from .._version import library_version
from ..exceptions import (
    ConcentrationError,
    DataFileError,
    InvalidParameterError,
    MissingDependencyError,
)
from ..guidelines import GUIDELINES
from ..ownership._holdings import check_max_age
from ._alliances import network_section, partnership_section
from ._config import apply_config
from ._findings import findings_section
from ._html import Figures, render_page
from ._inputs import display_path, load_input
from ._ownership import mhhi_section
from ._sections import (
    Context,
    indices_section,
    jsonable,
    methods_section,
    provenance_section,
    screen_section,
    versions_section,
)
from ._time import START, period_index
from ._unilateral import unilateral_section

__all__ = ["report", "ReportResult", "output_paths"]


@dataclass(frozen=True, repr=False)
class ReportResult(ResultMixin):
    """What :func:`report` wrote.

    Attributes
    ----------
    output, json_output : str or None
        Paths of the HTML and JSON files (``None`` when not written).
    sha256 : str
        SHA-256 of the HTML bytes (equal across runs on the same inputs).
    sections : tuple of str
        Titles of the sections produced.
    skipped : tuple of str
        Sections not produced, each with the reason.
    html : str
        The HTML document.
    data : dict
        The JSON document (every number in the report).
    """

    output: str | None
    json_output: str | None
    sha256: str
    sections: tuple
    skipped: tuple = ()
    html: str = field(default="", compare=False)
    data: dict = field(default_factory=dict, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per section: its title and whether it was produced."""
        rows = [{"section": s, "produced": True, "reason": ""} for s in self.sections]
        rows += [{"section": s.split(":", 1)[0], "produced": False,
                  "reason": s.split(":", 1)[1].strip() if ":" in s else ""}
                 for s in self.skipped]
        return pd.DataFrame(rows, columns=["section", "produced", "reason"])

    def _summary_parts(self):
        facts = [("html", self.output), ("json", self.json_output),
                 ("sections", len(self.sections)), ("sha256", self.sha256[:16])]
        return "Concentration report", facts, list(self.skipped)

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def report(*, shares=None, holdings=None, partnerships=None, merging=None,
           guidelines=("us2023",), config=None, output="report.html", json_output=None,
           title="Concentration report", market="market", period="period", firm="firm",
           share="share", value=None, scale="fraction", filters=None, holdings_filters=None,
           entities=None, control_missing="cash_flow", as_of=None, max_age=None,
           markets=None, non_markets=False, margins=None, prices=None,
           diversion="proportional", efficiency=0.0, progress=None):
    """Write a reproducible HTML report and its JSON twin.

    Sections appear as the inputs allow: findings first (sentences computed from
    the sections below), concentration indices by market and period with a trend
    panel per market and HHI bounds for top-N data (``shares``), merger screens
    (``shares`` and ``merging``), ownership-adjusted MHHI with its decomposition by
    owner (``shares`` and ``holdings``), partnership-network centrality and
    centralization over time with a network figure (``partnerships``),
    partnership-adjusted HHI (``shares`` and ``partnerships``), data provenance
    (always), methodology notes with formulas and references, and the library
    version and parameters.

    Each market's periods appear in time order (by the data's ``period_start`` and
    ``period_end`` columns where present, else by their labels), and each market's
    "latest" period is its latest in time.

    The output is deterministic: the same inputs and versions give identical bytes
    (no timestamps, sorted tables, SVG figures with fixed metadata).  Every string
    from the data is HTML-escaped, and the page carries a Content-Security-Policy
    that blocks scripts and network fetches.

    Parameters
    ----------
    shares, holdings, partnerships : str, os.PathLike or pandas.DataFrame, optional
        Parquet file/directory or DataFrame of market shares (long: market, period,
        firm, share), investor holdings (owner, firm, cash_flow, control) and
        alliance ties (source, target, ...).
    merging : sequence of two str or str, optional
        The merging firms, e.g. ``("Microsoft", "Google")`` or ``"Microsoft,Google"``.
    guidelines : sequence of str, default ("us2023",)
        Guideline editions for the merger screen (see :mod:`concentration.guidelines`).
    config : str, os.PathLike or dict, optional
        A TOML file (see :func:`load_config`) or a dict of these keyword arguments;
        explicit arguments override it.
    output : str or os.PathLike or None, default "report.html"
        HTML file to write; ``None`` writes no HTML (the document is in the result).
        An ``output`` that ends in ``.json`` names the JSON file instead: the HTML
        then goes to the same path with the suffix ``.html`` (``r.json`` gives
        ``r.html`` and ``r.json``).  See :func:`output_paths`.
    json_output : str or os.PathLike, optional
        JSON file to write; defaults to ``output`` with the suffix ``.json``.  It must
        name a file other than the HTML's: one call never replaces its own output.
    title : str, default "Concentration report"
    market, period, firm, share, value, scale
        Column names and unit of ``shares``, as in :func:`concentration.indices`.
    filters : list of tuples or pyarrow.compute.Expression, optional
        Row filter applied when reading ``shares`` from Parquet (e.g.
        ``[("row_kind", "==", "firm")]``); recorded in the report's parameters.
    holdings_filters : list of tuples or pyarrow.compute.Expression, optional
        Row filter applied when reading ``holdings`` from Parquet (e.g. held stakes
        only); recorded in the report's parameters.
    entities : pandas.DataFrame, mapping, str or os.PathLike, optional
        The entity model (firm -> parent, dated, with aliases): a mapping, a
        two-column table, the bundled ``concentration.datasets.load("entities")``
        as it is, a Parquet path, or ``"bundled"`` for that table.  Applied to
        shares, merging parties, holdings and alliance ties alike, so Google's
        shares meet Alphabet's owners and partners.
    control_missing : {"cash_flow", "none", "error"}, default "cash_flow"
        How a stake whose ``control`` value the holdings do not give is read: votes
        in proportion to cash flow, no votes, or an error (see
        :func:`concentration.read_holdings`).  The holdings' ``control`` column is
        used when present, and the choice is stated in the report.
    as_of : date, optional
        The report as of this date: share periods that start after it, holdings
        dated after it and alliance ties that start after it are left out; the
        network is shown on this date (default: the latest tie start).
    max_age : str or pandas.Timedelta, optional
        Holdings older than this at a share period's end are not used for it (where
        :func:`concentration.mhhi` supports as-of matching).
    markets : sequence of str or str, optional
        Only these markets (a list, or names separated by commas).  A name not in
        the shares is an :class:`InvalidParameterError` naming the closest ones.
    non_markets : bool, default False
        Row sets the data flag as not a market (an ``is_market`` column that is
        False) are left out of the concentration tables unless True.
    margins, prices : float or mapping {firm: value}, optional
        Price-cost margins in [0, 1) (and prices > 0) of the merging parties' products.
        Given with ``merging``, the report adds unilateral-effects screens (GUPPI, UPP,
        IPR, CMCR; :func:`concentration.unilateral_screen`) beside the HHI screen,
        stating the margins as inputs of the run.
    diversion : str or pandas.DataFrame, default "proportional"
        Diversion form or matrix of the unilateral screens.
    efficiency : float, default 0.0
        Marginal-cost saving credited to each party in UPP.
    progress : callable, optional
        Called with the name of each step as it starts (the command line shows a
        progress indicator with it).

    Returns
    -------
    ReportResult
        The paths written, the HTML's SHA-256, the sections produced and skipped,
        the HTML text and the JSON data.

    Raises
    ------
    DataFileError
        An input cannot be read.
    InvalidParameterError
        A bad argument or configuration, ``output`` and ``json_output`` naming
        one file, or a merging party or market not in the shares (the message names
        it and the closest names present).
    PeriodError
        A period label that cannot be placed in time (give ``period_start`` and
        ``period_end`` columns).
    MissingDependencyError
        matplotlib is not installed (``pip install antitrust-concentration[plot]``).

    Examples
    --------
    >>> import pandas as pd, concentration as cn
    >>> df = pd.DataFrame({"market": "m", "period": ["2024", "2024", "2025", "2025"],
    ...                    "firm": ["A", "B", "A", "B"], "share": [0.6, 0.4, 0.5, 0.5]})
    >>> r = cn.report(shares=df, output=None)
    >>> t = r.data["sections"]["indices"]["table"]
    >>> t["rows"][0][t["columns"].index("hhi")]  # HHI 2024: 3600 + 1600
    5200.0
    """
    func = "report"
    args = {"shares": shares, "holdings": holdings, "partnerships": partnerships,
            "merging": merging, "guidelines": guidelines, "output": output,
            "json_output": json_output, "title": title, "market": market, "period": period,
            "firm": firm, "share": share, "value": value, "scale": scale, "filters": filters,
            "holdings_filters": holdings_filters, "entities": entities,
            "control_missing": control_missing, "as_of": as_of, "max_age": max_age,
            "markets": markets, "non_markets": non_markets, "margins": margins,
            "prices": prices, "diversion": diversion, "efficiency": efficiency}
    args = apply_config(args, config, func)
    check_choice(func, "scale", args["scale"], ("fraction", "percent"))
    check_choice(func, "control_missing", args["control_missing"],
                 ("cash_flow", "none", "error"))
    if not isinstance(args["non_markets"], (bool, np.bool_)):
        raise InvalidParameterError(param_message(func, "non_markets", "True or False",
                                                  args["non_markets"]))
    args["merging"] = _merging(args["merging"], func)
    args["markets"] = _names(args["markets"], func, "markets")
    args["as_of"] = _date(args["as_of"], func, "as_of")
    args["max_age"] = check_max_age(func, args["max_age"])
    g = args["guidelines"]
    if g is not None and not isinstance(g, str) and not (
            isinstance(g, (list, tuple)) and all(isinstance(k, str) for k in g)):
        raise InvalidParameterError(param_message(
            func, "guidelines", "a guideline key or a list of keys", g,
            "Pass e.g. guidelines=('us2023', 'us2010')."))
    args["guidelines"] = tuple([g] if isinstance(g, str) else (g or ()))
    for key in args["guidelines"]:
        if key.lower() not in GUIDELINES:
            raise InvalidParameterError(param_message(
                func, "guidelines", "guideline keys among {" + ", ".join(
                    repr(k) for k in GUIDELINES) + "}", key,
                "See concentration.list_guidelines()."))
    if progress is not None and not callable(progress):
        raise InvalidParameterError(param_message(
            func, "progress", "a callable taking the name of each step, or None", progress))
    out, jout = output_paths(args["output"], args["json_output"], func=func)
    step = progress or (lambda name: None)

    step("reading inputs")
    inputs = [i for i in (load_input("shares", args["shares"], filters=args["filters"]),
                          load_input("holdings", args["holdings"],
                                     filters=args["holdings_filters"]),
                          load_input("partnerships", args["partnerships"])) if i is not None]
    by_role = {i.role: i for i in inputs}
    ctx = Context(args=args, by_role=by_role, figs=Figures())
    ctx.entities_input = _entities_input(args["entities"], func)
    ctx.entities = coerce_entities(ctx.entities_input, func, "entities")
    _prepare(ctx)
    sections, methods = [], []

    def attempt(name, fn):
        step(name)
        try:
            sec = fn(ctx)
        except MissingDependencyError:
            raise
        except ConcentrationError as exc:
            ctx.skipped.append(f"{name}: {exc}")
            return
        if sec is None:
            return
        sections.append(sec)
        methods.extend(m for m in sec.methods if m not in methods)

    if ctx.shares is not None:
        attempt("Concentration by market and period", indices_section)
    else:
        ctx.skipped.append("Concentration by market and period: no shares input")
    attempt("Merger screen", screen_section)
    attempt("Unilateral effects", unilateral_section)
    attempt("Ownership-adjusted concentration (MHHI)", mhhi_section)
    attempt("Partnership network", network_section)
    attempt("Partnership-adjusted concentration", partnership_section)
    step("findings")
    findings = findings_section(ctx)

    ordered = (([findings] if findings is not None else []) + sections
               + [provenance_section(inputs, ctx.validation),
                  methods_section(methods or ["hhi"]), versions_section(_parameters(args))])
    version = library_version()
    subtitle = ("Inputs: " + ", ".join(f"{i.role} ({os.path.basename(i.label)})"
                                       for i in inputs)) if inputs else "No inputs."
    step("rendering")
    skipped = list(ctx.skipped)
    doc = render_page(args["title"], subtitle, ordered, version, skipped)
    data = {"title": args["title"], "library_version": version,
            "sections": {s.key: jsonable(s.data) for s in ordered},
            "skipped": list(skipped)}
    blob = doc.encode("utf-8")
    digest = hashlib.sha256(blob).hexdigest()
    data["html_sha256"] = digest
    for path in (out, jout):  # check both before writing either: no half-written pair
        if path is not None:
            _check_writable(path)
    if out is not None:
        _write(out, blob)
    if jout is not None:
        _write(jout, (json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
                      + "\n").encode("utf-8"))
    return ReportResult(output=out, json_output=jout, sha256=digest,
                        sections=tuple(s.title for s in ordered), skipped=tuple(skipped),
                        html=doc, data=data)


def _entities_input(value, func):
    """The entity table as given, a Parquet path read, or ``"bundled"`` loaded."""
    if value is None or isinstance(value, (pd.DataFrame, pd.Series, dict)):
        return value
    if isinstance(value, str) and value.strip().lower() == "bundled":
        from ..datasets import load

        return load("entities")
    if isinstance(value, (str, os.PathLike)):
        from ..io import read_table

        return read_table(os.fspath(value), func=func)
    if hasattr(value, "items"):
        return dict(value.items())
    return value  # coerce_entities names what it accepts


def _prepare(ctx):
    """Select the shares the report covers and place their periods in time.

    Non-markets (``is_market`` False) are left out unless asked for; ``markets``
    selects markets; ``as_of`` drops periods that start after it (and holdings and
    ties dated after it).  Merging parties are checked against the firms present.
    """
    args = ctx.args
    func = "report"
    mkt, per = args["market"], args["period"]
    inp = ctx.by_role.get("shares")
    if inp is not None:
        frame = inp.frame
        if "is_market" in frame.columns and mkt in frame.columns:
            flag = frame["is_market"].fillna(True).astype(bool)
            nonmarket = sorted(pd.unique(frame.loc[~flag, mkt]), key=str)
            if nonmarket and not args["non_markets"]:
                frame = frame[~frame[mkt].isin(nonmarket)]
                ctx.excluded += [(m, "flagged in the data as not a market (is_market False); "
                                     "pass non_markets=True to include it")
                                 for m in nonmarket]
        if args["markets"] is not None:
            args["markets"] = text_as_labels(args["markets"], frame, mkt)
            if mkt not in frame.columns:
                raise InvalidParameterError(param_message(
                    func, "markets", f"None: the shares have no market column {mkt!r}",
                    list(args["markets"])))
            present = sorted(pd.unique(frame[mkt]).tolist(), key=str)
            unknown = [m for m in args["markets"] if m not in set(present)]
            if unknown:
                raise InvalidParameterError(param_message(
                    func, "markets", "markets present in the shares", unknown,
                    _closest(unknown, present)))
            frame = frame[frame[mkt].isin(list(args["markets"]))]
            ctx.selection.append("Markets selected: " + ", ".join(map(str, args["markets"]))
                                 + ".")
        periods = period_index(frame, market=mkt, period=per, func=func)
        if args["as_of"] is not None and periods is not None:
            cut = periods.frame[periods.frame[START] > args["as_of"]]
            if len(cut):
                keys = [c for c in (mkt, per) if c in cut.columns]
                drop = frame.set_index(keys).index.isin(cut.set_index(keys).index)
                frame = frame[~drop]
                ctx.selection.append(f"As of {args['as_of'].date().isoformat()}: "
                                     f"{len(cut):,} market-periods that start later are "
                                     "left out.")
            periods = period_index(frame, market=mkt, period=per, func=func)
        ctx.shares = frame.reset_index(drop=True)
        ctx.periods = periods
        # firms named as text ("12" for firm id 12) as the shares label them
        for key in ("merging", "margins", "prices"):
            args[key] = text_as_labels(args.get(key), ctx.shares, args["firm"])
        if args["merging"]:
            _check_parties(ctx)
    for role, col in (("holdings", "as_of"), ("partnerships", "start")):
        h = ctx.by_role.get(role)
        if args["as_of"] is not None and h is not None and col in h.frame.columns:
            dates = pd.to_datetime(h.frame[col], errors="coerce")
            later = (dates > args["as_of"]).to_numpy()
            if later.any():
                ctx.by_role[role] = dataclasses.replace(
                    h, frame=h.frame[~later].reset_index(drop=True))
                ctx.selection.append(f"As of {args['as_of'].date().isoformat()}: "
                                     f"{int(later.sum()):,} {role} rows dated later are left "
                                     "out.")


def _closest(names, present) -> str:
    hints = []
    for n in names:
        near = close_matches(n, present)
        hints.append(f"for {n!r}: " + (", ".join(repr(x) for x in near) if near
                                       else "no close name"))
    return "Closest names present " + "; ".join(hints) + "."


def _check_parties(ctx):
    """Raise InvalidParameterError naming each merging party absent from the shares."""
    firm = ctx.args["firm"]
    frame = ctx.shares
    if firm not in frame.columns:
        return
    raw = [f for f in pd.unique(frame[firm]) if isinstance(f, (str, int, np.integer))]
    present = set(raw)
    ent = ctx.entities
    resolved = set(ent.resolve(raw)) if ent is not None else set()
    missing = [p for p in ctx.args["merging"]
               if p not in present and not (ent is not None and ent.ultimate(p) in resolved)]
    if not missing:
        return
    candidates = sorted(present | resolved, key=str)
    exc = InvalidParameterError(param_message(
        "report", "merging", "firms present in the shares", missing,
        _closest(missing, candidates)))
    exc.missing_parties = {m: close_matches(m, candidates) for m in missing}
    raise exc


def _names(value, func, name):
    """A list of names from a sequence or a comma-separated string (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",") if t.strip()]
    elif isinstance(value, (list, tuple)) and all(isinstance(t, str) for t in value):
        items = [t for t in value if t]
    else:
        items = []
    if not items:
        raise InvalidParameterError(param_message(
            func, name, "one or more names (a list, or text separated by commas)", value))
    return tuple(items)


def _date(value, func, name):
    if value is None:
        return None
    try:
        t = pd.Timestamp(value)
    except (TypeError, ValueError):
        t = pd.NaT
    if pd.isna(t):
        raise InvalidParameterError(param_message(
            func, name, "a date such as '2024-12-31'", value))
    return t.tz_localize(None) if t.tzinfo is not None else t


def output_paths(output="report.html", json_output=None, *, func="report"):
    """The HTML and JSON paths :func:`report` writes for ``output`` and ``json_output``.

    The rule: ``output`` is the HTML file and the JSON twin sits beside it with the
    suffix ``.json`` (``report.html`` gives ``report.json``), unless ``json_output``
    names it.  An ``output`` that ends in ``.json`` (any case) is taken as the JSON
    file: the HTML goes to the same path with the suffix ``.html`` (``r.json`` gives
    ``r.html`` and ``r.json``).  The two paths are always distinct.

    Parameters
    ----------
    output : str, os.PathLike or None, default "report.html"
        As in :func:`report`; ``None`` for no HTML file.
    json_output : str, os.PathLike or None, optional
        As in :func:`report`.
    func : str, default "report"
        Name of the caller, used in error messages.

    Returns
    -------
    tuple of (str or None, str or None)
        The HTML path and the JSON path (``None`` for a file not written).

    Raises
    ------
    InvalidParameterError
        A path that is not text, or the two paths naming one file.

    Examples
    --------
    >>> from concentration.reporting import output_paths
    >>> output_paths("out/report.html")
    ('out/report.html', 'out/report.json')
    >>> output_paths("r.json")
    ('r.html', 'r.json')
    """
    html_path, json_path = (_path(func, "output", output),
                            _path(func, "json_output", json_output))
    if html_path is not None and os.path.splitext(html_path)[1].lower() == ".json":
        json_path = json_path or html_path
        html_path = os.path.splitext(html_path)[0] + ".html"
    elif html_path is not None and json_path is None:
        json_path = os.path.splitext(html_path)[0] + ".json"
    if html_path is not None and json_path is not None and same_file(html_path, json_path):
        raise InvalidParameterError(param_message(
            func, "json_output", f"a file other than the HTML file {html_path!r}", json_path,
            "Name two different files, or omit json_output to write the JSON beside the "
            "HTML with the suffix .json."))
    return html_path, json_path


def _path(func, name, value):
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value) or isinstance(
            os.fspath(value), bytes):
        raise InvalidParameterError(param_message(
            func, name, "a file path (str or os.PathLike) or None", value))
    return os.fspath(value)


def same_file(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name one file (the same path, or links to one file)."""
    if os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _parameters(args) -> dict:
    """The arguments as the report states them: input paths as shown, tables by kind."""
    def shown(k, v):
        if isinstance(v, (str, os.PathLike)) and k in ("shares", "holdings", "partnerships"):
            return display_path(os.fspath(v))
        if isinstance(v, pd.DataFrame):
            return "DataFrame"
        if k in ("filters", "holdings_filters") and v is not None and not isinstance(v, list):
            return str(v)  # a pyarrow expression
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat() if v == v.normalize() else v.isoformat()
        if isinstance(v, pd.Timedelta):
            return str(v)
        if k == "entities" and isinstance(v, (str, os.PathLike)):
            return v if v == "bundled" else display_path(os.fspath(v))
        if isinstance(v, (pd.Series, dict)) and k == "entities":
            return "mapping"
        return v

    return {k: shown(k, v) for k, v in args.items() if k not in ("output", "json_output")}


def _check_writable(path):
    """Raise DataFileError when ``path`` is a directory or its directory does not exist."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        reason = "it is a directory. Name a file inside it"
    elif not os.path.isdir(folder):
        reason = f"its directory {folder!r} does not exist. Create it first"
    else:
        return
    raise DataFileError(f"report: cannot write {path!r}: {reason}, or choose another path.")


def _write(path, blob):
    try:
        with open(path, "wb") as fh:
            fh.write(blob)
    except OSError as exc:
        raise DataFileError(f"report: could not write {path!r} ({exc}). Check that the "
                            "directory exists and is writable.") from None


def _merging(value, func):
    """The merging firms as a tuple of two or more names (or None)."""
    if value is None:
        return None
    if isinstance(value, str):
        items = [t.strip() for t in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = []
    items = [str(t) for t in items if str(t)]
    if len(items) < 2:
        raise InvalidParameterError(param_message(
            func, "merging", "two or more firm names", value,
            "Pass merging=('Firm A', 'Firm B') or --merging 'Firm A,Firm B'."))
    return tuple(items)
