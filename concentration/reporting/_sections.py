"""Reproducible HTML reports with a machine-readable JSON twin.

:func:`report` runs the analyses its inputs allow and writes one self-contained
HTML file (inline CSS, figures as inline SVG, no script and no network fetch; a
Content-Security-Policy forbids both) and a JSON file holding every number shown.
The same inputs give the same bytes: there is no timestamp, every table has a
defined order, and figures are rendered with fixed SVG metadata and id salts.
Every string that comes from the data is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from string import Template

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import check_choice, param_message
from ..exceptions import ConcentrationError, InvalidParameterError, MissingDependencyError
from .._tables import period_order

__all__ = ["report", "ReportResult", "load_config"]

_esc = html.escape

#: Measures shown in the indices section (see :func:`concentration.indices`).
REPORT_MEASURES = ("hhi", "cr4", "effective_number", "n_firms")

_CONFIG_KEYS = ("shares", "holdings", "partnerships", "merging", "guidelines", "output",
                "json_output", "title", "market", "period", "firm", "share", "value", "scale",
                "filters", "holdings_filters")

# --------------------------------------------------------------------------- results


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


# --------------------------------------------------------------------------- helpers


def _jsonable(v):
    """Plain JSON value: numpy scalars to Python, NaN/inf to None, dates to text."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _frame_data(frame: pd.DataFrame) -> dict:
    """A DataFrame as ``{"columns": [...], "rows": [[...], ...]}`` (index reset)."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    return {"columns": [str(c) for c in df.columns],
            "rows": [[_jsonable(v) for v in row] for row in df.itertuples(index=False)]}


def _fmt(v) -> str:
    if v is None or v is pd.NA:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return "–"
        if f == int(f) and abs(f) >= 1000:
            return f"{f:,.0f}"
        return f"{f:,.1f}" if abs(f) >= 100 else f"{f:.4g}"
    try:
        if pd.isna(v):
            return "–"
    except (TypeError, ValueError):
        pass
    return str(v)


def _table_html(frame: pd.DataFrame, *, max_rows=200, caption=None) -> str:
    """An escaped HTML table (index reset into columns)."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    out = ["<div class='tbl'><table>"]
    if caption:
        out.append(f"<caption>{_esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_esc(str(c))}</th>" for c in df.columns)
               + "</tr></thead><tbody>")
    for row in df.head(max_rows).itertuples(index=False):
        cells = []
        for v in row:
            num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
                v, (bool, np.bool_))
            cells.append(f"<td class='num'>{_esc(_fmt(v))}</td>" if num
                         else f"<td>{_esc(_fmt(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    if len(df) > max_rows:
        out.append(f"<p class='note'>Showing {max_rows:,} of {len(df):,} rows; the JSON "
                   "file holds them all.</p>")
    return "".join(out)


def _facts_html(facts) -> str:
    rows = "".join(f"<tr><th>{_esc(str(k))}</th><td>{_esc(_fmt(v))}</td></tr>"
                   for k, v in facts)
    return f"<table class='facts'>{rows}</table>"


def _sha256_path(path: str) -> str:
    h = hashlib.sha256()
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                h.update(os.path.relpath(full, path).replace(os.sep, "/").encode("utf-8"))
                h.update(b"\0")
                with open(full, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
        return h.hexdigest()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _display_path(path: str) -> str:
    """The path as shown in the report: bundled data relative to the package."""
    base = os.path.dirname(_bundled_path("x"))
    full = os.path.abspath(path)
    if full.startswith(base + os.sep):
        return "concentration._data/" + os.path.relpath(full, base).replace(os.sep, "/")
    return path


def _sha256_frame(frame: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in frame.columns]).encode("utf-8"))
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


@dataclass
class _Input:
    role: str
    label: str
    frame: pd.DataFrame
    sha256: str
    kind: str  # "file", "directory" or "DataFrame"
    provenance: dict


def _load_input(role, obj, func="report", filters=None) -> _Input | None:
    if obj is None:
        return None
    if isinstance(obj, pd.DataFrame):
        if filters is not None:
            raise InvalidParameterError(param_message(
                func, "filters", "None when shares is a DataFrame", filters,
                "Filter the DataFrame before passing it."))
        return _Input(role, str(obj.attrs.get("source_path", f"{role} (DataFrame)")), obj,
                      _sha256_frame(obj), "DataFrame",
                      dict(obj.attrs.get("provenance", {}) or {}))
    if isinstance(obj, (str, os.PathLike)):
        from ..io import read_table

        path = os.fspath(obj)
        frame = read_table(path, func=func, filters=filters)
        return _Input(role, _display_path(path), frame, _sha256_path(path),
                      "directory" if os.path.isdir(path) else "file",
                      dict(frame.attrs.get("provenance", {}) or {}))
    raise InvalidParameterError(param_message(
        func, role, "a path to a Parquet file or directory, or a pandas DataFrame",
        type(obj).__name__))


