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

import hashlib
import json
import os
from dataclasses import dataclass, field

import pandas as pd

from .._results import ResultMixin
from .._validation import check_choice, param_message
from .._version import library_version
from ..exceptions import (
    ConcentrationError,
    DataFileError,
    InvalidParameterError,
    MissingDependencyError,
)
from ..guidelines import GUIDELINES
from ._config import apply_config
from ._html import Figures, render_page
from ._inputs import display_path, load_input
from ._sections import (
    EXTRA_SECTIONS,
    indices_section,
    jsonable,
    methods_section,
    provenance_section,
    versions_section,
)

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
           progress=None):
    """Write a reproducible HTML report and its JSON twin.

    Sections appear as the inputs allow: data provenance (always), concentration
    indices by market and period with trend plots (``shares``), merger screens
    (``shares`` and ``merging``), ownership-adjusted MHHI with its decomposition by
    owner (``shares`` and ``holdings``), partnership-network centrality with a
    network figure (``partnerships``), methodology notes with formulas and
    references, and the library version and parameters.

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
        A bad argument or configuration, or ``output`` and ``json_output`` naming
        one file.
    MissingDependencyError
        matplotlib is not installed (``pip install antitrust-concentration[plot]``).

    Examples
    --------
    >>> import pandas as pd, concentration as cn
    >>> df = pd.DataFrame({"market": "m", "period": ["2024", "2024", "2025", "2025"],
    ...                    "firm": ["A", "B", "A", "B"], "share": [0.6, 0.4, 0.5, 0.5]})
    >>> r = cn.report(shares=df, output=None)
    >>> r.data["sections"]["indices"]["table"]["rows"][0][2]  # HHI 2024: 3600 + 1600
    5200.0
    """
    func = "report"
    args = {"shares": shares, "holdings": holdings, "partnerships": partnerships,
            "merging": merging, "guidelines": guidelines, "output": output,
            "json_output": json_output, "title": title, "market": market, "period": period,
            "firm": firm, "share": share, "value": value, "scale": scale, "filters": filters,
            "holdings_filters": holdings_filters}
    args = apply_config(args, config, func)
    check_choice(func, "scale", args["scale"], ("fraction", "percent"))
    args["merging"] = _merging(args["merging"], func)
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
    figs = Figures()
    validation: dict = {}
    sections, skipped, methods = [], [], []

    def attempt(name, fn):
        step(name)
        try:
            sec = fn()
        except MissingDependencyError:
            raise
        except ConcentrationError as exc:
            skipped.append(f"{name}: {exc}")
            return
        if sec is None:
            return
        sections.append(sec)
        methods.extend(m for m in sec.methods if m not in methods)

    if "shares" in by_role:
        attempt("Concentration by market and period",
                lambda: indices_section(by_role["shares"], args, figs, validation))
    else:
        skipped.append("Concentration by market and period: no shares input")
    for _key, name, builder in EXTRA_SECTIONS:
        attempt(name, lambda b=builder: b(by_role, args, figs, validation, skipped))

    ordered = ([provenance_section(inputs, validation)] + sections
               + [methods_section(methods or ["hhi"]), versions_section(_parameters(args))])
    version = library_version()
    subtitle = ("Inputs: " + ", ".join(f"{i.role} ({os.path.basename(i.label)})"
                                       for i in inputs)) if inputs else "No inputs."
    step("rendering")
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
