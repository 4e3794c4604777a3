"""The report's sections: one builder each, giving its HTML fragments and JSON data.

Findings, concentration by market and period, the merger screen, MHHI by owner,
the partnership network over time and partnership-adjusted concentration, data
provenance, methodology, and versions with parameters.  Every fragment is
:class:`markupsafe.Markup` built from escaped text (see ``_html``); every table has
a defined order (markets sorted, each market's periods in time order), so the same
inputs give the same page.  Numbers are shown in one format per quantity
(``concentration._format``, shared with the notebook displays); the JSON keeps the
raw numbers and the codes.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
import warnings
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import pandas as pd
from markupsafe import Markup

from .._format import format_points, measure_label, verdict_label
from .._version import library_version
from ..exceptions import ConcentrationError
from ..guidelines import get_guideline
from ..measures import hhi_bounds, indices
from ..plotting import plot_hhi_trend, plot_screen_zones
from ..plotting._mpl import HOUSE_STYLE, import_mpl
from ..screen import screen_merger
from ._html import Figures, escape, facts_html, table_html, warnings_html
from ._time import END, START, PeriodIndex

__all__ = ["REPORT_MEASURES", "Section", "Context", "jsonable", "frame_data", "capture",
           "accepts", "provenance_section", "indices_section", "screen_section",
           "methods_section", "versions_section", "METHODS"]

#: Measures shown in the indices section (see :func:`concentration.indices`).
REPORT_MEASURES = ("hhi", "cr4", "effective_number", "n_firms")


@dataclass
class Section:
    """One section of the page: its anchor, title, HTML fragments and JSON data."""

    key: str
    title: str
    body: list = field(default_factory=list)  # of Markup
    data: dict = field(default_factory=dict)
    methods: tuple = ()  # keys of METHODS to include


@dataclass
class Context:
    """What every section builder reads: the arguments, the prepared inputs, the figures.

    ``shares`` is the share table after the report's selection (``markets``,
    ``as_of``, non-markets left out unless asked for); ``periods`` places each
    (market, period) of it in time; ``entities`` is the entity model (or None);
    ``results`` collects what the findings section summarises.
    """

    args: dict
    by_role: dict
    figs: Figures
    validation: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    shares: pd.DataFrame | None = None
    periods: PeriodIndex | None = None
    entities: object = None  # concentration._entities.Entities
    entities_input: object = None  # as given (a table or mapping)
    excluded: list = field(default_factory=list)  # (market, reason)
    selection: list = field(default_factory=list)  # sentences on what was selected
    results: dict = field(default_factory=dict)

    def share_kw(self, func=None) -> dict:
        """Column keywords of the shares (and ``parent=`` when entities are given)."""
        a = self.args
        kw = {k: a[k] for k in ("market", "period", "firm", "share", "value", "scale")}
        if self.entities is not None and (func is None or accepts(func, "parent")):
            kw["parent"] = self.entities
        return kw


# --------------------------------------------------------------------------- helpers


def accepts(func, name) -> bool:
    """Whether callable ``func`` takes keyword ``name``."""
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def jsonable(v):
    """Plain JSON value: numpy scalars to Python, NaN/inf to None, dates to ISO text."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
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
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        t = pd.Timestamp(v)
        day = t.normalize()
        if t == day or t == day + pd.Timedelta(days=1) - pd.Timedelta(nanoseconds=1):
            return day.date().isoformat()
        return t.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def frame_data(frame: pd.DataFrame) -> dict:
    """A DataFrame as ``{"columns": [...], "rows": [[...], ...]}`` (index reset)."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    return {"columns": [str(c) for c in df.columns],
            "rows": [[jsonable(v) for v in row] for row in df.itertuples(index=False)]}


def capture(fn, *args, **kwargs):
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


def _warning_key(msg: str) -> str:
    """What two warnings about one fact share: the text before the stated policy."""
    for cut in (" Policy ", " policy "):
        if cut in msg:
            return msg.split(cut, 1)[0]
    return msg


def record(validation, role, msgs):
    """Add each message in ``msgs`` to the validation list of input ``role``, once.

    Two warnings about one fact (the same fringe, stated by two functions with
    their own policies) are listed once.
    """
    seen = validation.setdefault(role, [])
    keys = {_warning_key(m) for m in seen}
    for m in dict.fromkeys(msgs):
        if _warning_key(m) not in keys:
            seen.append(m)
            keys.add(_warning_key(m))


def _json_text(v) -> str:
    """A parameter or provenance value as shown: text as it is, anything else as JSON."""
    return v if isinstance(v, str) else json.dumps(jsonable(v), sort_keys=True)


def _dates(df):
    """``df`` without the report's internal rank column."""
    return df.drop(columns=[c for c in ("rank",) if c in df.columns])