def _optional(module):
    """Import ``concentration.<module>`` if it exists, else None."""
    import importlib

    try:
        return importlib.import_module(f"concentration.{module}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("concentration"):
            return None
        raise


class _Figures:
    """Numbered figures with distinct, deterministic SVG id salts."""

    def __init__(self):
        self.n = 0

    def svg(self, ax_or_fig, caption):
        from ..plotting import figure_svg

        self.n += 1
        fig = getattr(ax_or_fig, "figure", ax_or_fig)
        svg = figure_svg(fig, salt=f"concentration-fig{self.n}")
        return (f"<figure>{svg}<figcaption>Figure {self.n}. {_esc(caption)}</figcaption>"
                "</figure>")


@dataclass
class _Section:
    key: str
    title: str
    body: list = field(default_factory=list)
    data: dict = field(default_factory=dict)
    methods: tuple = ()  # keys of _METHODS to include


def _capture(fn, *args, **kwargs):
    """Call ``fn``; return (result, [warning messages]) without letting warnings escape."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    msgs = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in msgs:
            msgs.append(text)
    return out, msgs


def _record(validation, role, msgs):
    """Add each new message in ``msgs`` to the validation list of input ``role``."""
    seen = validation.setdefault(role, [])
    seen.extend(m for m in dict.fromkeys(msgs) if m not in seen)


def _module_or_skip(skipped, title, *modules, what):
    """Import the optional modules a section needs; on a missing one record why and return None."""
    found = [_optional(m) for m in modules]
    if any(m is None for m in found):
        skipped.append(f"{title}: this installation has no {what} module")
        return None
    return found[0] if len(found) == 1 else found


def _input_periods(frame, period) -> list:
    """The periods of an input table in their natural order (``[]`` without a period)."""
    return period_order(frame[period]) if period in frame.columns else []


def _period_rank(df, period, order):
    """Position of each row's period in ``order`` (a column or an index level of ``df``).

    ``order`` is the periods' natural order in the input (see
    ``concentration._tables.period_order``); periods it does not list follow
    in their own natural order.  Returns None when ``df`` has no such period.
    """
    if period in df.columns:
        values = df[period]
    elif period in (df.index.names or ()):
        values = pd.Series(df.index.get_level_values(period), index=df.index)
    else:
        return None
    order = list(order)
    listed = set(order)
    order += [p for p in period_order(values) if p not in listed]
    return values.map({p: i for i, p in enumerate(order)})


def _inperiod_order(df, market, period, order):
    """Rows of ``df`` by market (as they come) and, within one, by natural period order."""
    rank = _period_rank(df, period, order)
    if rank is None:
        return df
    if market in df.columns or market in (df.index.names or ()):
        markets = df[market] if market in df.columns else df.index.get_level_values(market)
        first = pd.factorize(np.asarray(markets, dtype=object))[0]
    else:
        first = np.zeros(len(df), dtype=np.intp)
    return df.iloc[np.lexsort((rank.to_numpy(dtype=float), first))]


def _latest_rows(df, market, period, order):
    """The rows of each market's latest period: the last one in natural order, not as text.

    Markets (when the column exists) in their sorted order.
    """
    rank = _period_rank(df, period, order)
    if rank is not None:
        last = rank.groupby(df[market], sort=False).transform("max") \
            if market in df.columns else rank.max()
        df = df[rank == last]
    if market in df.columns:
        df = df.sort_values(market, kind="stable")
    return df


def _warnings_html(msgs) -> str:
    if not msgs:
        return ""
    items = "".join(f"<li>{_esc(m)}</li>" for m in msgs)
    return f"<div class='warn'><strong>Warnings</strong><ul>{items}</ul></div>"


# --------------------------------------------------------------------------- sections


def _provenance_section(inputs, validation) -> _Section:
    sec = _Section("provenance", "Data provenance")
    rows, records = [], []
    for inp in inputs:
        rows.append({"input": inp.role, "source": inp.label, "kind": inp.kind,
                     "rows": int(len(inp.frame)), "columns": int(inp.frame.shape[1]),
                     "sha256": inp.sha256})
        records.append({"role": inp.role, "source": inp.label, "kind": inp.kind,
                        "rows": int(len(inp.frame)), "columns": [str(c) for c in inp.frame.columns],
                        "sha256": inp.sha256, "provenance": _jsonable(inp.provenance),
                        "validation": validation.get(inp.role, [])})
    sec.body.append("<p>Each input as read, with the SHA-256 of its bytes (of every file, "
                    "in path order, for a directory; of the content for an in-memory "
                    "DataFrame). Recompute it with <code>sha256sum</code> to confirm "
                    "the report was made from the same data.</p>")
    sec.body.append(_table_html(pd.DataFrame(rows)))
    for inp in inputs:
        if inp.provenance:
            facts = [(k, v if isinstance(v, str) else json.dumps(_jsonable(v), sort_keys=True))
                     for k, v in sorted(inp.provenance.items())]
            sec.body.append(f"<h3>Provenance stored in {_esc(inp.role)}</h3>")
            sec.body.append(_facts_html(facts))
        msgs = validation.get(inp.role, [])
        if msgs:
            sec.body.append(f"<h3>Validation of {_esc(inp.role)}</h3>")
            sec.body.append(_warnings_html(msgs))
    sec.data = {"inputs": records}
    return sec


def _share_columns(cfg, frame):
    cols = {k: cfg[k] for k in ("market", "period", "firm", "share", "value", "scale")}
    return cols


def _indices_section(inp, cfg, figs, validation) -> _Section:
    from ..measures import indices
    from ..io import validate_shares

    cols = _share_columns(cfg, inp.frame)
    kw = dict(market=cols["market"], period=cols["period"], firm=cols["firm"],
              share=cols["share"], value=cols["value"], scale=cols["scale"])
    frame = inp.frame
    rep = validate_shares(frame, **kw)
    issues = rep.issues
    table, caught = _capture(indices, frame, list(REPORT_MEASURES), **kw)
    order = _input_periods(frame, cols["period"])
    table = _inperiod_order(table, cols["market"], cols["period"], order)
    msgs = [f"{r.severity}: {r.message}" for r in issues.itertuples() if r.severity == "error"]
    _record(validation, inp.role, caught + msgs)
    sec = _Section("indices", "Concentration by market and period", methods=("hhi", "cr",
                                                                             "effective"))
    sec.body.append(
        "<p>HHI in points (0–10,000), the four-firm concentration ratio CR4 (a fraction), "
        "the numbers-equivalent 10,000/HHI and the count of listed firms, for every market "
        "and period. Where the listed shares sum below one (a fringe or a top-N "
        "table), <em>lower bound</em> says so: the HHI then covers the listed firms only "
        "and understates the full-market figure.</p>")
    if not rep.ok:
        sec.body.append(_warnings_html(msgs))
    sec.body.append(_table_html(table))
    if len(issues):
        sec.body.append(f"<details><summary>Validation issues by market and period "
                        f"({len(issues):,})</summary>"
                        + _table_html(issues[["severity", "check", "group", "value",
                                              "message"]].astype(str)) + "</details>")
    sec.body.extend(_trend_figures(table, cols, figs, order=order))
    latest = _latest_shares(frame, cols, order)
    if latest is not None:
        sec.body.append("<h3>Shares in each market's latest period</h3>")
        sec.body.append(_table_html(latest))
    sec.data = {"measures": list(REPORT_MEASURES), "columns": _jsonable(cols),
                "table": _frame_data(table),
                "latest_shares": None if latest is None else _frame_data(latest),
                "validation_issues": _frame_data(issues) if len(issues) else
                {"columns": [], "rows": []}}
    return sec


def _latest_shares(frame, cols, order):
    """The listed firms' shares (fractions) in each market's latest period, largest first."""
    from ..io import read_shares

    mkt, per, firm = cols["market"], cols["period"], cols["firm"]
    if firm not in frame.columns:
        return None
    df, _ = _capture(read_shares, frame, market=mkt, period=per, firm=firm, share=cols["share"],
                     value=cols["value"], scale=cols["scale"])
    sname = cols["share"] if cols["value"] is None else "share"
    df = _latest_rows(df, mkt, per, order)
    keys = [c for c in (mkt,) if c in df.columns]
    df = df.assign(_neg=-df[sname]).sort_values(keys + ["_neg", firm], kind="stable")
    return df.drop(columns="_neg").reset_index(drop=True)


def _trend_figures(table, cols, figs, max_markets=9, *, order=None):
    """Small multiples of HHI over time, one panel per market with two or more periods.

    ``order`` lists the periods in their natural order in the input data (the x axis).
    """
    if not isinstance(table.index, pd.MultiIndex) and table.index.name != cols["period"]:
        return []
    df = table.reset_index()
    per, mkt = cols["period"], cols["market"]
    if per not in df.columns:
        return []
    if mkt in df.columns:
        counts = df.groupby(mkt, sort=True)[per].nunique()
        markets = [m for m in counts.index if counts[m] >= 2][:max_markets]
    else:
        markets = [None] if df[per].nunique() >= 2 else []
    if not markets:
        return []
    from ..plotting._mpl import HOUSE_STYLE, import_mpl
    from ..plotting import plot_hhi_trend

    matplotlib, Figure = import_mpl()
    ncol = min(3, len(markets))
    nrow = -(-len(markets) // ncol)
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(3.4 * ncol, 2.8 * nrow), layout="constrained")
        axes = fig.subplots(nrow, ncol, squeeze=False)
        for i, m in enumerate(markets):
            ax = axes[i // ncol][i % ncol]
            sub = df if m is None else df[df[mkt] == m]
            plot_hhi_trend(sub.drop(columns=[mkt]) if m is not None else sub, column="hhi",
                           period=per, market=mkt, ax=ax, title=None if m is None else str(m),
                           max_ticks=6, order=order)
            ax.title.set_fontsize(8)
        for j in range(len(markets), nrow * ncol):
            axes[j // ncol][j % ncol].axis("off")
    return [figs.svg(fig, "HHI over time by market (points); dashed lines at 1,000 and "
                          "1,800, the 2023 U.S. Merger Guidelines' boundary of a highly "
                          "concentrated market.")]


# Methodology notes: formula and reference for each measure shown.
_METHODS = {
    "hhi": ("Herfindahl–Hirschman Index",
            "HHI = 10,000 · Σ<sub>i</sub> s<sub>i</sub><sup>2</sup>, with shares s<sub>i</sub> "
            "as fractions; 0–10,000 points.",
            "Herfindahl (1950), <i>Concentration in the Steel Industry</i>, Columbia PhD "
            "thesis; Hirschman (1964), AER 54(5):761."),
    "cr": ("Concentration ratio",
           "CR<sub>k</sub> = Σ<sub>i≤k</sub> s<sub>(i)</sub>, the combined share of the k "
           "largest firms.", "U.S. Census Bureau, Economic Census concentration ratios."),
    "effective": ("Numbers-equivalent",
                  "N<sub>e</sub> = 10,000 / HHI, the number of equal-sized firms with the "
                  "same HHI.", "Adelman (1969), REStat 51(1):99–101."),
    "screen": ("Merger screen",
               "ΔHHI = 2 · 10,000 · s<sub>a</sub> s<sub>b</sub> for merging firms a and b; "
               "post-merger HHI = pre-merger HHI + ΔHHI. Verdicts compare these with the "
               "thresholds of each guideline, cited with its section.",
               "U.S. DOJ/FTC Merger Guidelines (2023), Guideline 1 and §2.1; Horizontal "
               "Merger Guidelines (2010) §5.3."),
    "mhhi": ("Modified HHI (O'Brien–Salop)",
             "MHHI = 10,000 · Σ<sub>j</sub> Σ<sub>k</sub> s<sub>j</sub> s<sub>k</sub> "
             "κ<sub>jk</sub>, κ<sub>jk</sub> = Σ<sub>i</sub> γ<sub>ij</sub> β<sub>ik</sub> / "
             "Σ<sub>i</sub> γ<sub>ij</sub> β<sub>ij</sub>, with β cash-flow rights and γ "
             "control rights of owner i. κ<sub>jk</sub> is the weight firm j's managers "
             "place on firm k's profit; it is not symmetric. MHHIΔ = MHHI − HHI.",
             "O'Brien and Salop (2000), Antitrust Law Journal 67(3):559–614; Bresnahan and "
             "Salop (1986), IJIO 4(2):155–175."),
    "network": ("Partnership-network centrality",
                "Degree centrality of node v = deg(v)/(n−1); ties are strengths (larger "
                "is closer), not distances.",
                "Freeman (1978), Social Networks 1(3):215–239; Wasserman and Faust (1994), "
                "<i>Social Network Analysis</i>, ch. 5."),
}


def _methods_section(keys) -> _Section:
    sec = _Section("methodology", "Methodology")
    items = []
    for k in keys:
        title, formula, ref = _METHODS[k]
        items.append(f"<dt>{title}</dt><dd>{formula}<br><span class='ref'>{ref}</span></dd>")
    sec.body.append("<p>Shares are fractions in [0, 1]; indices are reported in points "
                    "(0–10,000) as the competition agencies do. Shares that sum below one "
                    "are never renormalised: the policy applied is stated beside each "
                    "number.</p>")
    sec.body.append("<dl class='methods'>" + "".join(items) + "</dl>")
    sec.data = {"measures": list(keys)}
    return sec


def _versions_section(params) -> _Section:
    from importlib import metadata

    from .._version import library_version

    vers = {"concentration": library_version()}
    for dep in ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "networkx"):
        try:
            vers[dep] = metadata.version(dep)
        except metadata.PackageNotFoundError:
            vers[dep] = None
    sec = _Section("reproducibility", "Library version and parameters")
    sec.body.append("<p>Rerunning with these versions and parameters on the same inputs "
                    "reproduces this document byte for byte.</p>")
    sec.body.append("<h3>Versions</h3>" + _facts_html([(k, v if v else "not installed")
                                                      for k, v in vers.items()]))
    shown = [(k, json.dumps(_jsonable(v), sort_keys=True) if not isinstance(v, str) else v)
             for k, v in params.items()]
    sec.body.append("<h3>Parameters</h3>" + _facts_html(shown))
    sec.data = {"versions": vers, "parameters": _jsonable(params)}
    return sec


# --------------------------------------------------------------------------- document

_CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0072B2;--warn:#9a6700}
*{box-sizing:border-box}
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);
 margin:0;background:#fff}
main{max-width:1040px;margin:0 auto;padding:24px 28px 64px}
header{border-bottom:3px solid var(--accent);margin-bottom:16px}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:32px 0 8px;
 border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}
nav ol{columns:2;margin:8px 0 0;padding-left:20px}
nav a,a{color:var(--accent)}
.tbl{overflow-x:auto;max-height:480px;overflow-y:auto;border:1px solid var(--line);
 border-radius:4px;margin:8px 0}
table{border-collapse:collapse;font-size:12.5px;width:100%}
th,td{padding:3px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid var(--line)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.facts{width:auto}table.facts th{color:var(--muted);font-weight:600;padding-right:16px}
table.facts td{word-break:break-all}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:6px 12px;
 margin:8px 0;font-size:12.5px}.warn ul{margin:4px 0;padding-left:18px}
.note,.ref{color:var(--muted);font-size:12.5px}
details{margin:8px 0}summary{cursor:pointer;color:var(--accent)}
figure{margin:14px 0}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12.5px}
dl.methods dt{font-weight:600;margin-top:10px}dl.methods dd{margin-left:16px}
.verdict-presumed{color:#b42318;font-weight:600}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);
 padding-top:8px}
@media print{.tbl{max-height:none;overflow:visible}}
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="concentration $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
<main>
<header><h1>$title</h1><p class="sub">$subtitle</p></header>
<nav><strong>Contents</strong><ol>$toc</ol></nav>
$skipped
$sections
<footer>Generated by concentration $version. A JSON file beside this report holds every
number shown. Input checksums are in the Data provenance section.</footer>
</main>
</body>
</html>
""")


