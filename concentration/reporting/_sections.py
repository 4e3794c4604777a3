"""The report's sections: one builder each, giving its HTML fragments and JSON data.

Data provenance, concentration by market and period, the merger screen, MHHI by
owner, the partnership network, methodology, and versions with parameters.  Every
fragment is :class:`markupsafe.Markup` built from escaped text (see ``_html``); every
table has a defined order, so the same inputs give the same page.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import pandas as pd
from markupsafe import Markup

from .._tables import period_order
from .._version import library_version
from ..exceptions import ConcentrationError
from ..guidelines import get_guideline
from ..io import read_shares, validate_shares
from ..measures import indices
from ..network import PartnershipNetwork
from ..ownership import mhhi, read_holdings
from ..plotting import plot_bar, plot_hhi_trend, plot_network, plot_screen_zones
from ..plotting._mpl import HOUSE_STYLE, import_mpl
from ..screen import screen_merger
from ._html import escape, facts_html, table_html, warnings_html

__all__ = ["REPORT_MEASURES", "Section", "jsonable", "provenance_section", "indices_section",
           "EXTRA_SECTIONS", "methods_section", "versions_section"]

#: Measures shown in the indices section (see :func:`concentration.indices`).
REPORT_MEASURES = ("hhi", "cr4", "effective_number", "n_firms")


@dataclass
class Section:
    """One section of the page: its anchor, title, HTML fragments and JSON data."""

    key: str
    title: str
    body: list = field(default_factory=list)  # of Markup
    data: dict = field(default_factory=dict)
    methods: tuple = ()  # keys of _METHODS to include


# --------------------------------------------------------------------------- helpers


def jsonable(v):
    """Plain JSON value: numpy scalars to Python, NaN/inf to None, dates to text."""
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
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _frame_data(frame: pd.DataFrame) -> dict:
    """A DataFrame as ``{"columns": [...], "rows": [[...], ...]}`` (index reset)."""
    df = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    return {"columns": [str(c) for c in df.columns],
            "rows": [[jsonable(v) for v in row] for row in df.itertuples(index=False)]}


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


def _share_columns(args) -> dict:
    """The column names and unit of the shares input, as keyword arguments."""
    return {k: args[k] for k in ("market", "period", "firm", "share", "value", "scale")}


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


def _json_text(v) -> str:
    """A parameter or provenance value as shown: text as it is, anything else as JSON."""
    return v if isinstance(v, str) else json.dumps(jsonable(v), sort_keys=True)


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


def indices_section(inp, args, figs, validation) -> Section:
    """HHI, CR4, numbers-equivalent and firm count by market and period, with trends."""
    cols = _share_columns(args)
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
    sec = Section("indices", "Concentration by market and period",
                  methods=("hhi", "cr", "effective"))
    sec.body.append(Markup(
        "<p>HHI in points (0–10,000), the four-firm concentration ratio CR4 (a fraction), "
        "the numbers-equivalent 10,000/HHI and the count of listed firms, for every market "
        "and period. Where the listed shares sum below one (a fringe or a top-N "
        "table), <em>lower bound</em> says so: the HHI then covers the listed firms only "
        "and understates the full-market figure.</p>"))
    if not rep.ok:
        sec.body.append(warnings_html(msgs))
    sec.body.append(table_html(table))
    if len(issues):
        shown = issues[["severity", "check", "group", "value", "message"]].astype(str)
        sec.body.append(Markup(f"<details><summary>Validation issues by market and period "
                               f"({len(issues):,})</summary>{table_html(shown)}</details>"))
    sec.body.extend(_trend_figures(table, cols, figs, order=order))
    latest = _latest_shares(frame, cols, order)
    if latest is not None:
        sec.body.append(Markup("<h3>Shares in each market's latest period</h3>"))
        sec.body.append(table_html(latest))
    sec.data = {"measures": list(REPORT_MEASURES), "columns": jsonable(cols),
                "table": _frame_data(table),
                "latest_shares": None if latest is None else _frame_data(latest),
                "validation_issues": _frame_data(issues) if len(issues) else
                {"columns": [], "rows": []}}
    return sec


def _latest_shares(frame, cols, order):
    """The listed firms' shares (fractions) in each market's latest period, largest first."""
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


# --------------------------------------------------------------------------- screen


def _screen_section(by_role, args, figs, validation, skipped):
    title = "Merger screen"
    if not args["merging"]:
        return None
    if "shares" not in by_role:
        skipped.append(f"{title}: no shares input")
        return None
    inp = by_role["shares"]
    cols = _share_columns(args)
    result, caught = _capture(screen_merger, inp.frame, list(args["merging"]),
                              guidelines=list(args["guidelines"]), market=cols["market"],
                              period=cols["period"], firm=cols["firm"], share=cols["share"],
                              value=cols["value"], scale=cols["scale"])
    _record(validation, inp.role, caught)
    order = _input_periods(inp.frame, cols["period"])
    table = _inperiod_order(result.to_frame(), cols["market"], cols["period"], order)
    sec = Section("screen", title, methods=("screen",))
    parties = " + ".join(args["merging"])
    overlap = table[table["overlap"]] if "overlap" in table.columns else table
    sec.body.append(Markup(
        f"<p>A hypothetical combination of <strong>{escape(parties)}</strong>, screened in "
        f"every market and period under {escape(', '.join(args['guidelines']))}. HHI and "
        "ΔHHI in points, the combined share as a fraction. Where the listed shares sum "
        "below one the HHIs are lower bounds (column lower_bound); ΔHHI and the combined "
        f"share are exact. {len(overlap):,} of {len(table):,} rows have both parties "
        "present; the others are listed in the JSON with verdict no_overlap.</p>"))
    shown = [c for c in (cols["market"], cols["period"], "guideline", "pre_hhi", "post_hhi",
                         "delta_hhi", "combined_share", "lower_bound", "verdict")
             if c in overlap.columns]
    sec.body.append(table_html(overlap[shown].reset_index(drop=True)))
    cites = (table[["guideline", "rule", "citation"]].drop_duplicates()
             .sort_values(["guideline", "rule"], kind="stable"))
    sec.body.append(Markup("<h3>Rules applied and their sources</h3><ul class='cites'>" + "".join(
        f"<li><strong>{escape(r.guideline)}</strong>: {escape(r.rule)}<br>"
        f"<span class='ref'>{escape(r.citation)}</span></li>"
        for r in cites.itertuples()) + "</ul>"))
    if len(overlap):
        sec.body.append(_zone_figure(overlap, cols, args["guidelines"][0], figs, order))
    if result.notes:
        sec.body.append(Markup("".join(f"<p class='note'>{escape(n)}</p>"
                                       for n in result.notes)))
    sec.data = {"merging": list(args["merging"]), "guidelines": list(args["guidelines"]),
                "table": _frame_data(table), "notes": [str(n) for n in result.notes]}
    return sec


def _thresholds(key):
    """The HHI and ΔHHI thresholds of guideline ``key`` for the zone chart, or None."""
    try:
        return get_guideline(key).thresholds()
    except (ConcentrationError, KeyError):
        return None


def _zone_figure(overlap, cols, key, figs, order):
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


# --------------------------------------------------------------------------- network


def _network_section(by_role, args, figs, validation, skipped):
    title = "Partnership network"
    if "partnerships" not in by_role:
        return None
    inp = by_role["partnerships"]
    net, caught = _capture(PartnershipNetwork, inp.frame)
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
    sec = Section("network", title, methods=("network",))
    sec.body.append(Markup(
        f"<p>{len(net.ties):,} ties among {len(net.firms):,} organisations live{escape(when)} "
        "(ties are strengths: larger is closer). Degree is the share of other "
        "organisations tied to each; betweenness the share of shortest paths through it; "
        "eigenvector and PageRank weight ties to central partners more.</p>"))
    sec.body.append(table_html(cent.head(25), caption="The 25 most central organisations "
                                                      "(by degree); the JSON holds all."))
    ax = plot_network(net.ties, source="source", target="target",
                      weight="weight" if "weight" in net.ties.columns else None,
                      size=cent[next(iter(measures))].to_dict())
    sec.body.append(figs.svg(ax, "The alliance network: node size by degree centrality; "
                                 "the most central organisations on the inner ring."))
    sec.data = {"as_of": None if date is None else date.date().isoformat(),
                "n_ties": int(len(net.ties)), "n_firms": int(len(net.firms)),
                "centrality": _frame_data(cent)}
    return sec


# --------------------------------------------------------------------------- MHHI


def _mhhi_section(by_role, args, figs, validation, skipped):
    title = "Ownership-adjusted concentration (MHHI)"
    if "holdings" not in by_role:
        return None
    if "shares" not in by_role:
        skipped.append(f"{title}: no shares input")
        return None
    hinp, sinp = by_role["holdings"], by_role["shares"]
    holdings, caught = _capture(read_holdings, hinp.frame)
    cols = _share_columns(args)
    result, more = _capture(mhhi, sinp.frame, holdings, market=cols["market"],
                            period=cols["period"], firm=cols["firm"], share=cols["share"],
                            value=cols["value"], scale=cols["scale"])
    _record(validation, hinp.role, caught)
    frame = _inperiod_order(result.to_frame(), cols["market"], cols["period"],
                            _input_periods(sinp.frame, cols["period"]))
    owners = result.by_owner()
    sec = Section("mhhi", title, methods=("mhhi",))
    sec.body.append(Markup(
        f"<p>O'Brien–Salop MHHI with control model {escape(result.control_model)}. "
        f"{escape(result.control_note)} MHHIΔ = MHHI − HHI is the part due to common "
        "and cross ownership; below it is attributed to owners (the attribution sums "
        "exactly to MHHIΔ in each market).</p>"))
    moved = frame[frame["mhhi_delta"].abs() > 1e-9] if "mhhi_delta" in frame.columns \
        else frame
    sec.body.append(table_html(moved if len(moved) else frame,
                               caption="Markets and periods where ownership links "
                                       "change the index" if len(moved) else None))
    if len(owners):
        sec.body.append(Markup("<h3>MHHIΔ by owner</h3>") + table_html(owners))
        val = "contribution" if "contribution" in owners.columns else owners.select_dtypes(
            "number").columns[-1]
        label = owners["owner"] if "owner" in owners.columns else owners.index
        totals = owners.groupby(label, sort=True)[val].sum()
        ax = plot_bar(totals, xlabel="MHHIΔ contribution (points), summed over markets")
        sec.body.append(figs.svg(ax, "Each owner's contribution to MHHIΔ, summed over "
                                     "markets and periods."))
    for n in result.notes:
        sec.body.append(Markup(f"<p class='note'>{escape(n)}</p>"))
    sec.data = {"control_model": str(result.control_model), "table": _frame_data(frame),
                "by_owner": _frame_data(owners), "notes": [str(n) for n in result.notes]}
    return sec


#: Sections after the indices, each built when its inputs allow:
#: (key, title, builder(by_role, args, figs, validation, skipped) -> Section or None).
EXTRA_SECTIONS = (
    ("screen", "Merger screen", _screen_section),
    ("mhhi", "Ownership-adjusted concentration (MHHI)", _mhhi_section),
    ("network", "Partnership network", _network_section),
)


# --------------------------------------------------------------------------- methods

# Methodology notes: formula and reference for each measure shown (trusted markup).
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


def methods_section(keys) -> Section:
    """Formula and reference of each measure in ``keys`` (keys of the notes above)."""
    sec = Section("methodology", "Methodology")
    items = []
    for k in keys:
        title, formula, ref = _METHODS[k]
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
    for dep in ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "networkx"):
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