def ordered(ctx, df, *, by=()):
    """``df`` by market and, within one, periods in time order (dates attached)."""
    if ctx.periods is None:
        out = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
        m = ctx.args["market"]
        if m in out.columns:
            out = out.sort_values([m] + list(by), kind="stable").reset_index(drop=True)
        return out
    return _dates(ctx.periods.sort(df, by=by))


def latest(ctx, df):
    """The rows of ``df`` in each market's latest period (dates attached)."""
    if ctx.periods is None:
        return df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
    out = ctx.periods.latest(df)
    m = ctx.args["market"]
    if m in out.columns:
        out = out.sort_values(m, kind="stable").reset_index(drop=True)
    return _dates(out)


# --------------------------------------------------------------------------- provenance


def provenance_section(inputs, validation) -> Section:
    """Each input with its source, size and SHA-256, stored provenance and validation."""
    sec = Section("provenance", "Data provenance")
    rows, records = [], []
    for inp in inputs:
        rows.append({"input": inp.role, "source": inp.label, "kind": inp.kind,
                     "rows": int(len(inp.frame)), "columns": int(inp.frame.shape[1]),
                     "sha256": inp.sha256})
        records.append({"role": inp.role, "source": inp.label, "kind": inp.kind,
                        "rows": int(len(inp.frame)), "columns": [str(c) for c in inp.frame.columns],
                        "sha256": inp.sha256, "provenance": jsonable(inp.provenance),
                        "validation": validation.get(inp.role, [])})
    sec.body.append(Markup(
        "<p>Each input as read, with the SHA-256 of its bytes (of every file, "
        "in path order, for a directory; of the content for an in-memory "
        "DataFrame). Recompute it with <code>sha256sum</code> to confirm "
        "the report was made from the same data.</p>"))
    sec.body.append(table_html(pd.DataFrame(rows)))
    for inp in inputs:
        if inp.provenance:
            facts = [(k, _json_text(v)) for k, v in sorted(inp.provenance.items())]
            sec.body.append(Markup(f"<h3>Provenance stored in {escape(inp.role)}</h3>"))
            sec.body.append(facts_html(facts))
        msgs = validation.get(inp.role, [])
        if msgs:
            sec.body.append(Markup(f"<h3>Validation of {escape(inp.role)}</h3>"))
            sec.body.append(warnings_html(msgs))
    sec.data = {"inputs": records}
    return sec


# --------------------------------------------------------------------------- indices


def _range_text(row) -> str:
    lo, hi = row.get("hhi_min"), row.get("hhi_max")
    if not row.get("lower_bound") or lo is None or hi is None or not (
            np.isfinite(lo) and np.isfinite(hi)) or hi - lo < 0.5:
        return ""
    return f"{format_points(lo)}–{format_points(hi)}"