def _render(title, subtitle, sections, version, skipped=()) -> str:
    skip = ""
    if skipped:
        skip = ("<div class='warn'><strong>Sections not produced</strong><ul>"
                + "".join(f"<li>{_esc(s)}</li>" for s in skipped) + "</ul></div>")
    toc = "".join(f"<li><a href='#{s.key}'>{_esc(s.title)}</a></li>" for s in sections)
    body = "\n".join(f"<section id='{s.key}'><h2>{_esc(s.title)}</h2>\n" + "\n".join(s.body)
                     + "</section>" for s in sections)
    return _PAGE.substitute(title=_esc(title), subtitle=_esc(subtitle), toc=toc, skipped=skip,
                            sections=body, css=_CSS.strip(), version=_esc(version))


# --------------------------------------------------------------------------- config


def load_config(path) -> dict:
    """Read a report configuration from a TOML file.

    Keys are the keyword arguments of :func:`report` (``shares``, ``holdings``,
    ``partnerships``, ``merging``, ``guidelines``, ``output``, ``json_output``,
    ``title`` and the column names ``market``, ``period``, ``firm``, ``share``,
    ``value``, ``scale``), at the top level or under a ``[report]`` table.  Relative
    paths are resolved from the file's directory.

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
    from ..exceptions import DataFileError

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
    cfg = raw.get("report", raw)
    unknown = sorted(set(cfg) - set(_CONFIG_KEYS))
    if unknown:
        raise InvalidParameterError(param_message(
            "report", "config", "a table with keys among " + ", ".join(_CONFIG_KEYS),
            unknown, "Remove or rename the unknown keys."))
    base = os.path.dirname(os.path.abspath(p))
    out = dict(cfg)
    for k in ("shares", "holdings", "partnerships", "output", "json_output"):
        if isinstance(out.get(k), str) and not os.path.isabs(out[k]):
            out[k] = os.path.join(base, out[k])
    return out


# --------------------------------------------------------------------------- public


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
        HTML file to write; ``None`` writes nothing (the document is in the result).
    json_output : str or os.PathLike, optional
        JSON file to write; defaults to ``output`` with the suffix ``.json``.
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
        A bad argument or configuration.
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
    defaults = {"guidelines": ("us2023",), "output": "report.html",
                "title": "Concentration report", "market": "market", "period": "period",
                "firm": "firm", "share": "share", "scale": "fraction"}
    if config is not None:
        cfg = dict(config) if isinstance(config, dict) else load_config(config)
        unknown = sorted(set(cfg) - set(_CONFIG_KEYS))
        if unknown:
            raise InvalidParameterError(param_message(
                func, "config", "a dict with keys among " + ", ".join(_CONFIG_KEYS), unknown))
        for k, v in cfg.items():
            if args[k] is None or (k in defaults and args[k] == defaults[k]):
                args[k] = v
    check_choice(func, "scale", args["scale"], ("fraction", "percent"))
    args["merging"] = _merging(args["merging"], func)
    g = args["guidelines"]
    args["guidelines"] = tuple([g] if isinstance(g, str) else (g or ()))
    step = progress or (lambda name: None)

    step("reading inputs")
    inputs = [i for i in (_load_input("shares", args["shares"], filters=args["filters"]),
                          _load_input("holdings", args["holdings"],
                                      filters=args["holdings_filters"]),
                          _load_input("partnerships", args["partnerships"])) if i is not None]
    by_role = {i.role: i for i in inputs}
    figs = _Figures()
    validation: dict = {}
    sections, skipped, methods = [], [], []

    def attempt(key, title, fn):
        step(title)
        try:
            sec = fn()
        except MissingDependencyError:
            raise
        except ConcentrationError as exc:
            skipped.append(f"{title}: {exc}")
            return
        if sec is None:
            return
        sections.append(sec)
        methods.extend(m for m in sec.methods if m not in methods)

    if "shares" in by_role:
        attempt("indices", "Concentration by market and period",
                lambda: _indices_section(by_role["shares"], args, figs, validation))
    else:
        skipped.append("Concentration by market and period: no shares input")
    for key, title, builder in _EXTRA_SECTIONS:
        attempt(key, title, lambda b=builder: b(by_role, args, figs, validation, skipped))

    prov = _provenance_section(inputs, validation)
    methods_sec = _methods_section(methods or ["hhi"])
    params = {k: (_display_path(os.fspath(v)) if isinstance(v, (str, os.PathLike))
                  and k in ("shares", "holdings", "partnerships") else
                  ("DataFrame" if isinstance(v, pd.DataFrame) else
                   (str(v) if k in ("filters", "holdings_filters") and v is not None
                    and not isinstance(v, list)
                    else v)))
              for k, v in args.items() if k not in ("output", "json_output")}
    vers = _versions_section(params)
    ordered = [prov] + sections + [methods_sec, vers]

    from .._version import library_version

    version = library_version()
    subtitle = ("Inputs: " + ", ".join(f"{i.role} ({os.path.basename(i.label)})"
                                       for i in inputs)) if inputs else "No inputs."
    step("rendering")
    doc = _render(args["title"], subtitle, ordered, version, skipped)
    data = {"title": args["title"], "library_version": version,
            "sections": {s.key: _jsonable(s.data) for s in ordered},
            "skipped": list(skipped)}
    blob = doc.encode("utf-8")
    digest = hashlib.sha256(blob).hexdigest()
    data["html_sha256"] = digest
    out, jout = args["output"], args["json_output"]
    if out is not None:
        out = os.fspath(out)
        if jout is None:
            jout = os.path.splitext(out)[0] + ".json"
        _write(out, blob)
    if jout is not None:
        jout = os.fspath(jout)
        _write(jout, (json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
                      + "\n").encode("utf-8"))
    return ReportResult(output=out, json_output=jout, sha256=digest,
                        sections=tuple(s.title for s in ordered), skipped=tuple(skipped),
                        html=doc, data=data)


def _write(path, blob):
    from ..exceptions import DataFileError

    try:
        with open(path, "wb") as fh:
            fh.write(blob)
    except OSError as exc:
        raise DataFileError(f"report: could not write {path!r} ({exc}). Check that the "
                            "directory exists and is writable.") from None


def _merging(value, func):
    if value is None:
        return None
    items = [t.strip() for t in value.split(",")] if isinstance(value, str) else list(value)
    items = [str(t) for t in items if str(t)]
    if len(items) < 2:
        raise InvalidParameterError(param_message(
            func, "merging", "two or more firm names", value,
            "Pass merging=('Firm A', 'Firm B') or --merging 'Firm A,Firm B'."))
    return tuple(items)


# Further sections, each built when its module and inputs are available:
# (key, title, builder(by_role, args, figs, validation, skipped) -> _Section | None).


def _screen_section(by_role, args, figs, validation, skipped):
    title = "Merger screen"
    if not args["merging"]:
        return None
    if "shares" not in by_role:
        skipped.append(f"{title}: no shares input")
        return None
    screen_mod = _module_or_skip(skipped, title, "screen", what="merger-screen")
    if screen_mod is None:
        return None
    inp = by_role["shares"]
    cols = _share_columns(args, inp.frame)
    result, caught = _capture(screen_mod.screen_merger, inp.frame, list(args["merging"]),
                              guidelines=list(args["guidelines"]), market=cols["market"],
                              period=cols["period"], firm=cols["firm"], share=cols["share"],
                              value=cols["value"], scale=cols["scale"])
    _record(validation, inp.role, caught)
    order = _input_periods(inp.frame, cols["period"])
    table = _inperiod_order(result.to_frame(), cols["market"], cols["period"], order)
    sec = _Section("screen", title, methods=("screen",))
    parties = " + ".join(args["merging"])
    overlap = table[table["overlap"]] if "overlap" in table.columns else table
    sec.body.append(
        f"<p>A hypothetical combination of <strong>{_esc(parties)}</strong>, screened in "
        f"every market and period under {_esc(', '.join(args['guidelines']))}. HHI and "
        "ΔHHI in points, the combined share as a fraction. Where the listed shares sum "
        "below one the HHIs are lower bounds (column lower_bound); ΔHHI and the combined "
        f"share are exact. {len(overlap):,} of {len(table):,} rows have both parties "
        "present; the others are listed in the JSON with verdict no_overlap.</p>")
    shown = [c for c in (cols["market"], cols["period"], "guideline", "pre_hhi", "post_hhi",
                         "delta_hhi", "combined_share", "lower_bound", "verdict")
             if c in overlap.columns]
    sec.body.append(_table_html(overlap[shown].reset_index(drop=True)))
    cites = (table[["guideline", "rule", "citation"]].drop_duplicates()
             .sort_values(["guideline", "rule"], kind="stable"))
    sec.body.append("<h3>Rules applied and their sources</h3><ul class='cites'>" + "".join(
        f"<li><strong>{_esc(str(r.guideline))}</strong>: {_esc(str(r.rule))}<br>"
        f"<span class='ref'>{_esc(str(r.citation))}</span></li>"
        for r in cites.itertuples()) + "</ul>")
    if len(overlap):
        sec.body.append(_zone_figure(overlap, cols, args["guidelines"][0], figs, order))
    if result.notes:
        sec.body.append("".join(f"<p class='note'>{_esc(str(n))}</p>" for n in result.notes))
    sec.data = {"merging": list(args["merging"]), "guidelines": list(args["guidelines"]),
                "table": _frame_data(table), "notes": [str(n) for n in result.notes]}
    return sec


def _thresholds(key):
    """The HHI and ΔHHI thresholds of guideline ``key`` for the zone chart, or None."""
    from ..guidelines import get_guideline

    try:
        return get_guideline(key).thresholds()
    except (ConcentrationError, KeyError):
        return None


def _zone_figure(overlap, cols, key, figs, order):
    from ..plotting import plot_screen_zones

    sub = overlap[overlap["guideline"] == key] if "guideline" in overlap.columns else overlap
    mkt, per = cols["market"], cols["period"]
    sub = _latest_rows(sub, mkt, per, order)
    labels = [" ".join(str(x) for x in row) for row in
              sub[[c for c in (mkt, per) if c in sub.columns]].itertuples(index=False)]
    ax = plot_screen_zones(sub["post_hhi"].to_numpy(), sub["delta_hhi"].to_numpy(),
                           labels=labels, thresholds=_thresholds(key))
    ax.figure.set_size_inches(7.0, 4.2)
    return figs.svg(ax, f"Each market's latest period on the (post-merger HHI, ΔHHI) plane "
                        f"with the thresholds of {key} (dashed: HHI; dotted: ΔHHI).")


def _network_section(by_role, args, figs, validation, skipped):
    title = "Partnership network"
    if "partnerships" not in by_role:
        return None
    net_mod = _module_or_skip(skipped, title, "network", what="network")
    if net_mod is None:
        return None
    inp = by_role["partnerships"]
    net, caught = _capture(net_mod.PartnershipNetwork, inp.frame)
    ties = net.ties
    date = None
    if "start" in ties.columns and ties["start"].notna().any():
        date = pd.Timestamp(ties["start"].max())
        net, more = _capture(net.as_of, date)
        caught += more
    _record(validation, inp.role, caught)
    measures = {}
    for m in ("degree", "strength", "betweenness", "eigenvector", "pagerank"):
        try:
            # one thread: a parallel sum's order, hence its last bits, can vary
            opts = {"n_threads": 1} if m == "betweenness" else {}
            measures[m], more = _capture(net.centrality, m, **opts)
        except ConcentrationError as exc:
            skipped.append(f"{title}: {m} centrality not computed ({exc})")
            continue
    cent = pd.DataFrame(measures)
    cent.index.name = "firm"
    order = np.lexsort((np.asarray([str(i) for i in cent.index]),
                        -cent[next(iter(measures))].to_numpy()))
    cent = cent.iloc[order]
    when = "" if date is None else f" as of {date.date().isoformat()}"
    sec = _Section("network", title, methods=("network",))
    sec.body.append(
        f"<p>{len(net.ties):,} ties among {len(net.firms):,} organisations live{_esc(when)} "
        "(ties are strengths: larger is closer). Degree is the share of other "
        "organisations tied to each; betweenness the share of shortest paths through it; "
        "eigenvector and PageRank weight ties to central partners more.</p>")
    sec.body.append(_table_html(cent.head(25), caption="The 25 most central organisations "
                                                       "(by degree); the JSON holds all."))
    from ..plotting import plot_network

    ax = plot_network(net.ties, source="source", target="target",
                      weight="weight" if "weight" in net.ties.columns else None,
                      size=cent[next(iter(measures))].to_dict())
    sec.body.append(figs.svg(ax, "The alliance network: node size by degree centrality; "
                                 "the most central organisations on the inner ring."))
    sec.data = {"as_of": None if date is None else date.date().isoformat(),
                "n_ties": int(len(net.ties)), "n_firms": int(len(net.firms)),
                "centrality": _frame_data(cent)}
    return sec


def _mhhi_section(by_role, args, figs, validation, skipped):
    title = "Ownership-adjusted concentration (MHHI)"
    if "holdings" not in by_role:
        return None
    if "shares" not in by_role:
        skipped.append(f"{title}: no shares input")
        return None
    found = _module_or_skip(skipped, title, "ownership", "ownership", what="ownership")
    if found is None:
        return None
    own, hold = found
    hinp, sinp = by_role["holdings"], by_role["shares"]
    holdings, caught = _capture(hold.read_holdings, hinp.frame)
    cols = _share_columns(args, sinp.frame)
    result, more = _capture(own.mhhi, sinp.frame, holdings, market=cols["market"],
                            period=cols["period"], firm=cols["firm"], share=cols["share"],
                            value=cols["value"], scale=cols["scale"])
    _record(validation, hinp.role, caught)
    frame = _inperiod_order(result.to_frame(), cols["market"], cols["period"],
                             _input_periods(sinp.frame, cols["period"]))
    owners = result.by_owner()
    sec = _Section("mhhi", title, methods=("mhhi",))
    sec.body.append(
        f"<p>O'Brien–Salop MHHI with control model {_esc(str(result.control_model))}. "
        f"{_esc(str(result.control_note))} MHHIΔ = MHHI − HHI is the part due to common "
        "and cross ownership; below it is attributed to owners (the attribution sums "
        "exactly to MHHIΔ in each market).</p>")
    moved = frame[frame["mhhi_delta"].abs() > 1e-9] if "mhhi_delta" in frame.columns \
        else frame
    sec.body.append(_table_html(moved if len(moved) else frame,
                                caption="Markets and periods where ownership links "
                                        "change the index" if len(moved) else None))
    if len(owners):
        sec.body.append("<h3>MHHIΔ by owner</h3>" + _table_html(owners))
        val = "contribution" if "contribution" in owners.columns else owners.select_dtypes(
            "number").columns[-1]
        label = owners["owner"] if "owner" in owners.columns else owners.index
        totals = owners.groupby(label, sort=True)[val].sum()
        from ..plotting import plot_bar

        ax = plot_bar(totals, xlabel="MHHIΔ contribution (points), summed over markets")
        sec.body.append(figs.svg(ax, "Each owner's contribution to MHHIΔ, summed over "
                                     "markets and periods."))
    for n in result.notes:
        sec.body.append(f"<p class='note'>{_esc(str(n))}</p>")
    sec.data = {"control_model": str(result.control_model), "table": _frame_data(frame),
                "by_owner": _frame_data(owners), "notes": [str(n) for n in result.notes]}
    return sec


_EXTRA_SECTIONS: list = [
    ("screen", "Merger screen", _screen_section),
    ("mhhi", "Ownership-adjusted concentration (MHHI)", _mhhi_section),
    ("network", "Partnership network", _network_section),
]


def _bundled_path(name):
    """Path of a bundled dataset file (installed as ``concentration._data``)."""
    from importlib import resources

    try:
        base = resources.files("concentration._data")
    except ModuleNotFoundError:  # a source checkout that is not installed
        base = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "datasets")
    return os.fspath(os.path.join(os.fspath(base), name))


def demo_inputs() -> dict:
    """Keyword arguments of :func:`report` for the bundled AI-industry data.

    Cloud-infrastructure, model-API and chatbot shares over time (firm rows of the
    latest vintage with a published share; "others" and "top-N combined" rows
    excluded, so HHIs over top-N tables are lower bounds and say so), a screen of a
    hypothetical Microsoft-Google combination, the ownership stakes among Microsoft,
    OpenAI, Alphabet, Amazon and Anthropic, and the alliance network.

    Returns
    -------
    dict
        Keyword arguments for :func:`report`: the bundled tables (pandas DataFrames and
        a :class:`~concentration.PartnershipNetwork`), the hypothetical deal and the
        row filters applied.

    Examples
    --------
    >>> from concentration.reporting import demo_inputs
    >>> sorted(demo_inputs())[:3]
    ['filters', 'holdings', 'merging']
    """
    import pyarrow.compute as pc

    flt = ((pc.field("row_kind") == "firm") & pc.field("latest_vintage")
           & pc.field("share").is_valid())
    # MHHI needs one stake per (owner, firm), actually held by an identified owner: the
    # latest stake as of the end of 2025, no contingent warrants or reported
    # profit-sharing terms, no undisclosed sizes, and no "employees and other investors"
    # aggregate (a residual, not one owner).
    from ..datasets import load

    own = load("ai_ownership", as_of="2025-12-31", held_only=True)
    own = own[own["cash_flow"].notna() & (own["owner_type"] != "aggregate")].reset_index(drop=True)
    own.attrs["source_path"] = "concentration._data/ai_ownership.parquet (held, as of 2025-12-31)"
    return {"shares": _bundled_path("ai_market_shares.parquet"),
            "holdings": own,
            "partnerships": _bundled_path("ai_partnerships.parquet"),
            "filters": flt, "merging": ("Microsoft", "Google"),
            "title": "Concentration in AI markets: cloud, model APIs and the alliance network"}