def indices_section(ctx) -> Section:
    """HHI (with bounds for top-N data), CR4, effective number and firm count, with trends."""
    args = ctx.args
    frame = ctx.shares
    kw = ctx.share_kw(indices)
    mkt, per = args["market"], args["period"]
    table, caught = capture(indices, frame, list(REPORT_MEASURES), **kw)
    if "hhi_min" not in getattr(table, "columns", ()):
        bounds, more = capture(hhi_bounds, frame, **ctx.share_kw(hhi_bounds))
        caught += more
        if isinstance(bounds, pd.DataFrame):
            table = table.join(bounds[["hhi_min", "hhi_max"]])
    record(ctx.validation, "shares", caught)
    table = ordered(ctx, table)
    ctx.results["indices"] = table
    lead = [c for c in (mkt, per, START, END) if c in table.columns]
    rest = [c for c in table.columns if c not in lead]
    table = table[lead + rest]
    sec = Section("indices", "Concentration by market and period",
                  methods=("hhi", "bounds", "cr", "effective"))
    n_markets = table[mkt].nunique() if mkt in table.columns else 1
    sec.body.append(Markup(
        "<p>HHI in points (0–10,000), the four-firm concentration ratio CR4, the "
        "effective number of firms (10,000/HHI) and the number of firms listed, for "
        f"each of {n_markets:,} markets, every period in time order. Where the data list "
        "only the largest firms (top-N data, shares summing below 100%) the HHI is a "
        "lower bound: the HHI range gives the lowest and highest HHI consistent with the "
        "listed shares and a fringe of firms no larger than the smallest listed one.</p>"))
    for m, why in ctx.excluded:
        sec.body.append(Markup(f"<p class='note'>Left out: <strong>{escape(m)}</strong> "
                               f"({escape(why)}).</p>"))
    for line in ctx.selection:
        sec.body.append(Markup(f"<p class='note'>{escape(line)}</p>"))
    markets = _market_table(ctx, table)
    if markets is not None:
        sec.body.append(table_html(markets, caption="The markets: each as its source "
                                                    "defines it, with its periods"))
    shown = table.copy()
    if "hhi_min" in shown.columns:
        shown["hhi_range"] = [_range_text(r) for r in shown.to_dict("records")]
    cols = [c for c in (mkt, per, "hhi", "hhi_range", "cr4", "effective_number", "n_firms",
                        "share_sum") if c in shown.columns]
    sec.body.append(table_html(shown[cols], max_rows=400))
    sec.body.extend(_trend_figures(ctx, table))
    late = _latest_shares(ctx)
    if late is not None:
        sec.body.append(Markup("<h3>Shares in each market's latest period</h3>"))
        sec.body.append(table_html(late, max_rows=400))
    sec.data = {"measures": list(REPORT_MEASURES),
                "measure_labels": {m: measure_label(m) for m in REPORT_MEASURES},
                "columns": jsonable({k: args[k] for k in ("market", "period", "firm", "share",
                                                          "value", "scale")}),
                "table": frame_data(table),
                "latest_shares": None if late is None else frame_data(late),
                "excluded_markets": [{"market": m, "reason": why} for m, why in ctx.excluded],
                "trend_panels": ctx.results.get("trend_panels", [])}
    return sec


def _market_table(ctx, table):
    """One row per market: its definition and source (when the data name them), periods."""
    mkt, per = ctx.args["market"], ctx.args["period"]
    if mkt not in table.columns or per not in table.columns:
        return None
    frame = ctx.shares
    rows = []
    for m, g in table.groupby(mkt, sort=True):
        row = {"market": m}
        sub = frame[frame[mkt] == m]
        for col in ("market_name", "geography", "research_firm"):
            if col in sub.columns:
                vals = [str(v) for v in pd.unique(sub[col].dropna())]
                row[col] = "; ".join(vals)
        row["periods"] = (f"{g[per].iloc[0]} to {g[per].iloc[-1]} ({len(g):,})"
                          if len(g) > 1 else f"{g[per].iloc[0]}")
        if "lower_bound" in g.columns:
            row["top_n"] = bool(g["lower_bound"].any())
        rows.append(row)
    out = pd.DataFrame(rows)
    return out if len(out.columns) > 2 else None


def _latest_shares(ctx):
    """The listed firms' shares in each market's latest period, largest first."""
    from ..io import read_shares

    args = ctx.args
    mkt, per, firm = args["market"], args["period"], args["firm"]
    frame = ctx.shares
    if firm not in frame.columns:
        return None
    df, _ = capture(read_shares, frame, **ctx.share_kw(read_shares))
    sname = args["share"] if args["value"] is None else "share"
    df = latest(ctx, df.drop(columns=[c for c in (START, END) if c in df.columns]))
    keys = [c for c in (mkt,) if c in df.columns]
    df = df.assign(_neg=-df[sname]).sort_values(keys + ["_neg", firm], kind="stable")
    keep = [c for c in (mkt, per, firm, sname) if c in df.columns]
    return df[keep].rename(columns={sname: "share"}).reset_index(drop=True)


def _trend_figures(ctx, table):
    """One HHI-over-time panel per market with rows (a band where the data are top-N)."""
    args = ctx.args
    per, mkt = args["period"], args["market"]
    if per not in table.columns:
        return []
    markets = sorted(table[mkt].unique(), key=str) if mkt in table.columns else [None]
    if not markets:
        return []
    ctx.results["trend_panels"] = [None if m is None else str(m) for m in markets]
    matplotlib, Figure = import_mpl()
    ncol = min(3, len(markets))
    nrow = -(-len(markets) // ncol)
    timed = START in table.columns and table[START].notna().all()
    with matplotlib.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=(3.5 * ncol, 2.7 * nrow), layout="constrained")
        axes = fig.subplots(nrow, ncol, squeeze=False)
        for i, m in enumerate(markets):
            ax = axes[i // ncol][i % ncol]
            sub = table if m is None else table[table[mkt] == m]
            band = ("hhi_min", "hhi_max") if "hhi_min" in sub.columns and \
                bool(sub["lower_bound"].any()) else None
            plot_hhi_trend(sub.drop(columns=[mkt]) if m is not None else sub, column="hhi",
                           period=per, market=None, ax=ax, title=None if m is None else str(m),
                           max_ticks=6, start=START if timed else None, band=band,
                           order=list(sub[per]))
            ax.title.set_fontsize(8)
            ax.set_ylabel("HHI (points)" if i % ncol == 0 else "", parse_math=False)
        for j in range(len(markets), nrow * ncol):
            axes[j // ncol][j % ncol].axis("off")
    return [ctx.figs.svg(fig, "HHI over time, one panel per market (points, 0–10,000), each "
                              "period at its start date. Shaded: where the data list only "
                              "the largest firms, the range from the listed firms' HHI (the "
                              "line, a lower bound) to the highest HHI a fringe no larger "
                              "than the smallest listed firm allows. Dashed lines: 1,800, "
                              "above which the 2023 U.S. Merger Guidelines (§2.1) call a "
                              "market highly concentrated, and 1,000, below which a market "
                              "is unconcentrated under the 1982 and 1992 U.S. guidelines and "
                              "inside the EU safe harbour (2004 Horizontal Merger "
                              "Guidelines, para 19).")]


# --------------------------------------------------------------------------- screen


def screen_section(ctx):
    """The hypothetical merger screened in every market and period."""
    args = ctx.args
    title = "Merger screen"
    if not args["merging"]:
        return None
    if ctx.shares is None:
        ctx.skipped.append(f"{title}: no shares input")
        return None
    mkt, per = args["market"], args["period"]
    parties = list(args["merging"])
    if ctx.entities is not None and not accepts(screen_merger, "parent"):
        parties = list(dict.fromkeys(ctx.entities.ultimate(p) for p in parties))
    result, caught = capture(screen_merger, ctx.shares, parties,
                             guidelines=list(args["guidelines"]),
                             **ctx.share_kw(screen_merger))
    record(ctx.validation, "shares", caught)
    raw = result.to_frame()
    table = ordered(ctx, raw, by=[c for c in ("guideline",) if c in raw.columns])
    ctx.results["screen"] = table
    sec = Section("screen", title, methods=("screen",))
    parties = " + ".join(map(str, args["merging"]))
    overlap = table[table["overlap"]] if "overlap" in table.columns else table
    glabels = ", ".join(_guideline_name(k) for k in args["guidelines"])
    resolved = ""
    if ctx.entities is not None:
        pairs = [f"{p} as {ctx.entities.ultimate(p)}" for p in args["merging"]
                 if ctx.entities.ultimate(p) != p]
        if pairs:
            resolved = " Parties resolved through the entity table: " + "; ".join(pairs) + "."
    bound_cols = [c for c in ("verdict_upper", "holds_at_both_bounds") if c in table.columns]
    sec.body.append(Markup(
        f"<p>A hypothetical combination of <strong>{escape(parties)}</strong>, screened in "
        f"every market and period under {escape(glabels)}.{escape(resolved)} HHI and ΔHHI "
        "in points, the combined share in percent. Where the data list only the largest "
        "firms the HHIs are lower bounds; ΔHHI and the combined share are exact. "
        f"{len(overlap):,} of {len(table):,} rows have both parties present; the others "
        "(no overlap) are in the JSON.</p>"))
    if bound_cols and "lower_bound" in overlap.columns and overlap["lower_bound"].any():
        flips = overlap[overlap["lower_bound"] & ~overlap["holds_at_both_bounds"].astype(bool)] \
            if "holds_at_both_bounds" in overlap.columns else overlap.iloc[:0]
        sec.body.append(Markup(
            "<p class='note'>On top-N data the verdict is given at the listed firms' HHI "
            "(the lowest the data allow) and at the highest HHI a fringe no larger than the "
            f"smallest listed firm allows; {len(flips):,} of "
            f"{int(overlap['lower_bound'].sum()):,} such rows change verdict between the "
            "two.</p>"))
    elif "lower_bound" in overlap.columns and overlap["lower_bound"].any():
        sec.body.append(Markup(
            "<p class='note'>Verdicts on lower-bound HHIs are those of the listed firms; "
            "the unknown fringe can only raise the HHI, so a safe-harbour verdict on such a "
            "row may not survive it.</p>"))
    shown = [c for c in (mkt, per, "guideline", "pre_hhi", "post_hhi", "delta_hhi",
                         "combined_share", "lower_bound", "verdict") + tuple(bound_cols)
             if c in overlap.columns]
    sec.body.append(table_html(overlap[shown].reset_index(drop=True), max_rows=400))
    cites = (table[["guideline", "rule", "citation"]].drop_duplicates()
             .sort_values(["guideline", "rule"], kind="stable"))
    sec.body.append(Markup("<h3>Rules applied and their sources</h3><ul class='cites'>" + "".join(
        f"<li><strong>{escape(_guideline_name(r.guideline))}</strong>: {escape(r.rule)}<br>"
        f"<span class='ref'>{escape(r.citation)}</span></li>"
        for r in cites.itertuples()) + "</ul>"))
    if len(overlap):
        sec.body.append(_zone_figure(ctx, overlap, args["guidelines"][0]))
    if result.notes:
        sec.body.append(Markup("".join(f"<p class='note'>{escape(n)}</p>"
                                       for n in result.notes)))
    data_table = table.copy()
    if "verdict" in data_table.columns:
        data_table["verdict_label"] = [verdict_label(v) for v in data_table["verdict"]]
    sec.data = {"merging": list(args["merging"]), "guidelines": list(args["guidelines"]),
                "table": frame_data(data_table), "notes": [str(n) for n in result.notes]}
    return sec


def _guideline_name(key) -> str:
    """``'us2023'`` -> ``'U.S. Merger Guidelines (2023)'`` (the key when unknown)."""
    try:
        g = get_guideline(key)
    except (ConcentrationError, KeyError):
        return str(key)
    where = {"us": "U.S.", "eu": "EU", "jp": "Japan", "usbank": "U.S. bank"}.get(
        str(getattr(g, "jurisdiction", "")), str(getattr(g, "jurisdiction", "")).upper())
    return f"{where} {g.title} ({g.edition})"


def _thresholds(key):
    """The HHI and ΔHHI thresholds of guideline ``key`` for the zone chart, or None."""
    try:
        return get_guideline(key).thresholds()
    except (ConcentrationError, KeyError):
        return None


def _zone_figure(ctx, overlap, key):
    mkt, per = ctx.args["market"], ctx.args["period"]
    sub = overlap[overlap["guideline"] == key] if "guideline" in overlap.columns else overlap
    sub = latest(ctx, sub)
    labels = [" ".join(str(x) for x in row) for row in
              sub[[c for c in (mkt, per) if c in sub.columns]].itertuples(index=False)]
    ax = plot_screen_zones(sub["post_hhi"].to_numpy(), sub["delta_hhi"].to_numpy(),
                           labels=labels, thresholds=_thresholds(key))
    ax.figure.set_size_inches(8.0, 4.4)
    return ctx.figs.svg(ax, f"Each market's latest period on the (post-merger HHI, ΔHHI) "
                            f"plane with the thresholds of {_guideline_name(key)} (dashed: "
                            "HHI; dotted: ΔHHI; shaded: the structural presumption).")


# --------------------------------------------------------------------------- methods

# Methodology notes: formula and reference for each measure shown (trusted markup).
METHODS = {
    "hhi": ("Herfindahl–Hirschman Index",
            "HHI = 10,000 · Σ<sub>i</sub> s<sub>i</sub><sup>2</sup>, with shares s<sub>i</sub> "
            "as fractions; 0–10,000 points.",
            "Herfindahl (1950), <i>Concentration in the Steel Industry</i>, Columbia PhD "
            "thesis; Hirschman (1964), AER 54(5):761."),
    "bounds": ("HHI bounds for top-N data",
               "With listed shares s<sub>1</sub> ≥ … ≥ s<sub>m</sub> and a remainder r = 1 − "
               "Σ s<sub>j</sub> held by fringe firms no larger than s<sub>m</sub>: "
               "HHI<sub>min</sub> = 10,000 · Σ s<sub>j</sub><sup>2</sup> (an infinitely "
               "fragmented fringe) and HHI<sub>max</sub> = 10,000 · (Σ s<sub>j</sub><sup>2</sup> "
               "+ q s<sub>m</sub><sup>2</sup> + (r − q s<sub>m</sub>)<sup>2</sup>), q = ⌊r / "
               "s<sub>m</sub>⌋.",
               "Calkins (1983), California Law Review 71(2):402–429."),
    "cr": ("Concentration ratio",
           "CR<sub>k</sub> = Σ<sub>i≤k</sub> s<sub>(i)</sub>, the combined share of the k "
           "largest firms.", "U.S. Census Bureau, Economic Census concentration ratios."),
    "effective": ("Effective number of firms (numbers-equivalent)",
                  "N<sub>e</sub> = 10,000 / HHI, the number of equal-sized firms with the "
                  "same HHI.", "Adelman (1969), REStat 51(1):99–101."),
    "screen": ("Merger screen",
               "ΔHHI = 2 · 10,000 · s<sub>a</sub> s<sub>b</sub> for merging firms a and b; "
               "post-merger HHI = pre-merger HHI + ΔHHI. Verdicts compare these with the "
               "thresholds of each guideline, cited with its section.",
               "U.S. DOJ/FTC Merger Guidelines (2023), Guideline 1 and §2.1; Horizontal "
               "Merger Guidelines (2010) §5.3."),
    "unilateral": ("Unilateral-effects screens",
                   "GUPPI<sub>a</sub> = D<sub>ab</sub> m<sub>b</sub> p<sub>b</sub> / "
                   "p<sub>a</sub> with diversion ratio D<sub>ab</sub> (proportional to "
                   "share: s<sub>b</sub> / (1 − s<sub>a</sub>)) and margin m; UPP "
                   "subtracts the efficiency credit; CMCR is the marginal-cost reduction "
                   "that leaves prices unchanged (Bertrand).",
                   "Farrell and Shapiro (2010), B.E. J. Theor. Econ. 10(1); Werden (1996), "
                   "J. Ind. Econ. 44(4):409–413; U.S. Horizontal Merger Guidelines (2010) "
                   "§6.1."),
    "mhhi": ("Modified HHI (O'Brien–Salop)",
             "MHHI = 10,000 · Σ<sub>j</sub> Σ<sub>k</sub> s<sub>j</sub> s<sub>k</sub> "
             "κ<sub>jk</sub>, κ<sub>jk</sub> = Σ<sub>i</sub> γ<sub>ij</sub> β<sub>ik</sub> / "
             "Σ<sub>i</sub> γ<sub>ij</sub> β<sub>ij</sub>, with β cash-flow rights and γ "
             "control rights of owner i. κ<sub>jk</sub> is the weight firm j's managers "
             "place on firm k's profit; it is not symmetric. MHHIΔ = MHHI − HHI.",
             "O'Brien and Salop (2000), Antitrust Law Journal 67(3):559–614; Bresnahan and "
             "Salop (1986), IJIO 4(2):155–175."),
    "network": ("Partnership-network centrality and centralization",
                "Degree centrality of node v = deg(v)/(n−1); ties are strengths (larger "
                "is closer), not distances. Freeman centralization C = Σ<sub>i</sub> "
                "(c<sup>*</sup> − c<sub>i</sub>) / max<sub>star</sub> Σ<sub>i</sub> "
                "(c<sup>*</sup> − c<sub>i</sub>): 1 for a star, 0 when every organisation is "
                "equally central. Each year's network holds the ties live at some time in "
                "that year.",
                "Freeman (1979), Social Networks 1(3):215–239; Wasserman and Faust (1994), <i>Social Network "
                "Analysis</i>, ch. 5."),
    "partnership": ("Partnership-adjusted HHI (a sensitivity measure)",
                    "HHI<sub>K</sub> = 10,000 · Σ<sub>j</sub> Σ<sub>k</sub> s<sub>j</sub> "
                    "s<sub>k</sub> K<sub>jk</sub>, the quadratic form of the MHHI with "
                    "K<sub>jk</sub> ∈ [0, 1] from the live alliance ties between j and k "
                    "(by tie kind: acquisition 1, joint venture 0.5, equity investment 0.3, "
                    "licensing 0.2, distribution 0.15, cloud supply and technology "
                    "partnerships 0.1, chip supply and research 0.05; several ties: the "
                    "largest). Not an agency standard: it shows how far concentration "
                    "depends on alliances if allies weighed each other's profits.",
                    "O'Brien and Salop (2000), Antitrust Law Journal 67(3):559–614 (the "
                    "quadratic form); FTC (2025), <i>Partnerships Between Cloud Service "
                    "Providers and AI Developers</i>, staff report, §IV."),
}


def methods_section(keys) -> Section:
    """Formula and reference of each measure in ``keys`` (keys of the notes above)."""
    sec = Section("methodology", "Methodology")
    items = []
    for k in keys:
        title, formula, ref = METHODS[k]
        items.append(f"<dt>{title}</dt><dd>{formula}<br><span class='ref'>{ref}</span></dd>")
    sec.body.append(Markup(
        "<p>Shares are fractions in [0, 1]; indices are reported in points "
        "(0–10,000) as the competition agencies do. Shares that sum below one "
        "are never renormalised: the policy applied is stated beside each "
        "number.</p>"))
    sec.body.append(Markup("<dl class='methods'>" + "".join(items) + "</dl>"))
    sec.data = {"measures": list(keys)}
    return sec


# --------------------------------------------------------------------------- versions


def versions_section(params) -> Section:
    """The library and dependency versions, and the parameters of the run."""
    vers = {"concentration": library_version()}
    # the packages that shape this document (numbers, tables, figures, page), not every
    # package installed: matplotlib only when it drew the figures
    used = ["numpy", "pandas", "pyarrow", "scipy", "jinja2"]
    if "matplotlib" in sys.modules:
        used.append("matplotlib")
    for dep in used:
        try:
            vers[dep] = metadata.version(dep)
        except metadata.PackageNotFoundError:
            vers[dep] = None
    sec = Section("reproducibility", "Library version and parameters")
    sec.body.append(Markup("<p>Rerunning with these versions and parameters on the same "
                           "inputs reproduces this document byte for byte.</p>"))
    sec.body.append(Markup("<h3>Versions</h3>")
                    + facts_html([(k, v if v else "not installed") for k, v in vers.items()]))
    shown = [(k, _json_text(v)) for k, v in params.items()]
    sec.body.append(Markup("<h3>Parameters</h3>") + facts_html(shown))
    sec.data = {"versions": vers, "parameters": jsonable(params)}
    return sec
